"""Streamlit helpers shared by the pages: data access with caching, the sidebar selection,
provenance notices and error rendering.  All data logic lives in ``civilkort``."""
