// Placeholder translation unit until the SQLite implementation lands.
