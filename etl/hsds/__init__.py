"""Open Referral HSDS 3.0: export the product's data as HSDS and read HSDS data as input.

- ``export``: product tables -> tabular data package (CSV + datapackage.json) and JSON form;
- ``importer``: HSDS (package folder, datapackage.json, zip, or JSON) -> the product's raw
  tables, which ``etl.read`` hands on to cleaning like any spreadsheet;
- ``validation``: our JSON Schemas in ``schemas/`` and, if given, the official ones;
- ``mapping``: the Danish profile (ids, taxonomies, attribute fields), see the README;
- ``vocabulary_map``: other publishers' taxonomy terms -> the product's vocabulary values.
"""

from __future__ import annotations

from .export import ExportResult, export, nest, to_hsds, write_json, write_tabular
from .importer import is_hsds_input, load, read_hsds, to_raw_tables
from .validation import SchemaSourceError, official_schemas, using_official_schemas
from .vocabulary_map import VocabularyMap, load_map

__all__ = [
    "ExportResult",
    "SchemaSourceError",
    "export",
    "VocabularyMap",
    "is_hsds_input",
    "load",
    "load_map",
    "nest",
    "official_schemas",
    "read_hsds",
    "to_hsds",
    "to_raw_tables",
    "using_official_schemas",
    "write_json",
    "write_tabular",
]
