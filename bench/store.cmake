# Store benchmarks: object creation rate (per-transaction and batched) and label search at
# 1,000 / 10,000 / 100,000 objects. Reported, never asserted.
add_executable(store_bench store_bench.cpp)
target_link_libraries(store_bench PRIVATE sr_store benchmark::benchmark benchmark::benchmark_main)
