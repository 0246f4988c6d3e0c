"""A real PostgreSQL server for the tests, started once per test session.

Defined here and imported by tests/conftest.py only: a session fixture imported into several
test modules becomes one fixture per module, and each would start its own server.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from socialpulse.adapters.store import Store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1, started by the test."""
    url = os.environ.get("SOCIALPULSE_TEST_PG_URL")
    if url:
        yield url
        return
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = bins[-1] if bins else shutil.which("initdb")
    if not initdb:
        if os.environ.get("CI"):
            pytest.fail(
                "PostgreSQL server binaries are required in CI (apt-get install postgresql)"
            )
        pytest.skip("PostgreSQL server binaries not installed")
    bindir = Path(initdb).parent
    # not under pytest's tmp folder: its parents are private to root, and the server runs as
    # the postgres user when the tests run as root (initdb refuses to run as root)
    base = Path(tempfile.mkdtemp(prefix="socialpulse-pg-"))
    data = base / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        base.chmod(0o777)
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "--auth=trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    opts = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-w",
            "-l",
            str(data / "log"),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        admin = Store(f"postgresql://postgres@127.0.0.1:{port}/postgres")
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("CREATE DATABASE socialpulse_test"))
        admin.dispose()
        yield f"postgresql://postgres@127.0.0.1:{port}/socialpulse_test"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)
