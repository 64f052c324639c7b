"""Load benchmarks against a real server (`python -m bench.connections`)."""
