"""The collaboration radar's rules, pinned on a tiny hand-made database (today = 30-11-2026).

The world: Sundhedsråd Aarhus (751 Aarhus) and Sundhedsråd Fyn (461 Odense).

    units   U1 Hospital A (751)   U2 Hospital B (461)   U3 Praksis C (751, no collaborations)
    orgs    O1 Forening Et (751)    active offer, many current collaborations
            O2 Forening To (751)    active offer, only an ended collaboration (C3)
            O3 Forening Tre (751)   no offers
            O4 Forening Fire (751)  only a ceased ('ophoert') offer
            O5 Forening Fem (461)   active offer in Odense, collaborations C4 (with U1) and C6
            O6 Forening Seks (751)  active offers in Aarhus and (own place) in Odense, no collaboration

    id  title                   partners  kind     theme         start       end         tovholder  legal  status     exp
    C1  Ender på grænsen        U1 x O1   projekt  forebyggelse  01-01-2025  28-02-2027  'Anna'     ja     aktiv      1
    C2  Løbende drift           U1 x O1   drift    lighed        01-01-2024  (løbende)   None       None   aktiv      0
    C3  Afsluttet projekt       U1 x O2   projekt  forebyggelse  01-01-2023  29-11-2026  ''         nej    aktiv      1
    C4  Lige over tre måneder   U1 x O5   (none)   brobygning    01-01-2026  01-03-2027  'Bo'       nej    aktiv      0
    C5  Slutter i dag           U1 x O1   drift    brobygning    01-06-2025  30-11-2026  'Cai'      ja     aktiv      1
    C6  Fyn-samarbejde          U2 x O5   projekt  forebyggelse  01-01-2026  30-11-2027  'Dea'      ja     aktiv      0
    C7  Planlagt                U1 x O1   projekt  forebyggelse  01-01-2027  31-12-2027  'Eva'      ja     planlagt   1
    C8  Uden startdato          U1 x O1   drift    (none)        (none)      30-06-2027  '  '       ja     aktiv      1
    C9  Afsluttet før tid       U1 x O1   projekt  udvikling     01-01-2025  15-01-2027  'Fie'      ja     afsluttet  1

30-11-2026 + 3 months is 28-02-2027 (month end clamped), so C1 ends exactly on the 3-month edge.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from civilkort import radar
from civilkort.charts import OPEN_ENDED_LABEL, timeline_figure
from civilkort.db import Database
from civilkort.filters import Selection
from civilkort.settings import Settings
from tests.conftest import PROJECT_ROOT, clean_input, typed_rows

TODAY = dt.date(2026, 11, 30)
AARHUS = Selection(area="council:aarhus")
FYN = Selection(area="council:fyn")
D = pd.Timestamp


def _collab(cid, title, units, orgs, kind, themes, start, end, tovholder, legal, status):
    return {
        "collaboration_id": cid,
        "title": title,
        "unit_ids": units,
        "organisation_ids": orgs,
        "themes": themes,
        "target_groups": [],
        "municipalities": [],
        "form": "formel",
        "kind": kind,
        "start_date": D(start) if start else pd.NaT,
        "end_date": D(end) if end else pd.NaT,
        "tovholder": tovholder,
        "legal_review_done": legal,
        "status": status,
    }


def tiny_tables(example: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The hand-made world described in the module docstring."""
    org = lambda i, name: {  # noqa: E731
        "organisation_id": i,
        "name": name,
        "organisation_type": "frivillig_forening",
        "municipality": 461 if i == "O5" else 751,
    }
    offer = lambda i, o, themes, status="aktiv", municipality=None: {  # noqa: E731
        "offer_id": i,
        "organisation_id": o,
        "name": f"Tilbud {i}",
        "themes": themes,
        "target_groups": [],
        "service_area": [],
        "status": status,
        "municipality": municipality,
    }
    unit = lambda i, name, kind, m: {"unit_id": i, "name": name, "unit_type": kind, "municipality": m}  # noqa: E731
    collabs = [
        _collab("C1", "Ender på grænsen", ["U1"], ["O1"], "projekt", ["forebyggelse"], "2025-01-01", "2027-02-28", "Anna", True, "aktiv"),
        _collab("C2", "Løbende drift", ["U1"], ["O1"], "drift", ["lighed"], "2024-01-01", None, None, None, "aktiv"),
        _collab("C3", "Afsluttet projekt", ["U1"], ["O2"], "projekt", ["forebyggelse"], "2023-01-01", "2026-11-29", "", False, "aktiv"),
        _collab("C4", "Lige over tre måneder", ["U1"], ["O5"], None, ["brobygning"], "2026-01-01", "2027-03-01", "Bo", False, "aktiv"),
        _collab("C5", "Slutter i dag", ["U1"], ["O1"], "drift", ["brobygning"], "2025-06-01", "2026-11-30", "Cai", True, "aktiv"),
        _collab("C6", "Fyn-samarbejde", ["U2"], ["O5"], "projekt", ["forebyggelse"], "2026-01-01", "2027-11-30", "Dea", True, "aktiv"),
        _collab("C7", "Planlagt", ["U1"], ["O1"], "projekt", ["forebyggelse"], "2027-01-01", "2027-12-31", "Eva", True, "planlagt"),
        _collab("C8", "Uden startdato", ["U1"], ["O1"], "drift", [], None, "2027-06-30", "  ", True, "aktiv"),
        _collab("C9", "Afsluttet før tid", ["U1"], ["O1"], "projekt", ["udvikling"], "2025-01-01", "2027-01-15", "Fie", True, "afsluttet"),
    ]  # fmt: skip
    experiences = [
        {
            "experience_id": f"E{c}",
            "collaboration_id": c,
            "date": D("2026-06-01"),
            "learning": "Noget virkede.",
        }
        for c in ("C1", "C3", "C5", "C7", "C8", "C9")
    ]
    rows = {
        "organisations": [
            org("O1", "Forening Et"),
            org("O2", "Forening To"),
            org("O3", "Forening Tre"),
            org("O4", "Forening Fire"),
            org("O5", "Forening Fem"),
            org("O6", "Forening Seks"),
        ],
        "offers": [
            offer("T1", "O1", ["forebyggelse"]),
            offer("T2", "O2", ["lighed"]),
            offer("T4", "O4", ["forebyggelse"], status="ophoert"),
            offer("T5", "O5", ["brobygning"]),
            offer("T6a", "O6", ["lighed"]),
            offer("T6b", "O6", ["forebyggelse"], municipality=461),
        ],
        "regional_units": [
            unit("U1", "Hospital A", "hospital", 751),
            unit("U2", "Hospital B", "hospital", 461),
            unit("U3", "Praksis C", "almen_praksis", 751),
        ],
        "collaborations": collabs,
        "experiences": experiences,
    }
    sheets = {"organisations": "Organisationer", "offers": "Tilbud", "regional_units": "Regionale enheder"}
    return {
        name: typed_rows(example[name], r, sheets.get(name, name.capitalize())) for name, r in rows.items()
    }


