"""A workshop on two replicas behind nginx, sharing PostgreSQL and an S3 bucket, in Chromium.

Twenty participants (one browser context each, spread over both replicas by nginx's affinity cookie) join
with the code, fill in an entry each and press *Gem* twice, all at about the same moment; replica A is
killed (SIGKILL) after about half of the clicks, and its pages reconnect through nginx to replica B. One
participant's save on A is held after its commit (``tests/browser/faults/sitecustomize.py``), so that A
always dies between a commit and its confirmation. Whoever saw no "Gemt" presses *Gem* again, as a person
would. Then, from PostgreSQL: every acknowledged entry is there exactly once and no title twice.

And the live list: an entry saved on replica A shows on a screen open on replica B within 5 s.
Figures are printed; screenshots go to ``test-output/replikaer-*.png``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from civilkort import auth
from civilkort import workshop as ws
from civilkort.store import Store
from tests.browser.appserver import poll, wait_idle
from tests.browser.conftest import OfflinePage, new_offline_page
from tests.browser.replicas import (
    AFFINITY_COOKIE,
    MARKS,
    Replica,
    ReplicaSet,
    replicas_behind_nginx,
    run_entrypoint,
    shared_backends,
)
from tests.conftest import PROJECT_ROOT, real_boundaries_path

pytestmark = MARKS

PARTICIPANTS = 20
LIVE_WITHIN_S = 5.0
"""Issue #11: an entry saved on one replica shows on the other within this."""
LIVE_SAMPLES = 4
WATCH_JS = Path(__file__).parent / "assets" / "page_watch.js"
FAULTS = Path(__file__).parent / "faults"
VIEWPORT = {"width": 1280, "height": 900}


# --- the service -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def backends() -> Iterator[dict[str, str]]:
    with shared_backends() as env:
        yield env


@pytest.fixture(scope="module")
def hold_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Titles whose save a replica holds after its commit (while this file exists)."""
    return tmp_path_factory.mktemp("hold") / "hold.txt"


@pytest.fixture(scope="module")
def service(
    backends: dict[str, str], hold_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ReplicaSet]:
    """Migrated once, example data built once (uploaded to the bucket), then two replicas with empty data
    folders (each fetches the build at start, as on its own host) behind nginx."""
    builder = tmp_path_factory.mktemp("bygger") / "data"
    run_entrypoint(["migrate"], backends, builder)
    boundaries = real_boundaries_path()
    demo = ["etl", "demo", "--scale", "small", "-q"]
    run_entrypoint(demo + (["--boundaries", str(boundaries)] if boundaries else []), backends, builder)
    dirs = [tmp_path_factory.mktemp(f"replika-{n}") / "data" for n in (1, 2)]
    path = os.pathsep.join(p for p in (str(FAULTS), str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p)
    env = {**backends, "PYTHONPATH": path, "CIVILKORT_TEST_HOLD_SAVES_FILE": str(hold_file)}
    with replicas_behind_nginx(dirs, tmp_path_factory.mktemp("replicas"), env=env) as replica_set:
        yield replica_set


@pytest.fixture(scope="module")
def store(backends: dict[str, str]) -> Iterator[Store]:
    """The shared store, read by the test as the system of record."""
    s = Store(backends["CIVILKORT_DATABASE_URL"], migrate="manual")
    yield s
    s.close()


@pytest.fixture
def workshop(store: Store) -> tuple[dict[str, Any], str]:
    """A live workshop for Aarhus, made through the library by a national administrator; (row, code)."""
    return ws.create_workshop(
        store, auth.operator("replikatest"), f"Workshop {uuid.uuid4().hex[:6]}", held_on=dt.date.today(),
        council_id="aarhus",
    )  # fmt: skip


@pytest.fixture
def pages(chromium: Any, service: ReplicaSet, request: pytest.FixtureRequest) -> Iterator[list]:
    """Browser contexts a test opens (closed at the end); the logs are printed when the test failed."""
    made: list[tuple[OfflinePage, Any]] = []
    yield made
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(service.diagnostics())
        for n, (opage, _) in enumerate(made, start=1):
            with contextlib.suppress(Exception):  # the page may be gone; the failure itself is what matters
                opage.screenshot(f"FAILED-replikaer-{n}", full_page=True)
    for _, context in made:
        context.close()


# --- a participant ---------------------------------------------------------------------------------


@dataclass
class Participant:
    """One person in the room: a browser context of their own, their name and the entry they add."""

    n: int
    opage: OfflinePage
    context: Any
    name: str
    title: str
    replica: Replica | None = None
    clicked_at: float = 0.0
    confirmed: list[dict] = field(default_factory=list)

    @property
    def page(self) -> Any:
        return self.opage.page

    def watch(self) -> dict[str, list]:
        """What the page recorded (tests/browser/assets/page_watch.js)."""
        return self.page.evaluate("() => window.civilkortWatch")

    def acknowledged(self) -> dict | None:
        """The page's "Gemt: <title>" confirmation for this entry (text and browser time), if it showed."""
        return next((c for c in self.watch()["confirmations"] if self.title in c["text"]), None)


