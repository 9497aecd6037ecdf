"""A code sign-in that survives a reload: the signed, expiring value of the browser's session cookie.

Whoever signs in with the shared coordinator code, or joins a workshop with its code, gets a token
signed with itsdangerous (the key derived from the cookie secret with this module's salt, so it never
collides with Streamlit's own use of the same secret).  The token holds who they are and when it
expires, never a code: only keyed fingerprints of the coordinator code and of the workshop's code hash,
so that changing either ends the sessions made with the old one, as it does for open tabs.

Every replica must use the same secret (``CIVILKORT_COOKIE_SECRET``, else ``[auth] cookie_secret``);
without either, :func:`data_dir_secret` makes one once in the data folder (right for one machine only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from itsdangerous import BadData, URLSafeSerializer

from civilkort import auth
from civilkort.auth import ANONYMOUS, COORDINATOR, PARTICIPANT, PROJECTOR, Principal

COOKIE_NAME = "civilkort_session"
SESSION_HOURS = 12
"""How long a code sign-in lasts in a browser (a working day); a workshop's code may end it sooner."""
SECRET_FILE = ".cookie_secret"
_SALT = "civilkort.session.v1"


class InvalidSession(Exception):
    """The cookie is not a session this service signed (other secret, altered, or not a token)."""


class ExpiredSession(InvalidSession):
    """The cookie was signed here but its time is up."""


@dataclass(frozen=True)
class Token:
    """A signed token and how many seconds the browser should keep it."""

    value: str
    max_age_s: int


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _fingerprint(secret: str, kind: str, value: str) -> str:
    """A keyed fingerprint of a code or code hash: tells a changed one apart, reveals nothing about it."""
    return hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)


def issue(
    principal: Principal,
    secret: str,
    *,
    coordinator_code: str | None = None,
    now: dt.datetime | None = None,
) -> Token | None:
    """A token for a code sign-in (coordinator code in force, or a joined workshop) or a projector screen
    (until its link's end); None if nothing to keep.

    A login (OIDC) coordinator is not kept here: Streamlit's own identity cookie does that.
    """
    payload: dict[str, Any] = {"n": principal.name, "v": principal.via, "k": principal.key}
    if PROJECTOR in principal.roles and principal.workshop_id and principal.expires:
        left = principal.expires - int(_now(now).timestamp())
        if left <= 0:
            return None
        payload.update({"p": principal.workshop_id, "exp": principal.expires})
        return Token(_serializer(secret).dumps(payload), left)
    if COORDINATOR in principal.roles and principal.via == "kode" and coordinator_code:
        payload["c"] = _fingerprint(secret, "koordinator", coordinator_code)
    if PARTICIPANT in principal.roles and principal.workshop_id and principal.workshop_code_hash:
        payload["w"] = principal.workshop_id
        payload["h"] = _fingerprint(secret, "workshop", principal.workshop_code_hash)
    if "c" not in payload and "w" not in payload:
        return None
    max_age_s = SESSION_HOURS * 3600
    payload["exp"] = int(_now(now).timestamp()) + max_age_s
    return Token(_serializer(secret).dumps(payload), max_age_s)


def read(token: str, secret: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The payload of a token signed with ``secret``; InvalidSession or ExpiredSession if not usable."""
    try:
        payload = _serializer(secret).loads(token)
    except BadData as exc:
        raise InvalidSession(
            "Sessionscookien er ikke gyldig her (ændret, eller lavet med en anden nøgle)."
        ) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
        raise InvalidSession("Sessionscookien har ikke den forventede form.")
    if payload["exp"] <= _now(now).timestamp():
        raise ExpiredSession("Sessionen er udløbet; log ind igen.")
    return payload


def restore(
    token: str,
    secret: str,
    *,
    coordinator_code: str | None,
    workshop: Callable[[str], Mapping[str, Any] | None],
    now: dt.datetime | None = None,
) -> Principal:
    """Who the token's holder is now: coordinator only while the same code is in force, participant only
    while their workshop's code is unchanged and live; ANONYMOUS if neither holds any more.  A participant
    whose workshop got a new code comes back with their name and workshop but no role (the page asks for
    the new code, in place).

    A projector's token gives the projector back (ANONYMOUS once its workshop is gone).
    ``workshop(id)`` looks a workshop up (None if it is gone). Raises InvalidSession/ExpiredSession.
    """
    payload = read(token, secret, now=now)
    if payload.get("p"):  # a projector screen: read-only, for its workshop, while that exists
        row = workshop(str(payload["p"]))
        return auth.as_projector(row, expires=payload["exp"]) if row is not None else ANONYMOUS
    name = str(payload.get("n") or "")
    key = str(payload.get("k") or "")
    person = ANONYMOUS
    is_coordinator = bool(coordinator_code) and hmac.compare_digest(
        str(payload.get("c", "")), _fingerprint(secret, "koordinator", coordinator_code or "")
    )
    if is_coordinator:
        person = replace(
            auth.from_coordinator_code(name, coordinator_code or "", expected=coordinator_code), key=key
        )
    workshop_id = payload.get("w")
    row = workshop(str(workshop_id)) if workshop_id else None
    is_live = row is not None and auth.code_is_live(dict(row), at=_now(now))
    if (
        row is not None
        and is_live
        and not hmac.compare_digest(
            str(payload.get("h", "")), _fingerprint(secret, "workshop", row["code_hash"])
        )
        and not is_coordinator
    ):
        # the workshop's code has changed since they joined: they are no participant any more, but the page
        # knows who and where they were, and asks for the new code in place (no role, so nothing to write)
        return replace(
            ANONYMOUS,
            name=name or ANONYMOUS.name,
            via="workshopkode",
            workshop_id=row["workshop_id"],
            key=key,
        )
    if (
        row is not None
        and hmac.compare_digest(str(payload.get("h", "")), _fingerprint(secret, "workshop", row["code_hash"]))
        and is_live
    ):
        person = replace(  # a coordinator who also joined keeps their scope
            person,
            name=name or person.name,
            roles=(person.roles - {COORDINATOR}) | {PARTICIPANT},
            via=person.via if is_coordinator else str(payload.get("v") or "workshopkode"),
            workshop_id=row["workshop_id"],
            workshop_code_hash=row["code_hash"],
            key=key,
        )
    return person


def data_dir_secret(data_dir: Path) -> str:
    """The data folder's own cookie secret, made once (readable by its owner only) when none is configured.

    Two processes starting at once agree on one: the file appears whole (a hard link), or not at all.
    """
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f"{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()
