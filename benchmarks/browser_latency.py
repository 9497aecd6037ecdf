"""The poor-wifi budget (issue 12 item 6), measured in headless Chromium; a plain streamlit-folium page alongside.

Starts the app the way ``make run`` does (``streamlit run <entry>``; the entry is read from the Makefile) on the
national build, and a minimal streamlit-folium page as the baseline, each behind a byte-counting TCP relay, and
prints, per server:

- first load of the map page: bytes on the wire (relay: HTTP and websocket, after any compression) and the
  HTTP part as Chromium counts it (CDP ``encodedDataLength``), with the largest responses;
- the join form (/workshop) visible, on a throttled phone (CDP ``Network.emulateNetworkConditions``:
  1.5 Mbit/s and 1 Mbit/s down, 100 ms latency), cold cache;
- click -> map redrawn (a filter radio in the sidebar) p50/p90, for one council and for all of Denmark. The app's
  map changes in place and says when it is drawn to the end (``data-ck-drawn`` on its document and
  ``window.ckDrawnAt``, set by civilkort/web/map_runtime.js once every layer, file and marker-cluster chunk is
  done): the time is click -> that. A map without the signal (the baseline) is timed to the last DOM change in its
  iframe before 0.6 s of quiet, which comes too early where clustering runs in chunks without touching the DOM;
- cold first map after a server start: from the first request after /_stcore/health answers to the map drawn.

Budget: first load <= 2.5 MB; join form <= 10 s at 1.5 Mbit/s; click p50 <= 400 ms (council), <= 700 ms
(Denmark); cold first map <= 3 s (Denmark).

    .venv/bin/python benchmarks/build_national.py   # not needed: this script builds its own national data
    .venv/bin/python benchmarks/browser_latency.py [--data-dir DIR] [--project DIR] [--entry FILE] [--clicks 15]

``--project``/``--entry`` run another checkout (e.g. the code before a change) with the same browser code.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = Path(os.environ.get("CIVILKORT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1440, "height": 900}
MB = 1_000_000

BASELINE_PAGE = """
import sys
sys.path.insert(0, {root!r})
import folium
import numpy as np
import streamlit as st
from streamlit_folium import st_folium
from civilkort import assets

st.set_page_config(page_title="Baseline", layout="wide")
with st.sidebar:
    with st.expander("Filtre"):
        choice = st.radio("Modtager sociale henvisninger", ["Alle", "Ja", "Nej"], horizontal=True)
st.title("Baseline: streamlit-folium")
st.text_input("Workshoppens kode")
m = folium.Map(location=[56.0, 10.5], zoom_start=7, tiles=None)
rng = np.random.default_rng(1)
n = {{"Alle": 300, "Ja": 150, "Nej": 150}}[choice]
fg = folium.FeatureGroup(name="punkter")
for lat, lon in zip(rng.uniform(54.8, 57.6, n), rng.uniform(8.2, 12.6, n)):
    folium.CircleMarker([lat, lon], radius=4).add_to(fg)
st_folium(assets.localize(m), key="kort", feature_group_to_add=assets.localize(fg), height=620,
          use_container_width=True)
"""

# Records the time of every DOM change in a frame (the map's iframe), and of every click in the page.
WATCH_JS = """() => {
  if (window.__ckWatch) return;
  window.__ckWatch = true; window.__lastChange = 0;
  new MutationObserver(() => { window.__lastChange = Date.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
}"""
CLICK_JS = """() => { if (window.__ckClicks) return; window.__ckClicks = true;
  document.addEventListener('pointerdown', () => { window.__clickAt = Date.now(); }, true); }"""
# The app's map counts the times it was drawn to the end (civilkort/web/map_runtime.js); None without the signal.
DRAWN_JS = "() => document.documentElement.getAttribute('data-ck-drawn')"
IDLE = "[data-testid=stApp]:not([data-test-script-state=running]):not([data-test-script-state=initial])"


# --- a TCP relay that counts the bytes the server sends ------------------------------------------------------


class Relay:
    """127.0.0.1:<port> -> the server; ``down`` counts bytes from server to browser (what a wifi link carries)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.down = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port)
        )
        self._ready.set()
        self._loop.run_forever()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, count: bool) -> None:
        try:
            while data := await reader.read(65536):
                if count:
                    self.down += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer, False), self._pipe(up_reader, writer, True))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- servers -------------------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    relay: Relay
    healthy_at: float = 0.0
    log: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.relay.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def make_run_entry(project: Path) -> str:
    """The script ``make run`` hands to ``streamlit run`` (so the benchmark runs what a user runs)."""
    match = re.search(r"streamlit run (\S+)", (project / "Makefile").read_text())
    return match.group(1) if match else "app.py"


