"""Benchmarks: `python -m bench.run` runs every bench module's `main()`; results go to
bench/results/*.json."""
