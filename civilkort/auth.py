"""Who may do what, and where: viewing is open, capturing needs a workshop's code, changing needs scope.

Roles (Danish labels in the UI):

* **læser** (anyone): sees everything that is published;
* **workshopdeltager**: whoever enters a workshop's current code, for that workshop only;
* **koordinator** for one or more health councils (``Principal.councils``);
* **regional koordinator** for every council of a region (``Principal.regions``);
* **national administrator** (``Principal.is_admin``): every council, national records, and roles;
* **projektor**: a second screen a coordinator handed a workshop's projector link (:func:`as_projector`):
  it presents, and holds no role that writes (it cannot join the workshop either).

Every write checks the caller's scope in the function that makes it (:func:`require_council`,
:func:`require_region`, :func:`require_admin`, :func:`require_participant`), not only where a button is
drawn, so a page that forgets to hide a button still cannot write.  A record with no council (a
national workshop or sequence) needs a national administrator; a region-level one (a sequence step
showing a region) a regional coordinator of that region or an administrator.

Where roles come from (:func:`from_login`): the identity provider's groups/roles claim (directly, or
mapped in ``CIVILKORT_ROLLER_FIL``), ``CIVILKORT_KOORDINATORER``, and the store's ``roles`` table
(:mod:`civilkort.roles`), all added together; see :mod:`civilkort.grants` for the formats.  Without
login, the shared coordinator code (``CIVILKORT_KOORDINATOR_KODE``) gives national administrator scope:
it is the one-machine mode, where one person looks after everything.  The command line acts as the
operator (:func:`operator`), also with national scope.

A participant is whoever enters the current code of a workshop before it expires.  Codes are
stored only as salted scrypt hashes; a new code ends the sessions that used the old one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from civilkort import grants
from civilkort.grants import Grant
from civilkort.settings import settings

VIEWER = "viewer"
PARTICIPANT = "participant"
COORDINATOR = "coordinator"
PROJECTOR = "projector"
ROLE_LABELS = {
    VIEWER: "læser",
    PARTICIPANT: "workshopdeltager",
    COORDINATOR: "koordinator",
    PROJECTOR: "projektor",
}
WHAT_IT_TAKES = {
    PARTICIPANT: "Det kræver workshoppens kode (fås hos facilitatoren).",
    COORDINATOR: "Det kræver koordinatoradgang: log ind, eller brug koordinatorkoden.",
}
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


class PermissionDenied(Exception):
    """The user lacks the role or scope the action needs; the message is Danish and says what it takes."""


@dataclass(frozen=True)
class Principal:
    """The user behind a request: a name, roles, the scope they coordinate, and the workshop they joined.

    ``roles`` holds PARTICIPANT for a workshop participant; COORDINATOR is derived from the scope
    (``councils``, ``regions``, ``is_admin``) and cannot be given without one.
    """

    name: str = "Anonym"
    roles: frozenset[str] = field(default_factory=frozenset)
    via: str = "anonym"  # "login" (OIDC), "kode" (coordinator code), "workshopkode", "cli", "anonym"
    workshop_id: str | None = None
    workshop_code_hash: str | None = None  # which code they joined with; a new code ends the session
    key: str = ""  # tells apart two people with the same name (set when they sign in or join)
    councils: frozenset[str] = field(default_factory=frozenset)
    """Councils (council_id) the user coordinates directly."""
    regions: frozenset[str] = field(default_factory=frozenset)
    """Regions (region_id) the user coordinates every council of."""
    is_admin: bool = False
    """National administrator: every council, national records and the roles."""
    expires: int | None = None
    """A projector's end (Unix seconds, from its signed link); None for everyone else."""

    def __post_init__(self) -> None:
        has_scope = bool(self.councils or self.regions or self.is_admin)
        if COORDINATOR in self.roles and not has_scope:
            raise ValueError("A coordinator needs a scope: councils, regions or is_admin.")
        if PROJECTOR in self.roles and (has_scope or PARTICIPANT in self.roles):
            raise ValueError("A projector holds no other role.")
        object.__setattr__(self, "councils", frozenset(self.councils))
        object.__setattr__(self, "regions", frozenset(self.regions))
        if has_scope:
            object.__setattr__(self, "roles", frozenset(self.roles) | {COORDINATOR})

    @property
    def is_projector(self) -> bool:
        """True for a projector screen (read-only, for one workshop)."""
        return PROJECTOR in self.roles

    @property
    def actor(self) -> str:
        """Who did it, as the audit trail records it: the name, and the sign-in's key if any."""
        return f"{self.name} (#{self.key})" if self.key else self.name

    def has(self, role: str) -> bool:
        """True if the user holds ``role`` (a coordinator of any scope holds every role; everyone may view)."""
        return role == VIEWER or role in self.roles or COORDINATOR in self.roles

    def may_coordinate(self, council_id: str | None) -> bool:
        """True if the user may change what belongs to ``council_id`` (None: national, administrators only)."""
        if self.is_admin:
            return True
        if not council_id:
            return False
        return council_id in self.councils or grants.council_regions().get(council_id) in self.regions

    def may_coordinate_region(self, region_id: str | None) -> bool:
        """True if the user may change what belongs to a whole region (None: national, administrators only)."""
        return self.is_admin or (bool(region_id) and region_id in self.regions)

    @property
    def coordinated_councils(self) -> list[str]:
        """Every council the user may coordinate (directly or through a region), in reference order."""
        return [c for c in grants.council_names() if self.may_coordinate(c)]

    @property
    def label(self) -> str:
        """The highest role in Danish, for the UI."""
        if self.is_admin:
            return grants.ROLE_LABELS[grants.ADMIN]
        if self.regions:
            return grants.ROLE_LABELS[grants.REGION]
        for role in (COORDINATOR, PARTICIPANT, PROJECTOR):
            if role in self.roles:
                return ROLE_LABELS[role]
        return ROLE_LABELS[VIEWER]

    @property
    def scope_text(self) -> str:
        """What the user coordinates, in Danish: 'koordinator for Sundhedsråd Aarhus og Horsens',
        'regional koordinator, Region Midtjylland', 'national administrator' (else the role label)."""
        if self.is_admin:
            return "national administrator"
        parts = []
        if self.regions:
            names = [grants.region_names()[r] for r in sorted(self.regions)]
            parts.append(f"regional koordinator, {_and(names)}")
        own = [c for c in self.councils if grants.council_regions().get(c) not in self.regions]
        if own:
            parts.append(f"koordinator for {council_list(own)}")
        return ", og ".join(parts) if parts else self.label

    def with_grants(self, given: Iterable[Grant]) -> Principal:
        """The same user with the scope of ``given`` added."""
        given = list(given)
        return dataclasses.replace(
            self,
            councils=self.councils | {g.scope for g in given if g.role == grants.COUNCIL},
            regions=self.regions | {g.scope for g in given if g.role == grants.REGION},
            is_admin=self.is_admin or any(g.role == grants.ADMIN for g in given),
        )


