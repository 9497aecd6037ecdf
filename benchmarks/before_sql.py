"""Shared by the before/after benchmarks: run a kept copy of an SQL file as the app bound it then."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from civilkort.db import Database


def run_file(db: Database, path: Path, available: dict) -> pd.DataFrame:
    """Run the SQL file at ``path`` with the parameters of ``available`` it uses (comments left out)."""
    sql = path.read_text(encoding="utf-8")
    code = re.sub(r"--[^\n]*", "", sql)
    return db.query(sql, {k: v for k, v in available.items() if re.search(rf"\${k}\b", code)})