def start(name: str, cwd: Path, entry: str, env: dict[str, str], log_dir: Path) -> Server:
    port = free_port()
    log = log_dir / f"{name}.log"
    cmd = [sys.executable, "-m", "streamlit", "run", entry, "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"]
    cmd += ["--browser.gatherUsageStats", "false"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            cmd, cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(name, process, port, Relay(port), log=log)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{name} startede ikke:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)
    server.healthy_at = time.monotonic()
    return server


def baseline_dir(tmp: Path) -> Path:
    d = tmp / "baseline"
    (d / ".streamlit").mkdir(parents=True)
    shutil.copytree(ROOT / "static" / "vendor", d / "static" / "vendor")
    (d / ".streamlit" / "config.toml").write_text("[server]\nenableStaticServing = true\n")
    (d / "baseline.py").write_text(BASELINE_PAGE.format(root=str(ROOT)))
    return d


# --- measurements --------------------------------------------------------------------------------------------


@dataclass
class Figures:
    first_load_wire: float = 0.0
    first_load_http: float = 0.0
    largest: list[tuple[int, str]] = field(default_factory=list)
    join_15: float = 0.0
    join_10: float = 0.0
    clicks: dict[str, list[float]] = field(default_factory=dict)
    cold_map: float = 0.0


def map_frame(page):
    """The st_folium iframe once its Leaflet map has drawn something."""
    for frame in page.frames:
        if "streamlit_folium" in frame.url or "streamlit-folium" in frame.url:
            try:
                if frame.evaluate("() => document.querySelectorAll('.leaflet-pane *').length > 0"):
                    return frame
            except Exception:  # the frame may be replaced while we look
                pass
    return None


def wait_map(page, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = map_frame(page)
        if frame is not None:
            return frame
        page.wait_for_timeout(25)
    raise TimeoutError("kortet blev ikke tegnet")


def wait_quiet(read, quiet: float, timeout: float) -> None:
    """Until ``read()`` (a counter) has not changed for ``quiet`` seconds."""
    last, since, deadline = read(), time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = read()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def first_load(browser, server: Server, path: str) -> tuple[float, float, list[tuple[int, str]]]:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on(
        "Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"]))
    )
    start_bytes = server.relay.down
    page.goto(server.base + path)
    wait_map(page)
    page.wait_for_selector(IDLE, timeout=120_000)
    wait_quiet(lambda: server.relay.down, 1.5, 30)
    wire = server.relay.down - start_bytes
    http = sum(sizes.values())
    largest = sorted(((n, urls.get(r, "?")) for r, n in sizes.items()), reverse=True)[:5]
    context.close()
    return wire / MB, http / MB, largest


def join_form(browser, server: Server, path: str, kbit: int) -> float:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")  # a new context: an empty cache
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 100,
            "downloadThroughput": kbit * 1000 / 8,
            "uploadThroughput": kbit * 1000 / 16,
        },
    )
    t0 = time.monotonic()
    page.goto(server.base + path, wait_until="commit", timeout=120_000)
    try:
        page.get_by_role("textbox", name="Workshoppens kode").wait_for(state="visible", timeout=120_000)
    except Exception:
        page.screenshot(path=str(ROOT / "bench-output" / f"join-form-{server.name}-{kbit}.png"))
        raise
    took = time.monotonic() - t0
    context.close()
    return took


def click_latency(browser, server: Server, path: str, clicks: int) -> list[float]:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(server.base + path)
    wait_map(page)
    page.wait_for_selector(IDLE, timeout=120_000)
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text("Filtre", exact=True).click()
    page.evaluate(CLICK_JS)
    radio = sidebar.locator("[data-testid=stRadio]").first
    took: list[float] = []
    for i in range(clicks + 1):
        frame = wait_map(page)
        frame.evaluate(WATCH_JS)
        frame.evaluate("() => { window.__lastChange = 0; }")
        drawn = frame.evaluate(DRAWN_JS)
        radio.get_by_text("Ja" if i % 2 == 0 else "Alle", exact=True).click()
        clicked = page.evaluate("() => window.__clickAt")
        with contextlib.suppress(Exception):  # the run may be over before we look
            page.wait_for_selector("[data-test-script-state=running]", timeout=3_000, state="attached")
        page.wait_for_selector(IDLE, timeout=120_000)
        frame = wait_map(page)
        if drawn is not None:  # the map says when it is drawn
            frame.wait_for_function(f"() => ({DRAWN_JS})() !== {drawn!r}", timeout=120_000)
            changed = frame.evaluate("() => window.ckDrawnAt")
        else:
            frame.evaluate(WATCH_JS)
            wait_quiet(lambda f=frame: f.evaluate("() => window.__lastChange"), 0.6, 30)
            changed = frame.evaluate("() => window.__lastChange")
        if changed and i > 0:  # the first click opens nothing new in the browser's caches: left out
            took.append((changed - clicked) / 1000)
    context.close()
    return took


