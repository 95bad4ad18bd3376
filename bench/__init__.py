"""Benchmarks: cloudbook beside the systems users would otherwise pick, in one run."""
