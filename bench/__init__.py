"""Benchmarks and data generators; results are written to bench/results/."""
