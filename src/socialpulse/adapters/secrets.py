"""Secrets at rest: credentials encrypted with Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from ``$SOCIALPULSE_SECRET_KEY`` (a Fernet key: 32 url-safe base64 bytes) or,
without it, from the file ``secret.key`` of the data home, created on first use with mode 0600
(readable by its owner only). A database copied without the key file (a backup, a support
dump) holds nothing usable. Losing the key loses the stored credentials, never the data: the
accounts are connected again.

What leaves this module is a token (for the database) or a `Secret` (for the connector that
sends it), never the value in a log: `SecretBox.__repr__` names the key's origin only, and
`fingerprint` gives a short, non-reversible tag people can compare ("set, 3f9a21c0").
It is the `SecretCipher` port of `services/ports.py`; other features (SMTP settings) reuse it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from socialpulse.domain.connections import Secret
from socialpulse.domain.errors import InvalidInput

ENV_KEY = "SOCIALPULSE_SECRET_KEY"
KEY_FILE = "secret.key"


def _checked(key: bytes, origin: str) -> Fernet:
    try:
        if len(base64.urlsafe_b64decode(key)) != 32:
            raise ValueError
        return Fernet(key)
    except (ValueError, TypeError):
        raise InvalidInput(f"{origin}: not a Fernet key (32 url-safe base64 bytes, e.g. from "
                           "`python -c 'from cryptography.fernet import Fernet; "
                           "print(Fernet.generate_key().decode())'`)") from None


def _file_key(path: Path) -> bytes:
    """The key file's key, creating it (0600, exclusively: two processes never write two
    keys) when it is missing."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    key = Fernet.generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it in between: use theirs
        return path.read_bytes().strip()
    try:
        os.write(fd, key + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


class SecretBox:
    """Encrypts and decrypts credentials with the data home's key (read lazily: commands that
    store no secret never create a key file)."""

    def __init__(self, home: Path, env: Mapping[str, str]) -> None:
        self._path = home / KEY_FILE
        self._env_key = (env.get(ENV_KEY) or "").strip()
        self._fernet: Fernet | None = None
        self._key = b""

    @property
    def origin(self) -> str:
        return f"${ENV_KEY}" if self._env_key else str(self._path)

    def _box(self) -> Fernet:
        if self._fernet is None:
            if self._env_key:
                key, origin = self._env_key.encode("ascii", "replace"), f"${ENV_KEY}"
            else:
                key, origin = _file_key(self._path), str(self._path)
            self._fernet, self._key = _checked(key, origin), key
        return self._fernet

    def encrypt(self, secret: Secret) -> str:
        return self._box().encrypt(secret.reveal().encode("utf-8")).decode("ascii")

    def decrypt(self, token: str, what: str) -> Secret:
        """The secret of a stored token; a clear error naming ``what`` when the key changed."""
        try:
            return Secret(self._box().decrypt(token.encode("ascii")).decode("utf-8"))
        except (InvalidToken, ValueError, UnicodeError):
            raise InvalidInput(f"{what}: the stored credentials cannot be read with the key "
                               f"in {self.origin} (was the key changed?); connect the account "
                               "again") from None

    def fingerprint(self, secret: Secret) -> str:
        """A short tag of a secret so people can tell two credentials apart: 8 hex digits of
        an HMAC-SHA256 keyed with the data home's key, so the tag cannot be used to guess a
        short app password offline without the key."""
        self._box()
        mac = hmac.new(self._key, secret.reveal().encode("utf-8"), hashlib.sha256)
        return mac.hexdigest()[:8]

    def derived_key(self, purpose: str) -> bytes:
        """A 32-byte key for one ``purpose`` (e.g. signing the web pages' CSRF tokens), derived
        from this home's key: the same in every process that shares the key (several server
        processes, a restart), and telling nothing about the key itself (HMAC-SHA256)."""
        self._box()
        return hmac.new(self._key, b"socialpulse derived key: " + purpose.encode("utf-8"),
                        hashlib.sha256).digest()

    def __repr__(self) -> str:
        return f"SecretBox(key from {self.origin})"