def open_page(chromium: Any, made: list, url: str) -> tuple[OfflinePage, Any]:
    """A new context with the page watcher, navigating to ``url`` (without waiting for the app)."""
    opage, context = new_offline_page(chromium, VIEWPORT)
    made.append((opage, context))
    context.add_init_script(path=str(WATCH_JS))
    opage.page.goto(url, wait_until="commit")
    return opage, context


def join(page: Any, code: str, name: str) -> None:
    """Enter the workshop's code and a name on the workshop page (the only live workshop is preselected)."""
    code_box = page.locator(".st-key-ws_join_code input")
    code_box.wait_for(timeout=60_000)
    wait_idle(page, timeout=60_000)
    code_box.fill(code)
    page.locator(".st-key-ws_join_name input").fill(name)
    page.get_by_role("button", name="Deltag").click()


def text_box(page: Any) -> Any:
    return page.get_by_role("textbox", name="Tekst *")


def gem(page: Any) -> Any:
    return page.get_by_role("button", name="Gem", exact=True)


def affinity_key(context: Any) -> str:
    values = [c["value"] for c in context.cookies() if c["name"] == AFFINITY_COOKIE]
    assert len(values) == 1, context.cookies()
    return values[0]


def settled(p: Participant, since_ms: float) -> bool:
    """Confirmed, or connected and idle after a script run that finished after ``since_ms`` (browser time)
    without confirming (the save was lost with its replica, or refused): time to press Gem again."""
    if p.acknowledged():
        return True
    events = p.watch()["events"]
    state = {e["kind"]: e["value"] for e in events}
    if state.get("connection") != "CONNECTED" or state.get("script") in ("running", "initial"):
        return False
    return (
        any(e["kind"] == "script" and e["value"] == "running" and e["at"] > since_ms for e in events)
        and events[-1]["at"] > since_ms
    )


def title_of(stored: str) -> str:
    """The participant's text in a note's stored title ("Hul: <text>")."""
    return stored.split(": ", 1)[1]


def saved_titles(store: Store, workshop: dict[str, Any]) -> set[str]:
    """The participants' texts saved in the workshop so far (read from PostgreSQL)."""
    return {title_of(e["title"]) for e in ws.entries(store, workshop["workshop_id"])}


def now_ms() -> float:
    return time.time() * 1000


# --- the tests -------------------------------------------------------------------------------------


def up(service: ReplicaSet) -> None:
    """Both replicas running (the kill test leaves its victim down; this brings it back when needed)."""
    for replica in service.replicas:
        if replica.process is None or replica.process.poll() is not None:
            replica.start()


def join_directly(chromium: Any, made: list, replica: Replica, code: str, name: str) -> Participant:
    """A participant on ``replica`` itself (not through nginx), joined, with the form ready."""
    opage, context = open_page(chromium, made, f"http://{replica.address}/workshop")
    join(opage.page, code, name)
    text_box(opage.page).wait_for(timeout=90_000)
    wait_idle(opage.page, timeout=60_000)
    return Participant(0, opage, context, name, "", replica)


