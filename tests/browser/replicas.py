"""App replicas behind nginx on loopback, started the way production starts them.

Each replica is ``deploy/entrypoint.sh`` (the image's entrypoint) on its own 127.0.0.1 port with its own
environment; nginx runs ``deploy/nginx.conf.template`` rendered with those ports, inside a small main
configuration that keeps every file in a temporary prefix and logs which replica served each request.
Used by tests/browser/test_proxy.py; a test that adds PostgreSQL and the S3 server passes their settings
in ``env`` (``shared_backends()`` makes them: a fresh database and bucket, migrated by ``run_entrypoint``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.appserver import free_port, require_browser
from tests.conftest import PROJECT_ROOT
from tests.services import S3_KEYS, fresh_bucket, program, stop_process

MARKS = [pytest.mark.browser, pytest.mark.replicas, pytest.mark.postgres, pytest.mark.s3, pytest.mark.slow]
"""The markers of a test module that starts replicas (``pytestmark = MARKS``): Chromium, nginx, PostgreSQL, S3."""
ENTRYPOINT = PROJECT_ROOT / "deploy" / "entrypoint.sh"
NGINX_TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf.template"
AFFINITY_COOKIE = "civilkort_replika"
START_TIMEOUT = 240
"""Seconds a replica may take to answer: `etl warm` fetches the build and publishes every area's map files first
(25 s each measured with two replicas warming at once on two cores shared with other work)."""
LOG_FIELDS = re.compile(r'^(?P<msec>\S+) (?P<key>\S+) "(?P<uri>[^"]*)" (?P<status>\d+) (?P<upstream>.*)$')

MAIN_CONFIG = """\
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    log_format replicas '$msec $civilkort_affinity "$request_uri" $status $upstream_addr';
    access_log {prefix}/access.log replicas;
    include {prefix}/civilkort.conf;
}}
"""
"""The test's main nginx.conf: the site is the deploy template, everything else stays in ``prefix``."""


def render_site(listen: str, backends: Sequence[str]) -> str:
    """deploy/nginx.conf.template with LISTEN and BACKENDS filled in (as the nginx image's envsubst does)."""
    servers = " ".join(f"server {b} max_fails=3 fail_timeout=10s;" for b in backends)
    text = NGINX_TEMPLATE.read_text(encoding="utf-8")
    text = text.replace("${LISTEN}", listen).replace("${BACKENDS}", servers)
    assert "${" not in text, "a placeholder in deploy/nginx.conf.template is not filled in"
    return text


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class Replica:
    """One ``deploy/entrypoint.sh`` process serving the app on 127.0.0.1:``port``."""

    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the entrypoint and wait until the replica answers /_stcore/health."""
        self.launch()
        self.wait_healthy()

    def launch(self) -> None:
        """Start the entrypoint without waiting (replicas start side by side)."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(ENTRYPOINT)], cwd=PROJECT_ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_healthy(self) -> None:
        """Wait until the replica answers /_stcore/health; fail with its log when it exits or times out."""
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(f"http://{self.address}/_stcore/health"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"replika {self.name} startede ikke:\n{self.log_text()[-4000:]}")
            time.sleep(0.2)

    def kill(self) -> None:
        """Kill the replica at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@dataclass
class Proxy:
    """nginx in the foreground with its own prefix; ``requests()`` reads its access log."""

    base: str
    prefix: Path
    process: subprocess.Popen

    def requests(self) -> list[dict[str, str]]:
        """Each logged request: ``key`` (the affinity key), ``uri``, ``status`` and ``upstream`` (the
        replica that finally answered; nginx lists every one it tried)."""
        path = self.prefix / "access.log"
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        rows = []
        for line in lines:
            match = LOG_FIELDS.match(line)
            if match:
                row = match.groupdict()
                row["tried"] = row["upstream"]
                row["upstream"] = row["upstream"].split(",")[-1].strip()
                rows.append(row)
        return rows

    def stop(self) -> None:
        stop_process(self.process)

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


@dataclass
class ReplicaSet:
    """The replicas and the proxy in front of them."""

    replicas: list[Replica]
    proxy: Proxy
    by_address: dict[str, Replica] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_address = {r.address: r for r in self.replicas}

    def served(self, key: str, uri: str = "/") -> list[Replica]:
        """The replicas that answered ``uri`` for affinity ``key``, in order (from the access log)."""
        return [
            self.by_address[row["upstream"]]
            for row in self.proxy.requests()
            if row["key"] == key and row["uri"] == uri and row["upstream"] in self.by_address
        ]

    def diagnostics(self) -> str:
        """Logs for a failure message: each replica's tail and nginx's error log."""
        parts = [f"--- {r.name} ({r.address}) ---\n{r.log_text()[-3000:]}" for r in self.replicas]
        parts.append(f"--- nginx error.log ---\n{self.proxy.error_log()[-3000:]}")
        return "\n".join(parts)


def etl_has(command: str) -> bool:
    """True when ``python -m etl`` offers ``command`` (e.g. ``warm``, added with the object store)."""
    from etl.cli import parser

    subparsers = next(a for a in parser()._actions if a.dest == "command")  # noqa: SLF001 - argparse
    return command in subparsers.choices


def start_proxy(prefix: Path, backends: Sequence[str]) -> Proxy:
    """nginx on a free loopback port in front of ``backends``; waits until it answers."""
    nginx = program("nginx", "nginx (apt-get install nginx-light)")
    port = free_port()
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    (prefix / "civilkort.conf").write_text(render_site(f"127.0.0.1:{port}", backends), encoding="utf-8")
    config = prefix / "nginx.conf"
    config.write_text(MAIN_CONFIG.format(prefix=prefix), encoding="utf-8")
    check = subprocess.run([nginx, "-t", "-q", "-c", str(config), "-p", str(prefix)], capture_output=True)
    assert check.returncode == 0, check.stderr.decode(errors="replace")
    with (prefix / "stderr.log").open("wb") as out:
        process = subprocess.Popen([nginx, "-c", str(config), "-p", str(prefix)], stderr=out, stdout=out)
    proxy = Proxy(f"http://127.0.0.1:{port}", prefix, process)
    deadline = time.monotonic() + 20
    while not _answers(f"{proxy.base}/_stcore/health"):
        if process.poll() is not None or time.monotonic() > deadline:
            proxy.stop()
            pytest.fail(f"nginx startede ikke:\n{proxy.error_log()[-3000:]}")
        time.sleep(0.1)
    return proxy


def replica_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every replica (and a one-off entrypoint command) runs with, plus ``env``."""
    base_env = {
        **os.environ,
        "PYTHON": sys.executable,
        "PYTHONUNBUFFERED": "1",
        "CIVILKORT_LISTEN_ADDRESS": "127.0.0.1",
        **({} if etl_has("warm") else {"CIVILKORT_WARM_ON_START": "0"}),
        **(env or {}),
    }
    base_env.pop("CIVILKORT_STATIC_DIR", None)  # Streamlit serves the app's own static/ (Leaflet, map files)
    return base_env


