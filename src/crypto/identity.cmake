# Sources of x509.h: target_sources(sr_crypto PRIVATE ...)
