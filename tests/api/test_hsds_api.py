"""The HSDS read API over real HTTP (uvicorn on a loopback port), its answers checked against the official
HSDS 3.0 schemas (``../shared/hsds-3.0``) and its figures against the build's own tables."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from jsonschema import Draft202012Validator
from starlette.applications import Starlette
from starlette.routing import Mount

from api.hsds import MOUNT, app
from civilkort import reference
from civilkort.db import Database, current_path
from etl.build import build
from etl.hsds.mapping import PROFILE_URN, hsds_id
from tests.conftest import PROJECT_ROOT, clean_input

OFFICIAL = PROJECT_ROOT.parent / "shared" / "hsds-3.0" / "schema"

PAGE_FIELDS = (
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
)


@pytest.fixture(scope="module")
def official() -> dict[str, Draft202012Validator]:
    """Validators of the official schemas: compiled service/organization (full and list), taxonomy, term."""
    if not OFFICIAL.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"De officielle HSDS 3.0-skemaer mangler i {OFFICIAL}")
        pytest.skip("the official HSDS 3.0 schemas are not beside the repository")
    from etl.hsds.validation import official_schemas

    out = {
        name: Draft202012Validator(
            json.loads((OFFICIAL / "compiled" / f"{name}.json").read_text(encoding="utf-8"))
        )
        for name in ("service", "service_list", "organization", "organization_list")
    }
    entities = official_schemas(str(OFFICIAL)).validators
    out["taxonomy"], out["taxonomy_term"] = entities["taxonomy"], entities["taxonomy_term"]
    return out


def _errors(validator: Draft202012Validator, doc: object) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)][:5]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The API served by uvicorn on a free loopback port, mounted where serve.py mounts it; its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(Starlette(routes=[Mount(MOUNT, app=app)]), log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    port = sock.getsockname()[1]
    with httpx.Client() as client:
        for _ in range(600):  # until it answers (its start is the condition, not a time)
            try:
                client.get(f"http://127.0.0.1:{port}{MOUNT}/", timeout=1)
                break
            except httpx.TransportError:
                if not thread.is_alive():
                    raise RuntimeError("uvicorn stopped") from None
                threading.Event().wait(0.05)
    yield f"http://127.0.0.1:{port}{MOUNT}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def http(server, small_db) -> Iterator[httpx.Client]:
    """A client of the API serving the small example build."""
    with httpx.Client(base_url=server, timeout=60) as client:
        yield client


def _all(http: httpx.Client, path: str, **params) -> list[dict]:
    """Every item of a paged list, page by page."""
    items, page = [], 1
    while True:
        r = http.get(path, params={**params, "page": page, "per_page": 100})
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["contents"]
        if body["last_page"]:
            return items
        page += 1


def test_root_names_version_profile_and_a_working_openapi_document(http):
    root = http.get("/").json()
    assert str(http.base_url).endswith(f"{MOUNT}/")
    assert root == {"version": "3.0", "profile": PROFILE_URN, "openapi_url": f"{http.base_url}openapi.json"}
    doc = http.get(root["openapi_url"]).json()
    assert doc["openapi"].startswith("3.") and doc["servers"] == [{"url": str(http.base_url).rstrip("/")}]
    assert "/services/{id}" in doc["paths"] and not any(
        p.startswith("/service_at_locations") for p in doc["paths"]
    )
    names = {x.get("$ref", "").rsplit("/", 1)[-1] for x in doc["paths"]["/services"]["get"]["parameters"]}
    assert {"council_id", "municipality_code", "modified_after", "page"} <= names


def test_services_page_through_every_offer_and_fit_the_official_list_schema(http, small_db, official):
    first = http.get("/services", params={"per_page": 7}).json()
    assert set(PAGE_FIELDS) <= set(first)
    total = small_db.scalar("SELECT count(*) FROM offers")
    assert first["total_items"] == total and first["total_pages"] == -(-total // 7)
    assert first["size"] == 7 and first["first_page"] and not first["last_page"] and not first["empty"]
    items = _all(http, "/services")
    assert len(items) == total and len({s["id"] for s in items}) == total
    assert {s["id"] for s in items} == {
        hsds_id("offer", o) for o in small_db.query("SELECT offer_id FROM offers")["offer_id"]
    }
    for s in items[:60]:
        assert not _errors(official["service_list"], s), (s["id"], _errors(official["service_list"], s))
    last = http.get("/services", params={"per_page": 7, "page": first["total_pages"]}).json()
    assert last["last_page"] and last["size"] == total - 7 * (first["total_pages"] - 1)
    past = http.get("/services", params={"per_page": 7, "page": first["total_pages"] + 1})
    assert past.status_code == 404 and "side" in past.json()["error"].lower()


def test_one_service_fully_nested_fits_the_official_schema(http, small_db, official):
    offer = small_db.query(
        "SELECT offer_id, name FROM offers WHERE has_own_location AND cardinality(service_area) > 0 LIMIT 1"
    ).iloc[0]
    r = http.get(f"/services/{hsds_id('offer', offer['offer_id'])}")
    assert r.status_code == 200
    s = r.json()
    assert s["name"] == offer["name"] and s["organization"]["id"] == s["organization_id"]
    assert s["service_at_locations"][0]["location"]["id"] and s["service_areas"]
    assert not _errors(official["service"], s), _errors(official["service"], s)
    full = http.get("/services", params={"full": "true", "per_page": 25}).json()["contents"]
    for x in full:
        assert not _errors(official["service"], x), _errors(official["service"], x)
    missing = http.get("/services/findes-ikke")
    assert missing.status_code == 404 and missing.json()["error"].startswith("Intet tilbud")


def test_organizations_list_and_one_with_its_services_fit_the_official_schemas(http, small_db, official):
    items = _all(http, "/organizations")
    units, orgs = (small_db.scalar(f"SELECT count(*) FROM {t}") for t in ("regional_units", "organisations"))
    assert len(items) == units + orgs
    for o in items[:60]:
        assert not _errors(official["organization_list"], o), _errors(official["organization_list"], o)
    owner = small_db.query(
        "SELECT organisation_id, count(*) AS n FROM offers GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1"
    ).iloc[0]
    oid = hsds_id("organisation", owner["organisation_id"])
    org = http.get(f"/organizations/{oid}").json()
    assert len(org["services"]) == owner["n"] and not _errors(official["organization"], org)
    full = http.get(f"/organizations/{oid}", params={"full_service": "true"}).json()
    assert not _errors(official["organization"], full)
    assert any("service_at_locations" in s or "service_areas" in s for s in full["services"])


def _council_offers(db: Database, council: str) -> set[str]:
    """Offers placed in a council or serving one of its municipalities, as the build's tables say."""
    codes = [int(c) for c in reference.municipalities().query("council_id == @council")["municipality_code"]]
    rows = db.query(
        "SELECT offer_id FROM offers WHERE council_id = $c OR list_has_any(service_municipality_codes, $codes)",
        {"c": council, "codes": codes},
    )
    return {hsds_id("offer", o) for o in rows["offer_id"]}


