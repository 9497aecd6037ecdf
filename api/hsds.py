"""The HSDS 3.0 read API: the current build as Open Referral's API serves it, for other directories to sync from.

Endpoints (HSDS's ``openapi.json``, the ones that fit the product): ``/``, ``/services``, ``/services/{id}``,
``/organizations``, ``/organizations/{id}``, ``/taxonomies``, ``/taxonomies/{id}``, ``/taxonomy_terms``,
``/taxonomy_terms/{id}``, and ``/openapi.json`` describing them.  Paged lists (``page``, ``per_page``),
``modified_after`` for incremental sync, ``council_id`` and ``municipality_code`` for one area, ``search``
as *Søg* finds.  Read-only and public: no personal fields (``to_hsds(include_personal=False)``), the same
records the app shows everyone.  README, "HSDS-API", has examples.

A Starlette app: ``serve.py`` mounts it at ``/api/hsds`` beside the Streamlit app (one process, one port,
behind the same proxy); ``uvicorn api:app`` serves it alone.  Each answer names the build it was made from
(``ETag``), so a client asking again gets a 304 until the data changes.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from civilkort import reference
from civilkort.db import current_path
from etl.hsds import mapping as m
from etl.hsds.mapping import PROFILE_URN

from . import params as p
from .catalogue import Catalogue, OrganizationFilter, ServiceFilter, matches_text, utc_text

Fetch = Callable[[int, int | None], list[dict]]
"""Records [start, stop) of a list, made for the answer."""

MOUNT = "/api/hsds"
"""Where ``serve.py`` mounts the API."""

CACHE_SECONDS = 60
"""How long a client or proxy may reuse an answer without asking (a new build shows within a minute)."""

_OPENAPI = Path(__file__).with_name("hsds-3.0-openapi.json")

_SERVICE_LIST_PARAMS = (
    "search", "page", "per_page", "format", "taxonomy_term_id", "taxonomy_id", "organization_id",
    "modified_after", "minimal", "full", "council_id", "municipality_code",
)  # fmt: skip
_ORGANIZATION_LIST_PARAMS = (
    "search", "full_service", "full", "page", "per_page", "format", "council_id", "municipality_code",
)  # fmt: skip


class _Current:
    """The catalogue of the build served now, made again when another build is served."""

    def __init__(self) -> None:
        self._catalogue: Catalogue | None = None
        self._lock = threading.Lock()

    def get(self) -> Catalogue:
        path = current_path()
        if path is None:
            raise p.BadRequest("Der er ingen data endnu: databasen er ikke bygget.", status=503)
        found = self._catalogue
        if found is not None and found.path == path:
            return found
        with self._lock:  # one catalogue per new build, however many ask at once
            if self._catalogue is None or self._catalogue.path != path:
                self._catalogue = Catalogue(path)  # the old one closes when its last reader lets go
            return self._catalogue


CURRENT = _Current()


def warm() -> None:
    """Open the current build's catalogue now (serve.py, beside the app's own warm-up)."""
    if current_path() is not None:
        CURRENT.get()


# ---------------------------------------------------------------- answers


def _json(request: Request, catalogue: Catalogue | None, body: object, status: int = 200) -> Response:
    """``body`` as JSON, with the build's ETag (a 304 when the client has it) and a short cache time."""
    headers = {"Cache-Control": f"public, max-age={CACHE_SECONDS}"}
    if catalogue is not None and status == 200:
        headers["ETag"] = _etag(request, catalogue)
        if headers["ETag"] in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _etag(request: Request, catalogue: Catalogue) -> str:
    """The same answer to the same request on the same build: the build's name and the request, hashed."""
    tag = hashlib.sha256(
        f"{catalogue.build_name}|{request.url.path}|{request.url.query}".encode()
    ).hexdigest()
    return f'"{tag[:32]}"'


NDJSON_CHUNK = 500
"""Records made at a time for ``format=ndjson``: the whole country streams in bounded memory."""


