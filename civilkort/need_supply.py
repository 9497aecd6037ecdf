"""Need beside supply: 3 × 3 classes of need and offers per 1,000 in the target group (no Streamlit).

From the municipality × target-group matrix (``gaps.matrix``, from memory or SQL: the same columns) each
cell (municipality, target group) gets two figures and two classes:

* **need**: the people in the target group (``group_people``, counted by the group's need indicator),
  as a share of the inhabitants (%) when the municipality's population is loaded, so that small and large
  municipalities compare; without population the number of people;
* **supply**: offers per 1,000 people in the target group (``per_1000_group``).

Each is classed 1 (low) to 3 (high) by tertiles among the area's municipalities, per target group
(:func:`classify`). An area with fewer than :data:`MIN_AREA` municipalities that have the figure (Sundhedsråd
Aarhus has two) is classed against the whole country's tertiles instead, and says so.  The ranked table
puts the cells with the highest need and the lowest supply first (:data:`RANK_RULE`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_AREA = 3
"""Fewer municipalities with a figure than this, and the classes are the whole country's tertiles."""

PALETTE: tuple[tuple[str, str, str], ...] = (
    ("#e8e8e8", "#ace4e4", "#5ac8c8"),
    ("#dfb0d6", "#a5add3", "#5698b9"),
    ("#be64ac", "#8c62aa", "#3b4994"),
)
"""Joshua Stevens' pink-blue 3 × 3 bivariate scheme (colour-blind safe): ``PALETTE[need - 1][supply - 1]``.
High need with few offers (the worrying corner) is the strong pink, #be64ac."""
NO_CLASS_COLOUR = "#ffffff"
"""A municipality without classes (no indicator value, no people, not mapped): white, hatched on the map."""

NEED_WORDS = {1: "Lavt behov", 2: "Middel behov", 3: "Højt behov"}
SUPPLY_WORDS = {1: "få tilbud", 2: "middel tilbud", 3: "mange tilbud"}
WORRY = "Højt behov, få tilbud"
"""The corner a council looks at first, in words."""
NO_CLASS = "Ingen klasse"
RANK_RULE = (
    "Rækkefølge: højeste behovsklasse først, så laveste tilbudsklasse, så færrest tilbud pr. 1.000 i "
    "målgruppen, så størst behov."
)
"""How the ranked table is ordered, in one line for the page and the report."""

COLUMNS: dict[str, str] = {
    "municipality_name": "Kommune",
    "target_group_label": "Målgruppe",
    "class_label": "Behov og tilbud",
    "need_pct": "Andel af indbyggerne (%)",
    "group_people": "Personer i målgruppen",
    "n": "Tilbud",
    "per_1000_group": "Tilbud pr. 1.000 i målgruppen",
    "need_class": "Behovsklasse (1-3)",
    "supply_class": "Tilbudsklasse (1-3)",
    "population": "Folketal",
    "classed_by": "Klasser efter",
}
"""The ranked table's and the export's columns with their Danish headers, the class in words first."""


def classify(values, reference=None) -> np.ndarray:
    """Tertile classes 1, 2, 3 of ``values`` (NaN stays NaN) against ``reference`` (default: the values).

    A value's class is 1 + ⌊3 · b / n⌋, b the reference values strictly below it and n how many there
    are: distinct values fall into three equal thirds, equal values always share a class, and the lowest
    value is always class 1 (many municipalities with 0 offers are all 'few'). Without any reference
    value every class is NaN.
    """
    v = np.asarray(values, dtype=float)
    ref = np.asarray(v if reference is None else reference, dtype=float)
    ref = np.sort(ref[np.isfinite(ref)])
    out = np.full(v.shape, np.nan)
    if not len(ref):
        return out
    ok = np.isfinite(v)
    below = np.searchsorted(ref, v[ok], side="left")
    out[ok] = 1 + np.minimum(2, np.floor(3 * below / len(ref)))
    return out


def class_label(need: float, supply: float) -> str:
    """'Højt behov, få tilbud' and the like; :data:`NO_CLASS` where either class is missing."""
    if not (np.isfinite(need) and np.isfinite(supply)):
        return NO_CLASS
    return f"{NEED_WORDS[int(need)]}, {SUPPLY_WORDS[int(supply)]}"


