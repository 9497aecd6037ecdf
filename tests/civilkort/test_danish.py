"""Danish notation: dates, local times (summer and winter), numbers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from civilkort import danish


def test_dates_read_day_month_year_and_missing_ones_say_so():
    assert danish.date(dt.date(2027, 2, 1)) == "01-02-2027"
    assert danish.date("2027-02-01T23:30:00+00:00") == "01-02-2027"
    assert danish.date(pd.Timestamp("2027-02-01")) == "01-02-2027"
    assert danish.date(None) == danish.date(pd.NaT) == danish.date(np.nan) == danish.date("") == "–"
    assert danish.date(None, missing="aldrig") == "aldrig"
    assert danish.date("ikke en dato") == "ikke en dato"


def test_times_are_shown_in_danish_local_time_summer_and_winter():
    assert danish.local_time("2027-01-15T13:05:00+00:00") == "15-01-2027 14:05"  # CET, UTC+1
    assert danish.local_time("2027-07-15T13:05:00+00:00") == "15-07-2027 15:05"  # CEST, UTC+2
    assert danish.local_time("2027-07-15T13:05:09") == "15-07-2027 15:05"  # no zone: stored UTC
    assert danish.local_time("2027-07-15T13:05:09+00:00", seconds=True) == "15-07-2027 15:05:09"
    assert danish.local_time("2027-02-03T13:05:00+00:00", kl=True) == "03-02-2027 kl. 14.05"
    assert danish.local_time(None) == "–" and danish.local_time("?") == "?"


def test_numbers_group_thousands_with_a_point_and_decimals_with_a_comma():
    assert danish.number(1234) == "1.234"
    assert danish.number(14.6) == "14,6"
    assert danish.number(1234567.891, 1) == "1.234.567,9"
    assert danish.number(np.int64(5)) == "5" and danish.number(None) == "–"


def test_a_count_says_one_in_the_singular():
    assert danish.count(1, "post", "poster") == "1 post"
    assert danish.count(0, "post", "poster") == "0 poster"
    assert danish.count(1200, "post", "poster") == "1.200 poster"


@pytest.mark.parametrize(
    ("parts", "written"),
    [
        (("Vestergade 1", "8000", "Aarhus C"), "Vestergade 1, 8000 Aarhus C"),
        ((None, "8000", "Aarhus C"), "8000 Aarhus C"),
        (("Vestergade 1", None, float("nan")), "Vestergade 1"),
        ((" ", pd.NA, ""), ""),
    ],
)
def test_a_place_is_written_as_a_danish_address(parts, written):
    assert danish.place(*parts) == written
