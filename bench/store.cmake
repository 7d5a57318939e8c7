# Store benchmarks
