# Object model tests (links the model objects only, see src/hsm/model.cmake).
sr_add_test(hsm_model_test
  attributes_test.cpp
  object_rules_test.cpp
  policy_test.cpp
  personality_test.cpp
  key_attributes_test.cpp)
target_link_libraries(hsm_model_test PRIVATE sr_hsm_model sr_common sr_crypto sr_store)
