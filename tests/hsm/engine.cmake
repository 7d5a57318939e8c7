# Engine tests: Device / LocalDevice through the interface, device folder, factory.
sr_add_test(hsm_engine_test
  device_lifecycle_test.cpp
  device_objects_test.cpp
  device_crypto_test.cpp
  device_robustness_test.cpp
  capacity_test.cpp)
target_link_libraries(hsm_engine_test PRIVATE sr_hsm)
target_link_libraries(hsm_engine_test PRIVATE SQLite::SQLite3)