@pytest.fixture(scope="module")
def db(tmp_path_factory, example_tables):
    from etl.build import build

    path = tmp_path_factory.mktemp("radar-db")
    result = build(
        clean_input(tiny_tables(example_tables)),
        cfg=Settings(data_dir=path, static_dir=PROJECT_ROOT / "static"),
    )
    database = Database(result.path)
    yield database
    database.close()


def _ids(df: pd.DataFrame, col: str = "collaboration_id") -> list[str]:
    return list(df[col])


# --- the hand-made database itself -------------------------------------------------------------


def test_the_tiny_world_counts_empty_and_blank_tovholder_as_none(db):
    # the names live in the store, never in the build; has_tovholder is what the radar reads
    got = db.query("SELECT collaboration_id, tovholder, has_tovholder FROM collaborations")
    assert got["tovholder"].isna().all()
    has = dict(zip(got["collaboration_id"], got["has_tovholder"]))
    assert not has["C2"] and not has["C3"] and not has["C8"]
    assert has["C1"]


# --- timeline -----------------------------------------------------------------------------------


def test_timeline_rows_order_and_flags(db):
    t = radar.timeline(db, AARHUS, TODAY)
    assert _ids(t) == ["C3", "C8", "C2", "C9", "C1", "C5", "C4", "C7"]  # C6 is Fyn only
    row = t.set_index("collaboration_id")
    assert row.loc["C2", "is_open_ended"] and not row.loc["C1", "is_open_ended"]
    # open-ended: drawn to today + 2 years (later than every end date in the area)
    assert row.loc["C2", "draw_end"] == D("2028-11-30")
    assert pd.isna(row.loc["C2", "end_date"])
    # unknown start: drawn from the area's earliest known start, flagged
    assert row.loc["C8", "is_start_unknown"] and row.loc["C8", "draw_start"] == D("2023-01-01")
    assert row.loc["C8", "theme_label"] == "Intet tema" and row.loc["C4", "kind_label"] == "Ikke angivet"
    assert row.loc["C1", "theme_label"] == "Forebyggelse" and row.loc["C5", "kind_label"] == "Drift"
    assert set(t.loc[t["is_ended"], "collaboration_id"]) == {"C3", "C9"}  # ended by date / by status
    assert row.loc["C1", "units"] == "Hospital A" and row.loc["C1", "organisations"] == "Forening Et"


