"""Servers some tests need (PostgreSQL, an S3 server, an OIDC provider, nginx): use them, or say why not.

On a laptop without them, the tests that need one skip with the reason; in CI (``CI=true``) a missing
service fails the run instead, so a green CI always means the tests really ran against it.
``.ci/run`` (through ``scripts/test-services.sh``) starts PostgreSQL and the S3 server and exports:

* ``CIVILKORT_TEST_POSTGRES_URL``: a PostgreSQL server whose user may create databases;
* ``CIVILKORT_TEST_S3_ENDPOINT``: an S3-compatible endpoint (any key and secret are accepted).

``fresh_bucket`` makes an empty bucket on the S3 server for one test (or module) and removes it afterwards.
Services that need the test's own ports (the OIDC provider, nginx) are started by their fixtures.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

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


S3_ENV = "CIVILKORT_TEST_S3_ENDPOINT"
S3_KEYS = {
    "AWS_ACCESS_KEY_ID": "civilkort-test",
    "AWS_SECRET_ACCESS_KEY": "civilkort-test",
    "AWS_DEFAULT_REGION": "us-east-1",
}
"""Dummy credentials for the test S3 server (moto accepts any); the app reads them as boto3 does."""


@contextmanager
def fresh_bucket(prefix: str = "builds") -> Iterator[tuple[str, str]]:
    """A new, empty bucket on the test S3 server, emptied and deleted afterwards.

    Yields (``s3://<bucket>/<prefix>``, endpoint URL); skips/fails without ``CIVILKORT_TEST_S3_ENDPOINT``."""
    import boto3

    endpoint = env_url(S3_ENV, "An S3 server")
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
        region_name=S3_KEYS["AWS_DEFAULT_REGION"],
    )
    bucket = f"civilkort-test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    try:
        yield f"s3://{bucket}/{prefix}", endpoint
    finally:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=obj["Key"])
        client.delete_bucket(Bucket=bucket)


def stop_process(process: subprocess.Popen) -> None:
    """End a server a test started: terminate, wait up to 10 s, then kill."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
