"""Guided sequences for a workshop: saved series of views a facilitator steps through (no Streamlit).

A *step* is a title, a view kind (:data:`VIEW_KINDS`) and a :class:`~civilkort.filters.Selection`: area,
filters, layers, map measure and map view, stored as the same query-string parameters a shared app link
carries (:func:`~civilkort.filters.to_params`), so a step is exactly an app URL state; a step may also show
*the room* (:mod:`civilkort.room`: a workshop's live pins and running count). A *sequence* is a named list
of steps in the store's ``sequences`` table.

Viewing and presenting are open to everyone; every change (create, rename, change steps, delete) needs
a coordinator whose scope covers every area the sequence's steps show, before and after the change (a
council's step: its coordinator or regional coordinator; a region's: its regional coordinator; the whole
country: a national administrator), checked here, and goes through the store's audited :class:`Transaction`.
A sequence without steps belongs to no area: any coordinator may change it.

When no sequence is saved, :func:`default_sequence` gives one for any area: Overblik → Temaer → Huller →
Samarbejder der udløber, opened by *Deltag* (the code, a QR code and the join link of the area's workshop)
while a workshop there is in progress. Steps are validated when loaded: a sequence saved for data that has
changed since (a theme removed from the vocabularies, an area renamed) drops what no longer exists and says
so in Danish, instead of failing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from collections.abc import Sequence as SequenceOf
from dataclasses import dataclass, field, replace

from civilkort import auth
from civilkort.auth import COORDINATOR, Principal
from civilkort.filters import LAYERS, NATIONAL_AREA, Selection, from_params, parse_view, to_params
from civilkort.store import Store, new_id, now

VIEW_KINDS: dict[str, str] = {
    "kort": "Kort",
    "flisekort": "Flisekort (lige store kommuner)",
    "temaer": "Tilbud pr. tema",
    "huller": "Huller (kommune × tema)",
    "udloeber": "Samarbejder der udløber",
    "noegletal": "Nøgletal",
    "deltag": "Deltag: kode og QR",
}
"""What a step shows, code -> Danish label."""

DEFAULT_ID = "standard"
"""The id of the built-in sequence (never stored; its area comes from the link)."""
SEQUENCE_PARAM = "sekvens"
STEP_PARAM = "trin"
KIND_PARAM = "visning"
ROOM_PARAM = "rum"
MAX_NAME = 120
MAX_STEPS = 50
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

VOCABULARY_OF: dict[str, tuple[str, str]] = {
    "themes": ("theme", "temaet"),
    "target_groups": ("target_group", "målgruppen"),
    "prevention_levels": ("prevention_level", "forebyggelsesniveauet"),
    "organisation_types": ("organisation_type", "organisationstypen"),
    "staffing": ("staffing", "bemandingen"),
    "statuses": ("offer_status", "status"),
}
"""Selection field -> (vocabulary it draws codes from, Danish noun for notes)."""


class SequenceError(ValueError):
    """A change to a sequence that cannot be made (no name, no such sequence, too many steps); Danish."""


@dataclass(frozen=True)
class Step:
    """One view of a sequence: what the room sees."""

    title: str
    kind: str = "kort"
    selection: Selection = field(default_factory=Selection)
    room: bool = False
    """Show the room's contributions (civilkort.room): the pins of the area's workshop in progress on the
    map, and the running count beside any view, kept current while the step is on the wall."""

    def to_dict(self) -> dict:
        """The step as stored: title, kind, the selection's link parameters (and ``room`` when on)."""
        out = {"title": self.title, "kind": self.kind, "params": to_params(self.selection)}
        return {**out, "room": True} if self.room else out

    @property
    def label(self) -> str:
        """The view kind in Danish."""
        return VIEW_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Sequence:
    """A named series of steps (a stored row, or the built-in default)."""

    sequence_id: str
    name: str
    steps: tuple[Step, ...]
    council_id: str | None = None
    created_by: str = ""
    updated_at: str = ""
    is_builtin: bool = False
    version: int = 1
    """The stored row's version: pass it back as ``expected_version`` so that a change made meanwhile by
    someone else is refused (civilkort.store.Conflict) instead of overwritten."""


