"""A clicked download's file survives other sessions' script runs until the browser fetches it."""

from __future__ import annotations

import pytest
from streamlit.runtime import media_file_manager as mfm
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ui import downloads

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def manager(monkeypatch) -> MediaFileManager:
    """A media file manager whose 'current session' the test sets (``manager.session = ...``)."""
    storage = MemoryMediaFileStorage("/media")
    manager = MediaFileManager(storage)
    manager.session = "phone"  # type: ignore[attr-defined]
    monkeypatch.setattr(mfm, "_get_session_id", lambda: manager.session)  # type: ignore[attr-defined]
    return manager


def _click(manager: MediaFileManager, payload: bytes = b"xlsx bytes") -> tuple[str, str]:
    """A run renders the button (deferred data); the user clicks it.  Returns the made file's id and URL."""
    placeholder = manager.add_deferred(lambda: payload, XLSX, "1.(2).3", "workshop.xlsx")
    url = manager.execute_deferred(placeholder)
    return url.rsplit("/", 1)[-1].split(".", 1)[0], url


def _sweeps(manager: MediaFileManager, n: int) -> None:
    """``n`` script runs ending elsewhere (e.g. other phones' list refreshes); each sweeps orphans."""
    for _ in range(n):
        manager.remove_orphaned_files()


def _fetchable(manager: MediaFileManager, made: str) -> bool:
    return manager.read_file(made) is not None


def test_without_the_fix_other_sessions_runs_delete_the_file_before_the_fetch(manager, monkeypatch) -> None:
    """The bug this module fixes, shown on Streamlit itself (if this starts failing, Streamlit fixed it:
    then ``ui.downloads`` can go)."""
    current = MediaFileManager.execute_deferred
    monkeypatch.setattr(MediaFileManager, "execute_deferred", getattr(current, "__wrapped__", current))
    made, _ = _click(manager)
    _sweeps(manager, 2)
    assert not _fetchable(manager, made)


def test_the_file_survives_any_number_of_other_runs_until_the_sessions_next_full_run(manager) -> None:
    downloads.install()
    made, url = _click(manager)
    assert url.startswith("/media/") and url.endswith(".xlsx")
    _sweeps(manager, 10)
    assert _fetchable(manager, made)
    assert manager.read_file(made).content == b"xlsx bytes"

    # the session's next full run drops its references (as for every media file), then it is swept
    manager.clear_session_refs("phone")
    _sweeps(manager, 2)
    assert not _fetchable(manager, made)


def test_a_second_click_replaces_the_first_file_and_an_ended_session_leaves_nothing(manager) -> None:
    downloads.install()
    first, _ = _click(manager, b"first")
    second, _ = _click(manager, b"second")
    _sweeps(manager, 2)
    assert not _fetchable(manager, first) and _fetchable(manager, second)

    manager.session = "projector"  # type: ignore[attr-defined]
    theirs, _ = _click(manager, b"theirs")
    manager.clear_session_refs("phone")  # the phone closed its tab
    _sweeps(manager, 2)
    assert not _fetchable(manager, second) and _fetchable(manager, theirs)
    assert "phone" not in manager._files_by_session_and_coord  # noqa: SLF001


def test_install_wraps_once() -> None:
    downloads.install()
    once = MediaFileManager.execute_deferred
    downloads.install()
    assert MediaFileManager.execute_deferred is once
