"""docs/connections.md, run as a user would, against local fakes of Mastodon, Bluesky and
YouTube.

tests/docs runs every other doc's commands; this doc's commands talk to the networks, so they
are listed there as covered here (``COVERED_ELSEWHERE``). Each command runs in order in bash,
in a copy of the demo home, exactly as shown except for the servers: the doc's
``https://mastodon.social`` is the fake Mastodon's address, ``--server`` (the fake's address)
is added to the Bluesky and YouTube commands, and the servers' names in the output read as
the real ones. Outputs are compared with the doc's, with its ``...`` shortenings
(tests/docs/doctool.py); ``DOCS_UPDATE=1`` rewrites them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialpulse.bootstrap import App
from tests.docs import doctool

from .fakes import FakeBluesky, FakeMastodon, FakeYouTube, bluesky_post, youtube_video

DOC = doctool.ROOT / "docs" / "connections.md"
BIN = Path(sys.executable).parent
UPDATE = os.environ.get("DOCS_UPDATE") == "1"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeMastodon, FakeBluesky, FakeYouTube]]:
    now = datetime.now(UTC)
    m = FakeMastodon(lambda: datetime.now(UTC))
    for i in range(1, 61):
        m.post("1", 110_000_000_000_000_000 + i, now - timedelta(days=61 - i), 2 * i, i % 3,
               i % 4)
    b = FakeBluesky(lambda: datetime.now(UTC))
    for handle, did, n in (("nplf.bsky.social", "did:plc:nplf", 45),
                           ("rival.bsky.social", "did:plc:rival", 30)):
        b.add_account(handle, did, 100 * n, [
            bluesky_post(handle, did, k, now - timedelta(days=k), k, 1, 1) for k in range(1, n)])
    y = FakeYouTube(lambda: datetime.now(UTC))
    y.add_channel("@rivaloutdoor", 52_000, [
        youtube_video(k, now - timedelta(days=2 * k), 900 * k, 20 * k, k % 5)
        for k in range(1, 26)])
    yield m, b, y
    m.close()
    b.close()
    y.close()


def _command(text: str, m: FakeMastodon, b: FakeBluesky, y: FakeYouTube) -> str:
    text = text.replace("https://mastodon.social", m.url)
    for network, fake in (("bluesky", b), ("youtube", y)):
        if text.startswith(f"socialpulse connect {network}"):
            text = text.replace(" <", f" --server {fake.url} <", 1) if " <" in text \
                else f"{text} --server {fake.url}"
    return text


def test_connections_doc_runs_against_the_fakes(
        demo_app: App, tmp_path: Path,
        fakes: tuple[FakeMastodon, FakeBluesky, FakeYouTube]) -> None:
    m, b, y = fakes
    (tmp_path / "token.txt").write_text("good-token\n")
    (tmp_path / "app-password.txt").write_text(f"{b.password}\n")
    (tmp_path / "youtube-key.txt").write_text(f"{y.key}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALPULSE_")}
    env.update(SOCIALPULSE_HOME=str(demo_app.settings.home), COLUMNS="100",
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    failures: list[str] = []
    replacements: list[tuple[int, int, list[str]]] = []
    commands = doctool.parse(DOC)
    assert len(commands) >= 6
    for cmd in commands:
        proc = subprocess.run(["bash", "-c", _command(cmd.text, m, b, y)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        out = (proc.stdout + proc.stderr).replace(m.url, "https://mastodon.social").replace(
            "Mastodon 127.0.0.1", "Mastodon mastodon.social").replace(
            "Bluesky 127.0.0.1", "Bluesky bsky.social")
        lines = [ln.rstrip() for ln in out.rstrip("\n").split("\n")] if out.strip() else []
        shows_error = any("error:" in e for e in cmd.expected)
        if proc.returncode != (2 if shows_error else 0):
            failures.append(f"{cmd.where}: $ {cmd.text}: exit {proc.returncode}: {out}")
        elif cmd.expected and not doctool.matches(cmd.expected, lines):
            failures.append(f"{cmd.where}: $ {cmd.text}\n  doc:  " + "\n        ".join(
                cmd.expected) + "\n  real: " + "\n        ".join(lines))
            replacements.append((cmd.out_start, cmd.out_end,
                                 doctool.shortened(lines, cmd.expected)))
    if UPDATE and replacements:
        doctool.rewrite(DOC, replacements)
    assert not failures, "\n\n".join(failures)