@contextmanager
def shared_backends() -> Iterator[dict[str, str]]:
    """The settings replicas share one world with: a fresh PostgreSQL database (``CIVILKORT_DATABASE_URL``,
    from CIVILKORT_TEST_POSTGRES_URL) and a fresh S3 bucket (``CIVILKORT_OBJECT_STORE_URL``, on
    CIVILKORT_TEST_S3_ENDPOINT), one cookie secret, migrations left to ``deploy/entrypoint.sh migrate``
    (``CIVILKORT_MIGRATE=manual``, as in production). Both are dropped at the end."""
    from tests.stores import fresh_database

    with fresh_database() as database_url, fresh_bucket() as (bucket_url, endpoint):
        yield {
            **S3_KEYS,
            "CIVILKORT_DATABASE_URL": database_url,
            "CIVILKORT_OBJECT_STORE_URL": bucket_url,
            "CIVILKORT_S3_ENDPOINT_URL": endpoint,
            "CIVILKORT_COOKIE_SECRET": uuid.uuid4().hex + uuid.uuid4().hex,
            "CIVILKORT_MIGRATE": "manual",
        }


def run_entrypoint(args: Sequence[str], env: Mapping[str, str], data_dir: Path, timeout: float = 300) -> str:
    """``deploy/entrypoint.sh ARGS`` as a one-off (e.g. ``migrate``, ``etl demo …``) with ``env`` added;
    fails the test with its output unless it exits 0; returns the output."""
    environment = {**os.environ, "PYTHON": sys.executable, **env, "CIVILKORT_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [str(ENTRYPOINT), *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        pytest.fail(f"entrypoint.sh {' '.join(args)} fejlede (kode {done.returncode}):\n{output[-4000:]}")
    return output


@contextmanager
def replicas_behind_nginx(
    data_dirs: Sequence[Path], work_dir: Path, env: Mapping[str, str] | None = None
) -> Iterator[ReplicaSet]:
    """One replica per data folder (``deploy/entrypoint.sh``), nginx in front; all stopped at the end.

    ``env`` is added to every replica's environment (e.g. CIVILKORT_DATABASE_URL). ``etl warm`` runs as in
    production when the ETL has it; before that command exists, the replicas start with the entrypoint's
    explicit CIVILKORT_WARM_ON_START=0.
    """
    require_browser()
    program("nginx", "nginx (apt-get install nginx-light)")
    base_env = replica_environment(env)
    with ExitStack() as stack:
        replicas = []
        for n, data_dir in enumerate(data_dirs, start=1):
            port = free_port()
            replica = Replica(
                f"replika-{n}",
                port,
                {**base_env, "PORT": str(port), "CIVILKORT_DATA_DIR": str(data_dir)},
                work_dir / f"replika-{n}.log",
            )
            stack.callback(replica.stop)
            replica.launch()
            replicas.append(replica)
        for replica in replicas:
            replica.wait_healthy()
        proxy = start_proxy(work_dir / "nginx", [r.address for r in replicas])
        stack.callback(proxy.stop)
        yield ReplicaSet(replicas, proxy)


def keys_per_replica(service: ReplicaSet, per_replica: int) -> dict[str, list[str]]:
    """Affinity keys that nginx sends to each replica (``per_replica`` each), found by one request per key."""
    found: dict[str, list[str]] = {r.name: [] for r in service.replicas}
    for n in range(200):
        key = f"leser-{n}"
        request = urllib.request.Request(
            f"{service.proxy.base}/", headers={"Cookie": f"{AFFINITY_COOKIE}={key}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
        deadline = time.monotonic() + 10
        while not (served := service.served(key)) and time.monotonic() < deadline:
            time.sleep(0.02)  # nginx writes the log line just after the last byte
        assert served, f"nginx loggede ikke forespørgslen for {key}"
        if len(found[served[0].name]) < per_replica:
            found[served[0].name].append(key)
        if all(len(keys) == per_replica for keys in found.values()):
            return found
    raise AssertionError(f"nginx fordelte ikke nøglerne på begge replikaer: {found}")
