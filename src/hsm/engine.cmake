# Engine sources: target_sources(sr_hsm PRIVATE ...)
