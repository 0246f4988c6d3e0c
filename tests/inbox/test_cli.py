"""`socialpulse inbox` on a real home: list and filter, page on, assign (by hand and round
robin), close, note, tag, claim, answered elsewhere, the SLA and care metrics; bad input is one
line and exit 2 and changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.actor import Actor
from socialpulse.domain.inbox import InboxFilter, Message, MessageKind
from socialpulse.interfaces.cli.main import main

ME = Actor.local("tester")
NOW = datetime.now(UTC).replace(microsecond=0)
WHO = local_actor().name  # the CLI acts as the local user


@pytest.fixture
def home(empty_app: App) -> Path:
    empty_app.workspaces.create(ME, "acme", "Acme", "UTC")
    ws = empty_app.workspace("acme")
    msgs = [Message("mastodon" if i % 2 else "bluesky", "acme", f"m{i}", MessageKind.MENTION,
                    f"person{i}", f"message {i}" + (" refund please" if i == 3 else ""),
                    NOW - timedelta(hours=10 - i), None, 5, "en",
                    "negative" if i == 3 else "neutral") for i in range(5)]
    msgs.append(Message("mastodon", "acme", "r1", MessageKind.REPLY, "acme", "on it",
                        NOW - timedelta(hours=6, minutes=30), "m3", 0, "en", "", True))
    empty_app.inbox.receive(ME, ws, msgs)
    home: Path = empty_app.settings.home
    return home


def _run(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _ids(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> list[int]:
    code, out, err = _run(capsys, home, "inbox", "list", "--format", "json", *args)
    assert code == 0, err
    return [r["id"] for r in json.loads(out)]


def test_list_filters_and_pages(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    code, out, _ = _run(capsys, home, "inbox", "list", "--limit", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "network", "author", "kind", "status", "assignee",
                                "priority", "waiting", "due", "preview"]
    assert "person4" in lines[2] and "person3" in lines[3]
    cursor = lines[-1].removeprefix("more: --after ")
    code, out, _ = _run(capsys, home, "inbox", "list", "--limit", "2", "--after", cursor)
    assert "person2" in out and "person1" in out and "person4" not in out
    everything = _ids(capsys, home)
    assert len(everything) == 5
    assert len(_ids(capsys, home, "--network", "bluesky")) == 3
    assert len(_ids(capsys, home, "--unanswered")) == 4
    assert len(_ids(capsys, home, "--older-than", "8h")) == 3  # m0, m1, m2
    code, out, _ = _run(capsys, home, "inbox", "show", str(everything[1]))
    assert "priority high (55): negative +30; refund +25" in out
    assert "(us) acme: on it" in out


def test_assign_close_note_tag_claim(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    ids = _ids(capsys, home)
    code, out, err = _run(capsys, home, "inbox", "assign", str(ids[0]), "--to", "ana")
    assert (code, out) == (0, f"conversation {ids[0]}: assigned to ana\n"), err
    code, out, _ = _run(capsys, home, "inbox", "assign", *map(str, ids[1:4]),
                        "--round-robin", "ana,ben")
    assert [line.rsplit(" ", 1)[1] for line in out.splitlines()] == ["ana", "ben", "ana"]
    assert _ids(capsys, home, "--assignee", "ben") == [ids[2]]
    assert _ids(capsys, home, "--assignee", "none") == [ids[4]]
    code, out, _ = _run(capsys, home, "inbox", "status", "closed", str(ids[0]), str(ids[1]))
    assert out.splitlines() == [f"conversation {ids[0]}: closed",
                                f"conversation {ids[1]}: closed"]
    assert _ids(capsys, home, "--status", "closed") == ids[:2]
    code, out, _ = _run(capsys, home, "inbox", "note", str(ids[2]), "asked for the order id")
    assert code == 0 and "note" in out
    code, out, _ = _run(capsys, home, "inbox", "tag", str(ids[2]), "Billing")
    assert out == f"conversation {ids[2]}: tags billing\n"
    assert _ids(capsys, home, "--tag", "billing") == [ids[2]]
    code, out, _ = _run(capsys, home, "inbox", "claim", str(ids[2]))
    assert out == f"conversation {ids[2]}: {WHO} is on it\n"
    code, out, _ = _run(capsys, home, "inbox", "answered-elsewhere", str(ids[4]))
    assert code == 0 and ids[4] not in _ids(capsys, home, "--unanswered")
    code, out, _ = _run(capsys, home, "inbox", "show", str(ids[2]), "--format", "json")
    shown = json.loads(out)
    assert (shown["tags"], shown["claimed_by"], shown["notes"][0]["text"]) == (
        ["billing"], WHO, "asked for the order id")


def test_sla_and_care(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    code, out, _ = _run(capsys, home, "inbox", "sla")
    assert out == "acme (UTC): no SLA\n"
    code, out, _ = _run(capsys, home, "inbox", "sla", "--minutes", "60", "--hours",
                        "mon-sun 00:00-23:59")
    assert out.startswith("acme (UTC): first response within 60 business minutes (mon ")
    ids = _ids(capsys, home)
    _run(capsys, home, "inbox", "status", "closed", str(ids[1]))
    day = f"{NOW - timedelta(days=1):%Y-%m-%d}"
    code, out, err = _run(capsys, home, "inbox", "care", "--from", day, "--to",
                          f"{NOW:%Y-%m-%d}", "--format", "json")
    assert code == 0, err
    f = json.loads(out)
    # 5 conversations, m3 answered 30 minutes after it arrived (within 60 minutes); the
    # others are all past their due instant without an answer
    assert (f["conversations"], f["answered"], f["response_rate"]) == (5, 1, 0.2)
    assert (f["first_response_median_min"], f["first_response_p90_min"]) == (30, 30)
    assert (f["sla_measured"], f["sla_within"], f["share_within_sla"]) == (5, 1, 0.2)
    assert f["handled_per_agent"] == {WHO: 1}
    code, out, _ = _run(capsys, home, "inbox", "care", "--from", day, "--to",
                        f"{NOW:%Y-%m-%d}")
    assert "response rate 20%" in out and "median 30 min, p90 30 min" in out


@pytest.mark.parametrize("args, message", [
    (["list", "--status", "done"], "--status: unknown status 'done'"),
    (["list", "--older-than", "soon"], "older than: cannot read 'soon'"),
    (["list", "--after", "x"], "after: 'x' is not a page cursor"),
    (["assign", "1", "--to", "a", "--unassign"], "give exactly one of --to, --round-robin"),
    (["note", "424242", "hi"], "conversation 424242 not found"),
    (["sla", "--minutes", "60", "--hours", "mon 9-5"], "sla hours: cannot read 'mon 9-5'"),
    (["care", "--from", "may", "--to", "2026-01-01"], "--from: 'may' is not a date"),
])
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], home: Path,
                                          args: list[str], message: str) -> None:
    code, out, err = _run(capsys, home, "inbox", *args)
    assert code == 2 and err.startswith("socialpulse: error: ") and message in err
    assert len(err.splitlines()) == 1


def test_a_bulk_action_with_a_wrong_id_changes_nothing(capsys: pytest.CaptureFixture[str],
                                                       home: Path, empty_app: App) -> None:
    ids = _ids(capsys, home)
    code, _, err = _run(capsys, home, "inbox", "status", "closed", str(ids[0]), "999999")
    assert code == 2 and "conversation 999999 not found" in err
    rows = empty_app.inbox.page(empty_app.workspace("acme"), InboxFilter()).rows
    assert all(r.conversation.status.value == "open" for r in rows)
