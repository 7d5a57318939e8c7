# One target per parser of untrusted bytes: sr_add_fuzz(<name> SOURCES ... LIBS ...), with a
# seed corpus in corpus/<name>/.
sr_add_fuzz(fuzz_attribute_blob SOURCES fuzz_attribute_blob.cpp LIBS sr_hsm_model sr_crypto)
sr_add_fuzz(fuzz_certificate SOURCES fuzz_certificate.cpp LIBS sr_crypto)
sr_add_fuzz(fuzz_p11_input SOURCES fuzz_p11_input.cpp LIBS sr_pkcs11_core)
sr_add_fuzz(fuzz_clone_messages SOURCES fuzz_clone_messages.cpp LIBS sr_hsm)
sr_add_fuzz(fuzz_shell_grammar SOURCES fuzz_shell_grammar.cpp LIBS sr_cm)
sr_add_fuzz(fuzz_masked_blob SOURCES fuzz_masked_blob.cpp LIBS sr_hsm)
sr_add_fuzz(fuzz_net_messages SOURCES fuzz_net_messages.cpp LIBS sr_net)
sr_add_fuzz(fuzz_net_service SOURCES fuzz_net_service.cpp LIBS sr_net)
