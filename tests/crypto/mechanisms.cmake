# Mechanism and key tests.
find_package(nlohmann_json 3 REQUIRED)
sr_add_test(mechanism_test
  ${CMAKE_CURRENT_LIST_DIR}/key_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_sign_test.cpp)
target_link_libraries(mechanism_test PRIVATE sr_crypto nlohmann_json::nlohmann_json)
