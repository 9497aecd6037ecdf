"""Two replicas (deploy/entrypoint.sh) behind nginx (deploy/nginx.conf.template), in Chromium.

The map loads over the proxy with its websocket; a browser keeps its replica across reloads; first visits
spread over both replicas; when a browser's replica dies, its reload is served by the other one.
"""

from __future__ import annotations

import base64
import gzip
import http.client
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.appserver import copy_data, poll, wait_idle
from tests.browser.conftest import OfflinePage, new_offline_page
from tests.browser.replicas import AFFINITY_COOKIE, Replica, ReplicaSet, replicas_behind_nginx
from tests.conftest import PROJECT_ROOT, real_boundaries_path

pytestmark = [pytest.mark.browser, pytest.mark.replicas, pytest.mark.slow]

PROBES = 30


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m etl demo --scale small` into a fresh data folder (real boundaries when present)."""
    path = tmp_path_factory.mktemp("replicas-demo") / "data"
    boundaries = real_boundaries_path()
    command = [sys.executable, "-m", "etl", "demo", "--scale", "small", "-q"]
    command += ["--boundaries", str(boundaries)] if boundaries else []
    env = {**os.environ, "CIVILKORT_DATA_DIR": str(path)}
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture(scope="module")
def service(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaSet]:
    """Two replicas, each with its own copy of the data folder (as two hosts), behind nginx."""
    dirs = [copy_data(demo_data, tmp_path_factory, f"replika-{n}") for n in (1, 2)]
    with replicas_behind_nginx(dirs, tmp_path_factory.mktemp("replicas")) as replica_set:
        yield replica_set


@pytest.fixture
def browsers(chromium: Any, service: ReplicaSet, request: pytest.FixtureRequest) -> Iterator[list]:
    """Browser contexts a test opens (closed at the end); the logs are printed when the test failed."""
    made: list[tuple[OfflinePage, Any]] = []
    yield made
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(service.diagnostics())
    for _, context in made:
        context.close()


def open_map(chromium: Any, made: list, base: str, key: str | None = None) -> tuple[OfflinePage, Any]:
    """A new browser context (with affinity ``key`` preset, if given) on the map page, once it is drawn."""
    opage, context = new_offline_page(chromium)
    made.append((opage, context))
    if key is not None:
        context.add_cookies([{"name": AFFINITY_COOKIE, "value": key, "url": base}])
    opage.page.goto(f"{base}/")
    wait_for_map(opage.page)
    return opage, context


def wait_for_map(page: Any) -> None:
    """The script run finished (over the websocket) and the Leaflet map in its iframe has drawn shapes."""
    wait_idle(page)

    def drawn() -> bool:
        for frame in page.frames[1:]:
            try:
                shapes = frame.evaluate(
                    "() => window.L ? document.querySelectorAll("
                    "'.leaflet-interactive, .leaflet-marker-icon').length : 0"
                )
            except Exception:  # noqa: BLE001 - a frame still loading or already replaced
                continue
            if shapes:
                return True
        return False

    poll(page, drawn, "kortet med figurer i sin iframe", timeout=45)


def affinity_key(context: Any) -> str:
    """The affinity cookie nginx gave this browser context."""
    values = [c["value"] for c in context.cookies() if c["name"] == AFFINITY_COOKIE]
    assert len(values) == 1, context.cookies()
    return values[0]


def replica_of(service: ReplicaSet, page: Any, key: str, loads: int) -> Replica:
    """The replica that served the ``loads``-th load of the page for ``key`` (waits for the log line)."""
    served = poll(
        page, lambda: (s := service.served(key)) and len(s) >= loads and s, f"{loads} sideindlæsning(er)"
    )
    return served[loads - 1]


def first_visits(service: ReplicaSet, count: int) -> dict[str, Replica]:
    """``count`` cookie-less requests for the page: the affinity key each got, and the replica behind it."""
    keys = []
    for _ in range(count):
        with urllib.request.urlopen(f"{service.proxy.base}/", timeout=10) as response:
            cookie = response.headers.get("Set-Cookie", "")
            response.read()
        match = re.match(rf"{AFFINITY_COOKIE}=([^;]+)", cookie)
        assert match, f"ingen affinitets-cookie ved første besøg: {cookie!r}"
        keys.append(match.group(1))
    deadline = time.monotonic() + 10
    while True:  # nginx writes a request's log line just after its last byte
        rows = {row["key"]: row for row in service.proxy.requests() if row["uri"] == "/"}
        if all(k in rows for k in keys) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return {k: service.by_address[rows[k]["upstream"]] for k in keys}


def test_the_map_loads_over_the_proxy_and_a_browser_keeps_its_replica(chromium, service, browsers) -> None:
    opage, context = open_map(chromium, browsers, service.proxy.base)
    key = affinity_key(context)
    for _ in range(3):
        opage.page.reload()
        wait_for_map(opage.page)
    first = replica_of(service, opage.page, key, loads=4)
    assert {r.name for r in service.served(key)} == {first.name}, [r.name for r in service.served(key)]
    # each reload closed the previous websocket: upgraded (101), all to the same replica
    streams = [
        row for row in service.proxy.requests() if row["key"] == key and row["uri"] == "/_stcore/stream"
    ]
    assert len(streams) >= 3 and {row["status"] for row in streams} == {"101"}, streams
    assert {row["upstream"] for row in streams} == {first.address}, streams
    opage.screenshot("replikaer-kort-via-nginx")
    assert opage.blocked == [] and opage.errors == [], (opage.blocked, opage.errors)


def test_first_visits_spread_and_a_second_browser_may_land_on_the_other_replica(
    chromium, service, browsers
) -> None:
    visits = first_visits(service, PROBES)
    spread = Counter(r.name for r in visits.values())
    assert set(spread) == {r.name for r in service.replicas}, spread
    print(f"første besøg fordelt: {dict(spread)}")
    opage, context = open_map(chromium, browsers, service.proxy.base)
    mine = replica_of(service, opage.page, affinity_key(context), loads=1)
    other_key = next(k for k, r in visits.items() if r is not mine)
    other_page, _ = open_map(chromium, browsers, service.proxy.base, key=other_key)
    other = replica_of(service, other_page.page, other_key, loads=2)  # the probe was its first load
    assert other is not mine, (mine.name, other.name)


def test_when_a_browsers_replica_dies_a_reload_is_served_by_the_other(chromium, service, browsers) -> None:
    opage, context = open_map(chromium, browsers, service.proxy.base)
    key = affinity_key(context)
    dead = replica_of(service, opage.page, key, loads=1)
    dead.kill()
    try:
        opage.page.reload()
        wait_for_map(opage.page)
        after = replica_of(service, opage.page, key, loads=2)
        assert after is not dead, after.name
        # and it stays there while the first one is down
        opage.page.reload()
        wait_for_map(opage.page)
        assert replica_of(service, opage.page, key, loads=3) is after
    finally:
        dead.start()


def test_the_proxy_compresses_streamlits_scripts_and_sends_security_headers(service) -> None:
    with urllib.request.urlopen(f"{service.proxy.base}/", timeout=10) as response:
        index = response.read().decode()
        headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "nginx/" not in headers.get("Server", ""), headers.get("Server")
    script = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', index)
    assert script, index[:500]
    replica = f"http://{service.replicas[0].address}"
    with urllib.request.urlopen(f"{replica}/{script.group(1)}", timeout=10) as response:  # no Accept-Encoding
        raw = response.read()
        assert response.headers.get("Content-Encoding") is None
    sizes, bodies = {}, {}
    for name, base in (("proxy", service.proxy.base), ("replika", replica)):
        request = urllib.request.Request(f"{base}/{script.group(1)}", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:
            bodies[name] = response.read()
            sizes[name] = (response.headers.get("Content-Encoding"), len(bodies[name]))
    # the replica (serve.py) compresses too, so a replica reached without the proxy is as light; through nginx
    # the script is compressed once, not twice
    assert sizes["proxy"][0] == "gzip" and sizes["replika"][0] == "gzip", sizes
    assert gzip.decompress(bodies["proxy"]) == raw and gzip.decompress(bodies["replika"]) == raw
    print(f"Streamlits hovedscript: {len(raw):,} B ukomprimeret, {sizes['proxy'][1]:,} B via nginx")
    assert sizes["proxy"][1] < len(raw) / 2, sizes


def _websocket_handshake(base: str, host: str, origin: str) -> int:
    """The status of a websocket upgrade for /_stcore/stream sent through ``base`` as ``host`` from ``origin``."""
    port = int(base.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", "/_stcore/stream", skip_host=True)
        headers = {
            "Host": host,
            "Origin": origin,
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
            "Sec-WebSocket-Protocol": "streamlit",
        }
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_websocket_is_accepted_for_the_sites_own_name_and_refused_for_another_origin(service) -> None:
    # A real site name, not loopback (Streamlit always admits origins on localhost/127.0.0.1): the proxy must
    # pass the browser's Host with its port, or Streamlit sees a cross-origin websocket and refuses it.
    port = service.proxy.base.rsplit(":", 1)[1]
    site = f"civilkort.example.dk:{port}"
    assert _websocket_handshake(service.proxy.base, site, f"http://{site}") == 101
    assert _websocket_handshake(service.proxy.base, site, "http://angriber.example") == 403


def test_the_hsds_api_answers_through_the_proxy_from_both_replicas_compressed(service) -> None:
    """Each replica serves the HSDS API beside the app (serve.py); nginx passes it on and compresses it."""
    import json

    answers = []
    for base in (service.proxy.base, *(f"http://{r.address}" for r in service.replicas)):
        request = urllib.request.Request(
            f"{base}/api/hsds/services?per_page=20", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200 and response.headers["Content-Encoding"] == "gzip"
            assert response.headers["ETag"]
            answers.append(json.loads(gzip.decompress(response.read())))
    assert answers[0]["size"] == 20 and answers[0]["total_items"] > 20
    assert answers[0] == answers[1] == answers[2]  # two hosts, one build: the same answer
    with urllib.request.urlopen(f"{service.proxy.base}/api/hsds/", timeout=10) as response:
        root = json.loads(response.read())
    assert root["version"] == "3.0" and root["openapi_url"].endswith("/api/hsds/openapi.json")