def class_colour(need: float, supply: float) -> str:
    """The palette colour of a cell, :data:`NO_CLASS_COLOUR` where either class is missing."""
    if not (np.isfinite(need) and np.isfinite(supply)):
        return NO_CLASS_COLOUR
    return PALETTE[int(need) - 1][int(supply) - 1]


_LABELS = [class_label(n, s) for n in (1, 2, 3) for s in (1, 2, 3)]
_COLOURS = [class_colour(n, s) for n in (1, 2, 3) for s in (1, 2, 3)]


def _figures(matrix: pd.DataFrame) -> pd.DataFrame:
    """The matrix's cells with need and supply figures (need NaN where there are no people to count)."""
    df = matrix.rename(
        columns={
            "row_key": "municipality_code",
            "row_label": "municipality_name",
            "col_key": "target_group",
            "col_label": "target_group_label",
        }
    )
    people = pd.to_numeric(df["group_people"], errors="coerce").astype(float)
    people = people.where(people > 0)
    pop = pd.to_numeric(df["population"], errors="coerce").astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["need_pct"] = (100.0 * people / pop.where(pop > 0)).round(2)
    df["group_people"] = people
    df["per_1000_group"] = pd.to_numeric(df["per_1000_group"], errors="coerce").astype(float)
    df["municipality_code"] = df["municipality_code"].astype(int)
    return df


def uses_share(matrix: pd.DataFrame) -> bool:
    """True when need is a share of the inhabitants (every municipality of the area has its population)."""
    pop = pd.to_numeric(matrix["population"], errors="coerce")
    return bool(len(pop)) and bool(pop.notna().all())


