"""The mapping report for one health council: a PDF to take to the meeting and an xlsx
with the tables behind it (Danish).

Contents: key figures, a map image, gap matrices (municipality × theme, theme × target
group), need beside supply (the ten cells with the highest need and the fewest offers, and a bivariate
tile map per target group with a need indicator), collaborations ending within 12 months, orphans, data quality per municipality,
sources and data date.  Figures come from the same functions as the app's pages, so
the report and the screen agree.  Images are drawn with matplotlib (no browser, no
network); text uses the DejaVu font that ships with matplotlib, so any Unicode in
user data prints.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from fpdf import FPDF, FontFace  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from tqdm import tqdm  # noqa: E402

from civilkort import danish, export, gaps, inset, need_supply, queries, radar, reference, tiles  # noqa: E402
from civilkort import index as data_index  # noqa: E402
from civilkort.db import Database  # noqa: E402
from civilkort.filters import NATIONAL_AREA, Selection  # noqa: E402
from civilkort.index import DataIndex  # noqa: E402
from civilkort.need_supply_map import report_png as need_supply_png  # noqa: E402

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
TEAL = "#0b5563"
MAX_TABLE_ROWS = 40
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def pdf_text(value: object) -> str:
    """Text for the PDF: missing as '–', control characters removed."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return "–"
    if isinstance(value, pd.Timestamp | dt.date):
        return danish.date(value)
    if isinstance(value, bool | np.bool_):
        return "Ja" if value else "Nej"
    return _CONTROL.sub("", str(value))


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def map_png(data: dict, title: str, *, pins: pd.DataFrame | None = None) -> bytes:
    """A static map of the area: municipalities by number of offers, organisations, regional units.

    ``pins``: unreviewed workshop entries (``lat``, ``lon``), drawn on top as their own marks. An area with an
    outlying island (``data["inset"]``, :mod:`civilkort.inset`) fits the rest, and the island gets a framed
    inset in the lower right corner, drawn the same way.
    """
    return _png(map_figure(data, title, pins=pins))


def map_figure(data: dict, title: str, *, pins: pd.DataFrame | None = None) -> plt.Figure:
    """The figure of :func:`map_png`."""
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    areas = data["areas"]
    values = areas["value"] if areas is not None else pd.Series(dtype=float)
    scale = {"vmin": float(values.min()), "vmax": float(values.max())} if values.notna().any() else {}
    has_marks = _draw_map(ax, data, pins, scale, legend=True)
    _frame(ax, inset.main_bounds(data))
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    if has_marks:
        ax.legend(loc="lower left", fontsize=7, frameon=True)
    island = data.get("inset")
    if island is not None:
        sub = ax.inset_axes(_inset_corner(data, island))
        _draw_map(sub, data, pins, scale, legend=False)
        _frame(sub, island.bounds, pad=0.03)
        sub.set_xticks([])
        sub.set_yticks([])
        sub.set_xlabel("")
        sub.set_ylabel("")
        for spine in sub.spines.values():
            spine.set_edgecolor("#52606d")
            spine.set_linewidth(1.2)
        sub.set_facecolor("white")
        sub.set_title(island.name, fontsize=8, loc="left", pad=2)
    return fig


INSET_CORNERS = ([0.74, 0.67, 0.25, 0.32], [0.74, 0.01, 0.25, 0.32])
"""Where the static map's inset may go (axes fractions: upper right, lower right)."""


def _inset_corner(data: dict, island: inset.Inset) -> list[float]:
    """The corner of :data:`INSET_CORNERS` that covers the least of the rest of the area (by its shapes)."""
    areas = data["areas"]
    if areas is None or not len(areas):
        return INSET_CORNERS[1]
    rest = areas[~areas["municipality_code"].isin(island.codes)].geometry.union_all()
    (south, west), (north, east) = island.fit

    def covered(corner: list[float]) -> float:
        x, y, w, h = corner
        box = shapely.box(west + x * (east - west), south + y * (north - south),
                          west + (x + w) * (east - west), south + (y + h) * (north - south))  # fmt: skip
        return rest.intersection(box).area

    return min(INSET_CORNERS, key=covered)


