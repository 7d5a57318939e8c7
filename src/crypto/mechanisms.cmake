# Sources of key.h / mechanism.h: target_sources(sr_crypto PRIVATE ...)