def table(matrix: pd.DataFrame, national: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every municipality × target-group cell with its figures and classes.

    ``matrix``: ``gaps.matrix(…, "municipality", "target_group")`` for the area; ``national``: the same
    for the whole country (the reference when the area has fewer than :data:`MIN_AREA` municipalities with
    a figure; without it such an area gets no classes). Columns: municipality_code, municipality_name,
    target_group, target_group_label, group_people, population, need_pct, need (the classed figure: the
    share when :func:`uses_share`, else the people), n, per_1000_group, need_class, supply_class,
    class_label, colour, classed_by ('området' or 'hele landet'; '' without classes), row_mapped.
    """
    df = _figures(matrix)
    share = uses_share(matrix)
    df["need"] = df["need_pct"] if share else df["group_people"]
    ref = None
    if national is not None:
        ref = _figures(national)
        ref["need"] = ref["need_pct"] if uses_share(national) and share else ref["group_people"]
    valid = df["need"].notna() & df["per_1000_group"].notna()
    have = valid.groupby(df["target_group"], sort=False).transform("sum").to_numpy()
    need_class = np.full(len(df), np.nan)
    supply_class = np.full(len(df), np.nan)
    classed_by = np.full(len(df), "", dtype=object)
    inner = valid.to_numpy() & (have >= MIN_AREA)
    if inner.any():  # tertiles within the area: classify's rule, from each value's rank in its target group
        sub = df[inner]
        for column, out in (("need", need_class), ("per_1000_group", supply_class)):
            below = sub.groupby("target_group", sort=False)[column].rank(method="min").to_numpy() - 1
            out[inner] = 1 + np.minimum(2, np.floor(3 * below / have[inner]))
        classed_by[inner] = "området"
    few = valid.to_numpy() & (have > 0) & (have < MIN_AREA)
    if ref is not None and few.any():  # too few in the area: against the whole country's tertiles
        for group in df.loc[few, "target_group"].unique():
            rows = few & (df["target_group"] == group).to_numpy()
            other = ref[ref["target_group"] == group]
            other = other[other["need"].notna() & other["per_1000_group"].notna()]
            need_class[rows] = classify(df.loc[rows, "need"], other["need"])
            supply_class[rows] = classify(df.loc[rows, "per_1000_group"], other["per_1000_group"])
            classed_by[rows] = "hele landet"
    df["need_class"] = pd.array(need_class, dtype="Float64").astype("Int64")
    df["supply_class"] = pd.array(supply_class, dtype="Float64").astype("Int64")
    both = np.isfinite(need_class) & np.isfinite(supply_class)
    combo = np.where(both, (np.nan_to_num(need_class) - 1) * 3 + np.nan_to_num(supply_class) - 1, 0).astype(
        int
    )
    df["class_label"] = np.where(both, np.asarray(_LABELS, dtype=object)[combo], NO_CLASS)
    df["colour"] = np.where(both, np.asarray(_COLOURS, dtype=object)[combo], NO_CLASS_COLOUR)
    df["classed_by"] = np.where(both, classed_by, "")
    keep = [
        "municipality_code",
        "municipality_name",
        "target_group",
        "target_group_label",
        "group_people",
        "population",
        "need_pct",
        "need",
        "n",
        "per_1000_group",
        "need_class",
        "supply_class",
        "class_label",
        "colour",
        "classed_by",
        "row_mapped",
    ]
    return df[keep].reset_index(drop=True)


def groups_with_need(cells: pd.DataFrame) -> dict[str, str]:
    """Target groups (code → label, in the matrix's order) with people counted in some municipality."""
    have = cells[cells["group_people"].notna()]
    return dict(zip(have["target_group"], have["target_group_label"]))


def ranked(cells: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """The classed cells, highest need and lowest supply first (:data:`RANK_RULE`), ``rank`` from 1."""
    df = cells[cells["need_class"].notna() & cells["supply_class"].notna()]
    df = df.sort_values(
        ["need_class", "supply_class", "per_1000_group", "need", "municipality_name", "target_group_label"],
        ascending=[False, True, True, False, True, True],
        kind="stable",
    ).reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df.head(limit) if limit is not None else df


def danish(cells: pd.DataFrame, *, share: bool) -> pd.DataFrame:
    """Cells (from :func:`table` or :func:`ranked`) with Danish headers, for the page and the xlsx export:
    the figures (people, population and share when ``share``, offers, per 1,000), both classes and their
    words. No colour columns (the words say it)."""
    cols = {"rank": "Rang", **COLUMNS}
    if not share:
        cols = {k: v for k, v in cols.items() if k not in ("population", "need_pct")}
    out = cells[[c for c in cols if c in cells.columns]].copy()
    out["group_people"] = out["group_people"].round().astype("Int64")
    return out.rename(columns=cols)


def need_caption(share: bool) -> str:
    """What 'behov' is measured as, in Danish."""
    if share:
        return (
            "Behov = personer i målgruppen som andel af kommunens indbyggere (%), så små og store kommuner "
            "kan sammenlignes."
        )
    return (
        "Behov = antal personer i målgruppen (der er ikke indlæst folketal, så det kan ikke regnes som en "
        "andel af indbyggerne; store kommuner får derfor højere behov)."
    )


def classes_caption(cells: pd.DataFrame) -> str:
    """How the classes were made, in Danish (tertiles within the area, or the country's for a small area)."""
    by = set(cells.loc[cells["classed_by"] != "", "classed_by"])
    text = (
        "Klasserne er tredjedele (tertiler) blandt områdets kommuner for hver målgruppe: 1 = den laveste "
        "tredjedel, 3 = den højeste."
    )
    if "hele landet" in by:
        text += (
            f" Området har under {MIN_AREA} kommuner med tal, så de er i stedet delt efter hele landets "
            "tredjedele."
        )
    return text


def needs_national(matrix: pd.DataFrame) -> bool:
    """True when some target group has a figure in 1 to :data:`MIN_AREA` - 1 of the area's municipalities
    (its classes then need the whole country's matrix)."""
    df = _figures(matrix)
    have = (df["group_people"].notna() & df["per_1000_group"].notna()).groupby(df["target_group"]).sum()
    return bool(((have > 0) & (have < MIN_AREA)).any())


def export_table(cells: pd.DataFrame, *, share: bool) -> pd.DataFrame:
    """Every cell for the downloads: the ranked ones first (with their rank), then those without classes
    (target groups with a need indicator only), Danish headers as on the page."""
    ranked_cells = ranked(cells)
    rest = cells[cells["need_class"].isna() | cells["supply_class"].isna()]
    rest = rest[rest["target_group"].isin(groups_with_need(cells))]
    rest = rest.sort_values(["target_group_label", "municipality_name"], kind="stable")
    rest = rest.assign(rank=pd.array([pd.NA] * len(rest), dtype="Int64"))
    both = pd.concat([ranked_cells.astype({"rank": "Int64"}), rest], ignore_index=True)
    return danish(both, share=share)
