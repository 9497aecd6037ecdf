"""Role grants as configured: ``koordinator:<council>``, ``regional:<region>``, ``admin``.

A *grant* is one role over one scope, the same triple the store's ``roles`` table keeps: a coordinator
of one council (scope: its ``council_id``), a regional coordinator of every council in a region (scope:
the ``region_id``), or a national administrator (scope ``*``).  Grants are written the same way in
every place they come from:

* the identity provider's groups/roles claim, either directly (an Entra ID app role named
  ``koordinator:aarhus``) or mapped in a TOML file (``CIVILKORT_ROLLER_FIL``)::

      [grupper]
      "3f2a…-guid" = ["koordinator:aarhus", "koordinator:horsens"]
      "RM-Sundhedsraad-Koordinatorer" = ["regional:midtjylland"]
      "Civilkort-Admin" = "admin"

* ``CIVILKORT_KOORDINATORER``: ``kim@rm.dk=aarhus+horsens, lis@rh.dk=regional:oestdanmark,
  ane@x.dk=admin``; a bare council id means ``koordinator:<id>``; a bare e-mail (the format before
  roles per council) means ``admin``, as it gave every right then.

Unknown councils or regions raise :class:`GrantError` (Danish, naming the value), so a typo is
reported at start-up (:mod:`civilkort.settings`) instead of silently granting nothing.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from civilkort import reference

COUNCIL = "koordinator"
REGION = "regional"
ADMIN = "admin"
ROLES = (COUNCIL, REGION, ADMIN)
"""The roles the ``roles`` table and the configuration know, as stored."""
ALL = "*"
"""The scope of a national administrator."""
ROLE_LABELS = {COUNCIL: "koordinator", REGION: "regional koordinator", ADMIN: "national administrator"}


class GrantError(ValueError):
    """A grant names an unknown role, council or region; the message is Danish and names the value."""


@dataclass(frozen=True, order=True)
class Grant:
    """One role over one scope: ('koordinator', 'aarhus'), ('regional', 'midtjylland'), ('admin', '*')."""

    role: str
    scope: str

    def __str__(self) -> str:
        return ADMIN if self.role == ADMIN else f"{self.role}:{self.scope}"


@lru_cache(maxsize=1)
def council_names() -> dict[str, str]:
    """council_id -> 'Sundhedsråd …'."""
    c = reference.councils()
    return dict(zip(c["council_id"], c["council_name"], strict=True))


@lru_cache(maxsize=1)
def council_regions() -> dict[str, str]:
    """council_id -> region_id."""
    c = reference.councils()
    return dict(zip(c["council_id"], c["region_id"], strict=True))


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """region_id -> 'Region …'."""
    r = reference.regions()
    return dict(zip(r["region_id"], r["region_name"], strict=True))


def grant(role: str, scope: str = ALL) -> Grant:
    """A checked grant; GrantError (Danish) for an unknown role, council or region."""
    role = role.strip().casefold()
    scope = scope.strip().casefold() or ALL
    if role == ADMIN:
        return Grant(ADMIN, ALL)
    if role == COUNCIL:
        if scope not in council_names():
            raise GrantError(
                f"Sundhedsrådet {scope!r} findes ikke. Brug et af: {', '.join(council_names())}."
            )
        return Grant(COUNCIL, scope)
    if role == REGION:
        if scope not in region_names():
            raise GrantError(f"Regionen {scope!r} findes ikke. Brug en af: {', '.join(region_names())}.")
        return Grant(REGION, scope)
    raise GrantError(
        f"Rollen {role!r} kendes ikke. Brug koordinator:<sundhedsråd>, regional:<region> eller admin."
    )


def parse(text: str) -> Grant | None:
    """``'koordinator:aarhus'``, ``'regional:midtjylland'`` or ``'admin'`` as a grant; None if not that form.

    A value that has the form but names an unknown council or region raises GrantError.
    """
    value = text.strip().casefold()
    if value in (ADMIN, f"{ADMIN}:{ALL}"):
        return Grant(ADMIN, ALL)
    role, sep, scope = value.partition(":")
    if not sep or role not in (COUNCIL, REGION):
        return None
    return grant(role, scope)


def _items(value: object) -> list[str]:
    """A claim or setting as a list of strings: a list as it is, a string split on spaces and commas."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[\s,]+", value) if v]
    if isinstance(value, Iterable):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value)]


