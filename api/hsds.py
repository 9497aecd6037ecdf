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
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from civilkort import reference
from civilkort.db import current_path
from etl.hsds.mapping import PROFILE_URN

from . import params as p
from .catalogue import Catalogue, load, matches_text

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
        with self._lock:  # one load per new build, however many ask at once
            if self._catalogue is None or self._catalogue.path != path:
                self._catalogue = load(path)
            return self._catalogue


CURRENT = _Current()


def warm() -> None:
    """Make the current build's catalogue now (serve.py, after the app's own warm-up)."""
    if current_path() is not None:
        CURRENT.get()


# ---------------------------------------------------------------- answers


def _json(request: Request, catalogue: Catalogue | None, body: object, status: int = 200) -> Response:
    """``body`` as JSON, with the build's ETag (a 304 when the client has it) and a short cache time."""
    headers = {"Cache-Control": f"public, max-age={CACHE_SECONDS}"}
    if catalogue is not None and status == 200:
        tag = hashlib.sha256(
            f"{catalogue.build_name}|{request.url.path}|{request.url.query}".encode()
        ).hexdigest()
        headers["ETag"] = f'"{tag[:32]}"'
        if headers["ETag"] in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


def _ndjson(catalogue: Catalogue, items: Iterable, render: Callable[[dict], dict]) -> Response:
    """Every item, one JSON object per line, without paging (``format=ndjson``)."""
    body = b"".join(orjson.dumps(render(x)) + b"\n" for x in items)
    return Response(
        body,
        media_type="application/x-ndjson",
        headers={"Cache-Control": f"public, max-age={CACHE_SECONDS}", "ETag": f'"{catalogue.build_name}"'},
    )


def _error(request: Request, exc: p.BadRequest) -> Response:
    """``{"error": <Danish reason>, "parameter": <its name, if one>}`` with the request's status."""
    body = {"error": str(exc)}
    if exc.parameter:
        body["parameter"] = exc.parameter
    return _json(request, None, body, exc.status)


def _endpoint(handler: Callable[[Request, Catalogue], Response]) -> Callable[[Request], Response]:
    """A route: the current catalogue, and a Danish JSON error for a request it cannot answer.

    Synchronous on purpose: Starlette runs it in its thread pool, so a catalogue being made never holds up
    the Streamlit app's event loop."""

    def run(request: Request) -> Response:
        try:
            return handler(request, CURRENT.get())
        except p.BadRequest as exc:
            return _error(request, exc)

    run.__name__ = handler.__name__
    return run


def _paged(
    request: Request, catalogue: Catalogue, items: list, render: Callable[[dict], dict], **kw
) -> Response:
    if (p.text(request.query_params, "format") or "json") == "ndjson":
        return _ndjson(catalogue, items, render)
    paging = p.Paging.read(request.query_params, **kw)
    return _json(request, catalogue, paging.envelope(items, render))


def _format(request: Request) -> None:
    value = p.text(request.query_params, "format")
    if value not in (None, "json", "ndjson"):
        raise p.BadRequest(
            f"Parameteren 'format' skal være json eller ndjson (fik '{value[:40]}').", "format"
        )


def _area(request: Request, catalogue: Catalogue) -> tuple[str | None, int | None]:
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


def _in_area(place, council: str | None, municipality: int | None) -> bool:
    return (council is None or council in place.councils) and (
        municipality is None or municipality in place.municipalities
    )


