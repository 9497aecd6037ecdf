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
