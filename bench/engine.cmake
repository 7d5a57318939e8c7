# Engine benchmarks: signing through LocalDevice vs raw OpenSSL EVP (ratios), token object
# creation rate, label search at 1k / 10k / 100k objects. Reported, never asserted; run it from
# a Release build for meaningful numbers.
add_executable(engine_bench engine_bench.cpp)
target_link_libraries(engine_bench PRIVATE sr_hsm OpenSSL::Crypto)
