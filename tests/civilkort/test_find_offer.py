"""civilkort.find_offer: distance ranking, filters, area-serving offers apart, the free-text matching of
cost and weekday; civilkort.handout: the PDF holds the chosen offers and nothing about the citizen."""

from __future__ import annotations

import io
import math

import duckdb
import pandas as pd
import pytest
from pypdf import PdfReader

from civilkort import find_offer, handout
from civilkort.find_offer import Need
from tests.conftest import PROJECT_ROOT


@pytest.fixture(scope="module")
def db(small_db_dir):
    from civilkort.db import Database

    database = Database(next((small_db_dir / "builds").glob("*.duckdb")))
    yield database
    database.close()


@pytest.fixture(scope="module")
def aarhus() -> tuple[float, float, int]:
    return find_offer.from_postcode("8000")


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine in plain Python, to hold the SQL to."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * find_offer.EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def test_a_postcode_gives_its_point_and_municipality():
    lat, lon, code = find_offer.from_postcode(" 8000 ")
    assert code == 751 and 56 < lat < 56.3 and 10 < lon < 10.4


@pytest.mark.parametrize(("text", "says"), [("", "fire cifre"), ("80", "fire cifre"), ("abcd", "fire cifre"),
                                            ("0001", "findes ikke")])  # fmt: skip
def test_an_unknown_postcode_is_a_danish_message(text, says):
    with pytest.raises(find_offer.PlaceError, match=says):
        find_offer.from_postcode(text)


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("8000", "8000"),
        ("Vestergade 1, 8000 Aarhus C", "8000"),
        ("Strandvejen 12, 2. th., 2900 Hellerup", "2900"),
        ("Nørregade 1234", "Nørregade 1234"),  # a house number is no postcode: the message says what is wrong
        ("80", "80"),
    ],
)
def test_an_address_gives_its_postcode_which_is_then_used(text, postcode):
    assert find_offer.postcode_of(text) == postcode


def test_local_offers_are_the_active_ones_nearest_first_within_the_distance(db, aarhus):
    lat, lon, code = aarhus
    found = find_offer.find(db, Need(lat, lon, code, referrals_only=False, max_km=100), limit=1000)
    local = found.local
    assert found.n_local == len(local) > 5
    assert local["distance_km"].is_monotonic_increasing and (local["distance_km"] <= 100).all()
    for row in local.head(5).itertuples():
        assert row.distance_km == pytest.approx(_km(lat, lon, row.lat, row.lon), abs=1e-6)
    statuses = db.query("SELECT offer_id, status FROM offers").set_index("offer_id")["status"]
    assert set(statuses[local["offer_id"]]) == {"aktiv"}
    assert set(statuses[found.area["offer_id"]]) <= {"aktiv"}
    # nothing active and local within 100 km is left out
    every = db.query("SELECT offer_id, lat, lon FROM offers WHERE status = 'aktiv' AND len(service_area) = 0")
    near = {r.offer_id for r in every.itertuples() if _km(lat, lon, r.lat, r.lon) <= 100}
    assert near == set(local["offer_id"])


def test_the_limit_keeps_the_nearest_and_counts_them_all(db, aarhus):
    everything = find_offer.find(db, Need(*aarhus, max_km=200), limit=1000)
    few = find_offer.find(db, Need(*aarhus, max_km=200), limit=3)
    assert few.n_local == everything.n_local > 3
    assert few.local["offer_id"].tolist() == everything.local["offer_id"].head(3).tolist()


def test_a_shorter_distance_finds_fewer(db, aarhus):
    near = find_offer.find(db, Need(*aarhus, max_km=5))
    far = find_offer.find(db, Need(*aarhus, max_km=100))
    assert near.n_local < far.n_local


def test_area_offers_are_apart_without_distance_and_serve_the_citizens_municipality(db, aarhus):
    found = find_offer.find(db, Need(*aarhus, max_km=1), limit=1000)
    area = found.area
    assert len(area) > 0 and area["distance_km"].isna().all()
    assert area["n_served"].is_monotonic_increasing  # the narrowest area first
    assert all(len(a) > 0 for a in area["service_area"])
    codes = db.query("SELECT offer_id, service_municipality_codes FROM offers").set_index("offer_id")
    assert all(751 in list(codes.loc[i, "service_municipality_codes"]) for i in area["offer_id"])
    assert not set(area["offer_id"]) & set(found.local["offer_id"])
    assert all(s for s in area["serves"])
    # a citizen elsewhere gets none of Aarhus's own area offers
    copenhagen = find_offer.find(db, Need(*find_offer.from_postcode("1500"), max_km=1), limit=1000)
    aarhus_only = {
        i
        for i, s in zip(area["offer_id"], area["service_area"], strict=True)
        if list(s) == ["council:aarhus"]
    }
    assert aarhus_only and not aarhus_only & set(copenhagen.area["offer_id"])


