"""Civilsamfundskortet's HTTP APIs beside the Streamlit app: the HSDS 3.0 read API (:mod:`api.hsds`).

Above the pipeline (it serves the build through ``etl.hsds``'s records), beside ``ui``; never Streamlit."""

from .hsds import MOUNT, app, warm

__all__ = ["MOUNT", "app", "warm"]
