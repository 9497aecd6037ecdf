"""The projector link: a coordinator hands a second screen the "projector" role for one workshop.

The link carries a token signed with the service's cookie secret (itsdangerous, this module's own salt): it
names the workshop and when it stops working, nothing else; no code, no person. Whoever opens it gets a
read-only principal (:func:`civilkort.auth.as_projector`) that presents the workshop's area and is refused
every write, kept through reloads by the session cookie (:mod:`civilkort.session_token`) until the
link's own end. Only a coordinator of the workshop's council may make one (checked here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from civilkort import auth
from civilkort import workshop as ws
from civilkort.auth import COORDINATOR, Principal
from civilkort.filters import NATIONAL_AREA
from civilkort.session_token import ExpiredSession, InvalidSession
from civilkort.store import Store

LINK_PARAM = "projektor"
"""The URL parameter that carries a projector token."""
LINK_HOURS = 12
"""How long a projector link (and the screen it signs in) works: a workshop day."""
_SALT = "civilkort.projector.v1"


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def issue(
    store: Store,
    principal: Principal,
    workshop_id: str,
    secret: str,
    *,
    hours: float = LINK_HOURS,
    now: dt.datetime | None = None,
) -> tuple[str, dt.datetime]:
    """A projector token for ``workshop_id`` and when it stops working (a coordinator of its council)."""
    auth.require(principal, COORDINATOR)
    workshop = ws.get_workshop(store, workshop_id)
    ws.require_workshop(principal, workshop)
    until = _now(now) + dt.timedelta(hours=hours)
    token = _serializer(secret).dumps({"w": workshop_id, "exp": int(until.timestamp())})
    return token, until


def redeem(
    token: str,
    secret: str,
    workshop: Callable[[str], Mapping[str, Any] | None],
    *,
    now: dt.datetime | None = None,
) -> Principal:
    """The projector principal a token signs in; InvalidSession (Danish) if it is not one of ours or its
    workshop is gone, ExpiredSession when its time is up. ``workshop(id)`` looks a workshop up."""
    try:
        payload = _serializer(secret).loads(token)
    except BadData as exc:
        raise InvalidSession("Projektorlinket er ikke gyldigt her. Bed koordinatoren om et nyt.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int) or not payload.get("w"):
        raise InvalidSession("Projektorlinket er ikke gyldigt her. Bed koordinatoren om et nyt.")
    if payload["exp"] <= _now(now).timestamp():
        raise ExpiredSession("Projektorlinket er udløbet. Bed koordinatoren om et nyt.")
    row = workshop(str(payload["w"]))
    if row is None:
        raise InvalidSession("Workshoppen i projektorlinket findes ikke længere.")
    return auth.as_projector(row, expires=payload["exp"])


def area_of(workshop: Mapping[str, Any]) -> str:
    """The area a workshop's projector presents: its council, or all of Denmark."""
    return f"council:{workshop['council_id']}" if workshop.get("council_id") else NATIONAL_AREA
