"""Keep a clicked download's file until the browser has fetched it (a fix for Streamlit 1.67).

Every download button in the app makes its file only when clicked (``data=`` a callable: Streamlit's
deferred download).  Streamlit runs the callable, stores the bytes as a media file and answers the browser
with the file's URL, which the browser then fetches.  But Streamlit leaves that file *unreferenced*, and
every script run that ends, in *any* session (a fragment refreshing a workshop list counts), sweeps the
unreferenced files: the first sweep marks the file, the second deletes it.  On a busy server, such as a
workshop with twenty phones refreshing their lists every few seconds, two sweeps can fall between the
answer and the fetch, and the browser's download fails ("canceled", a 404 on ``/media/…``).

:func:`install` wraps ``MediaFileManager.execute_deferred`` so the made file is also referenced by the
session that clicked, under the button's own coordinates plus ``#made``.  It then lives until that
session's next full run (which drops all of its references, as for any other media file) or its end, and
a second click on the same button replaces it: one file per button and session, never a leak.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from streamlit.runtime.media_file_manager import MediaFileManager

_LOG = logging.getLogger(__name__)
_SUFFIX = "#made"
_MARK = "_civilkort_keeps_made_files"


def _made_id(manager: MediaFileManager, url: str) -> str | None:
    """The stored file's id in the URL Streamlit answered (``/media/<id><extension>``)."""
    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    candidate = name.split(".", 1)[0]
    return candidate if candidate in manager._file_metadata else None  # noqa: SLF001 - see module doc


def _keeping(original: Callable[[MediaFileManager, str], str]) -> Callable[[MediaFileManager, str], str]:
    @functools.wraps(original)
    def execute_deferred(self: MediaFileManager, file_id: str) -> str:
        with self._lock:  # noqa: SLF001
            entry: dict[str, Any] | None = self._deferred_callables.get(file_id)  # noqa: SLF001
        url = original(self, file_id)
        if entry is None:
            return url
        with self._lock:  # noqa: SLF001
            made = _made_id(self, url)
            if made is None:  # Streamlit changed how it names files: the download still works, unprotected
                _LOG.warning("Kunne ikke finde den lavede fil til %s; den beskyttes ikke mod oprydning", url)
                return url
            sessions = self._files_by_session_and_coord  # noqa: SLF001
            sessions[entry["session_id"]][entry["coordinates"] + _SUFFIX] = made
        return url

    setattr(execute_deferred, _MARK, True)
    return execute_deferred


def install() -> None:
    """Wrap ``MediaFileManager.execute_deferred`` once per process (later calls do nothing)."""
    current = MediaFileManager.execute_deferred
    if getattr(current, _MARK, False):
        return
    MediaFileManager.execute_deferred = _keeping(current)  # type: ignore[method-assign]
