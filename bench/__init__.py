"""Benchmarks of a live HallQ server; `make bench` runs bench/run_all.py."""
