# The cloning protocol: wire messages and the three-step exchange on LocalDevice.
target_sources(sr_hsm PRIVATE clone_protocol.cpp clone_engine.cpp local_clone.cpp
                              local_masking.cpp fingerprint.cpp masking.cpp)
