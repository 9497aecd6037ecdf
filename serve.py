"""The app as ``make run``, the container and the browser tests serve it: ``streamlit run serve.py``.

Streamlit's own server (``st.App``: Starlette under uvicorn) running ``app.py``, with two things a workshop on
poor wifi needs (issue 12, the poor-wifi budget; figures in README, *Ydelse*):

- **Streamlit's frontend files compressed.** Its server sends ``/static/…`` (the 4 MB of JavaScript every first
  visit loads) uncompressed on purpose, expecting a proxy in front (see ``_should_bypass_gzip`` in
  ``streamlit/web/server/starlette/starlette_gzip_middleware.py``); there is no option for it. ``make run``
  has no proxy, so Starlette's own ``GZipMiddleware`` goes outermost here: it compresses what a browser that
  asks for gzip gets and leaves alone what is already compressed (Streamlit's other responses) and the
  websocket (whose messages ``server.enableWebsocketCompression`` in ``.streamlit/config.toml`` deflates).
  The files are content-hashed and cached for a year, so each browser pays for this once.
- **Warm at start.** The current build is opened and the whole country's map layers made before the server
  answers (``ui.data.warm_up``), so the first map after a start does not wait for them.

- **The HSDS API** (``api/``) at ``/api/hsds``: the same process and port, so ``make run`` and every replica
  serve it beside the app without another service to run.

Behind nginx (deploy/) the proxy compresses too; compressing twice does not happen (a response that already
has a ``Content-Encoding`` is passed through).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount

from api import hsds as hsds_api

GZIP_LEVEL = 6
"""zlib's default: 4.7 MB of JavaScript in ~0.1 s on one core, within a few % of level 9's size."""


@asynccontextmanager
async def _warm(_app: st.App) -> AsyncIterator[None]:
    import asyncio
    import threading

    from ui.data import warm_search, warm_up

    # Before the server takes requests (its health check answers only after): a first page run that came
    # while the caches filled would do the same work alongside, and both would take twice as long.
    await asyncio.get_running_loop().run_in_executor(None, warm_up)
    # Søg's index after: the map is what a visitor opens first, and the server answers meanwhile
    threading.Thread(target=warm_search, name="warm-search", daemon=True).start()
    threading.Thread(target=hsds_api.warm, name="warm-hsds-api", daemon=True).start()
    yield


app = st.App(
    Path(__file__).with_name("app.py"),
    routes=[Mount(hsds_api.MOUNT, app=hsds_api.app)],
    middleware=[Middleware(GZipMiddleware, minimum_size=1000, compresslevel=GZIP_LEVEL)],
    lifespan=_warm,
)