def _ndjson(request: Request, catalogue: Catalogue, total: int, fetch: Fetch) -> Response:
    """Every item, one JSON object per line, without paging (``format=ndjson``), made and sent in chunks."""

    def lines() -> Iterator[bytes]:
        for start in range(0, total, NDJSON_CHUNK):
            yield b"".join(orjson.dumps(x) + b"\n" for x in fetch(start, min(start + NDJSON_CHUNK, total)))

    headers = {"Cache-Control": f"public, max-age={CACHE_SECONDS}", "ETag": _etag(request, catalogue)}
    return StreamingResponse(lines(), media_type="application/x-ndjson", headers=headers)


def _error(request: Request, exc: p.BadRequest) -> Response:
    """``{"error": <Danish reason>, "parameter": <its name, if one>}`` with the request's status."""
    body = {"error": str(exc)}
    if exc.parameter:
        body["parameter"] = exc.parameter
    return _json(request, None, body, exc.status)


def _endpoint(handler: Callable[[Request, Catalogue], Response]) -> Callable[[Request], Response]:
    """A route: the current catalogue, and a Danish JSON error for a request it cannot answer.

    Synchronous on purpose: Starlette runs it in its thread pool, so a catalogue being opened or a page being
    made never holds up the Streamlit app's event loop."""

    def run(request: Request) -> Response:
        try:
            return handler(request, CURRENT.get())
        except p.BadRequest as exc:
            return _error(request, exc)

    run.__name__ = handler.__name__
    return run


def _paged(request: Request, catalogue: Catalogue, total: int, fetch: Fetch, **kw) -> Response:
    if (p.text(request.query_params, "format") or "json") == "ndjson":
        return _ndjson(request, catalogue, total, fetch)
    paging = p.Paging.read(request.query_params, **kw)
    return _json(request, catalogue, paging.envelope(total, fetch))


def _in_memory(items: list[dict], render: Callable[[dict], dict]) -> tuple[int, Fetch]:
    return len(items), lambda start, stop: [render(x) for x in items[start:stop]]


def _format(request: Request) -> None:
    value = p.text(request.query_params, "format")
    if value not in (None, "json", "ndjson"):
        raise p.BadRequest(
            f"Parameteren 'format' skal være json eller ndjson (fik '{value[:40]}').", "format"
        )


def _area(request: Request) -> tuple[str | None, int | None]:
    """The council and municipality asked for, checked against the reference data."""
    council = p.text(request.query_params, "council_id")
    if council is not None and council not in set(reference.councils()["council_id"].astype(str)):
        raise p.BadRequest(f"Ukendt sundhedsråd '{council[:60]}' (council_id, fx 'aarhus').", "council_id")
    municipality = None
    if p.text(request.query_params, "municipality_code") is not None:
        municipality = p.integer(request.query_params, "municipality_code", 0, 0, 9999)
        if municipality not in set(reference.municipalities()["municipality_code"].astype(int)):
            raise p.BadRequest(
                f"Ukendt kommunekode {municipality} (municipality_code, fx 751 for Aarhus).",
                "municipality_code",
            )
    return council, municipality


# ---------------------------------------------------------------- endpoints


def root(request: Request) -> Response:
    p.check_known(request.query_params, ())
    return _json(
        request,
        None,
        {"version": "3.0", "profile": PROFILE_URN, "openapi_url": str(request.url_for("openapi"))},
    )


def openapi(request: Request) -> Response:
    p.check_known(request.query_params, ())
    doc = _openapi_document(str(request.url_for("root")).rstrip("/"))
    return Response(doc, media_type="application/json", headers={"Cache-Control": "public, max-age=3600"})


