# Cloning protocol tests: two devices of one factory exchanging hello and sealed messages.
sr_add_test(hsm_clone_test clone_test.cpp clone_target_test.cpp clone_capacity_test.cpp)
target_link_libraries(hsm_clone_test PRIVATE sr_hsm)
# Proof without export and masked objects (docs/design/fingerprint.md, docs/design/masking.md).
sr_add_test(hsm_fingerprint_test fingerprint_test.cpp masking_fixture.cpp)
target_link_libraries(hsm_fingerprint_test PRIVATE sr_hsm)
sr_add_test(hsm_masking_test masking_test.cpp masking_fixture.cpp)
target_link_libraries(hsm_masking_test PRIVATE sr_hsm)