ANONYMOUS = Principal()


def _and(items: list[str]) -> str:
    """'A', 'A og B', 'A, B og C'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} og {items[-1]}"


def council_list(council_ids: Iterable[str | None]) -> str:
    """Councils in Danish, 'Sundhedsråd' said once: 'Sundhedsråd Aarhus, Horsens og Fyn'."""
    names = grants.council_names()
    ordered = [c for c in names if c in set(council_ids)]
    short = [names[c].removeprefix("Sundhedsråd ") for c in ordered]
    return f"Sundhedsråd {_and(short)}" if short else ""


def require(principal: Principal, role: str) -> None:
    """Raise PermissionDenied (in Danish) unless ``principal`` holds ``role`` (a coordinator of any scope)."""
    if not principal.has(role):
        if principal.is_projector:
            raise PermissionDenied(PROJECTOR_REFUSAL)
        raise PermissionDenied(f"Du har ikke adgang til dette som {principal.label}. {WHAT_IT_TAKES[role]}")


def _you(principal: Principal) -> str:
    if COORDINATOR in principal.roles:
        return f"Du er {principal.scope_text}."
    return f"Du er {principal.label} (ikke koordinator)."


def require_council(principal: Principal, council_ids: Iterable[str | None], *, what: str) -> None:
    """Raise PermissionDenied unless ``principal`` may coordinate every council in ``council_ids``.

    None stands for a record with no council (national): that takes a national administrator.  The
    Danish message names the councils refused and the user's own scope, e.g. "Du er koordinator for
    Sundhedsråd Aarhus. Workshoppen hører til Sundhedsråd Fyn, så det kræver koordinatoradgang dér."
    """
    wanted = list(dict.fromkeys(council_ids))
    refused = [c for c in wanted if not principal.may_coordinate(c)]
    if not refused:
        return
    named = [c for c in refused if c]
    reasons = []
    if named:
        reasons.append(f"{what} hører til {council_list(named)}, så det kræver koordinatoradgang dér.")
    if None in refused or "" in refused:
        subject = (
            f"{what} hører ikke til et bestemt sundhedsråd" if not named else "Noget af det er landsdækkende"
        )
        reasons.append(f"{subject} (landsdækkende), så det kræver en national administrator.")
    raise PermissionDenied(f"{_you(principal)} {' '.join(reasons)}")


def require_region(principal: Principal, region_id: str | None, *, what: str) -> None:
    """Raise PermissionDenied unless ``principal`` is regional coordinator of ``region_id`` (or administrator)."""
    if principal.may_coordinate_region(region_id):
        return
    if not region_id:
        require_council(principal, [None], what=what)
    name = grants.region_names().get(region_id or "", region_id)
    raise PermissionDenied(
        f"{_you(principal)} {what} gælder hele {name}, så det kræver en regional koordinator for {name} "
        "eller en national administrator."
    )


def require_admin(principal: Principal, *, what: str) -> None:
    """Raise PermissionDenied unless ``principal`` is a national administrator."""
    if not principal.is_admin:
        raise PermissionDenied(f"{_you(principal)} {what} kræver en national administrator.")


def operator(name: str | None = None) -> Principal:
    """The command line's principal: the operator at the terminal, with national scope."""
    try:
        user = name or getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        user = "ukendt"
    return Principal(name=f"CLI ({user})", via="cli", is_admin=True, key="cli")


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


