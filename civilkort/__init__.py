"""Civilsamfundskortet: shared code for the ETL and the Streamlit app (no Streamlit imports)."""

__version__ = "0.1.0"
