// Placeholder until the SQLite implementation of store.h lands.
