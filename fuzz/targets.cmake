# Fuzz targets: sr_add_fuzz(<name> SOURCES <file> LIBS <libs>) with corpus in corpus/<name>/