def from_claim(value: object, groups: Mapping[str, frozenset[Grant]]) -> frozenset[Grant]:
    """The grants a groups/roles claim gives: values in grant form directly, others through ``groups``.

    Groups that are not in the mapping are ignored (an identity provider sends many unrelated groups).
    """
    out: set[Grant] = set()
    for item in _items(value):
        direct = parse(item)
        if direct is not None:
            out.add(direct)
        else:
            out |= groups.get(item.casefold(), frozenset())
    return frozenset(out)


@lru_cache(maxsize=8)
def parse_coordinators(text: str | None) -> dict[str, frozenset[Grant]]:
    """``CIVILKORT_KOORDINATORER`` as e-mail (casefolded) -> grants; GrantError names a bad entry."""
    out: dict[str, frozenset[Grant]] = {}
    for entry in re.split(r"[,;\n]+", text or ""):
        entry = entry.strip()
        if not entry:
            continue
        email, sep, spec = entry.partition("=")
        email = email.strip().casefold()
        if "@" not in email:
            raise GrantError(f"{entry!r} skal begynde med en e-mailadresse, fx kim@rm.dk=aarhus.")
        grants: set[Grant] = set()
        if not sep:
            grants.add(Grant(ADMIN, ALL))  # the format before roles per council: every right, as then
        for part in spec.split("+") if sep else ():
            part = part.strip()
            if not part:
                continue
            try:
                found = parse(part) or grant(COUNCIL, part)
            except GrantError as exc:
                raise GrantError(f"{email}: {exc}") from None
            grants.add(found)
        if sep and not grants:
            raise GrantError(f"{email}: skriv rollen efter '=', fx {email}=aarhus eller {email}=admin.")
        out[email] = out.get(email, frozenset()) | frozenset(grants)
    return out


def parse_roles_file(text: str, *, source: str = "rollefilen") -> dict[str, frozenset[Grant]]:
    """A roles file's ``[grupper]`` table as group (casefolded) -> grants; GrantError names a bad entry."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GrantError(f"{source} er ikke gyldig TOML: {exc}") from None
    unknown = set(data) - {"grupper"}
    if unknown:
        raise GrantError(f"{source}: ukendt afsnit [{sorted(unknown)[0]}]; kun [grupper] bruges.")
    groups = data.get("grupper", {})
    if not isinstance(groups, dict):
        raise GrantError(f"{source}: [grupper] skal være en tabel af gruppe = [roller].")
    out: dict[str, frozenset[Grant]] = {}
    for group, value in groups.items():
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise GrantError(
                f'{source}: gruppen {group!r} skal have en liste af roller, fx ["koordinator:aarhus"].'
            )
        grants = set()
        for v in values:
            try:
                found = parse(v)
            except GrantError as exc:
                raise GrantError(f"{source}, gruppen {group!r}: {exc}") from None
            if found is None:
                raise GrantError(
                    f"{source}, gruppen {group!r}: {v!r} er ikke en rolle. "
                    "Brug koordinator:<sundhedsråd>, regional:<region> eller admin."
                )
            grants.add(found)
        out[str(group).strip().casefold()] = frozenset(grants)
    return out


@lru_cache(maxsize=4)
def _roles_file(path: str, mtime_ns: int) -> dict[str, frozenset[Grant]]:
    return parse_roles_file(Path(path).read_text(encoding="utf-8"), source=Path(path).name)


def load_roles_file(path: Path | None) -> dict[str, frozenset[Grant]]:
    """The roles file's mapping (read again when the file changes); {} without a file."""
    if path is None:
        return {}
    return _roles_file(str(path), path.stat().st_mtime_ns)
