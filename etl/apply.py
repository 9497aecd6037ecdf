"""Workshop entries into the data and out again: the rows review prepares, handed to the rebuild.

:mod:`civilkort.review` decides what accepted and merged entries become (input rows, checked against the
caller's role and councils) and marks them once the new build serves; this module, above the core, runs
the rebuild between the two. All or nothing: on an InputError or BuildError (Danish, naming
'workshop: <name>', the kind and the row) the previous data keep serving and no entry is marked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from civilkort import review
from civilkort.auth import COORDINATOR, Principal
from civilkort.db import Database, current_path
from civilkort.settings import Settings
from civilkort.store import Store
from etl.rebuild import NothingToRebuild, current_inputs, rebuild


def _serving(cfg: Settings | None) -> Database:
    """The build the service serves, to build on (NothingToRebuild when there is none)."""
    path = current_path(cfg)
    if path is None:
        raise NothingToRebuild("Der er ingen database at bygge videre på.")
    return Database(path)


def apply_accepted(
    store: Store, principal: Principal, *, cfg: Settings | None = None, on_step: Any = None
) -> review.Applied:
    """Put accepted and merged entries into the data (coordinator): input rows, then one rebuild.

    Only entries of workshops whose council the caller coordinates are applied (the others wait for their
    own coordinators); the records they add or change must lie in the caller's councils too (etl.rebuild).
    Applied entries are marked so they are never applied twice; notes stay in the store."""
    pending = review.pending_apply(store, principal)
    if not pending:
        return review.Applied({}, {}, None)
    db = _serving(cfg)
    try:
        inputs = current_inputs(db, cfg=cfg)
    finally:
        db.close()
    plan = review.plan_apply(store, pending, inputs.tables)
    result = rebuild(plan.changes, principal=principal, note=plan.note, cfg=cfg, on_step=on_step)
    built = Database(result.path)
    try:
        return review.mark_applied(store, principal, plan, built)
    finally:
        built.close()


def unapply(
    store: Store, principal: Principal, *, cfg: Settings | None = None, on_step: Any = None
) -> review.Unapplied:
    """Take the newest apply out of the data again (coordinator of its councils): its new records removed,
    the records it merged into with their earlier fields back, in one rebuild; then its entries are
    accepted-but-not-applied again (one audited transaction), ready to be applied or reviewed anew.

    Refused, with nothing changed, when a record has changed in the data since (:func:`review.plan_unapply`).
    All or nothing, as :func:`apply_accepted`."""
    db = _serving(cfg)
    try:
        inputs = current_inputs(db, cfg=cfg)
        plan = review.plan_unapply(store, principal, db, inputs.tables)
    finally:
        db.close()
    result = rebuild(
        plan.changes, principal=principal, replace=True, note=plan.note, cfg=cfg, on_step=on_step
    )
    return review.mark_unapplied(store, principal, plan, str(result.path))


def undo_last(
    store: Store, principal: Principal, *, at: dt.datetime | None = None, cfg: Settings | None = None
) -> dict[str, Any]:
    """Undo the newest change to the entries (:func:`civilkort.review.undo_last`); when it is an apply, take
    its records out of the data again (:func:`unapply`), so the data never keep what the entries no longer
    say was applied. Returns the audit row undone."""
    if principal.has(COORDINATOR) and review.last_apply(store) is not None:
        return unapply(store, principal, cfg=cfg).changes[0]
    return review.undo_last(store, principal, at=at)


__all__ = ["apply_accepted", "unapply", "undo_last"]
