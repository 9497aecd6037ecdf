"""The object store on S3 (AWS, MinIO, Ceph, a test server) through boto3.

Credentials and region come from the standard AWS environment and configuration files, which boto3
reads itself.  Uploads use boto3's managed transfer (multipart above 8 MB) with the SHA-256 as object
metadata; the pointer is switched with a conditional write (``If-Match`` on its ETag, or
``If-None-Match: *`` for the first), so two builders on different hosts cannot both win.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from civilkort.builds import BUILD_PREFIX, BUILD_SUFFIX, BuildRef, PointerMoved
from civilkort.objectstore import POINTER_KEY, BuildFetchError, ObjectInfo, ObjectStoreError

SHA256_METADATA = "sha256"
_CONFIG = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})


@lru_cache(maxsize=8)
def _client(endpoint_url: str | None):
    # creating a client costs tens of milliseconds; a client is safe to share between threads
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=_CONFIG)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Store:
    """Builds as ``s3://bucket/prefix/<name>`` and the pointer as ``…/current.json``."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.client = _client(endpoint_url)

    def _key(self, name: str) -> str:
        name = BuildRef(name).name if name != POINTER_KEY else name
        return f"{self.prefix}/{name}" if self.prefix else name

    def _failed(self, what: str, exc: Exception, kind: type[ObjectStoreError] = ObjectStoreError):
        detail = _code(exc) if isinstance(exc, ClientError) else type(exc).__name__
        return kind(f"{what} i {self.url} mislykkedes ({detail}).")

    def put(self, path: Path, name: str, *, sha256: str) -> None:
        """Managed upload (multipart for big files) with the digest as metadata."""
        try:
            self.client.upload_file(
                str(path), self.bucket, self._key(name), ExtraArgs={"Metadata": {SHA256_METADATA: sha256}}
            )
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(f"Upload af {name}", exc) from exc

    def get(self, name: str, dest: Path) -> None:
        """Managed download to ``dest``."""
        try:
            self.client.download_file(self.bucket, self._key(name), str(dest))
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(f"Hentning af {name}", exc, BuildFetchError) from exc

    def info(self, name: str) -> ObjectInfo | None:
        """HEAD the object."""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise self._failed(f"Opslag af {name}", exc) from exc
        except BotoCoreError as exc:
            raise self._failed(f"Opslag af {name}", exc) from exc
        return ObjectInfo(
            name,
            int(head["ContentLength"]),
            head.get("Metadata", {}).get(SHA256_METADATA),
            head["LastModified"].timestamp(),
        )

    def builds(self) -> list[ObjectInfo]:
        """List the build objects under the prefix (sizes and times from the listing, no digest)."""
        start = self._key(BUILD_PREFIX + "x")[:-1]
        found = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start
            ):
                for obj in page.get("Contents", []):
                    name = obj["Key"].rsplit("/", 1)[-1]
                    if name.endswith(BUILD_SUFFIX):
                        found.append(
                            ObjectInfo(name, int(obj["Size"]), None, obj["LastModified"].timestamp())
                        )
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("Listning af databaser", exc) from exc
        return found

    def delete(self, name: str) -> None:
        """Delete the object."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(name))
        except (BotoCoreError, ClientError) as exc:
            raise self._failed(f"Sletning af {name}", exc) from exc

    def read_pointer(self) -> tuple[dict | None, str | None]:
        """GET the pointer; its ETag is the version token."""
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self._key(POINTER_KEY))
            return json.loads(got["Body"].read()), got["ETag"]
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None, None
            raise self._failed("Læsning af hvilken database der vises", exc) from exc
        except BotoCoreError as exc:
            raise self._failed("Læsning af hvilken database der vises", exc) from exc

    def write_pointer(self, data: dict, *, token: str | None) -> None:
        """PUT the pointer only if its ETag is still ``token`` (or, for None, if there is none yet)."""
        condition = {"IfMatch": token} if token else {"IfNoneMatch": "*"}
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(POINTER_KEY),
                Body=json.dumps(data, indent=1).encode("utf-8"),
                ContentType="application/json",
                **condition,
            )
        except ClientError as exc:
            if _code(exc) in ("PreconditionFailed", "412", "ConditionalRequestConflict", "409"):
                raise PointerMoved(None, None) from exc
            raise self._failed("Skift af database", exc) from exc
        except BotoCoreError as exc:
            raise self._failed("Skift af database", exc) from exc
