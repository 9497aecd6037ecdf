"""Civilsamfundskortet's HTTP APIs beside the Streamlit app: the HSDS 3.0 read API (:mod:`api.hsds`).

Above the pipeline (it serves the build through ``etl.hsds``'s records), beside ``ui``; never Streamlit.
The package re-exports nothing (a package importing its own submodules makes an import circle with each
of them): import from the module that defines a name, ``from api.hsds import MOUNT``."""