def test_timeline_horizon_follows_a_later_end_date(db):
    t = radar.timeline(db, AARHUS, dt.date(2026, 1, 1)).set_index("collaboration_id")
    assert t.loc["C2", "draw_end"] == D("2028-01-01")
    t = radar.timeline(db, AARHUS, dt.date(2025, 6, 1)).set_index("collaboration_id")
    assert t.loc["C2", "draw_end"] == D("2027-12-31")  # C7's end is after 01-06-2027


def test_timeline_follows_theme_filter_and_area(db):
    assert _ids(radar.timeline(db, Selection(area="council:aarhus", themes=("lighed",)), TODAY)) == ["C2"]
    assert sorted(_ids(radar.timeline(db, FYN, TODAY))) == ["C4", "C6"]  # C4 involves O5 in Odense
    assert radar.timeline(db, Selection(area="council:nordsjaelland"), TODAY).empty


def test_chart_rows_keep_current_ones_ending_first(db):
    t = radar.timeline(db, AARHUS, TODAY)
    rows, n = radar.chart_rows(t)
    assert n == 6 and set(rows["collaboration_id"]) == {"C1", "C2", "C4", "C5", "C7", "C8"}
    rows, n = radar.chart_rows(t, include_ended=True, limit=3)
    assert n == 8 and _ids(rows) == ["C3", "C9", "C5"]  # the three ending first, in order of start


# --- ending soon --------------------------------------------------------------------------------


def test_ending_windows_and_boundaries(db):
    e = radar.ending(db, AARHUS, TODAY)
    assert e["counts"] == {3: 2, 6: 3, 12: 4}
    # C5 ends today (still running), C1 exactly on the 3-month edge; C3 ended yesterday; C9 is
    # 'afsluttet' although its end date is within 3 months; C2 is open-ended; C7 is 13 months out.
    assert _ids(e["rows"][3]) == ["C5", "C1"]
    assert _ids(e["rows"][6]) == ["C5", "C1", "C4"]
    assert _ids(e["rows"][12]) == ["C5", "C1", "C4", "C8"]
    r = e["rows"][12].set_index("collaboration_id")
    assert list(r["days_left"]) == [0, 90, 91, 212]
    assert list(r["within_months"]) == [3, 3, 6, 12]


def test_ending_three_days_earlier(db):
    # 27-11-2026 + 3 months is 27-02-2027: C1 (28-02-2027) is one day beyond; C3 has not ended yet.
    e = radar.ending(db, AARHUS, dt.date(2026, 11, 27))
    assert _ids(e["rows"][3]) == ["C3", "C5"]
    assert _ids(e["rows"][6]) == ["C3", "C5", "C1", "C4"]


def test_ending_custom_windows(db):
    e = radar.ending(db, AARHUS, TODAY, months=(1, 24))
    assert e["counts"] == {1: 1, 24: 5}


# --- project vs drift ---------------------------------------------------------------------------


def test_kind_share(db):
    k = radar.kind_share(db, AARHUS, TODAY)
    assert list(k["kind_label"]) == ["Projekt", "Drift", "Ikke angivet"]
    assert list(k["n"]) == [4, 3, 1] and list(k["pct"]) == [50.0, 37.5, 12.5]
    assert list(k["n_current"]) == [2, 3, 1] and list(k["pct_current"]) == [33.3, 50.0, 16.7]


def test_kind_share_without_collaborations_lists_the_kinds_with_zero(db):
    k = radar.kind_share(db, Selection(area="council:nordsjaelland"), TODAY)
    assert list(k["kind_label"]) == ["Projekt", "Drift"] and list(k["n"]) == [0, 0]
    assert k["pct"].isna().all()


# --- governance ---------------------------------------------------------------------------------


