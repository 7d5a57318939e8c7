# Cloning protocol tests: two devices of one factory exchanging hello and sealed messages.
sr_add_test(hsm_clone_test clone_test.cpp)
target_link_libraries(hsm_clone_test PRIVATE sr_hsm)