def test_target_group_theme_and_referral_filters(db, aarhus):
    need = Need(*aarhus, target_groups=("aeldre",), themes=("forebyggelse",), referrals_only=True, max_km=200)
    found = find_offer.find(db, need, limit=1000)
    rows = pd.concat([found.local, found.area])
    assert len(rows) > 0
    facts = db.query(
        "SELECT offer_id, target_groups, themes, accepts_social_referrals FROM offers"
    ).set_index("offer_id")
    for offer_id in rows["offer_id"]:
        assert "aeldre" in list(facts.loc[offer_id, "target_groups"])
        assert "forebyggelse" in list(facts.loc[offer_id, "themes"])
        assert facts.loc[offer_id, "accepts_social_referrals"]
    unfiltered = find_offer.find(db, Need(*aarhus, max_km=200), limit=1000)
    assert unfiltered.n_local + unfiltered.n_area > found.n_local + found.n_area


def test_free_and_weekday_filters_read_the_texts(db, aarhus):
    free = find_offer.find(db, Need(*aarhus, free_only=True, max_km=200), limit=1000)
    assert len(free.local) and all(c.lower().startswith("gratis") for c in free.local["cost"])
    monday = find_offer.find(db, Need(*aarhus, weekday="mandag", max_km=200), limit=1000)
    assert len(monday.local)
    assert all("mandag" in s.lower() or "hverdag" in s.lower() for s in monday.local["schedule"])
    everything = find_offer.find(db, Need(*aarhus, max_km=200), limit=1000)
    assert monday.n_local < everything.n_local and free.n_local < everything.n_local


def _matches(pattern: str, texts: list[str]) -> list[bool]:
    return [duckdb.execute("SELECT regexp_matches(lower(?), ?)", [t, pattern]).fetchone()[0] for t in texts]


def test_a_weekday_is_found_as_a_word_in_its_danish_forms():
    texts = ["Mandage kl. 10", "Hver anden mandag", "mandagen", "Første MANDAG i måneden", "Tirsdage og mandage",
             "Hverdage kl. 9-15", "Efter aftale", "Søndage", "mandagsklubben", "", "formandag"]  # fmt: skip
    assert _matches(find_offer.weekday_pattern("mandag"), texts) == [
        True, True, True, True, True, True, False, False, False, False, False
    ]  # fmt: skip
    assert _matches(find_offer.weekday_pattern("soendag"), ["Søndage kl. 10", "Hverdage", "lørdag og søndag"]) == [
        True, False, True
    ]  # fmt: skip
    assert _matches(find_offer.weekday_pattern("loerdag"), ["Lørdagene", "Hverdage"]) == [True, False]


def test_free_is_read_from_the_clear_danish_forms():
    texts = ["Gratis", "gratis for alle", "0 kr.", "0 kr", "kr. 0,-", "0", "50 kr. pr. gang", "Kontingent 300 kr.",
             "", "10 kr. for morgenmad", "Ikke gratis"]  # fmt: skip
    assert _matches(find_offer.FREE_PATTERN, texts) == [
        True, True, True, True, True, True, False, False, False, False, False
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("km", "text"),
    [(0.05, "under 100 m i luftlinje"), (0.43, "ca. 400 m i luftlinje"), (2.345, "ca. 2,3 km i luftlinje"),
     (23.6, "ca. 24 km i luftlinje")],
)  # fmt: skip
def test_a_distance_is_said_as_straight_line(km, text):
    assert find_offer.distance_text(km) == text