def test_governance_gaps(db):
    g = radar.gaps_in_governance(db, AARHUS, TODAY)
    assert g["counts"] == {
        "without_tovholder": 3,
        "without_legal_review": 3,
        "without_experience": 2,
        "total": 8,
    }
    assert _ids(g["without_tovholder"]) == ["C8", "C2", "C3"]  # '  ', None, '' all count as none
    assert _ids(g["without_legal_review"]) == ["C4", "C2", "C3"]  # Nej and not stated
    assert _ids(g["without_experience"]) == ["C4", "C2"]
    # every collaboration of the area with its flags: current first, by end date; ended last
    assert _ids(g["rows"]) == ["C5", "C1", "C4", "C8", "C7", "C2", "C3", "C9"]
    legal = dict(zip(g["rows"]["collaboration_id"], g["rows"]["legal_review"]))
    assert (legal["C4"], legal["C8"], legal["C2"], legal["C3"]) == ("Nej", "Ja", "Ikke angivet", "Nej")
    assert dict(zip(g["rows"]["collaboration_id"], g["rows"]["n_experiences"]))["C1"] == 1


# --- orphans ------------------------------------------------------------------------------------


def test_orphan_organisations(db):
    o = radar.orphan_organisations(db, AARHUS, TODAY)
    # O2 only had an ended collaboration; O6 never had one. O3 has no offers, O4 only a ceased
    # offer, O5 lives in Odense.
    assert _ids(o, "organisation_id") == ["O6", "O2"]
    row = o.set_index("organisation_id")
    assert row.loc["O2", "n_ended_collaborations"] == 1 and row.loc["O6", "n_ended_collaborations"] == 0
    assert row.loc["O6", "n_offers"] == 2 and row.loc["O6", "themes"] == "Forebyggelse; Lighed i sundhed"


def test_orphan_organisations_follow_offer_filters(db):
    all_statuses = Selection(area="council:aarhus", statuses=())
    assert _ids(radar.orphan_organisations(db, all_statuses, TODAY), "organisation_id") == ["O4", "O6", "O2"]
    lighed = Selection(area="council:aarhus", themes=("lighed",))
    o = radar.orphan_organisations(db, lighed, TODAY)
    assert _ids(o, "organisation_id") == ["O6", "O2"] and list(o["n_offers"]) == [1, 1]
    # once C3 is still running (a day earlier), O2 is no orphan
    assert _ids(radar.orphan_organisations(db, AARHUS, dt.date(2026, 11, 29)), "organisation_id") == ["O6"]


def test_units_without_partner_in_theme(db):
    u = radar.units_without_partner_in_theme(db, AARHUS, TODAY)
    pairs = list(zip(u["unit_id"], u["theme"]))
    # U1's only 'udvikling' collaboration (C9) has ended; U3 has no collaboration at all.
    assert pairs == [
        ("U1", "udvikling"),
        ("U3", "forebyggelse"),
        ("U3", "lighed"),
        ("U3", "brobygning"),
        ("U3", "udvikling"),
    ]
    assert list(u["n_collaborations_any"]) == [6, 0, 0, 0, 0]
    chosen = radar.units_without_partner_in_theme(
        db, Selection(area="council:aarhus", themes=("lighed",)), TODAY
    )
    assert list(zip(chosen["unit_id"], chosen["theme_label"])) == [("U3", "Lighed i sundhed")]


def test_multi_council_organisations(db):
    m = radar.multi_council_organisations(db, AARHUS, TODAY)
    # O5: an offer in Odense and C4 with Hospital A in Aarhus; O6: offers held in Aarhus and Odense.
    assert _ids(m, "organisation_id") == ["O5", "O6"]
    row = m.set_index("organisation_id")
    assert (
        row.loc["O5", "councils"] == "Sundhedsråd Aarhus; Sundhedsråd Fyn"
        and row.loc["O5", "n_councils"] == 2
    )
    assert (row.loc["O5", "n_councils_offers"], row.loc["O5", "n_councils_collaborations"]) == (1, 2)
    assert (row.loc["O6", "n_councils_offers"], row.loc["O6", "n_councils_collaborations"]) == (2, 0)
    assert _ids(radar.multi_council_organisations(db, FYN, TODAY), "organisation_id") == ["O5", "O6"]
    lighed = Selection(area="council:aarhus", themes=("lighed",))
    assert radar.multi_council_organisations(db, lighed, TODAY).empty
    assert radar.multi_council_organisations(db, Selection(area="council:nordsjaelland"), TODAY).empty


