# Mechanism and key tests.
find_package(nlohmann_json 3 REQUIRED)
pkg_check_modules(SR_MECH_P11KIT REQUIRED p11-kit-1)
sr_add_test(mechanism_test
  ${CMAKE_CURRENT_LIST_DIR}/key_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_sign_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_cipher_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_wrap_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_pkcs11_numbers_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_kat_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_threads_test.cpp)
target_link_libraries(mechanism_test PRIVATE sr_crypto nlohmann_json::nlohmann_json)
# The real PKCS#11 header, only to prove our ids and flags equal the CKM_*/CKF_* values.
target_include_directories(mechanism_test SYSTEM PRIVATE ${SR_MECH_P11KIT_INCLUDE_DIRS})

# Regression for keys under a process-default pkcs11 ENGINE (own process: global state).
sr_add_test(mechanism_engine_test ${CMAKE_CURRENT_LIST_DIR}/mech_engine_test.cpp)
target_link_libraries(mechanism_engine_test PRIVATE sr_crypto)
