# Identity tests: certificates, manufacturer root, identity signatures.
sr_add_test(identity_test ${CMAKE_CURRENT_LIST_DIR}/x509_test.cpp)
target_link_libraries(identity_test PRIVATE sr_crypto)