def _frame(ax, bounds: list[list[float]], pad: float = 0.0) -> None:
    """Show ``[[south, west], [north, east]]`` (plus ``pad`` degrees) with the local aspect of a degree."""
    (south, west), (north, east) = bounds
    ax.set_xlim(west - pad, east + pad)
    ax.set_ylim(south - pad, north + pad)
    ax.set_aspect(1 / np.cos(np.radians((south + north) / 2)))


def _draw_map(ax, data: dict, pins: pd.DataFrame | None, scale: dict, *, legend: bool) -> bool:
    """Draw the area's layers on ``ax``; whether points, units or pins were drawn (for the legend)."""
    areas = data["areas"]
    if areas is not None:
        mapped = areas[areas["value"].notna()]
        unmapped = areas[areas["value"].isna()]
        if len(mapped):
            mapped.plot(
                ax=ax,
                column="value",
                cmap="Blues",
                edgecolor="#555",
                linewidth=0.5,
                legend=legend,
                legend_kwds={"label": "Antal tilbud", "shrink": 0.6} if legend else None,
                **scale,
            )
        if len(unmapped):
            unmapped.plot(ax=ax, color="#eeeeee", edgecolor="#555", linewidth=0.5, hatch="///")
        outlines = data.get("council_outlines")
        if outlines is not None:
            outlines.boundary.plot(ax=ax, color="#222", linewidth=1.2)
    else:
        m = data["municipality_points"]
        sizes = 30 + 400 * (m["value"].fillna(0) / max(1.0, float(m["value"].max() or 1)))
        ax.scatter(m["lon"], m["lat"], s=sizes, color=TEAL, alpha=0.5, edgecolor="white")
    pts = data["points"]
    if len(pts):
        exact = pts["location_precision"] == "coordinates"
        ax.scatter(
            pts.loc[exact, "lon"],
            pts.loc[exact, "lat"],
            s=3,
            color="#d95f02",
            alpha=0.6,
            label="Organisation/tilbud",
        )
        ax.scatter(
            pts.loc[~exact, "lon"],
            pts.loc[~exact, "lat"],
            s=6,
            facecolors="none",
            edgecolors="#d95f02",
            alpha=0.6,
            linewidths=0.5,
            label="Omtrentlig placering",
        )
    units = data["units"]
    if "is_region_wide" in units:  # drawn where its address lies in view, marked: it belongs to its region
        (south, west), (north, east) = data["bounds"]
        is_wide = units["is_region_wide"].fillna(False).astype(bool)
        wide = units[is_wide & units["lat"].between(south, north) & units["lon"].between(west, east)]
        units = units[~is_wide]
        if len(wide):
            ax.scatter(
                wide["lon"],
                wide["lat"],
                s=28,
                marker="s",
                facecolors="none",
                edgecolors="#b2182b",
                linewidths=1.2,
                label="Regional enhed for hele regionen",
            )
    if len(units):
        ax.scatter(
            units["lon"],
            units["lat"],
            s=28,
            marker="s",
            color="#b2182b",
            edgecolor="white",
            label="Regional enhed",
        )
    has_pins = pins is not None and len(pins) > 0
    if has_pins:
        ax.scatter(
            pins["lon"],
            pins["lat"],
            s=46,
            marker="D",
            color="#d81b60",
            edgecolor="white",
            linewidths=0.8,
            zorder=5,
            label="Fra workshop (ikke verificeret)",
        )
    return bool(len(pts) or len(units) or has_pins)


def heatmap_png(long: pd.DataFrame, title: str) -> bytes:
    """A heatmap of a long matrix (row_label, col_label, n); empty cells in a warm colour, 'ikke kortlagt' grey."""
    rows = list(dict.fromkeys(long["row_label"]))
    cols = list(dict.fromkeys(long["col_label"]))
    grid = long.pivot_table(index="row_label", columns="col_label", values="n", aggfunc="sum", sort=False)
    grid = grid.reindex(index=rows, columns=cols).fillna(0).to_numpy()
    unmapped_rows = set(long.loc[~long["row_mapped"].astype(bool), "row_label"])
    fig, ax = plt.subplots(figsize=(min(11, 2.5 + 0.9 * len(cols)), 1.2 + 0.32 * len(rows)))
    masked = np.ma.masked_where(grid == 0, grid)
    ax.imshow(np.zeros_like(grid), cmap=ListedColormap(["#fde0c5"]), aspect="auto")
    ax.imshow(masked, cmap="Blues", aspect="auto", vmin=0, vmax=max(1, grid.max()))
    for i, r in enumerate(rows):
        for j in range(len(cols)):
            value = int(grid[i, j])
            if r in unmapped_rows:
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, color="#e0e0e0"))
                text = "–"
            else:
                text = str(value)
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=7,
                color="white" if value > 0.6 * grid.max() and grid.max() > 0 else "#222",
            )
    ax.set_xticks(range(len(cols)), [pdf_text(c) for c in cols], rotation=35, ha="right", fontsize=7)
    ax.set_yticks(range(len(rows)), [pdf_text(r) for r in rows], fontsize=7)
    ax.set_title(title, fontsize=10)
    return _png(fig)