def in_list(page: Any, title: str) -> Any:
    """The live list's cell with ``title`` (the grid keeps an accessible table of its visible cells)."""
    return page.locator("[data-testid=stDataFrame] td", has_text=title).first


def test_an_entry_saved_on_replica_a_shows_on_replica_b_within_5_s(chromium, service, store, workshop, pages):
    row, code = workshop
    up(service)
    a, b = service.replicas
    screen = join_directly(chromium, pages, b, code, "Skærmen på B")
    writer = join_directly(chromium, pages, a, code, "Deltager på A")
    run = uuid.uuid4().hex[:6]
    delays_s, after_ack_s = [], []
    for k in range(1, LIVE_SAMPLES + 1):
        writer.title = f"Live {run} nr. {k}: mangler tilbud til unge"
        text_box(writer.page).fill(writer.title)
        gem(writer.page).click()
        ack = poll(writer.page, writer.acknowledged, f"'Gemt' på A for nr. {k}", timeout=60)
        (entry,) = [e for e in ws.entries(store, row["workshop_id"]) if writer.title in e["title"]]
        saved_ms = dt.datetime.fromisoformat(entry["created_at"]).timestamp() * 1000
        seen = poll(
            screen.page,
            lambda k=k: next((c for c in screen.watch()["counts"] if c["n"] == k), None),
            f"nr. {k} i listen på B",
            timeout=30,
        )
        delays_s.append((seen["at"] - saved_ms) / 1000)
        after_ack_s.append((seen["at"] - ack["at"]) / 1000)
    print(
        f"\nlive-opdatering fra {a.name} til {b.name} ({LIVE_SAMPLES} indtastninger, fra gemt i PostgreSQL "
        f"til vist på B): p50 {statistics.median(delays_s):.2f} s, max {max(delays_s):.2f} s "
        f"(efter 'Gemt' på A: p50 {statistics.median(after_ack_s):.2f} s, max {max(after_ack_s):.2f} s)"
    )
    assert max(delays_s) <= LIVE_WITHIN_S, delays_s

    # the same (newest) entry on both replicas' screens
    for name, participant in (("A", writer), ("B", screen)):
        cell = in_list(participant.page, writer.title)
        cell.wait_for(state="attached", timeout=30_000)
        participant.page.get_by_role(
            "heading", name=re.compile(r"^Indtastninger")
        ).first.scroll_into_view_if_needed()
        wait_idle(participant.page)
        shot = participant.opage.screenshot(f"replikaer-{name}")
        assert shot.stat().st_size > 10_000, shot
    for participant in (writer, screen):
        assert participant.opage.blocked == [] and participant.opage.errors == []


