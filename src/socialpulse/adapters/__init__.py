"""Adapters: the I/O around the pure core (database, Parquet lake, query engines, files)."""