def configured_grants(email: str | None, configured: str | None = None) -> frozenset[Grant]:
    """Grants ``CIVILKORT_KOORDINATORER`` (or ``configured``) gives ``email``."""
    text = configured if configured is not None else settings().coordinators
    return grants.parse_coordinators(text).get((email or "").strip().casefold(), frozenset())


def claim_grants(
    claims: Mapping[str, Any], groups: Mapping[str, frozenset[Grant]] | None = None
) -> frozenset[Grant]:
    """Grants in the id_token's roles claim (``settings().roles_claim``): direct, or mapped by the roles file."""
    cfg = settings()
    mapping = grants.load_roles_file(cfg.roles_file) if groups is None else groups
    return grants.from_claim(claims.get(cfg.roles_claim), mapping)


def coordinator_code(configured: str | None = None) -> str | None:
    """The fallback coordinator code (argument, else CIVILKORT_KOORDINATOR_KODE), or None if unset."""
    code = configured if configured is not None else settings().coordinator_code
    return code or None


def subject_of(claims: Mapping[str, Any]) -> str:
    """Whom the roles table knows a logged-in user as: the e-mail, casefolded (else the OIDC subject)."""
    return str(claims.get("email") or claims.get("sub") or "").strip().casefold()


def from_login(
    claims: Mapping[str, Any],
    *,
    groups: Mapping[str, frozenset[Grant]] | None = None,
    configured: str | None = None,
    granted: Iterable[Grant] = (),
) -> Principal:
    """A logged-in (OIDC) user from the id_token's claims (``st.user``: email, name, sub, groups …).

    Their scope is the union of the roles claim (directly or through ``groups``, default: the roles
    file), ``configured`` (default: CIVILKORT_KOORDINATORER) and ``granted`` (the roles table).
    """
    email = str(claims.get("email") or "").strip() or None
    name = str(claims.get("name") or "").strip() or email or "Bruger"
    key = hashlib.sha256(subject_of(claims).encode() or name.casefold().encode()).hexdigest()[:6]
    given = claim_grants(claims, groups) | configured_grants(email, configured) | frozenset(granted)
    return Principal(name=name, via="login", key=key).with_grants(given)


