"""The citizen's handout from *Find et tilbud*: the few chosen offers and how to get in touch, as a PDF.

Plain Danish in large type (body 14 pt), one offer after the other, the date it was printed. Nothing about
the citizen is printed (no postcode, no distance from their home: a distance would tell where they live).
A small map (:mod:`civilkort.handout_map`) shows the offers' places, numbered as on the sheet, among the
towns around them; no home point. Fonts and text cleaning are the report's (:mod:`civilkort.report`: DejaVu,
which prints æ, ø, å and any other Unicode in the data).
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from fpdf import FPDF

from civilkort import danish, handout_map
from civilkort.find_offer import known, place_text
from civilkort.report import FONT_DIR, pdf_text

MAX_OFFERS = 5
"""Offers on one handout at most: a short sheet a citizen reads."""
BODY_PT = 14
TITLE = "Tilbud, der kan passe til dig"
_LINE_MM = 7.5


class _Handout(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(TITLE)
        self.set_lang("da")
        self.set_creator("Civilsamfundskortet")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", "", 11)
        self.set_text_color(80)
        self.cell(0, 6, f"Civilsamfundskortet · side {self.page_no()}", align="C")
        self.set_text_color(0)

    def text_line(self, text: str, *, bold: bool = False, size: float = BODY_PT) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        self.multi_cell(0, size * 0.53, pdf_text(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def fact(self, label: str, value: str) -> None:
        """One line 'Label: value' (label bold), wrapped under itself."""
        self.set_font("DejaVu", "B", BODY_PT)
        self.write(_LINE_MM, f"{label}: ")
        self.set_font("DejaVu", "", BODY_PT)
        self.write(_LINE_MM, pdf_text(value))
        self.ln(_LINE_MM + 1)


def _offer(pdf: _Handout, row: pd.Series, number: int, on_map: bool) -> None:
    pdf.text_line(f"{number}. {row['name']}", bold=True, size=18)
    pdf.ln(1)
    pdf.fact("Hvem", str(row["organisation_name"]))
    if row.get("serves_area"):
        pdf.fact("For borgere i", str(row.get("serves") or ""))
    where = place_text(row)
    if where:
        if row.get("location_precision") != "coordinates":
            where += " (adressen er ikke helt præcis: spørg, hvor I mødes)"
        pdf.fact("Hvor", where)
    if not on_map:
        pdf.fact("På kortet", "nej, tilbuddet har ikke ét fast sted")
    for label, column in (("Hvornår", "schedule"), ("Pris", "cost"), ("Hjemmeside", "website")):
        if known(row.get(column)):
            pdf.fact(label, str(row[column]))
    pdf.ln(5)


MAP_WIDTH_MM = 170
MAP_ALT = "Kort over tilbuddenes steder med deres numre og byerne omkring dem"


def pdf(offers: pd.DataFrame, today: dt.date | None = None, outlines: list | None = None) -> bytes:
    """The handout for the first :data:`MAX_OFFERS` rows of ``offers`` (rows of :func:`find_offer.find`), with
    a small map of their places; ``outlines``: municipality shapes to draw on it (when the build has them)."""
    offers = offers.head(MAX_OFFERS).reset_index(drop=True)
    doc = _Handout()
    doc.add_page()
    doc.text_line(TITLE, bold=True, size=24)
    doc.ln(2)
    doc.text_line(f"Udskrevet {danish.date(today or dt.date.today())}", size=12)
    doc.ln(4)
    doc.text_line(
        "Her er nogle tilbud, som du kan bruge. Du kan selv kontakte dem eller møde op. "
        "Tiderne kan være ændret, så se på hjemmesiden eller spørg, før du går første gang."
    )
    doc.ln(4)
    picture = handout_map.png(offers, outlines)
    if picture is not None:
        doc.image(io.BytesIO(picture), w=MAP_WIDTH_MM, alt_text=MAP_ALT)
        doc.ln(4)
    for i, row in offers.iterrows():
        _offer(doc, row, int(i) + 1, picture is not None and handout_map.is_placed(row))
    return bytes(doc.output())
