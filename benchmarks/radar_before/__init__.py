"""The radar's organisation lists as they were before the out_ tables: the view-only SQL files and the
in-memory index, for benchmarks/radar_latency.py's before/after table."""