def cold_map(browser, server: Server, path: str) -> float:
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    t0 = time.monotonic()
    page.goto(server.base + path, timeout=120_000)
    wait_map(page)
    took = time.monotonic() - t0
    context.close()
    return took


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--project", type=Path, default=ROOT, help="the checkout to run (default: this one)")
    p.add_argument("--entry", help="script for streamlit run (default: the one in the project's Makefile)")
    p.add_argument("--data-dir", type=Path, help="a national build (default: built here, in a temp folder)")
    p.add_argument("--clicks", type=int, default=15)
    args = p.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"Chromium findes ikke på {CHROMIUM}")
    project = args.project.resolve()
    entry = args.entry or make_run_entry(project)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = tmp / "national"
            geo = ROOT.parent / "shared" / "geo" / "kommuner.geojson"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "etl",
                    "demo",
                    "--scale",
                    "national",
                    "-q",
                    *(["--boundaries", str(geo)] if geo.exists() else []),
                ],
                cwd=ROOT,
                env={**os.environ, "CIVILKORT_DATA_DIR": str(data_dir)},
                check=True,
            )
        else:  # a copy: the benchmark adds a workshop to its store
            data_dir = Path(
                shutil.copytree(data_dir, tmp / "national", ignore=shutil.ignore_patterns("*.lock"))
            )
        import datetime as dt

        from civilkort import auth, reference
        from civilkort import workshop as ws
        from civilkort.store import Store

        council = reference.councils()["council_id"].iloc[0]
        # A running workshop, so that /workshop shows its join form (as in the room).
        ws.create_workshop(
            Store(data_dir / "store.sqlite"), auth.operator("benchmark"), "Benchmark", held_on=dt.date.today()
        )
        env = {"CIVILKORT_DATA_DIR": str(data_dir.resolve()), "PYTHONUNBUFFERED": "1"}
        results: dict[str, Figures] = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            runs = [
                ("baseline", baseline_dir(tmp), "baseline.py", "/", "/", "/"),
                ("civilkort", project, entry, "/", f"/?omraade=council:{council}", "/workshop"),
            ]
            for name, cwd, script, dk_path, council_path, join_path in runs:
                fig = Figures()
                server = start(name, cwd, script, env, tmp)
                try:
                    fig.cold_map = cold_map(browser, server, dk_path)
                    fig.first_load_wire, fig.first_load_http, fig.largest = first_load(
                        browser, server, dk_path
                    )
                    fig.join_15 = join_form(browser, server, join_path, 1500)
                    fig.join_10 = join_form(browser, server, join_path, 1000)
                    fig.clicks["kommune/sundhedsråd"] = click_latency(
                        browser, server, council_path, args.clicks
                    )
                    fig.clicks["hele Danmark"] = click_latency(browser, server, dk_path, args.clicks)
                finally:
                    server.stop()
                results[name] = fig
            browser.close()

    print(f"\nProjekt: {project}  (streamlit run {entry}; data: national)\n")
    rows = [
        ("Første indlæsning af kortsiden, på ledningen (MB)", "≤ 2,5", lambda f: f"{f.first_load_wire:.2f}"),
        ("  heraf HTTP, som Chromium tæller (MB)", "", lambda f: f"{f.first_load_http:.2f}"),
        ("Deltagerformular synlig, 1,5 Mbit/s + 100 ms (s)", "≤ 10", lambda f: f"{f.join_15:.1f}"),
        ("Deltagerformular synlig, 1 Mbit/s + 100 ms (s)", "", lambda f: f"{f.join_10:.1f}"),
    ]
    for where, limit in (("kommune/sundhedsråd", "≤ 0,40"), ("hele Danmark", "≤ 0,70")):
        rows.append(
            (
                f"Klik -> kort tegnet, {where}, p50 (s)",
                limit,
                lambda f, w=where: f"{pct(f.clicks[w], 50):.2f}",
            )
        )
        rows.append(
            (f"Klik -> kort tegnet, {where}, p90 (s)", "", lambda f, w=where: f"{pct(f.clicks[w], 90):.2f}")
        )
    rows.append(("Første kort efter serverstart, hele Danmark (s)", "≤ 3", lambda f: f"{f.cold_map:.1f}"))
    print(f"{'Mål':52} {'Krav':>7} {'baseline':>10} {'civilkort':>10}")
    for label, limit, fmt in rows:
        print(f"{label:52} {limit:>7} {fmt(results['baseline']):>10} {fmt(results['civilkort']):>10}")
    for name, fig in results.items():
        print(f"\nStørste svar ved første indlæsning ({name}):")
        for n, url in fig.largest:
            print(f"  {n / MB:6.2f} MB  {url[:110]}")


if __name__ == "__main__":
    main()
