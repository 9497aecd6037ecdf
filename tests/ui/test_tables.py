"""Lists that show their first rows and download all of them."""

from streamlit.testing.v1 import AppTest


def _page(total, full):
    import pandas as pd

    from civilkort.filters import Selection
    from ui.tables import table_with_export

    df = pd.DataFrame({"name": [f"Tilbud {i}" for i in range(5)]})
    table_with_export(
        df.head(2) if full else df,
        title="Liste",
        sel=Selection(),
        key="t",
        total=total,
        full=(lambda: df) if full else None,
    )


def test_a_partial_list_says_how_much_is_shown_of_the_whole():
    at = AppTest.from_function(_page, kwargs={"total": 5, "full": True}).run()
    assert not at.exception
    assert "Viser de første 2 af 5 rækker" in at.caption[0].value
    assert len(at.dataframe[0].value) == 2


def test_a_whole_list_has_no_note():
    at = AppTest.from_function(_page, kwargs={"total": None, "full": False}).run()
    assert not at.exception
    assert not any("Viser de første" in c.value for c in at.caption)
    assert len(at.dataframe[0].value) == 5


def test_a_grid_shows_numbers_dates_and_times_the_danish_way():
    import datetime as dt

    import pandas as pd

    from ui.tables import danish_columns

    df = pd.DataFrame(
        {
            "Kommune": ["Aarhus"],
            "Tilbud": [32],
            "Andel (%)": [14.6],
            "Ja": [True],
            "Dato": [dt.date(2027, 2, 1)],
            "Bygget": pd.to_datetime(["2027-02-01 09:30"]).tz_localize("UTC"),
            "Dag": pd.to_datetime(["2027-02-01"]),
        }
    )
    config = danish_columns(df)
    assert set(config) == {"Tilbud", "Andel (%)", "Dato", "Bygget", "Dag"}  # text and yes/no keep their own
    assert config["Tilbud"]["type_config"]["format"] == "localized"
    assert config["Dato"]["type_config"]["format"] == "DD-MM-YYYY"
    assert config["Dag"]["type_config"]["format"] == "DD-MM-YYYY"
    assert config["Bygget"]["type_config"]["format"] == "DD-MM-YYYY HH:mm"
    assert config["Bygget"]["type_config"]["timezone"] == "Europe/Copenhagen"  # shown in Danish time


def test_every_grid_in_the_app_goes_through_the_danish_one():
    """st.dataframe shows a missing value as the English "None" unless told otherwise: pages use ui.tables.grid."""
    import ast

    from tests.conftest import PROJECT_ROOT

    offenders = []
    for path in [
        *(PROJECT_ROOT / "ui").glob("*.py"),
        *(PROJECT_ROOT / "app_pages").glob("*.py"),
        PROJECT_ROOT / "app.py",
    ]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("dataframe", "data_editor")
                and not (path.name == "tables.py" and node.func.attr == "dataframe")
            ):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
