# Identity tests: sr_add_test(identity_test ...)
