# Object model sources: target_sources(sr_hsm PRIVATE ...)
target_sources(sr_hsm PRIVATE
  attributes.cpp
  object_rules.cpp
  key_attributes.cpp
  policy.cpp
  personality.cpp)