class _Pdf(FPDF):
    def __init__(self, title: str, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.doc_title = title
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title)
        self.set_creator("Civilsamfundskortet")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.footer_text} · side {self.page_no()}", align="C")
        self.set_text_color(0)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("DejaVu", "B", 12)
        self.set_text_color(11, 85, 99)
        self.multi_cell(0, 7, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.set_font("DejaVu", "", 9)

    def para(self, text: str) -> None:
        self.set_font("DejaVu", "", 9)
        self.multi_cell(0, 5, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def image_bytes(self, data: bytes, width: float = 180) -> None:
        self.image(io.BytesIO(data), w=width)

    def frame(
        self, df: pd.DataFrame, columns: dict[str, str], widths: tuple[float, ...] | None = None
    ) -> None:
        """A table of the first MAX_TABLE_ROWS rows of ``df`` (``columns``: name -> header)."""
        if df.empty:
            self.para("Ingen.")
            return
        self.set_font("DejaVu", "", 7.5)
        shown = df.head(MAX_TABLE_ROWS)
        with self.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=4.2,
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 236, 238)),
            cell_fill_color=(246, 248, 249),
            cell_fill_mode="ROWS",
        ) as table:
            row = table.row()
            for header in columns.values():
                row.cell(header)
            for record in shown[list(columns)].itertuples(index=False):
                row = table.row()
                for value in record:
                    row.cell(pdf_text(value)[:120])
        if len(df) > MAX_TABLE_ROWS:
            self.para(f"… og {len(df) - MAX_TABLE_ROWS} mere (se xlsx-filen).")
        self.set_font("DejaVu", "", 9)


@dataclass
class CouncilReport:
    """A council's report as files."""

    council_id: str
    council_name: str
    pdf: bytes
    xlsx: bytes

    def write(self, folder: Path) -> list[Path]:
        """Write the PDF and xlsx into ``folder``; returns their paths."""
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"kortlaegning-{self.council_id}"
        paths = [folder / f"{stem}.pdf", folder / f"{stem}.xlsx"]
        paths[0].write_bytes(self.pdf)
        paths[1].write_bytes(self.xlsx)
        return paths


