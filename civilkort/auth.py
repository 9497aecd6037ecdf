"""Who may do what: viewing is open, capturing needs a workshop's code, reviewing needs a coordinator.

Roles are checked where the change is made (the workshop and upload functions call
:func:`require`), not only where a button is drawn, so a page that forgets to hide a button
still cannot write.

How a user becomes a coordinator:

* **With login (OIDC)** configured for Streamlit (``[auth]`` in ``.streamlit/secrets.toml``):
  a logged-in user whose e-mail is listed in ``CIVILKORT_KOORDINATORER`` (comma-separated,
  or ``koordinatorer = [...]`` under ``[civilkort]`` in the secrets).
* **Fallback without login:** the shared coordinator code in ``CIVILKORT_KOORDINATOR_KODE``
  (or ``koordinator_kode`` under ``[civilkort]``).  With neither set, nobody is coordinator.

A participant is whoever enters the current code of a workshop before it expires.  Codes are
stored only as salted scrypt hashes; a new code ends the sessions that used the old one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from civilkort.settings import settings

VIEWER = "viewer"
PARTICIPANT = "participant"
COORDINATOR = "coordinator"
ROLE_LABELS = {VIEWER: "læser", PARTICIPANT: "workshopdeltager", COORDINATOR: "koordinator"}
WHAT_IT_TAKES = {
    PARTICIPANT: "Det kræver workshoppens kode (fås hos facilitatoren).",
    COORDINATOR: "Det kræver koordinatoradgang: log ind, eller brug koordinatorkoden.",
}
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


class PermissionDenied(Exception):
    """The user lacks the role the action needs; the message is Danish and says what it takes."""


@dataclass(frozen=True)
class Principal:
    """The user behind a request: a display name, roles, and the workshop they joined (if any)."""

    name: str = "Anonym"
    roles: frozenset[str] = field(default_factory=frozenset)
    via: str = "anonym"  # "login" (OIDC), "kode" (coordinator code), "workshopkode", "anonym"
    workshop_id: str | None = None
    workshop_code_hash: str | None = None  # which code they joined with; a new code ends the session
    key: str = ""  # tells apart two people with the same name (set when they sign in or join)

    @property
    def actor(self) -> str:
        """Who did it, as the audit trail records it: the name, and the sign-in's key if any."""
        return f"{self.name} (#{self.key})" if self.key else self.name

    def has(self, role: str) -> bool:
        """True if the user holds ``role`` (a coordinator holds every role; everyone may view)."""
        return role == VIEWER or role in self.roles or COORDINATOR in self.roles

    @property
    def label(self) -> str:
        """The highest role in Danish, for the UI."""
        for role in (COORDINATOR, PARTICIPANT):
            if role in self.roles:
                return ROLE_LABELS[role]
        return ROLE_LABELS[VIEWER]


ANONYMOUS = Principal()


def require(principal: Principal, role: str) -> None:
    """Raise PermissionDenied (in Danish) unless ``principal`` holds ``role``."""
    if not principal.has(role):
        raise PermissionDenied(f"Du har ikke adgang til dette som {principal.label}. {WHAT_IT_TAKES[role]}")


# ---------------------------------------------------------------- codes


def new_code(words: int = 2) -> str:
    """A code that is easy to read out in a room: digits in groups, e.g. '4821-0937'."""
    return "-".join(f"{secrets.randbelow(10_000):04d}" for _ in range(words))


def hash_code(code: str) -> str:
    """A salted scrypt hash of a code, as 'scrypt$salt$hash'."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(_normalise(code).encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_code(code: str, stored: str) -> bool:
    """True if ``code`` matches a hash made by :func:`hash_code` (constant-time compare)."""
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(_normalise(code).encode(), salt=bytes.fromhex(salt), **_SCRYPT)
    return hmac.compare_digest(got.hex(), digest)


def _normalise(code: str) -> str:
    """Codes are read aloud and typed on phones: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.casefold() if ch.isalnum())