def test_twenty_participants_double_submits_and_a_replica_killed_lose_and_duplicate_nothing(
    chromium, service, store, workshop, hold_file, pages
) -> None:
    row, code = workshop
    base = service.proxy.base
    run = uuid.uuid4().hex[:6]
    people: list[Participant] = []
    started = time.monotonic()
    for n in range(1, PARTICIPANTS + 1):
        opage, context = open_page(chromium, pages, f"{base}/workshop")
        title = f"Replikatest {run} nr. {n:02d}: frivillige tolke i Aarhus"
        people.append(Participant(n, opage, context, f"Deltager {n:02d}", title))
    for p in people:
        join(p.page, code, p.name)
    for p in people:
        text_box(p.page).wait_for(timeout=90_000)
        wait_idle(p.page, timeout=60_000)
        text_box(p.page).fill(p.title)
    joined_s = time.monotonic() - started

    # which replica each got (nginx's access log: the page load for the participant's affinity key)
    for p in people:
        p.replica = poll(p.page, lambda p=p: service.served(affinity_key(p.context), "/workshop"), "log")[0]
    spread = Counter(p.replica.name for p in people)
    assert len(spread) == 2, f"alle deltagere på én replika: {dict(spread)}"
    a = people[0].replica
    b = next(r for r in service.replicas if r is not a)
    on_a = [p for p in people if p.replica is a]
    # the first click is held on A after its commit; the rest alternate so that A dies with saves in flight
    held = on_a[0]
    hold_file.write_text(held.title + "\n", encoding="utf-8")
    order = [held] + [p for p in people if p is not held]

    clicks_started = time.monotonic()
    killed_at_ms = 0.0
    for i, p in enumerate(order):
        if i == PARTICIPANTS // 2:
            poll(p.page, lambda: saved_titles(store, row) & {held.title}, "den holdte indtastning er gemt på A",
                 timeout=60)  # fmt: skip
            a.kill()
            killed_at_ms = now_ms()
            hold_file.unlink()
        p.clicked_at = now_ms()
        gem(p.page).dblclick(no_wait_after=True, timeout=90_000)  # a double submit, for everyone

    # wait until each page has either confirmed or finished a run without confirming
    for p in people:
        poll(p.page, lambda p=p: settled(p, max(p.clicked_at, killed_at_ms if p.replica is a else 0)),
             f"{p.name} bekræftet eller klar igen", timeout=90)  # fmt: skip
    first_round = {p.n: p.acknowledged() for p in people}
    saved_first = saved_titles(store, row)
    unacknowledged_saved = [p.name for p in people if not first_round[p.n] and p.title in saved_first]

    # whoever saw no confirmation presses Gem again (typing the text again if the form lost it)
    again = [p for p in people if not first_round[p.n]]
    for p in again:
        if text_box(p.page).input_value() != p.title:
            text_box(p.page).fill(p.title)
        p.clicked_at = now_ms()
        gem(p.page).click(no_wait_after=True, timeout=60_000)
    # the second press must confirm (the entry is saved now, or was already and is answered as such): wait for
    # that itself; "a run finished without confirming" could be the page's own live refresh, not Gem's run
    for p in again:
        poll(p.page, lambda p=p: p.acknowledged(), f"{p.name} bekræftet efter nyt tryk på Gem", timeout=90)
    all_saved_s = time.monotonic() - clicks_started

    acknowledged = {p.n: p.acknowledged() for p in people}
    titles = Counter(title_of(r["title"]) for r in ws.entries(store, row["workshop_id"]))

    def replica_of_ack(p: Participant) -> str:
        ack = acknowledged[p.n]
        return a.name if p.replica is a and ack["at"] < killed_at_ms else b.name

    per_replica = Counter(replica_of_ack(p) for p in people if acknowledged[p.n])
    print(
        f"\n{PARTICIPANTS} deltagere: {dict(spread)} (replika A = {a.name}, dræbt efter {PARTICIPANTS // 2} "
        f"klik); deltaget og udfyldt på {joined_s:.1f} s; alle gemt og bekræftet {all_saved_s:.1f} s efter "
        f"første klik; bekræftet i første runde: {sum(1 for v in first_round.values() if v)}; "
        f"bekræftet pr. replika: {dict(per_replica)}; gemt uden bekræftelse i første runde: "
        f"{len(unacknowledged_saved)} {unacknowledged_saved}; trykkede Gem igen: {len(again)}"
    )
    duplicated = {t: k for t, k in titles.items() if k > 1}
    assert duplicated == {}, f"dubletter: {duplicated}"
    lost = [p.name for p in people if acknowledged[p.n] and titles[p.title] != 1]
    assert lost == [], f"bekræftet, men ikke gemt: {lost}"
    # A died between its commit and its answer: no confirmation came from A. One may still come in the first
    # round from B, after the page reconnected there and its pending Gem ran again and found the entry saved
    # (seen at load 8: confirmed 3.3 s after the click, after the kill); that is the right answer, not a loss.
    held_ack = first_round[held.n]
    assert held.title in saved_first and (not held_ack or held_ack["at"] >= killed_at_ms), (
        held_ack,
        killed_at_ms,
    )
    assert acknowledged[held.n], "den holdte deltager fik ingen bekræftelse efter nyt tryk på Gem"
    unconfirmed = [p.name for p in people if not acknowledged[p.n]]
    assert unconfirmed == [], f"uden bekræftelse efter nyt tryk på Gem: {unconfirmed}"
    assert set(titles) == {p.title for p in people}
    for p in people:
        assert p.opage.blocked == [] and p.opage.errors == [], (p.name, p.opage.blocked, p.opage.errors)
