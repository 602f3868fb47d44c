"""Benchmarks: scripts that start the real server and print figures (not tests)."""
