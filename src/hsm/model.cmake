# Object model sources: target_sources(sr_hsm PRIVATE ...)