def step_from_selection(sel: Selection, kind: str = "kort", title: str = "", *, room: bool = False) -> Step:
    """A step showing the app's current state (the open point or municipality is left out)."""
    if kind not in VIEW_KINDS:
        raise SequenceError(f"Ukendt visning: {kind}")
    clean = replace(sel, item="", municipality=None)
    return Step(title=_title(title, kind), kind=kind, selection=clean, room=bool(room))


def _title(title: object, kind: str) -> str:
    text = " ".join(str(title or "").split())[:MAX_NAME]
    return text or VIEW_KINDS.get(kind, "Trin")


def default_sequence(
    area: str = NATIONAL_AREA, *, has_boundaries: bool = True, workshop: bool = False
) -> Sequence:
    """The built-in sequence for an area: Overblik → Temaer → Huller → Samarbejder der udløber.

    Without municipality boundaries the overview is the tile map (every municipality visible). The overview
    shows the room's contributions while a workshop in the area is in progress (nothing extra otherwise).
    ``workshop`` (a workshop in the area is in progress or held today, civilkort.room): the room joins
    first, so the sequence opens with *Deltag* (the code, QR code and join link).
    """
    sel = from_params({"omraade": area})
    join = (Step("Deltag i workshoppen", "deltag", sel),) if workshop else ()
    steps = (
        *join,
        Step("Overblik", "kort" if has_boundaries else "flisekort", sel, room=True),
        Step("Temaer", "temaer", sel),
        Step("Huller", "huller", sel),
        Step("Samarbejder der udløber", "udloeber", sel),
    )
    return Sequence(
        sequence_id=DEFAULT_ID,
        name=f"Standardsekvens: {sel.area_name()}",
        steps=steps,
        council_id=_council_of(steps),
        is_builtin=True,
    )


# --- validation ------------------------------------------------------------------------------------


def known_codes(vocabularies: Mapping[str, SequenceOf[str]]) -> dict[str, frozenset[str]]:
    """Vocabulary name -> the codes the current data knows (input for :func:`parse_step`)."""
    return {name: frozenset(str(c) for c in codes) for name, codes in vocabularies.items()}


def parse_step(
    data: object, number: int, known: Mapping[str, frozenset[str]] | None = None
) -> tuple[Step, list[str]]:
    """A stored step checked against today's data: what no longer exists is dropped, with a Danish note.

    ``known``: vocabulary name -> codes (:func:`known_codes`); a vocabulary not given is not checked.
    """
    notes: list[str] = []
    raw = data if isinstance(data, dict) else {}
    kind = str(raw.get("kind") or "kort")
    title = _title(raw.get("title"), kind if kind in VIEW_KINDS else "kort")
    where = f"Trin {number} »{title}«"
    if kind not in VIEW_KINDS:
        notes.append(f"{where}: visningen »{kind}« findes ikke; kortet vises i stedet.")
        kind = "kort"
    params = raw.get("params") if isinstance(raw.get("params"), dict) else {}
    params = {str(k): str(v)[:2000] for k, v in params.items() if isinstance(v, str | int | float)}
    sel = from_params(params)
    if "omraade" in params and sel.area != params["omraade"]:
        notes.append(f"{where}: området »{params['omraade']}« findes ikke længere; hele landet vises.")
    if "kort" in params and parse_view(params["kort"]) is None:
        notes.append(f"{where}: kortudsnittet kunne ikke læses; kortet viser hele området.")
    if "lag" in params:
        unknown = [v for v in params["lag"].split(",") if v and v != "-" and v not in LAYERS]
        notes += [f"{where}: laget »{v}« findes ikke og er udeladt." for v in unknown]
    changes = {}
    for name, (vocabulary, noun) in VOCABULARY_OF.items():
        values = getattr(sel, name)
        codes = (known or {}).get(vocabulary)
        if codes is None or not values:
            continue
        kept = tuple(v for v in values if v in codes)
        for dropped in (v for v in values if v not in codes):
            notes.append(f"{where}: {noun} »{dropped}« findes ikke længere i data og er udeladt.")
        if kept != values:
            changes[name] = kept
    if changes:
        sel = replace(sel, **changes)
    step = Step(
        title=title,
        kind=kind,
        selection=replace(sel, item="", municipality=None),
        room=raw.get("room") is True,
    )
    return step, notes