def _searched(catalogue: Catalogue, query: str | None, kind: str, items: list[dict]) -> list[dict]:
    """``items`` matching ``query`` as *Søg* finds them, best first; all of them without a query."""
    if query is None:
        return items
    wanted = {x["id"]: x for x in items}
    return [wanted[i] for i in catalogue.search_ids(query, kind) if i in wanted]


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
    council, municipality = _area(request, catalogue)
    since = p.timestamp(q, "modified_after")
    term, taxonomy, organization = (
        p.text(q, n) for n in ("taxonomy_term_id", "taxonomy_id", "organization_id")
    )
    minimal, full = p.boolean(q, "minimal"), p.boolean(q, "full")
    terms_of_taxonomy = (
        {t["id"] for t in catalogue.terms if t.get("taxonomy_id") == taxonomy}
        if taxonomy is not None
        else None
    )

    def wanted(s: dict) -> bool:
        sid = s["id"]
        if not _in_area(catalogue.service_place(sid), council, municipality):
            return False
        if organization is not None and s.get("organization_id") != organization:
            return False
        if term is not None and term not in catalogue.service_terms(sid):
            return False
        if terms_of_taxonomy is not None and not terms_of_taxonomy & catalogue.service_terms(sid):
            return False
        if since is not None:
            changed = catalogue.service_changed(sid)
            if changed is not None and changed < since:  # unknown: sent, a sync must not miss it
                return False
        return True

    found = _searched(catalogue, p.text(q, "search"), "offer", catalogue.services)
    filtered = (council, municipality, since, term, taxonomy, organization) != (None,) * 6
    items = [s for s in found if wanted(s)] if filtered else found

    def render(s: dict) -> dict:
        if minimal:
            return _minimal_service(s)
        if full:
            return _with_modified(catalogue.nested.service(s), s)
        return _service_row(catalogue, s)

    # minimal: "aim to return all services within one call"
    per_page = max(len(items), 1) if minimal else p.DEFAULT_PER_PAGE
    return _paged(request, catalogue, items, render, default_per_page=per_page)


def _minimal_service(s: dict) -> dict:
    out = {"id": s["id"], "name": s["name"], "status": s["status"]}
    if s.get("last_modified"):
        out["last_modified"] = s["last_modified"]
    return out


def _with_modified(nested: dict, s: dict) -> dict:
    if s.get("last_modified"):
        nested["last_modified"] = s["last_modified"]
    return nested


def _service_row(catalogue: Catalogue, s: dict) -> dict:
    """A service's one-to-one fields and its organization's (``compiled/service_list.json``)."""
    out = dict(s)
    org = catalogue.organization_by_id.get(s.get("organization_id") or "")
    if org is not None:
        out["organization"] = dict(org)
    return out


def get_service(request: Request, catalogue: Catalogue) -> Response:
    p.check_known(request.query_params, ())
    s = catalogue.service_by_id.get(request.path_params["id"])
    if s is None:
        raise p.BadRequest("Intet tilbud (service) har dette id.", status=404)
    return _json(request, catalogue, _with_modified(catalogue.nested.service(s), s))


def list_organizations(request: Request, catalogue: Catalogue) -> Response:
    q = request.query_params
    p.check_known(q, _ORGANIZATION_LIST_PARAMS)
    _format(request)
    council, municipality = _area(request, catalogue)
    full, full_service = p.boolean(q, "full"), p.boolean(q, "full_service")
    items = [
        o
        for o in _searched(catalogue, p.text(q, "search"), "organisation", catalogue.organizations)
        if _in_area(catalogue.organization_place(o["id"]), council, municipality)
    ]

    def render(o: dict) -> dict:
        return _organization(catalogue, o, full_service) if full or full_service else dict(o)

    return _paged(request, catalogue, items, render)


def _organization(catalogue: Catalogue, org: dict, full_service: bool) -> dict:
    """An organization with everything of its own inside; its services by their own fields, or (with
    ``full_service``) fully nested."""
    nested = catalogue.nested
    out = nested.organization(org, services=False)
    services = nested.index("service", "organization_id").get(org["id"], [])
    if services:
        out["services"] = [
            _with_modified(
                nested.service(catalogue.service_by_id[s["id"]], organization=False),
                catalogue.service_by_id[s["id"]],
            )
            if full_service
            else dict(catalogue.service_by_id[s["id"]])
            for s in services
        ]
    return out


def get_organization(request: Request, catalogue: Catalogue) -> Response:
    p.check_known(request.query_params, ("full_service",))
    org = catalogue.organization_by_id.get(request.path_params["id"])
    if org is None:
        raise p.BadRequest("Ingen organisation har dette id.", status=404)
    return _json(
        request, catalogue, _organization(catalogue, org, p.boolean(request.query_params, "full_service"))
    )


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
    return _paged(request, catalogue, items, dict)


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
    return _paged(request, catalogue, items, _term(catalogue))


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
