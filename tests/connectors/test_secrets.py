"""Secrets at rest: Fernet with a key from the environment or a 0600 key file, never shown."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from socialpulse.adapters.secrets import KEY_FILE, SecretBox
from socialpulse.domain.connections import Secret
from socialpulse.domain.errors import InvalidInput


def test_key_file_created_0600_on_first_use_only(tmp_path: Path) -> None:
    box = SecretBox(tmp_path, {})
    assert not (tmp_path / KEY_FILE).exists()  # nothing stored yet: no key file
    token = box.encrypt(Secret("s3cret-token"))
    mode = stat.S_IMODE(os.stat(tmp_path / KEY_FILE).st_mode)
    assert mode == 0o600
    assert "s3cret-token" not in token
    again = SecretBox(tmp_path, {})  # another process reads the same key
    assert again.decrypt(token, "x").reveal() == "s3cret-token"


def test_environment_key_wins_and_a_changed_key_is_named(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    box = SecretBox(tmp_path, {"SOCIALPULSE_SECRET_KEY": key})
    token = box.encrypt(Secret("abc"))
    assert not (tmp_path / KEY_FILE).exists()
    assert Fernet(key.encode()).decrypt(token.encode()) == b"abc"
    other = SecretBox(tmp_path, {"SOCIALPULSE_SECRET_KEY": Fernet.generate_key().decode()})
    with pytest.raises(InvalidInput, match=r"Mastodon a@b: the stored credentials cannot be "
                       r"read with the key in \$SOCIALPULSE_SECRET_KEY"):
        other.decrypt(token, "Mastodon a@b")
    with pytest.raises(InvalidInput, match=r"\$SOCIALPULSE_SECRET_KEY: not a Fernet key"):
        SecretBox(tmp_path, {"SOCIALPULSE_SECRET_KEY": "short"}).encrypt(Secret("x"))


def test_secrets_never_show_in_repr_logs_or_fingerprints(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    s = Secret("hunter2-app-password")
    box = SecretBox(tmp_path, {})
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("socialpulse.test").info("connecting with %r / %s", s, s)
    assert "hunter2" not in caplog.text and "***" in caplog.text
    assert "hunter2" not in repr(box) and "hunter2" not in repr(s) and "hunter2" not in str(s)
    fp = box.fingerprint(s)
    assert len(fp) == 8 and fp == box.fingerprint(Secret("hunter2-app-password"))
    assert fp != box.fingerprint(Secret("hunter3-app-password"))
    assert fp != SecretBox(tmp_path / "other", {}).fingerprint(s)  # keyed by the home's key
