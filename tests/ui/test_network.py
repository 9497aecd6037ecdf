"""The network page's parts that need no running app: a collaboration's period."""

from __future__ import annotations

import pandas as pd

from ui import network


def test_a_period_reads_in_danish():
    start, end = pd.Timestamp("2024-02-01"), pd.Timestamp("2026-12-31")
    assert network.period(start, end, False) == "01-02-2024 – 31-12-2026"
    assert network.period(start, pd.NaT, True) == "01-02-2024 – løbende"
    assert network.period(pd.NaT, pd.NaT, None) == "ukendt start – ukendt slut"
    assert network.period(None, end, pd.NA) == "ukendt start – 31-12-2026"