def council_report(
    db: Database, council_id: str, *, today: dt.date | None = None, index: DataIndex | None = None
) -> CouncilReport:
    """Build the PDF and xlsx report for one council (no filters: the whole mapping)."""
    today = today or dt.date.today()
    sel = Selection(area=f"council:{council_id}", statuses=())
    name = sel.area_name()
    meta = db.meta()
    is_example = meta.get("is_example") == "true"
    figures = queries.key_figures(db, sel, index)
    data = queries.map_layers(db, sel, "offers", index)
    by_theme = gaps.matrix(db, sel, "municipality", "theme")
    theme_group = gaps.matrix(db, sel, "theme", "target_group")
    cover = gaps.coverage(db, sel, today=today)
    need = _need_supply(db, sel)
    ending = radar.ending(db, sel, today)
    governance = radar.gaps_in_governance(db, sel, today)
    orphans = radar.orphans(db, sel, today)
    councils = queries.council_table(db)
    uncertain = councils[(councils["council_name"] == name) & councils["is_single_source"]]

    built = danish.date(meta.get("built_at", ""), missing="?")
    newest = dict(db.query("SELECT measure, value FROM quality_report").itertuples(index=False)).get(
        "Nyeste verificering", "–"
    )
    pdf = _Pdf(
        f"Kortlægning af civilsamfundet – {name}",
        f"{name} · udskrevet {today:%d-%m-%Y} · data bygget {built}",
    )
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 9, f"Kortlægning af civilsamfundet\n{name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.para(
        f"Udskrevet {today:%d-%m-%Y}. Data bygget {built}; nyeste verificering {newest}. "
        f"Kilde: {meta.get('inputs', 'ukendt')}."
    )
    if is_example:
        pdf.set_fill_color(255, 243, 205)
        pdf.multi_cell(
            0,
            5,
            "EKSEMPELDATA: organisationer, tilbud og samarbejder er genererede eksempler "
            "(dog med de rigtige samarbejder fra regionernes strategipapirer). Ikke rigtige data.",
            fill=True,
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(2)
    pdf.heading("Nøgletal")
    key = pd.DataFrame(
        [
            ("Organisationer", figures["organisations"]),
            ("Tilbud (alle statusser)", figures["offers"]),
            ("Samarbejder", figures["collaborations"]),
            ("Regionale enheder", figures["units"]),
            ("Kommuner uden registreringer (ikke kortlagt)", figures["municipalities_without"]),
            (
                "Samarbejder der slutter inden for 3 / 6 / 12 måneder",
                " / ".join(str(ending["counts"][m]) for m in (3, 6, 12)),
            ),
            ("Samarbejder uden tovholder", governance["counts"]["without_tovholder"]),
            ("Organisationer med tilbud men uden samarbejde", len(orphans["organisations"])),
        ],
        columns=["Mål", "Værdi"],
    )
    pdf.frame(key, {"Mål": "Mål", "Værdi": "Værdi"}, (130, 50))
    pdf.image_bytes(map_png(data, f"{name}: tilbud pr. kommune"), width=170)
    pdf.para("Hule cirkler: omtrentlig placering (postnummer eller kommune). Skraveret: ikke kortlagt.")

    pdf.add_page()
    pdf.heading("Huller: kommune × tema")
    pdf.para("Antal tilbud. Tomme felter (0) er fremhævet; '–' betyder ikke kortlagt (ingen registreringer).")
    pdf.image_bytes(heatmap_png(by_theme, "Tilbud pr. kommune og tema"), width=170)
    pdf.heading("Huller: tema × målgruppe")
    pdf.image_bytes(heatmap_png(theme_group, "Tilbud pr. tema og målgruppe"), width=180)

    _need_supply_section(pdf, need, sel)

    pdf.add_page()
    pdf.heading("Samarbejder der slutter inden for 12 måneder")
    pdf.frame(
        ending["rows"][12],
        {"title": "Samarbejde", "end_date": "Slutdato", "kind_label": "Art"}
        if "kind_label" in ending["rows"][12].columns
        else {"title": "Samarbejde", "end_date": "Slutdato"},
    )
    pdf.heading("Organisationer med tilbud, men uden samarbejde")
    orgs = orphans["organisations"]
    pdf.frame(
        orgs, {c: export.COLUMN_LABELS.get(c, c) for c in ("name", "municipality_name") if c in orgs.columns}
    )
    pdf.heading("Regionale enheder uden partner i et tema")
    units = orphans["units"]
    cols = {
        c: radar.TABLE_LABELS.get(c, export.COLUMN_LABELS.get(c, c))
        for c in ("name", "theme_label")
        if c in units.columns
    }
    pdf.frame(units, cols)

    pdf.add_page()
    pdf.heading("Datakvalitet pr. kommune")
    pdf.para(
        "Score 0-100: dybde (antal organisationer), andel verificeret inden for 12 måneder og andel med "
        "præcis placering. 'Ikke kortlagt': ingen registreringer."
    )
    shown = gaps.danish(cover)
    pdf.frame(shown, {c: c for c in shown.columns[:6]})
    pdf.heading("Kilder")
    pdf.para(
        "Sundhedsrådenes kommuner: samlet fra offentlige kilder (se README). "
        f"Kommunegrænser: {meta.get('boundaries_source') or 'ikke indlæst'}"
        f"{' (' + meta['boundaries_credit'] + ')' if meta.get('boundaries_credit') else ''}. "
        "Folketal: Danmarks Statistik (FOLK1A), når indlæst."
    )
    if len(uncertain):
        pdf.para(
            "Rådets kommuner bygger delvis på én kilde: "
            + ", ".join(uncertain["municipality_name"])
            + ". Tjek mod regionens egne sider før officiel brug."
        )
    pdf_bytes = bytes(pdf.output())

    note = f"{name}, udskrevet {today:%d-%m-%Y}" + (" · EKSEMPELDATA" if is_example else "")
    sheets = {
        "Nøgletal": key,
        "Kommuner": gaps.danish(cover),
        "Kommune x tema": by_theme[["row_label", "col_label", "n"]].rename(
            columns={"row_label": "Kommune", "col_label": "Tema", "n": "Tilbud"}
        ),
        "Tema x målgruppe": theme_group[["row_label", "col_label", "n"]].rename(
            columns={"row_label": "Tema", "col_label": "Målgruppe", "n": "Tilbud"}
        ),
        "Behov og tilbud": need_supply.export_table(need, share=need_supply.uses_share(need)),
        "Slutter inden for 12 mdr": radar.table(ending["rows"][12]),
        "Uden samarbejde": radar.table(orgs),
        "Enheder uden partner": radar.table(units),
    }
    xlsx = export.to_xlsx(sheets, note=note)
    return CouncilReport(council_id, name, pdf_bytes, xlsx)


NEED_TOP = 10
"""Cells in the report's ranked need-and-supply table."""


def _need_supply(db: Database, sel: Selection) -> pd.DataFrame:
    """The area's municipality × target-group cells with need, supply and classes (``need_supply.table``)."""
    matrix = gaps.matrix(db, sel, "municipality", "target_group")
    national = None
    if need_supply.needs_national(matrix):
        national = gaps.matrix(
            db, Selection(area=NATIONAL_AREA, statuses=sel.statuses), "municipality", "target_group"
        )
    return need_supply.table(matrix, national)


def _need_supply_section(pdf: _Pdf, need: pd.DataFrame, sel: Selection) -> None:
    """'Behov og tilbud': the ranked top ten and a bivariate tile map per target group with a need indicator."""
    groups = need_supply.groups_with_need(need)
    pdf.add_page()
    pdf.heading("Behov og tilbud: højt behov, få tilbud")
    if not groups:
        pdf.para("Ingen målgruppe har en behovsindikator med tal i området (se README: Målgrupper og behov).")
        return
    share = need_supply.uses_share(need)
    pdf.para(
        f"{need_supply.need_caption(share)} Tilbud = tilbud for målgruppen pr. 1.000 personer i den. "
        f"{need_supply.classes_caption(need)} {need_supply.RANK_RULE}"
    )
    top = need_supply.ranked(need, NEED_TOP)
    columns = {"rank": "Rang", "municipality_name": "Kommune", "target_group_label": "Målgruppe",
               "group_people": "Personer", "n": "Tilbud", "per_1000_group": "Pr. 1.000",
               "need_class": "Behov (1-3)", "supply_class": "Tilbud (1-3)", "class_label": "Klasse"}  # fmt: skip
    shown = top.assign(
        group_people=top["group_people"].map(lambda v: danish.number(v, 0)),
        per_1000_group=top["per_1000_group"].map(lambda v: danish.number(v, 2)),
    )
    pdf.frame(shown, columns, (10, 26, 26, 17, 13, 16, 16, 16, 40))
    layout = tiles.hex_layout(sel.municipality_codes())
    for group, label in groups.items():
        one = need[need["target_group"] == group]
        pdf.image_bytes(need_supply_png(layout, one, f"{label}: behov og tilbud pr. kommune"), width=170)
    pdf.para("I hver sekskant: kommunens forkortelse og klasse (B = behov, T = tilbud; 1 lav, 3 høj).")


def all_councils(
    db: Database, folder: Path, *, today: dt.date | None = None, progress: bool = False
) -> list[Path]:
    """Write the report for each of the 17 councils into ``folder``."""
    index = data_index.of(db)
    paths: list[Path] = []
    ids = reference.councils()["council_id"].tolist()
    for council_id in tqdm(ids, desc="Rapporter", unit="råd", disable=not progress):
        paths += council_report(db, council_id, today=today, index=index).write(folder)
    return paths
