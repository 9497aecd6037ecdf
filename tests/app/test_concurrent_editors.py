"""Two coordinators on the same record, in the app: the later save is refused naming the first, nothing is
overwritten, and the page then shows what is stored.

Each test opens two AppTest sessions on one store (two coordinators' screens), or changes the store through
the library between a screen's render and its click, as another replica would.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from civilkort import review, sequences
from civilkort import workshop as ws
from civilkort.auth import ANONYMOUS, Principal
from civilkort.filters import Selection
from civilkort.sequences import Step
from civilkort.store import Store
from tests.conftest import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")
REVIEW = "app_pages/gennemgang.py"
PRESENTATION = "app_pages/praesentation.py"
TIMEOUT = 60
KARIN = Principal(name="Karin Koordinator", via="kode", key="k1", is_admin=True)
OLE = Principal(name="Ole Olsen", via="kode", key="o1", is_admin=True)
KIM = Principal(name="Kim Aarhus", via="login", key="a1", councils=frozenset({"aarhus"}))
REFUSED = r"er ændret af {who} den \d\d-\d\d-\d{{4}} kl\. \d\d\.\d\d, efter du åbnede den\. Din ændring er ikke gemt"


@pytest.fixture
def store(small_db_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The small build and a store of this test's own, which every session of the app opens."""
    data = tmp_path / "data"
    shutil.copytree(small_db_dir, data, ignore=shutil.ignore_patterns("store.sqlite*"))
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(data))
    return Store(data / "store.sqlite")


