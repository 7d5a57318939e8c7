# Object model sources. Built as an object library so the model's unit tests link only the
# model (and the layers below it), not the whole engine; sr_hsm takes the same objects.
add_library(sr_hsm_model OBJECT
  attributes.cpp
  object_rules.cpp
  object_rules_table.cpp
  key_attributes.cpp
  policy.cpp
  personality.cpp
  roles.cpp
  slot_strings.cpp)
target_link_libraries(sr_hsm_model PUBLIC sr_common sr_crypto sr_store)
target_sources(sr_hsm PRIVATE $<TARGET_OBJECTS:sr_hsm_model>)
