# Mechanism and key tests: sr_add_test(mechanism_test ...)