def parse_steps(
    text: str | None, known: Mapping[str, frozenset[str]] | None = None
) -> tuple[tuple[Step, ...], list[str]]:
    """The steps of a stored sequence (its JSON), each validated; notes say what was dropped."""
    try:
        data = json.loads(text or "[]")
    except (TypeError, ValueError):
        return (), ["Sekvensens trin kunne ikke læses; den er tom."]
    if not isinstance(data, list):
        return (), ["Sekvensens trin kunne ikke læses; den er tom."]
    steps, notes = [], []
    for number, raw in enumerate(data[:MAX_STEPS], start=1):
        step, step_notes = parse_step(raw, number, known)
        steps.append(step)
        notes += step_notes
    return tuple(steps), notes


# --- the store -------------------------------------------------------------------------------------


def _council_of(steps: SequenceOf[Step]) -> str | None:
    """The council all steps show, or None when they show several areas or a region/the country."""
    areas = {s.selection.area for s in steps}
    if len(areas) == 1:
        kind, _, ident = next(iter(areas)).partition(":")
        if kind == "council":
            return ident
    return None


def _name(name: object) -> str:
    text = " ".join(str(name or "").split())
    if not text:
        raise SequenceError("Giv sekvensen et navn.")
    if len(text) > MAX_NAME:
        raise SequenceError(f"Navnet er for langt (højst {MAX_NAME} tegn).")
    return text


def _dump(steps: SequenceOf[Step]) -> str:
    if len(steps) > MAX_STEPS:
        raise SequenceError(f"En sekvens kan højst have {MAX_STEPS} trin.")
    for step in steps:
        if step.kind not in VIEW_KINDS:
            raise SequenceError(f"Ukendt visning: {step.kind}")
    return json.dumps([s.to_dict() for s in steps], ensure_ascii=False)


def _from_row(row: Mapping, known: Mapping[str, frozenset[str]] | None) -> tuple[Sequence, list[str]]:
    steps, notes = parse_steps(row["steps"], known)
    sequence = Sequence(
        sequence_id=row["sequence_id"],
        name=row["name"],
        steps=steps,
        council_id=row["council_id"],
        created_by=row["created_by"],
        updated_at=row["updated_at"],
        version=int(row.get("version") or 1),
    )
    return sequence, notes


def list_sequences(store: Store) -> list[dict]:
    """The saved sequences, newest change first: id, name, council, number of steps, who, when."""
    rows = store.rows(
        "SELECT sequence_id, name, council_id, steps, created_by, created_at, updated_at FROM sequences "
        "ORDER BY updated_at DESC, name"
    )
    out = []
    for row in rows:
        try:
            data = json.loads(row.pop("steps") or "[]")
        except ValueError:
            data = []
        out.append({**row, "n_steps": len(data) if isinstance(data, list) else 0})
    return out


def load(
    store: Store,
    sequence_id: str | None,
    *,
    known: Mapping[str, frozenset[str]] | None = None,
    area: str = NATIONAL_AREA,
    has_boundaries: bool = True,
) -> tuple[Sequence | None, list[str]]:
    """A sequence ready to present (steps validated) and notes on what was dropped; None if unknown.

    The built-in id (:data:`DEFAULT_ID`) gives :func:`default_sequence` for ``area`` (without the
    workshop's *Deltag* step: the caller that knows a workshop is in progress asks for that).
    """
    if sequence_id == DEFAULT_ID:
        return default_sequence(area, has_boundaries=has_boundaries), []
    if not sequence_id or not _ID.match(sequence_id):
        return None, []
    row = store.one("SELECT * FROM sequences WHERE sequence_id = ?", (sequence_id,))
    if row is None:
        return None, []
    return _from_row(row, known)