def from_coordinator_code(name: str, code: str, *, expected: str | None) -> Principal:
    """A coordinator by the shared code (national scope: the one-machine mode); PermissionDenied if wrong."""
    if not expected:
        raise PermissionDenied(
            "Koordinatoradgang er ikke sat op. Sæt CIVILKORT_KOORDINATOR_KODE, eller slå login til (se README)."
        )
    if not hmac.compare_digest(_normalise(code).encode(), _normalise(expected).encode()):
        raise PermissionDenied("Forkert koordinatorkode.")
    return Principal(name=name.strip() or "Koordinator", via="kode", key=secrets.token_hex(3), is_admin=True)


PROJECTOR_REFUSAL = (
    "Du er på en projektorskærm for en workshop: den viser Præsentation og kan ikke ændre eller tilføje "
    "noget. Vælg *Ud* i sidepanelet for at bruge skærmen til andet."
)


def as_projector(workshop: Mapping[str, Any], *, expires: int) -> Principal:
    """The projector screen of ``workshop`` (a store row), until ``expires`` (Unix seconds): read-only."""
    return Principal(
        name=f"Projektor for {workshop.get('name') or 'workshoppen'}",
        roles=frozenset({PROJECTOR}),
        via="projektor",
        workshop_id=str(workshop["workshop_id"]),
        key="projektor",
        expires=int(expires),
    )


def as_participant(
    principal: Principal, workshop: dict, code: str, name: str, *, at: dt.datetime | None = None
) -> Principal:
    """Join ``workshop`` (a store row) with its code; raises PermissionDenied if wrong or expired (or if
    the caller is a projector screen, which never writes)."""
    if principal.is_projector:
        raise PermissionDenied(PROJECTOR_REFUSAL)
    if not code_is_live(workshop, at=at):
        raise PermissionDenied(f"Koden til workshoppen '{workshop['name']}' er udløbet. Spørg facilitatoren.")
    if not check_code(code, workshop["code_hash"]):
        raise PermissionDenied("Forkert workshopkode.")
    return dataclasses.replace(
        principal,
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

    A coordinator of the workshop's council always may.  A participant must have joined this workshop
    with its current code, and the code must not have expired since.
    """
    if principal.may_coordinate(workshop.get("council_id")):
        return
    if principal.is_projector:
        raise PermissionDenied(PROJECTOR_REFUSAL)
    if PARTICIPANT not in principal.roles or principal.workshop_id != workshop["workshop_id"]:
        raise PermissionDenied(
            f"Du er ikke med i workshoppen '{workshop['name']}'. {WHAT_IT_TAKES[PARTICIPANT]}"
        )
    if principal.workshop_code_hash != workshop["code_hash"]:
        raise PermissionDenied("Workshoppens kode er skiftet. Indtast den nye kode.")
    if not code_is_live(workshop, at=at):
        raise PermissionDenied(f"Koden til workshoppen '{workshop['name']}' er udløbet.")