@cache
def _openapi_document(server: str) -> bytes:
    """HSDS's OpenAPI document (3.0, CC BY-SA 4.0, copied unchanged in ``hsds-3.0-openapi.json``) filled in
    for this API: its title, server, the paths it serves and its two area parameters."""
    doc = json.loads(_OPENAPI.read_text(encoding="utf-8"))
    doc["info"] = {
        "title": "Civilsamfundskortet HSDS API",
        "version": "1.0",
        "summary": "Civilsamfundets tilbud og organisationer i Open Referral HSDS 3.0, til synkronisering.",
        "description": "Skrivebeskyttet, offentlig: det samme som appen viser alle, uden personoplysninger. "
        f"Profil: {PROFILE_URN}. Se README, afsnittet 'HSDS-API'.",
        "license": {
            "name": "HSDS-specifikationen: CC BY-SA 4.0",
            "url": "https://creativecommons.org/licenses/by-sa/4.0/",
        },
    }
    doc["servers"] = [{"url": server}]
    doc["paths"] = {k: v for k, v in doc["paths"].items() if not k.startswith("/service_at_locations")}
    doc["components"]["parameters"].update(
        {
            "council_id": {
                "name": "council_id",
                "in": "query",
                "required": False,
                "description": "Kun poster i eller for dette sundhedsråd (fx 'aarhus').",
                "schema": {"type": "string"},
            },
            "municipality_code": {
                "name": "municipality_code",
                "in": "query",
                "required": False,
                "description": "Kun poster i eller for denne kommune (kommunekode, fx 751).",
                "schema": {"type": "integer"},
            },
        }
    )
    for path in ("/services", "/organizations"):
        doc["paths"][path]["get"]["parameters"] += [
            {"$ref": "#/components/parameters/council_id"},
            {"$ref": "#/components/parameters/municipality_code"},
        ]
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


def list_services(request: Request, catalogue: Catalogue) -> Response:
    q = request.query_params
    p.check_known(q, _SERVICE_LIST_PARAMS)
    _format(request)
    council, municipality = _area(request)
    wanted = ServiceFilter(
        search=p.text(q, "search"),
        council=council,
        municipality=municipality,
        organization=p.text(q, "organization_id"),
        term=p.text(q, "taxonomy_term_id"),
        taxonomy=p.text(q, "taxonomy_id"),
        since=p.timestamp(q, "modified_after"),
    )
    minimal, full = p.boolean(q, "minimal"), p.boolean(q, "full")

    def fetch(start: int, stop: int | None) -> list[dict]:
        ids = catalogue.service_ids(wanted, start, stop)
        if minimal:
            rows = catalogue.minimal_rows(ids)
            return [
                _minimal_service(catalogue.hsds_id("offer", offer_id), name, status, changed)
                for offer_id, name, status, changed in zip(
                    rows["offer_id"], rows["name"], rows["status"], rows["modified_at"]
                )
            ]
        return catalogue.services(ids, catalogue.modified_of(ids), full=full)

    # minimal: "aim to return all services within one call"
    per_page = p.MAX_MINIMAL_PER_PAGE if minimal else p.DEFAULT_PER_PAGE
    return _paged(request, catalogue, catalogue.count_services(wanted), fetch, default_per_page=per_page)


def _minimal_service(service_id: str, name: object, status: object, changed: object) -> dict:
    """A service's id, name and status (HSDS's list requires all three) and when it last changed."""
    out = {"id": service_id, "name": name or "", "status": m.service_status(status)}
    when = utc_text(changed)
    if when:
        out["last_modified"] = when
    return out


def get_service(request: Request, catalogue: Catalogue) -> Response:
    p.check_known(request.query_params, ())
    offer_id = catalogue.offer_id(request.path_params["id"])
    found = catalogue.services([offer_id], catalogue.modified_of([offer_id]), full=True) if offer_id else []
    if not found:
        raise p.BadRequest("Intet tilbud (service) har dette id.", status=404)
    return _json(request, catalogue, found[0])


def list_organizations(request: Request, catalogue: Catalogue) -> Response:
    q = request.query_params
    p.check_known(q, _ORGANIZATION_LIST_PARAMS)
    _format(request)
    council, municipality = _area(request)
    wanted = OrganizationFilter(search=p.text(q, "search"), council=council, municipality=municipality)
    full_service = p.boolean(q, "full_service")
    nested = p.boolean(q, "full") or full_service

    def fetch(start: int, stop: int | None) -> list[dict]:
        keys = catalogue.organization_keys(wanted, start, stop)
        return catalogue.organizations(keys, nested=nested, full_service=full_service)

    return _paged(request, catalogue, catalogue.count_organizations(wanted), fetch)


