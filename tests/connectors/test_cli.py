"""`socialpulse connect` and `socialpulse connections` against the local fakes (real clock)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.interfaces.cli.main import main

from .fakes import FakeBluesky, FakeMastodon, bluesky_post


@pytest.fixture
def home(empty_app: App) -> Path:
    empty_app.workspaces.create(Actor.local("tester"), "acme", "Acme", "UTC")
    home: Path = empty_app.settings.home
    return home


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    f = FakeMastodon(lambda: datetime.now(UTC))
    now = datetime.now(UTC)
    for i in range(1, 51):
        f.post("1", 110_000_000_000_000_000 + i, now - timedelta(days=51 - i), i, 0, 1)
    yield f
    f.close()


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], home: Path,
         *args: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--home", str(home), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_connect_list_pause_resume_remove(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], home: Path,
                                          mastodon: FakeMastodon) -> None:
    code, out, err = _run(monkeypatch, capsys, home, "connect", "mastodon", "--instance",
                          mastodon.url, "--token-stdin", stdin="good-token\n")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("connected Mastodon Gargron@mastodon.social (own account; "
                               "connection 1; credentials set, fingerprint ")
    assert lines[1].endswith(": 50 posts read (50 new), followers "
                             f"{mastodon.account['followers_count']}")
    code, out, _ = _run(monkeypatch, capsys, home, "connections", "list", "-f", "json")
    [row] = json.loads(out)
    assert row["posts"] == 50 and row["credentials"].startswith("set (")
    assert row["quota_left"].startswith(f"{300 - len(mastodon.requests)} of 300 until ")
    db = b"".join(p.read_bytes() for p in home.glob("socialpulse.db*"))
    assert "good-token" not in out and b"good-token" not in db and b"gAAAA" in db
    assert _run(monkeypatch, capsys, home, "connections", "pause", "1")[1] == \
        "paused Mastodon Gargron@mastodon.social (connection 1)\n"
    code, _, err = _run(monkeypatch, capsys, home, "connections", "sync", "1")
    assert code == 2 and err == ("socialpulse: error: Mastodon Gargron@mastodon.social is "
                                 "paused; `socialpulse connections resume 1` first\n")
    code, out, _ = _run(monkeypatch, capsys, home, "connections", "resume",
                        "gargron@mastodon.social")
    assert code == 0 and out.startswith("resumed Mastodon Gargron@mastodon.social")
    code, out, _ = _run(monkeypatch, capsys, home, "connections", "remove", "mastodon:1")
    assert code == 2  # "mastodon:1" names a handle "1": no such connection
    code, out, _ = _run(monkeypatch, capsys, home, "connections", "remove", "1")
    assert code == 0 and "its credentials are deleted" in out
    assert _run(monkeypatch, capsys, home, "connections", "list")[1].startswith(
        "no connected accounts in workspace 'acme'")


def test_refusals_are_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str], home: Path,
                                          mastodon: FakeMastodon) -> None:
    cases = [
        (["connect", "mastodon", "--instance", mastodon.url, "--token-stdin"], "bad\n",
         "credentials were refused (The access token is invalid): the access token is wrong"),
        (["connect", "mastodon", "--instance", mastodon.url, "--token-stdin"], "",
         "--token-stdin: nothing on standard input"),
        (["connect", "mastodon", "--instance", "http://example.com", "--token-stdin"], "t\n",
         "--instance: 'http://example.com' is not a server address"),
        (["connect", "mastodon", "--instance", mastodon.url], "",
         "give --token-stdin (your account) or --public"),
        (["connections", "sync", "nobody"], "", "no connection 'nobody' in workspace 'acme'"),
    ]
    for args, stdin, words in cases:
        code, out, err = _run(monkeypatch, capsys, home, *args, stdin=stdin)
        assert code == 2 and len(err.splitlines()) == 1 and words in err, (args, err)
        assert "Traceback" not in err and "ConnectorError" not in err


def test_bluesky_public_competitor_shows_in_compare(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str],
                                                     home: Path) -> None:
    now = datetime.now(UTC)
    fake = FakeBluesky(lambda: datetime.now(UTC))
    try:
        did = "did:plc:rival"
        fake.add_account("rival.bsky.social", did, 900, [
            bluesky_post("rival.bsky.social", did, n, now - timedelta(days=n), 10 * n, 1, 2)
            for n in range(1, 21)])
        code, out, err = _run(monkeypatch, capsys, home, "connect", "bluesky", "--public",
                              "--handle", "rival.bsky.social", "--server", fake.url,
                              "--brand", "Rival")
        assert code == 0, err
        assert "connected Bluesky rival.bsky.social (public data; connection 1; public " \
            "data, no credentials)" in out
        code, out, err = _run(monkeypatch, capsys, home, "compare", "--period", "last30",
                              "--metrics", "posts", "-f", "json")
        assert code == 0, err
        rival = [b for b in json.loads(out)["brands"] if b["brand"] == "Rival"]
        assert rival and rival[0]["own"] is False
        assert rival[0]["values"]["posts"] == 20  # from public data alone, no export
    finally:
        fake.close()


def test_no_sync_then_sync_what_is_due(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str], home: Path,
                                       mastodon: FakeMastodon) -> None:
    code, out, err = _run(monkeypatch, capsys, home, "connect", "mastodon", "--instance",
                          mastodon.url, "--token-stdin", "--no-sync", stdin="good-token\n")
    assert code == 0, err
    assert out.splitlines()[1] == "first sync queued as job 1: `socialpulse worker` runs it"
    assert mastodon.requests == ["/api/v1/accounts/verify_credentials"]  # the test call only
    code, out, err = _run(monkeypatch, capsys, home, "connections", "sync")
    assert code == 0, err
    assert out.endswith(": 50 posts read (50 new), followers "
                        f"{mastodon.account['followers_count']}\n")
    code, out, _ = _run(monkeypatch, capsys, home, "connections", "sync")
    assert (code, out) == (0, "no connection is due\n")
