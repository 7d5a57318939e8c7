# Engine benchmarks
