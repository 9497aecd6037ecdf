"""The roles table: who coordinates which councils, as a national administrator sets it on the page "Roller".

A row is one grant (:class:`civilkort.grants.Grant`) to one person: ``subject`` is the e-mail the identity
provider gives (casefolded), ``role`` is ``koordinator``, ``regional`` or ``admin`` and ``scope`` the
council_id, region_id or ``*``.  A logged-in user's scope is these rows added to what the login claims and
``CIVILKORT_KOORDINATORER`` give (:func:`civilkort.auth.from_login`).

Granting and revoking check the caller here: a national administrator may grant or revoke anything; a
regional coordinator only ``koordinator`` for the councils of their own regions.  Every change goes through
the store's audited Transaction.
"""

from __future__ import annotations

import re
from typing import Any

from civilkort import auth, grants
from civilkort.auth import PermissionDenied, Principal
from civilkort.grants import Grant
from civilkort.store import Store, now

TABLE = "roles"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RoleError(ValueError):
    """A grant that cannot be made (a bad e-mail, an unknown council); the message is Danish."""


def subject(email: str) -> str:
    """The roles table's key for a person: the e-mail, trimmed and casefolded; RoleError if not an e-mail."""
    value = (email or "").strip().casefold()
    if not _EMAIL.match(value):
        raise RoleError(f"{email!r} er ikke en e-mailadresse.")
    return value


def grants_for(store: Store, email: str | None) -> frozenset[Grant]:
    """The grants the table gives ``email`` (none for an empty e-mail)."""
    if not email:
        return frozenset()
    rows = store.rows("SELECT role, scope FROM roles WHERE subject = ?", (email.strip().casefold(),))
    return frozenset(Grant(r["role"], r["scope"]) for r in rows)


def may_grant(principal: Principal, given: Grant) -> bool:
    """True if ``principal`` may grant or revoke ``given`` (administrator: all; regional: own councils)."""
    if principal.is_admin:
        return True
    if given.role == grants.COUNCIL:
        return grants.council_regions().get(given.scope) in principal.regions
    return False


def _require(principal: Principal, given: Grant) -> None:
    if may_grant(principal, given):
        return
    if principal.regions and given.role == grants.COUNCIL:
        auth.require_region(
            principal, grants.council_regions().get(given.scope), what="At tildele roller dér"
        )
    auth.require_admin(principal, what=f"At tildele eller fjerne rollen '{label(given)}'")


def label(given: Grant) -> str:
    """A grant in Danish: 'koordinator, Sundhedsråd Aarhus', 'regional koordinator, Region Midtjylland'."""
    if given.role == grants.ADMIN:
        return grants.ROLE_LABELS[grants.ADMIN]
    names = grants.council_names() if given.role == grants.COUNCIL else grants.region_names()
    return f"{grants.ROLE_LABELS[given.role]}, {names.get(given.scope, given.scope)}"


def list_roles(store: Store, principal: Principal) -> list[dict[str, Any]]:
    """The grants the caller may see and change (all for an administrator; own regions' for a regional)."""
    if not may_manage(principal):
        raise PermissionDenied(f"Du er {principal.scope_text}. Roller styres af en national administrator.")
    rows = store.rows("SELECT * FROM roles ORDER BY subject, role, scope")
    out = []
    for r in rows:
        given = Grant(r["role"], r["scope"])
        if may_grant(principal, given):
            out.append({**r, "label": label(given)})
    return out


def may_manage(principal: Principal) -> bool:
    """True when the caller may manage some roles (an administrator, or a regional coordinator)."""
    return principal.is_admin or bool(principal.regions)


def grant(
    store: Store, principal: Principal, email: str, role: str, scope: str = grants.ALL
) -> dict[str, Any]:
    """Give ``email`` a role over a scope (administrator, or regional for their own councils); audited.

    Granting what the person already has changes nothing and returns the row as it is.
    """
    try:
        given = grants.grant(role, scope)
    except grants.GrantError as exc:
        raise RoleError(str(exc)) from None
    _require(principal, given)
    who = subject(email)
    with store.write(principal.actor) as tx:
        key = "|".join((who, given.role, given.scope))  # the store's key of several columns
        existing = tx.get(TABLE, key)
        if existing is not None:
            return existing
        row = {
            "subject": who,
            "role": given.role,
            "scope": given.scope,
            "granted_by": principal.actor,
            "granted_at": now(),
        }
        return tx.insert(TABLE, row, action=f"tildel {given}")


def revoke(
    store: Store, principal: Principal, email: str, role: str, scope: str = grants.ALL
) -> dict[str, Any]:
    """Take a role away (administrator, or regional for their own councils); RoleError if not granted."""
    try:
        given = grants.grant(role, scope)
    except grants.GrantError as exc:
        raise RoleError(str(exc)) from None
    _require(principal, given)
    who = subject(email)
    with store.write(principal.actor) as tx:
        key = "|".join((who, given.role, given.scope))  # the store's key of several columns
        if tx.get(TABLE, key) is None:
            raise RoleError(f"{who} har ikke rollen '{label(given)}' i rolletabellen.")
        return tx.delete(TABLE, key, action=f"fjern {given}")