def may_change(principal: Principal, steps: SequenceOf[Step]) -> bool:
    """True if the caller's scope covers every area the steps show (for offering edits in the UI)."""
    try:
        _require_areas(principal, steps)
    except auth.PermissionDenied:
        return False
    return True


def _require_areas(principal: Principal, steps: SequenceOf[Step]) -> None:
    """PermissionDenied unless the caller may coordinate every area the steps show."""
    auth.require(principal, COORDINATOR)
    for area in dict.fromkeys(s.selection.area for s in steps):
        kind, _, ident = area.partition(":")
        if kind == "council":
            auth.require_council(principal, [ident], what="Sekvensen")
        elif kind == "region":
            auth.require_region(principal, ident, what="Sekvensen")
        else:
            auth.require_council(principal, [None], what="Sekvensen")


def create(store: Store, principal: Principal, name: str, steps: SequenceOf[Step]) -> Sequence:
    """Save a new sequence (a coordinator of every area its steps show); returns it as stored."""
    _require_areas(principal, steps)
    stamp = now()
    row = {
        "sequence_id": new_id(),
        "name": _name(name),
        "council_id": _council_of(steps),
        "steps": _dump(steps),
        "created_by": principal.name,
        "created_at": stamp,
        "updated_at": stamp,
    }
    with store.write(principal.actor) as tx:
        stored = tx.insert("sequences", row)
    return _from_row(stored, None)[0]


def _update(
    store: Store,
    principal: Principal,
    sequence_id: str,
    changes: dict,
    action: str,
    *,
    steps: SequenceOf[Step] = (),
    expected_version: int | None = None,
) -> Sequence:
    auth.require(principal, COORDINATOR)
    _require_areas(principal, steps)
    with store.write(principal.actor) as tx:
        row = tx.get("sequences", sequence_id)
        if row is None:
            raise SequenceError("Sekvensen findes ikke (længere).")
        _require_areas(principal, _from_row(row, None)[0].steps)
        stored = tx.update(
            "sequences",
            sequence_id,
            {**changes, "updated_at": now()},
            action=action,
            expected_version=expected_version,
        )
    return _from_row(stored, None)[0]


def rename(
    store: Store, principal: Principal, sequence_id: str, name: str, *, expected_version: int | None = None
) -> Sequence:
    """Give a sequence a new name (a coordinator of its areas); Conflict if it changed since ``expected_version``."""
    return _update(
        store, principal, sequence_id, {"name": _name(name)}, "omdøb", expected_version=expected_version
    )


def set_steps(
    store: Store,
    principal: Principal,
    sequence_id: str,
    steps: SequenceOf[Step],
    *,
    expected_version: int | None = None,
) -> Sequence:
    """Replace a sequence's steps (add, remove, reorder, edit; coordinators only); Conflict if it changed
    since ``expected_version``."""
    changes = {"steps": _dump(steps), "council_id": _council_of(steps)}
    return _update(
        store, principal, sequence_id, changes, "ret trin", steps=steps, expected_version=expected_version
    )


def delete(
    store: Store, principal: Principal, sequence_id: str, *, expected_version: int | None = None
) -> None:
    """Delete a sequence (a coordinator of its areas; the audit keeps it and it can be undone); Conflict if
    it changed since ``expected_version`` (a deletion must not throw away a change the caller never saw)."""
    auth.require(principal, COORDINATOR)
    with store.write(principal.actor) as tx:
        row = tx.get("sequences", sequence_id)
        if row is None:
            raise SequenceError("Sekvensen findes ikke (længere).")
        _require_areas(principal, _from_row(row, None)[0].steps)
        if expected_version is not None and row.get("version") != expected_version:
            raise tx.conflict("sequences", sequence_id, row)
        tx.delete("sequences", sequence_id)


def _stored_steps(store: Store, sequence_id: str) -> list[Step]:
    sequence, _ = load(store, sequence_id)
    if sequence is None or sequence.is_builtin:
        raise SequenceError("Sekvensen findes ikke (længere).")
    return list(sequence.steps)


def add_step(
    store: Store, principal: Principal, sequence_id: str, step: Step, *, expected_version: int | None = None
) -> Sequence:
    """Append a step (a coordinator of its areas)."""
    auth.require(principal, COORDINATOR)
    steps = [*_stored_steps(store, sequence_id), step]
    return set_steps(store, principal, sequence_id, steps, expected_version=expected_version)


