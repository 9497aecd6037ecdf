"""The map as tables: the municipality figures and the points, as the map page shows them."""

from __future__ import annotations

import pandas as pd

from ui import map_table


def test_municipality_figures_in_danish_number_format():
    measures = pd.DataFrame(
        {
            "municipality_name": ["Aarhus", "Samsø"],
            "organisations": [1215, 0],
            "offers": [5, 1],
            "collaborations": [2, 0],
            "offers_per_10k": [12.34, None],
            "population": [367_095, None],
        }
    )
    table = map_table.municipality_table(measures)
    assert table.to_dict("records") == [
        {"Kommune": "Aarhus", "Organisationer": "1.215", "Tilbud": "5", "Samarbejder": "2",
         "Tilbud pr. 10.000 indbyggere": "12,3", "Indbyggere": "367.095"},
        {"Kommune": "Samsø", "Organisationer": "0", "Tilbud": "1", "Samarbejder": "0",
         "Tilbud pr. 10.000 indbyggere": "–", "Indbyggere": "–"},
    ]  # fmt: skip


def test_points_say_what_they_are_where_and_how_precisely():
    def frame(**columns):
        return pd.DataFrame(columns)

    orgs = frame(name=["Ældre Sagen"], address=["Vestergade 1"], postcode=["8000"], city=["Aarhus C"],
                 municipality_name=["Aarhus"], location_precision=["coordinates"])  # fmt: skip
    offers = frame(name=["Gåtur", "Café"], address=[None, ""], postcode=["8305", None], city=["Samsø", None],
                   municipality_name=["Samsø", "Aarhus"], location_precision=["postcode", None])  # fmt: skip
    table = map_table.points_table(orgs, offers)
    assert table.to_dict("records") == [
        {"Navn": "Café", "Type": "Tilbud", "Kommune": "Aarhus", "Adresse": "", "Placering": "Ingen placering"},
        {"Navn": "Ældre Sagen", "Type": "Organisation", "Kommune": "Aarhus", "Adresse": "Vestergade 1, 8000 Aarhus C",
         "Placering": "Præcis placering"},
        {"Navn": "Gåtur", "Type": "Tilbud", "Kommune": "Samsø", "Adresse": "8305 Samsø",
         "Placering": "Omtrentlig placering (postnummer)"},
    ]  # fmt: skip
