"""The ETL: read input files, validate them, place every record in its municipality
and health council, and build the DuckDB database (``python -m etl --help``)."""
