# Sources of x509.h (device identity, certificates, manufacturer root).
target_sources(sr_crypto PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/x509.cpp
  ${CMAKE_CURRENT_LIST_DIR}/x509_keys.cpp
  ${CMAKE_CURRENT_LIST_DIR}/x509_issue.cpp
  ${CMAKE_CURRENT_LIST_DIR}/x509_verify.cpp
  ${CMAKE_CURRENT_LIST_DIR}/x509_root.cpp)
