"""Huller's and Sammenlign's views as they were before the out_ tables: the view-only SQL files and the
in-memory index, for benchmarks/views_latency.py's before/after table."""