def get_organization(request: Request, catalogue: Catalogue) -> Response:
    p.check_known(request.query_params, ("full_service",))
    key = catalogue.organization_key(request.path_params["id"])
    full_service = p.boolean(request.query_params, "full_service")
    found = catalogue.organizations([key], nested=True, full_service=full_service) if key else []
    if not found:
        raise p.BadRequest("Ingen organisation har dette id.", status=404)
    return _json(request, catalogue, found[0])


def list_taxonomies(request: Request, catalogue: Catalogue) -> Response:
    q = request.query_params
    p.check_known(q, ("search", "page", "per_page", "format"))
    _format(request)
    query = p.text(q, "search")
    items = [
        t
        for t in catalogue.taxonomies
        if query is None or matches_text(query, t["name"], t.get("description"))
    ]
    return _paged(request, catalogue, *_in_memory(items, dict))


def get_taxonomy(request: Request, catalogue: Catalogue) -> Response:
    p.check_known(request.query_params, ())
    found = catalogue.taxonomy_by_id.get(request.path_params["id"])
    if found is None:
        raise p.BadRequest("Ingen taksonomi har dette id.", status=404)
    return _json(request, catalogue, dict(found))


def list_terms(request: Request, catalogue: Catalogue) -> Response:
    q = request.query_params
    p.check_known(q, ("search", "page", "per_page", "format", "taxonomy_id", "top_only", "parent_id"))
    _format(request)
    query, taxonomy, parent = p.text(q, "search"), p.text(q, "taxonomy_id"), p.text(q, "parent_id")
    top_only = p.boolean(q, "top_only")
    items = [
        t
        for t in catalogue.terms
        if (taxonomy is None or t.get("taxonomy_id") == taxonomy)
        and (parent is None or t.get("parent_id") == parent)
        and (not top_only or not t.get("parent_id"))
        and (query is None or matches_text(query, t["name"], t.get("description"), t.get("code")))
    ]
    return _paged(request, catalogue, *_in_memory(items, _term(catalogue)))


def _term(catalogue: Catalogue) -> Callable[[dict], dict]:
    def render(t: dict) -> dict:
        out = dict(t)
        taxonomy = catalogue.taxonomy_by_id.get(t.get("taxonomy_id") or "")
        if taxonomy is not None:
            out["taxonomy_detail"] = dict(taxonomy)
        return out

    return render


def get_term(request: Request, catalogue: Catalogue) -> Response:
    p.check_known(request.query_params, ())
    found = catalogue.term_by_id.get(request.path_params["id"])
    if found is None:
        raise p.BadRequest("Intet taksonomiord (taxonomy_term) har dette id.", status=404)
    return _json(request, catalogue, _term(catalogue)(found))


def _plain(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """A route that needs no build (``/``, ``/openapi.json``), with the same Danish errors."""

    def run(request: Request) -> Response:
        try:
            return handler(request)
        except p.BadRequest as exc:
            return _error(request, exc)

    run.__name__ = handler.__name__
    return run


def _not_found(request: Request, exc: Exception) -> Response:
    return _json(request, None, {"error": "Denne adresse findes ikke i HSDS-API'et; se /openapi.json."}, 404)


def _not_allowed(request: Request, exc: Exception) -> Response:
    return _json(request, None, {"error": "HSDS-API'et kan kun læses (GET)."}, 405)


routes = [
    Route("/", _plain(root), name="root"),
    Route("/openapi.json", _plain(openapi), name="openapi"),
    Route("/services", _endpoint(list_services)),
    Route("/services/{id}", _endpoint(get_service)),
    Route("/organizations", _endpoint(list_organizations)),
    Route("/organizations/{id}", _endpoint(get_organization)),
    Route("/taxonomies", _endpoint(list_taxonomies)),
    Route("/taxonomies/{id}", _endpoint(get_taxonomy)),
    Route("/taxonomy_terms", _endpoint(list_terms)),
    Route("/taxonomy_terms/{id}", _endpoint(get_term)),
]

app = Starlette(
    routes=routes,
    middleware=[
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"], expose_headers=["ETag"])
    ],
    exception_handlers={404: _not_found, 405: _not_allowed},
)
"""The API as an ASGI app (mounted by serve.py at :data:`MOUNT`; ``uvicorn api:app`` serves it alone)."""
