# Crypto benchmarks: signing through the mechanism registry vs the same operation on raw
# OpenSSL EVP, 1 and 2 threads; prints registry/raw throughput ratios. Reported, never asserted.
add_executable(crypto_bench crypto_bench.cpp)
target_link_libraries(crypto_bench PRIVATE sr_crypto benchmark::benchmark)