def test_council_and_municipality_keep_to_the_offers_in_or_for_that_area(http, small_db):
    council = small_db.query(
        "SELECT council_id, count(*) n FROM offers GROUP BY 1 ORDER BY n DESC LIMIT 1"
    ).iloc[0, 0]
    got = {s["id"] for s in _all(http, "/services", council_id=council)}
    assert got == _council_offers(small_db, council) and 0 < len(got) < small_db.scalar(
        "SELECT count(*) FROM offers"
    )
    code = int(
        small_db.scalar("SELECT municipality_code FROM offers WHERE council_id = $c LIMIT 1", {"c": council})
    )
    rows = small_db.query(
        "SELECT offer_id FROM offers WHERE municipality_code = $m OR list_contains(service_municipality_codes, $m)",
        {"m": code},
    )
    assert {s["id"] for s in _all(http, "/services", municipality_code=code)} == {
        hsds_id("offer", o) for o in rows["offer_id"]
    }
    orgs = _all(http, "/organizations", council_id=council)
    assert 0 < len(orgs) < len(_all(http, "/organizations"))


def test_taxonomy_and_term_filters_and_search(http, small_db, official):
    taxonomies = _all(http, "/taxonomies")
    for t in taxonomies:
        assert not _errors(official["taxonomy"], t), _errors(official["taxonomy"], t)
    themes = next(t for t in taxonomies if t["uri"].endswith(":theme"))
    terms = _all(http, "/taxonomy_terms", taxonomy_id=themes["id"])
    assert terms and all(t["taxonomy_id"] == themes["id"] for t in terms)
    for t in terms:
        assert not _errors(official["taxonomy_term"], t), _errors(official["taxonomy_term"], t)
    term = terms[0]
    code = term["code"].split(":", 1)[1]
    expected = small_db.scalar("SELECT count(*) FROM offers WHERE list_contains(themes, $c)", {"c": code})
    assert (
        http.get("/services", params={"taxonomy_term_id": term["id"]}).json()["total_items"] == expected > 0
    )
    assert http.get(f"/taxonomy_terms/{term['id']}").json()["name"] == term["name"]
    assert http.get(f"/taxonomies/{themes['id']}").json()["id"] == themes["id"]
    name = small_db.scalar("SELECT name FROM offers ORDER BY offer_id LIMIT 1")
    word = max(name.split(), key=len)
    found = _all(http, "/services", search=word)
    assert found and any(s["name"] == name for s in found)
    assert http.get("/services", params={"search": "qqqxxzzz"}).json() | {"contents": []} == {
        **dict.fromkeys(PAGE_FIELDS), "total_items": 0, "total_pages": 1, "page_number": 1, "size": 0,
        "first_page": True, "last_page": True, "empty": True, "contents": [],
    }  # fmt: skip