def test_orphans_bundle_and_today_default(db):
    bundle = radar.orphans(db, AARHUS, TODAY)
    assert set(bundle) == {"organisations", "units", "multi_council"}
    assert len(radar.timeline(db, AARHUS)) == 8  # today defaults to date.today()


# --- the chart ----------------------------------------------------------------------------------


def test_timeline_figure_marks_open_ended_today_and_escapes(db):
    t = radar.timeline(db, AARHUS, TODAY)
    t.loc[t["collaboration_id"] == "C2", "title"] = "<img src=x onerror=alert(1)>"
    fig = timeline_figure(t, colour_by="kind", today=TODAY)
    raw = fig.to_json()
    assert "<img" not in raw and "&lt;img src=x onerror=alert(1)&gt;" in raw
    open_trace = next(tr for tr in fig.data if tr.name == OPEN_ENDED_LABEL)
    assert list(open_trace.y) == ["C2"] and open_trace.marker.symbol == "triangle-right"
    hatched = [tr for tr in fig.data if tr.type == "bar" and tr.marker.pattern.shape == "/"]
    assert [list(tr.y) for tr in hatched] == [["C2"]]
    assert {tr.name for tr in fig.data if tr.showlegend} == {
        "Projekt",
        "Drift",
        "Ikke angivet",
        OPEN_ENDED_LABEL,
    }
    assert fig.layout.shapes[0].x0 == "2026-11-30"
    ids = {row[0] for tr in fig.data for row in (tr.customdata if tr.customdata is not None else [])}
    assert ids == set(t["collaboration_id"])
    assert timeline_figure(t.iloc[0:0], today=TODAY).data == ()


def test_a_group_whose_collaborations_are_all_open_ended_is_in_the_legend(db):
    t = radar.timeline(db, AARHUS, TODAY)
    only_open = t[t["collaboration_id"] == "C2"]
    fig = timeline_figure(only_open, colour_by="kind", today=TODAY)
    named = [tr.name for tr in fig.data if tr.showlegend]
    assert named.count(OPEN_ENDED_LABEL) == 1 and len(named) == 2  # its colour, and the open-ended mark
    bars = [tr for tr in fig.data if tr.type == "bar" and tr.showlegend]
    assert [list(tr.y) for tr in bars] == [["C2"]] and bars[0].marker.pattern.shape == "/"


# --- the SQL files ------------------------------------------------------------------------------

PUBLIC = {
    "collaborations",
    "collaboration_partners",
    "organisations",
    "offers",
    "regional_units",
    "experiences",
    "municipalities",
    "councils",
    "vocabularies",
    "out_bits",  # the build's reader tables (etl/sql/out.sql), public like the views
    "out_organisations",
    "out_offers",
    "out_organisation_collaborations",
    "out_records_by_day",
}


@pytest.mark.parametrize("name", sorted(radar.SQL_FILES))
def test_sql_files_read_only_public_views_and_are_documented(name):
    sql = radar.sql_text(name)
    assert sql.startswith("-- Samarbejdsradar")
    code = re.sub(r"--[^\n]*", "", sql)
    ctes = set(re.findall(r"(\w+)\s+AS\s*\(", code))
    sources = set(re.findall(r"(?<!DISTINCT )\b(?:FROM|JOIN)\s+(\w+)(?![.\w])", code, flags=re.IGNORECASE))
    assert sources - ctes - {"unnest"} <= PUBLIC, sources - ctes
    assert "{" not in code and "%s" not in code  # parameters are bound, never formatted in
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"civilkort/sql/radar/{radar.SQL_FILES[name]}" in readme
    assert all(f"| `{t}` |" in readme for t in sources if t.startswith("out_"))  # in the schema table


def test_free_text_is_bound(db):
    sel = Selection(area="council:aarhus", text="'; DROP VIEW collaborations; --")
    assert radar.timeline(db, sel, TODAY).empty
    assert len(radar.timeline(db, AARHUS, TODAY)) == 8


# --- the organisation lists on more selections (hand-checked against the world above) -----------------


def _orphan_ids(db, today=TODAY, **sel) -> list[str]:
    return _ids(
        radar.orphan_organisations(db, Selection(**{"area": "council:aarhus", **sel}), today),
        "organisation_id",
    )


def _multi_ids(db, today=TODAY, **sel) -> list[str]:
    return _ids(
        radar.multi_council_organisations(db, Selection(**{"area": "council:aarhus", **sel}), today),
        "organisation_id",
    )


