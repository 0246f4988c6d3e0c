"""docs/publishing.md, run as a user would, against the publishing fakes of Mastodon and
Bluesky (listed in tests/docs' ``COVERED_ELSEWHERE``, as docs/connections.md is).

Each command runs in order in bash, in a copy of the demo home, as shown except for the
servers (the doc's ``https://mastodon.social`` is the fake's address; ``--server`` is added to
the Bluesky command); outputs are compared with the doc's, ``DOCS_UPDATE=1`` rewrites them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialpulse.bootstrap import App
from tests.docs import doctool

from .fakes import PublishingBluesky, PublishingMastodon

DOC = doctool.ROOT / "docs" / "publishing.md"
BIN = Path(sys.executable).parent
UPDATE = os.environ.get("DOCS_UPDATE") == "1"


@pytest.fixture
def fakes() -> Iterator[tuple[PublishingMastodon, PublishingBluesky]]:
    m = PublishingMastodon(lambda: datetime.now(UTC))
    b = PublishingBluesky(lambda: datetime.now(UTC))
    b.add_account("nplf.bsky.social", "did:plc:nplf", 4500, [])
    yield m, b
    m.close()
    b.close()


def _command(text: str, m: PublishingMastodon, b: PublishingBluesky) -> str:
    text = text.replace("https://mastodon.social", m.url)
    if text.startswith("socialpulse connect bluesky"):
        text = text.replace(" <", f" --server {b.url} <", 1)
    return text


def test_publishing_doc_runs_against_the_fakes(
        demo_app: App, tmp_path: Path,
        fakes: tuple[PublishingMastodon, PublishingBluesky]) -> None:
    m, b = fakes
    (tmp_path / "token.txt").write_text("good-token\n")
    (tmp_path / "app-password.txt").write_text(f"{b.password}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALPULSE_")}
    env.update(SOCIALPULSE_HOME=str(demo_app.settings.home), COLUMNS="100",
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    failures: list[str] = []
    replacements: list[tuple[int, int, list[str]]] = []
    commands = doctool.parse(DOC)
    assert len(commands) >= 9
    for cmd in commands:
        proc = subprocess.run(["bash", "-c", _command(cmd.text, m, b)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        out = (proc.stdout + proc.stderr).replace(m.url, "https://mastodon.social").replace(
            "Mastodon 127.0.0.1", "Mastodon mastodon.social").replace(
            "Bluesky 127.0.0.1", "Bluesky bsky.social")
        lines = [ln.rstrip() for ln in out.rstrip("\n").split("\n")] if out.strip() else []
        shows_error = any("error:" in e for e in cmd.expected)
        if proc.returncode != (2 if shows_error else 0):
            failures.append(f"{cmd.where}: $ {cmd.text}: exit {proc.returncode}: {out}")
        elif not doctool.matches(cmd.expected, lines):
            failures.append(f"{cmd.where}: $ {cmd.text}\n  doc:  " + "\n        ".join(
                cmd.expected) + "\n  real: " + "\n        ".join(lines))
            replacements.append((cmd.out_start, cmd.out_end,
                                 doctool.shortened(lines, cmd.expected)))
    if UPDATE and replacements:
        doctool.rewrite(DOC, replacements)
    assert not failures, "\n\n".join(failures)
    assert m.texts() == {} and b.creates == 0  # scheduled for 2027, then cancelled