def test_no_personal_field_reaches_the_api(http, example_tables):
    orgs = example_tables["organisations"]
    secrets = {str(v) for v in (*orgs["email"].dropna(), *orgs["contact_person"].dropna())}
    assert secrets
    body = http.get("/organizations", params={"format": "ndjson", "full_service": "true"}).text
    body += http.get("/services", params={"format": "ndjson", "full": "true"}).text
    assert len(body.splitlines()) > len(orgs)
    assert not [s for s in secrets if s in body]
    assert '"contacts"' not in body


@pytest.mark.parametrize(
    ("params", "parameter", "status"),
    [
        ({"page": "abc"}, "page", 400),
        ({"per_page": "0"}, "per_page", 400),
        ({"per_page": "100000"}, "per_page", 400),
        ({"modified_after": "i går"}, "modified_after", 400),
        ({"council_id": "atlantis"}, "council_id", 400),
        ({"municipality_code": "999"}, "municipality_code", 400),
        ({"full": "måske"}, "full", 400),
        ({"postcode": "8000"}, "postcode", 400),
        ({"format": "xml"}, "format", 400),
        ({"sundhedsraad": "aarhus"}, "sundhedsraad", 400),
    ],
)
def test_a_request_it_cannot_answer_is_a_danish_4xx_naming_the_parameter(http, params, parameter, status):
    r = http.get("/services", params=params)
    assert r.status_code == status and r.headers["content-type"] == "application/json"
    assert r.json()["parameter"] == parameter and parameter in r.json()["error"]


def test_read_only(http):
    r = http.post("/services", json={})
    assert r.status_code == 405 and "GET" in r.json()["error"]


def _modified_ids(http: httpx.Client, since: str) -> set[str]:
    return {s["id"] for s in _all(http, "/services", modified_after=since)}


def test_modified_after_gives_what_changed_since_and_etags_follow_the_build(server, data_dir, example_tables):
    build(clean_input(example_tables), meta={"is_example": "true", "built_at": "2026-01-05T10:00:00+00:00"})
    with httpx.Client(base_url=server, timeout=60) as http:
        every = _all(http, "/services")
        assert {s["last_modified"] for s in every} == {"2026-01-05T10:00:00Z"}
        first = http.get("/services", params={"per_page": 3})
        etag = first.headers["etag"]
        assert (
            http.get("/services", params={"per_page": 3}, headers={"If-None-Match": etag}).status_code == 304
        )

        changed = {k: v.copy() for k, v in example_tables.items()}
        offers = changed["offers"]
        offers.loc[offers.index[5], "description"] = "Ændret beskrivelse"
        build(clean_input(changed), meta={"is_example": "true", "built_at": "2026-02-09T10:00:00+00:00"})
        edited = hsds_id("offer", offers["offer_id"].iloc[5])
        assert _modified_ids(http, "2026-01-06") == {edited}
        assert _modified_ids(http, "2026-02-09T10:00:00Z") == {edited}  # "on or after"
        assert _modified_ids(http, "2026-02-09T11:00:00+01:00") == {edited}  # the same moment in Danish time
        assert _modified_ids(http, "2026-02-09T10:00:01Z") == set()
        assert len(_modified_ids(http, "2026-01-05")) == len(every)
        again = http.get("/services", params={"per_page": 3}, headers={"If-None-Match": etag})
        assert again.status_code == 200 and again.headers["etag"] != etag  # a new build: a new answer


def test_without_a_build_it_says_so(server, data_dir):
    assert current_path() is None
    with httpx.Client(base_url=server, timeout=60) as http:
        r = http.get("/services")
        assert r.status_code == 503 and "ingen data" in r.json()["error"].lower()
        assert http.get("/").status_code == 200


def test_served_beside_the_app_by_serve_py():
    source = (PROJECT_ROOT / "serve.py").read_text(encoding="utf-8")
    assert "Mount(hsds_api.MOUNT, app=hsds_api.app)" in source
    assert Path(PROJECT_ROOT / "api" / "hsds-3.0-openapi.json").is_file()