# ---------------------------------------------------------------- coordinators


def _listed(value: str | Iterable[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(i.strip().casefold() for i in items if i and i.strip())


def coordinator_emails(configured: str | Iterable[str] | None = None) -> frozenset[str]:
    """E-mails of logged-in users who are coordinators (argument, else CIVILKORT_KOORDINATORER)."""
    return _listed(configured if configured is not None else settings().coordinators)


def coordinator_code(configured: str | None = None) -> str | None:
    """The fallback coordinator code (argument, else CIVILKORT_KOORDINATOR_KODE), or None if unset."""
    code = configured if configured is not None else settings().coordinator_code
    return code or None


def from_login(email: str | None, name: str | None, *, coordinators: frozenset[str]) -> Principal:
    """A logged-in (OIDC) user: coordinator if their e-mail is listed, else a viewer with a name."""
    roles = frozenset({COORDINATOR}) if email and email.casefold() in coordinators else frozenset()
    key = hashlib.sha256((email or name or "").casefold().encode()).hexdigest()[:6]
    return Principal(name=name or email or "Bruger", roles=roles, via="login", key=key)


def from_coordinator_code(name: str, code: str, *, expected: str | None) -> Principal:
    """A coordinator by the shared code; raises PermissionDenied if it is wrong or not set up."""
    if not expected:
        raise PermissionDenied(
            "Koordinatoradgang er ikke sat op. Sæt CIVILKORT_KOORDINATOR_KODE, eller slå login til (se README)."
        )
    if not hmac.compare_digest(_normalise(code).encode(), _normalise(expected).encode()):
        raise PermissionDenied("Forkert koordinatorkode.")
    return Principal(
        name=name.strip() or "Koordinator",
        roles=frozenset({COORDINATOR}),
        via="kode",
        key=secrets.token_hex(3),
    )


def as_participant(
    principal: Principal, workshop: dict, code: str, name: str, *, at: dt.datetime | None = None
) -> Principal:
    """Join ``workshop`` (a store row) with its code; raises PermissionDenied if wrong or expired."""
    if not code_is_live(workshop, at=at):
        raise PermissionDenied(f"Koden til workshoppen '{workshop['name']}' er udløbet. Spørg facilitatoren.")
    if not check_code(code, workshop["code_hash"]):
        raise PermissionDenied("Forkert workshopkode.")
    return Principal(
        name=name.strip() or principal.name,
        roles=principal.roles | {PARTICIPANT},
        via=principal.via if principal.via != "anonym" else "workshopkode",
        workshop_id=workshop["workshop_id"],
        workshop_code_hash=workshop["code_hash"],
        key=principal.key or secrets.token_hex(3),
    )


def code_is_live(workshop: dict, *, at: dt.datetime | None = None) -> bool:
    """True while the workshop's code has not expired."""
    expires = dt.datetime.fromisoformat(workshop["code_expires_at"])
    return (at or dt.datetime.now(dt.UTC)) < expires


def require_participant(principal: Principal, workshop: dict, *, at: dt.datetime | None = None) -> None:
    """Raise PermissionDenied unless ``principal`` may write to ``workshop`` right now.

    Coordinators always may.  A participant must have joined this workshop with its current
    code, and the code must not have expired since.
    """
    if COORDINATOR in principal.roles:
        return
    if PARTICIPANT not in principal.roles or principal.workshop_id != workshop["workshop_id"]:
        raise PermissionDenied(
            f"Du er ikke med i workshoppen '{workshop['name']}'. {WHAT_IT_TAKES[PARTICIPANT]}"
        )
    if principal.workshop_code_hash != workshop["code_hash"]:
        raise PermissionDenied("Workshoppens kode er skiftet. Indtast den nye kode.")
    if not code_is_live(workshop, at=at):
        raise PermissionDenied(f"Koden til workshoppen '{workshop['name']}' er udløbet.")