def test_orphan_organisations_on_other_days_and_areas(db):
    # At 30-11-2026 O5 (Odense) has C4 and C6 running; by 2030 both have ended, C2 (O1) runs on open-ended.
    assert _orphan_ids(db, area="council:fyn") == []
    later = radar.orphan_organisations(db, FYN, dt.date(2030, 1, 1))
    assert _ids(later, "organisation_id") == ["O5"]
    assert later["n_ended_collaborations"].tolist() == [2]
    assert later["themes"].tolist() == ["Brobygning til hverdagsliv og fællesskaber"]
    assert _orphan_ids(db, dt.date(2030, 1, 1)) == ["O6", "O2"]
    assert _orphan_ids(db, area="dk") == ["O6", "O2"]
    assert _orphan_ids(db, dt.date(2030, 1, 1), area="dk") == ["O5", "O6", "O2"]


def test_orphan_organisations_follow_text_type_and_group_filters(db):
    assert _orphan_ids(db, text="seks") == ["O6"]
    assert _orphan_ids(db, text="tilbud t2") == ["O2"]  # an offer's name
    assert _orphan_ids(db, organisation_types=("frivillig_forening",)) == ["O6", "O2"]
    assert _orphan_ids(db, organisation_types=("patientforening",)) == []
    assert _orphan_ids(db, target_groups=("aeldre",)) == []  # no offer has a target group
    assert _orphan_ids(db, themes=("ukendt",)) == []  # an unknown theme matches nothing (not everything)
    assert _orphan_ids(db, themes=("ukendt", "lighed")) == ["O6", "O2"]
    assert _orphan_ids(db, referrals="ja") == []  # no offer says it accepts social referrals


def test_multi_council_organisations_on_other_days_and_filters(db):
    # by 2030 O5's collaborations have ended and its offer is in Odense only; O6 still holds offers in both
    assert _multi_ids(db, dt.date(2030, 1, 1)) == ["O6"]
    brobygning = radar.multi_council_organisations(
        db, Selection(area="council:aarhus", themes=("brobygning",)), TODAY
    )
    assert _ids(brobygning, "organisation_id") == ["O5"]  # T5 in Odense and C4 (Aarhus + Odense)
    assert brobygning[["n_councils_offers", "n_councils_collaborations"]].values.tolist() == [[1, 2]]
    assert _multi_ids(db, text="seks") == ["O6"]
    assert _multi_ids(db, organisation_types=("patientforening",)) == []
    assert _multi_ids(db, themes=("ukendt",)) == []
    assert _multi_ids(db, area="dk") == ["O5", "O6"]


def test_the_out_tables_hold_the_codes_as_bits(db):
    bits = db.query("SELECT vocabulary, code, bit FROM out_bits")
    bit = {(v, c): b for v, c, b in bits.itertuples(index=False)}
    offers = db.query("SELECT offer_id, theme_mask, council_mask FROM out_offers").set_index("offer_id")
    assert offers.loc["T6b", "theme_mask"] == bit[("theme", "forebyggelse")]
    assert offers.loc["T6b", "council_mask"] == bit[("council", "fyn")]
    assert offers.loc["T6a", "council_mask"] == bit[("council", "aarhus")]
    c4 = db.query("SELECT * FROM out_organisation_collaborations WHERE collaboration_id = 'C4'").iloc[0]
    assert (
        c4["organisation_id"] == "O5"
        and c4["council_mask"] == bit[("council", "aarhus")] | bit[("council", "fyn")]
    )
    per_vocabulary = bits.groupby("vocabulary")["bit"]
    assert (per_vocabulary.nunique() == per_vocabulary.size()).all()  # one bit per code


def test_the_lists_on_the_example_data(small_db):
    orphans = radar.orphan_organisations(small_db, Selection(area="dk"), TODAY)
    assert len(orphans) > 0
    current = small_db.query(
        """SELECT DISTINCT p.partner_id FROM collaboration_partners p JOIN collaborations c USING (collaboration_id)
           WHERE p.partner_kind = 'organisation' AND (c.status = 'afsluttet' OR c.end_date < $today) IS NOT TRUE""",
        {"today": TODAY},
    )
    assert not set(orphans["organisation_id"]) & set(current["partner_id"])
    multi = radar.multi_council_organisations(small_db, Selection(area="dk", statuses=()), TODAY)
    assert (multi["n_councils"] >= 2).all()
    assert (multi["councils"].str.count("; ") + 1 == multi["n_councils"]).all()
