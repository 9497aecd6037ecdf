"""Servers some tests need (PostgreSQL, an S3 server, an OIDC provider, nginx): use them, or say why not.

On a laptop without them, the tests that need one skip with the reason; in CI (``CI=true``) a missing
service fails the run instead, so a green CI always means the tests really ran against it.
``.ci/run`` (through ``scripts/test-services.sh``) starts PostgreSQL and the S3 server and exports:

* ``CIVILKORT_TEST_POSTGRES_URL``: a PostgreSQL server whose user may create databases;
* ``CIVILKORT_TEST_S3_ENDPOINT``: an S3-compatible endpoint (any key and secret are accepted).

Services that need the test's own ports (the OIDC provider, nginx) are started by their fixtures.
"""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(reason: str) -> None:
    """Skip the test for ``reason``; in CI fail it instead (a missing service is a broken CI)."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a service the tests need is missing)")
    pytest.skip(reason)


def env_url(name: str, what: str) -> str:
    """The URL in environment variable ``name``, or skip/fail naming what is missing."""
    value = os.environ.get(name, "").strip()
    if not value:
        missing(f"{what} not available: set {name} (scripts/test-services.sh start does)")
    return value


def program(name: str, what: str) -> str:
    """The path of program ``name`` on PATH, or skip/fail naming what to install."""
    path = shutil.which(name)
    if path is None:
        missing(f"{what}: '{name}' is not installed")
    return path