def test_the_handout_holds_the_chosen_offers_and_nothing_of_the_citizen(db):
    found = find_offer.find(db, Need(*find_offer.from_postcode("8000"), max_km=200), limit=1000)
    chosen = pd.concat([found.local.head(2), found.area.head(1)], ignore_index=True)
    chosen.loc[0, "name"] = "Æblehaven <b>&</b> Søndergård"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(handout.pdf(chosen))).pages)
    flat = " ".join(text.split())
    for name in chosen["name"]:
        assert " ".join(name.split()) in flat
    for organisation in chosen["organisation_name"]:
        assert " ".join(organisation.split()) in flat
    assert "luftlinje" not in flat  # no distance: it would tell where the citizen lives
    assert handout.TITLE in flat and "Udskrevet" in flat


def test_the_handout_takes_at_most_five_offers_in_large_type(db):
    found = find_offer.find(db, Need(*find_offer.from_postcode("8000"), max_km=200), limit=1000)
    reader = PdfReader(io.BytesIO(handout.pdf(found.local.head(8))))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    names = found.local["name"].head(8).tolist()
    assert sum(n in text for n in names[:5]) == 5
    sizes: list[float] = []
    for page in reader.pages:
        page.extract_text(
            visitor_text=lambda t, cm, tm, font, size: sizes.append(size) if t.strip() else None
        )
    assert sizes and min(sizes) >= 11 and sorted(sizes)[len(sizes) // 2] >= handout.BODY_PT


def test_the_handout_renders_as_a_readable_page(db):
    """The handout as a printer sees it (PDFium renders the page; the PNG goes to test-output/ to look at):
    A4, ink on the page, and nothing printed in the outer 8 mm a home printer cannot reach."""
    import numpy as np
    import pypdfium2 as pdfium

    found = find_offer.find(db, Need(*find_offer.from_postcode("8000"), max_km=200), limit=1000)
    chosen = pd.concat([found.local.head(3), found.area.head(1)], ignore_index=True)
    document = pdfium.PdfDocument(handout.pdf(chosen))
    page = document[0]
    width_pt, height_pt = page.get_size()
    assert (round(width_pt / 72 * 25.4), round(height_pt / 72 * 25.4)) == (210, 297)  # A4
    image = page.render(scale=100 / 72).to_pil().convert("L")  # 100 dpi
    out = PROJECT_ROOT / "test-output"
    out.mkdir(exist_ok=True)
    image.save(out / "udleveringsark-side-1.png")
    ink = np.asarray(image) < 128
    assert ink.mean() > 0.005, "næsten tom side"
    edge = round(8 / 25.4 * 100)  # 8 mm at 100 dpi
    assert (
        not ink[:edge].any()
        and not ink[-edge:].any()
        and not ink[:, :edge].any()
        and not ink[:, -edge:].any()
    )
    document.close()


def test_the_handouts_map_numbers_the_placed_offers_and_draws_no_home(db):
    """The map: one numbered mark per offer with a place of its own, in the sheet's order; towns around them;
    an offer serving a whole area is not drawn and the sheet says so; without placed offers no map."""
    from pypdf import PdfReader as Reader

    from civilkort import handout_map

    found = find_offer.find(db, Need(*find_offer.from_postcode("8000"), max_km=200), limit=1000)
    chosen = pd.concat([found.local.head(2), found.area.head(1)], ignore_index=True)
    assert [handout_map.is_placed(r) for _, r in chosen.iterrows()] == [True, True, False]
    picture = handout_map.png(chosen)
    assert picture is not None and picture.startswith(b"\x89PNG")
    reader = Reader(io.BytesIO(handout.pdf(chosen)))
    images = [img for page in reader.pages for img in page.images]
    assert len(images) == 1
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"1. {' '.join(chosen.loc[0, 'name'].split())}" in text
    assert "På kortet: nej, tilbuddet har ikke ét fast sted" in text
    # only area-serving offers: no map at all
    area_only = found.area.head(2)
    assert handout_map.png(area_only) is None
    assert not [img for page in Reader(io.BytesIO(handout.pdf(area_only))).pages for img in page.images]


def test_the_handouts_map_names_the_towns_in_its_frame():
    from civilkort import handout_map

    south, west, north, east = 56.13, 10.12, 56.19, 10.26
    towns = handout_map.towns(south, west, north, east)
    assert 1 <= len(towns) <= 8 and towns["postcode_name"].is_unique
    assert towns["lat"].between(south, north).all() and towns["lon"].between(west, east).all()
    assert "Aarhus C" in set(towns["postcode_name"]) or "Aarhus V" in set(towns["postcode_name"])
