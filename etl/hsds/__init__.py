"""Open Referral HSDS 3.0: export the product's data as HSDS and read HSDS data as input.

- ``export``: product tables -> tabular data package (CSV + datapackage.json) and JSON form;
- ``importer``: HSDS (package folder, datapackage.json, zip, or JSON) -> the product's raw
  tables, which ``etl.read`` hands on to cleaning like any spreadsheet;
- ``validation``: our JSON Schemas in ``schemas/`` and, if given, the official ones;
- ``mapping``: the Danish profile (ids, taxonomies, attribute fields), see the README;
- ``vocabulary_map``: other publishers' taxonomy terms -> the product's vocabulary values.
"""
