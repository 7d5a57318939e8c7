# Crypto benchmarks (registry vs raw OpenSSL)