def remove_step(
    store: Store, principal: Principal, sequence_id: str, index: int, *, expected_version: int | None = None
) -> Sequence:
    """Remove the step at ``index`` (0-based; a coordinator of its areas)."""
    auth.require(principal, COORDINATOR)
    steps = _stored_steps(store, sequence_id)
    if not 0 <= index < len(steps):
        raise SequenceError(f"Trin {index + 1} findes ikke.")
    del steps[index]
    return set_steps(store, principal, sequence_id, steps, expected_version=expected_version)


def move_step(
    store: Store,
    principal: Principal,
    sequence_id: str,
    index: int,
    to: int,
    *,
    expected_version: int | None = None,
) -> Sequence:
    """Move the step at ``index`` to position ``to`` (0-based, clamped; a coordinator of its areas)."""
    auth.require(principal, COORDINATOR)
    steps = _stored_steps(store, sequence_id)
    if not 0 <= index < len(steps):
        raise SequenceError(f"Trin {index + 1} findes ikke.")
    step = steps.pop(index)
    steps.insert(max(0, min(to, len(steps))), step)
    return set_steps(store, principal, sequence_id, steps, expected_version=expected_version)


def edit_step(
    store: Store,
    principal: Principal,
    sequence_id: str,
    index: int,
    *,
    title: str | None = None,
    kind: str | None = None,
    selection: Selection | None = None,
    room: bool | None = None,
    expected_version: int | None = None,
) -> Sequence:
    """Change a step's title, view kind, selection or whether it shows the room (a coordinator of its areas)."""
    auth.require(principal, COORDINATOR)
    steps = _stored_steps(store, sequence_id)
    if not 0 <= index < len(steps):
        raise SequenceError(f"Trin {index + 1} findes ikke.")
    step = steps[index]
    new_kind = step.kind if kind is None else kind
    if new_kind not in VIEW_KINDS:
        raise SequenceError(f"Ukendt visning: {new_kind}")
    steps[index] = Step(
        title=_title(step.title if title is None else title, new_kind),
        kind=new_kind,
        selection=step.selection if selection is None else replace(selection, item="", municipality=None),
        room=step.room if room is None else bool(room),
    )
    return set_steps(store, principal, sequence_id, steps, expected_version=expected_version)


# --- links -----------------------------------------------------------------------------------------


def step_params(sequence_id: str, number: int, step: Step) -> dict[str, str]:
    """Query-string parameters of a presented step: sequence, step number (1-based), kind, the room (when
    shown) and its state."""
    return {
        SEQUENCE_PARAM: sequence_id,
        STEP_PARAM: str(number),
        KIND_PARAM: step.kind,
        **({ROOM_PARAM: "1"} if step.room else {}),
        **to_params(step.selection),
    }


def step_meant(sequence: Sequence, number: int, kind: str | None) -> int:
    """The step a link means: its ``number``, unless the step there is not of the link's ``kind`` and the
    one next to it is. The built-in sequence gains its *Deltag* step when a workshop in the area starts
    (and loses it the day after), which moves every other step by one while the room is watching."""
    steps = sequence.steps
    if not kind or not 1 <= number <= len(steps) or steps[number - 1].kind == kind:
        return number
    for other in (number + 1, number - 1):
        if 1 <= other <= len(steps) and steps[other - 1].kind == kind:
            return other
    return number


def position(params: Mapping[str, str | list[str]]) -> tuple[str | None, int]:
    """The sequence id and step number (1-based, at least 1) a link asks for; (None, 1) when none."""

    def get(key: str) -> str | None:
        value = params.get(key)
        if isinstance(value, list):
            value = value[-1] if value else None
        return None if value is None else str(value)

    ident = get(SEQUENCE_PARAM)
    if ident is not None and not _ID.match(ident):
        ident = None
    number = get(STEP_PARAM) or "1"
    return ident, max(1, int(number)) if number.isdigit() and len(number) < 4 else 1