def _open(page: str, person: Principal, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["principal"] = person
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _errors(at: AppTest) -> list[str]:
    """The page's error boxes as plain text (user text in them is escaped for Markdown)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


def _workshop_with_note(store: Store, council: str = "aarhus", text: str = "Mangler tilbud til unge") -> dict:
    row, code = ws.create_workshop(store, KARIN, f"Workshop {council}", held_on=dt.date.today(),
                                   council_id=council)  # fmt: skip
    mette = ws.join(store, ANONYMOUS, row["workshop_id"], code, "Mette")
    saved = ws.add_entry(store, mette, row["workshop_id"], "note", {"note_type": "ide", "text": text},
                         client_token=f"t-{council}-{text}", municipality="Aarhus")  # fmt: skip
    return saved.entry


def _choose(at: AppTest, entry: dict, action: str) -> None:
    at.segmented_control(key=f"rv-action-{entry['entry_id']}").set_value(action).run()
    assert not _errors(at), _errors(at)


def test_the_second_coordinator_to_accept_is_refused_naming_the_first(store):
    entry = _workshop_with_note(store)
    karin, ole = _open(REVIEW, KARIN), _open(REVIEW, OLE)
    _choose(karin, entry, "godkend")
    _choose(ole, entry, "godkend")  # both screens show the entry, with its Godkend button

    karin.button(key=f"rv-accept-{entry['entry_id']}").click().run()
    assert not _errors(karin) and any("Godkendt" in s.value for s in karin.success)
    ole.button(key=f"rv-accept-{entry['entry_id']}").click().run()

    [refusal] = _errors(ole)
    assert refusal.startswith("Indtastningen")
    assert re.search(REFUSED.format(who="Karin Koordinator"), refusal), refusal
    stored = ws.get_entry(store, entry["entry_id"])
    assert (stored["status"], stored["reviewed_by"], stored["version"]) == (
        "godkendt",
        "Karin Koordinator",
        2,
    )
    assert [a["action"] for a in store.history(entity="entries")].count("godkend") == 1
    # Ole's page now shows the current state: the entry has left his queue and is listed as accepted
    assert any(c.value == "Ingen indtastninger venter." for c in ole.caption)
    listed = ole.dataframe[0].value
    assert listed.loc[listed["Titel"] == entry["title"], "Status"].tolist() == ["Godkendt"]


def test_an_edit_submitted_after_someone_else_rejected_the_entry_is_refused(store):
    entry = _workshop_with_note(store)
    karin = _open(REVIEW, KARIN)
    _choose(karin, entry, "ret")
    karin.text_area(key=f"rv-{entry['entry_id']}-text").input("Mangler tilbud til unge i Gellerup")
    review.reject(store, OLE, entry["entry_id"], "Findes allerede", expected_version=1)  # on another replica
    karin.button(key=f"FormSubmitter:rv-edit-{entry['entry_id']}-Gem og godkend").click().run()

    [refusal] = _errors(karin)
    assert re.search(REFUSED.format(who="Ole Olsen"), refusal), refusal
    stored = ws.get_entry(store, entry["entry_id"])
    assert (stored["status"], stored["fields"]["text"]) == ("afvist", "Mangler tilbud til unge")


def test_reject_and_merge_carry_the_version_too(store):
    entry = _workshop_with_note(store)
    karin = _open(REVIEW, KARIN)
    _choose(karin, entry, "afvis")
    karin.text_input(key=f"rv-reason-{entry['entry_id']}").input("Dublet")
    review.accept(store, OLE, entry["entry_id"], expected_version=1)
    karin.button(key=f"rv-reject-{entry['entry_id']}").click().run()
    assert any("Ole Olsen" in e for e in _errors(karin)), _errors(karin)
    assert ws.get_entry(store, entry["entry_id"])["status"] == "godkendt"


def test_a_link_to_another_councils_workshop_is_refused_naming_both_councils(store):
    entry = _workshop_with_note(store, council="fyn", text="Idé fra Fyn")
    at = _open(REVIEW, KIM, {"workshop": entry["workshop_id"]})
    assert _errors(at) == [
        "Du er koordinator for Sundhedsråd Aarhus. Workshoppen 'Workshop fyn' hører til Sundhedsråd Fyn, "
        "så det kræver koordinatoradgang dér."
    ]
    assert not [s for s in at.subheader if s.value.startswith("Til gennemgang")]  # nothing of it is shown
    own = _workshop_with_note(store, council="aarhus", text="Idé fra Aarhus")
    mine = _open(REVIEW, KIM, {"workshop": own["workshop_id"]})
    assert not _errors(mine)
    assert mine.selectbox(key="rv_workshop").value == own["workshop_id"]
    assert mine.query_params["workshop"] == own["workshop_id"]  # kept in the link


# --- sequences -------------------------------------------------------------------------------------


def _sequence(store: Store) -> sequences.Sequence:
    aarhus = Selection(area="council:aarhus")
    steps = [
        Step("Overblik", "kort", aarhus),
        Step("Temaer", "temaer", aarhus),
        Step("Huller", "huller", aarhus),
    ]
    return sequences.create(store, KARIN, "Workshop Aarhus", steps)


def _editor(person: Principal, sequence_id: str) -> AppTest:
    at = _open(PRESENTATION, person, {"omraade": "council:aarhus"})
    at.selectbox(key="praes-edit").set_value(sequence_id).run()
    assert not at.exception and not _errors(at), _errors(at)
    return at


def _key(at: AppTest, prefix: str) -> str:
    [key] = [w.key for w in at.button if w.key and w.key.startswith(prefix)] or [
        w.key for w in at.text_input if w.key and w.key.startswith(prefix)
    ]
    return key


def test_two_coordinators_renaming_one_sequence(store):
    created = _sequence(store)
    sid = created.sequence_id
    karin, ole = _editor(KARIN, sid), _editor(OLE, sid)
    karin.text_input(key=_key(karin, f"praes-name-{sid}-")).input("Karins navn")
    karin.button(key=f"praes-rename-{sid}").click().run()
    assert not _errors(karin)
    ole.text_input(key=_key(ole, f"praes-name-{sid}-")).input("Oles navn")
    ole.button(key=f"praes-rename-{sid}").click().run()

    [refusal] = _errors(ole)
    assert refusal.startswith("Sekvensen 'Karins navn' er ændret af Karin Koordinator den "), refusal
    assert sequences.load(store, sid)[0].name == "Karins navn"
    assert ole.text_input(key=_key(ole, f"praes-name-{sid}-")).value == "Karins navn"  # the stored state


def test_a_step_removed_after_someone_else_reordered_is_refused(store):
    created = _sequence(store)
    sid = created.sequence_id
    ole = _editor(OLE, sid)
    sequences.move_step(store, KARIN, sid, 0, 2, expected_version=created.version)  # Overblik last
    ole.button(key=_key(ole, f"praes-remove-{sid}-0-")).click().run()  # Ole meant 'Overblik'

    [refusal] = _errors(ole)
    assert "Karin Koordinator" in refusal and "ikke gemt" in refusal
    assert [s.title for s in sequences.load(store, sid)[0].steps] == ["Temaer", "Huller", "Overblik"]
    titles = [t.value for t in ole.text_input if t.key and t.key.startswith(f"praes-title-{sid}-")]
    assert titles == ["Temaer", "Huller", "Overblik"]  # his screen now shows the stored order


def test_a_sequence_changed_since_it_was_shown_is_not_deleted(store):
    created = _sequence(store)
    sid = created.sequence_id
    ole = _editor(OLE, sid)
    sequences.rename(store, KARIN, sid, "Endelig", expected_version=created.version)
    ole.button(key=f"praes-delete-{sid}").click().run()
    assert any("Karin Koordinator" in e for e in _errors(ole)), _errors(ole)
    assert sequences.load(store, sid)[0].name == "Endelig"
    assert ole.selectbox(key="praes-edit").value == sid  # still editing it
