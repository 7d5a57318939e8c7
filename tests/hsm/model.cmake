# Object model tests
sr_add_test(hsm_model_test attributes_test.cpp)
target_link_libraries(hsm_model_test PRIVATE sr_hsm)
