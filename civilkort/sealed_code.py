"""A workshop's running code, kept so that a coordinator can show it again, never in clear text.

The code is sealed with AES-GCM (``cryptography``) under a key derived (HKDF-SHA256, this module's own
label) from the service's cookie secret, the same secret that signs the session cookie
(:mod:`civilkort.session_token`; every replica has it). The workshop's id and the code's hash are bound in
as associated data: a sealed code copied to another workshop, or left beside a newer hash, does not open.
Joins are still checked against the salted hash (:func:`civilkort.auth.check_code`), never against this.

Without the secret (a different one, or none given) the code simply cannot be shown again: the
coordinator makes a new one.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PREFIX = "aesgcm1$"
_INFO = b"civilkort.workshop-code.v1"


def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())


def _bound(workshop_id: str, code_hash: str) -> bytes:
    return f"{workshop_id}|{code_hash}".encode()


def seal(code: str, secret: str, *, workshop_id: str, code_hash: str) -> str:
    """The code sealed for this workshop and this hash: 'aesgcm1$' + base64(nonce + ciphertext + tag)."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key(secret)).encrypt(nonce, code.encode(), _bound(workshop_id, code_hash))
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(sealed: str | None, secret: str, *, workshop_id: str, code_hash: str) -> str | None:
    """The code, or None when it cannot be shown (none kept, another secret, another workshop or hash)."""
    if not sealed or not sealed.startswith(_PREFIX):
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed[len(_PREFIX) :].encode("ascii"))
        plain = AESGCM(_key(secret)).decrypt(raw[:12], raw[12:], _bound(workshop_id, code_hash))
    except (InvalidTag, ValueError, binascii.Error):
        return None
    return plain.decode()
