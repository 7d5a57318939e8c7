# Sources of key.h / mechanism.h.
target_sources(sr_crypto PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/key.cpp
  ${CMAKE_CURRENT_LIST_DIR}/key_rsa_dsa.cpp
  ${CMAKE_CURRENT_LIST_DIR}/key_ec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_sig.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_symmetric.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_rsa.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_ec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_eddsa.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_dsa.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_aes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_des3.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_hmac.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_digest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mech_wrap.cpp)
