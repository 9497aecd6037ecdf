"""civilkort.search: Danish folding, CVR numbers, typos, word starts and insides, ranking, on the small example data."""

from __future__ import annotations

import pytest

from civilkort import search
from civilkort.filters import Selection


@pytest.fixture(scope="module")
def index(small_db_dir, tmp_path_factory):
    from civilkort.db import Database

    path = next((small_db_dir / "builds").glob("*.duckdb"))
    db = Database(path)
    yield search.SearchIndex(db)
    db.close()


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Ældre Sagen, Århus", "aeldre sagen aarhus"),
        ("ÆØÅ æøå", "aeoeaa aeoeaa"),
        ("Motionscafé – Søndergård!", "motionscafe soendergaard"),
        ("Köbenhavn Mühle", "koebenhavn muhle"),
        ("  ", ""),
    ],
)
def test_fold(text, folded):
    assert search.fold(text) == folded


def test_folded_spellings_meet():
    assert search.fold("Åbenrå") == search.fold("Aabenraa") == search.fold("AABENRAA")
    assert search.fold("Ældre") == search.fold("aeldre")


@pytest.mark.parametrize("cvr", ["12345678", "12 34 56 78", "DK-12345678", "dk 1234 5678"])
def test_a_cvr_number_is_one_word(cvr):
    assert search.query_words(cvr) == ["12345678"]


def test_query_words_are_capped():
    assert len(search.query_words(" ".join(f"ord{i}" for i in range(50)))) == search.MAX_WORDS


def _names(result: search.SearchResult) -> list[str]:
    return result.rows["name"].tolist()


def test_every_word_must_match_and_names_rank_first(index):
    result = index.search("ældre sagen")
    assert result.total > 0
    assert all("aeldre" in search.fold(n) for n in _names(result)[:10])


def test_a_typo_is_forgiven_and_scores_below_the_exact_word(index):
    exact, typo = index.search("frivillig"), index.search("frivilig")
    assert typo.total >= exact.total > 0
    assert exact.rows["score"].iloc[0] > typo.rows["score"].iloc[0]


def test_a_word_is_found_inside_another(index):
    long_word = next(w for w in index.vocabulary if len(w) >= 12 and w.isalpha())
    inside = long_word[4:10]
    found = index.search(inside, limit=100_000).rows
    assert len(found) > 0
    ids, weights = index._matches(inside)
    assert index.vocabulary.index(long_word) in set(ids.tolist())


def test_digits_are_exact(index):
    words = {w for w in index.vocabulary if w.isdigit() and len(w) == 4}
    assert "2100" in words
    found = index.search("2100", limit=10_000).rows
    assert len(found) and not found["place"].fillna("").str.contains("2200").any()


def test_kinds_limit_and_total(index):
    result = index.search("forebyggelse", limit=5, kinds=("offer",))
    assert set(result.rows["kind"]) == {"offer"} and len(result.rows) == 5 and result.total > 5
    assert index.search("", limit=5).total == 0


def test_councils_limit_the_search_and_the_rest_is_counted(index):
    everywhere = index.search("forebyggelse", limit=100_000)
    councils = everywhere.rows["council_id"].value_counts()
    assert len(councils) >= 2, councils  # the example data spans councils
    one = str(councils.index[0])
    inside = index.search("forebyggelse", limit=100_000, councils=[one])
    assert set(inside.rows["council_id"]) == {one}
    assert inside.total == councils[one]
    assert inside.total + inside.elsewhere == everywhere.total
    assert everywhere.elsewhere == 0  # all of Denmark: nothing is elsewhere
    region = Selection(area="region:midtjylland").council_ids()
    assert region and "aarhus" in region and "fyn" not in region
    in_region = index.search("forebyggelse", limit=100_000, councils=region)
    assert set(in_region.rows["council_id"]) <= set(region)
    # an unknown council: nothing found, no error
    assert index.search("forebyggelse", councils=["ukendt"]).total == 0
    assert Selection().council_ids() is None
