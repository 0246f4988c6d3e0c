"""The inbox on SQLite and a real PostgreSQL: threading, idempotent receiving, filters and
keyset pages, atomic claims, round robin, statuses, notes, roles, SLA timers and care metrics
equal to values computed by hand."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from socialpulse.adapters.store import Store
from socialpulse.bootstrap import App, open_home
from socialpulse.domain.actor import Actor, ActorKind
from socialpulse.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from socialpulse.domain.inbox import (
    UNASSIGNED,
    InboxFilter,
    Message,
    MessageKind,
    Status,
    parse_cursor,
)
from socialpulse.domain.roles import Role
from socialpulse.services.inbox import InboxService
from socialpulse.settings import Settings

ME = Actor.local("tester")
T0 = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # Friday 16:30 in Berlin


def _user(name: str, role: Role, uid: int) -> Actor:
    return Actor(f"user:{uid}", name, ActorKind.USER, user_id=uid, roles=(("acme", role),))


ANA, BEN = _user("ana", Role.AGENT, 1), _user("ben", Role.AGENT, 2)
VERA = _user("vera", Role.VIEWER, 3)


@dataclass
class Clock:
    at: datetime

    def __call__(self) -> datetime:
        return self.at


def _fresh_pg(pg_url: str) -> str:
    name = f"inbox_{secrets.token_hex(6)}"
    server, _, _ = pg_url.rpartition("/")
    admin = Store(f"{server}/postgres")
    try:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[App]:
    url = _fresh_pg(request.getfixturevalue("pg_url")) if request.param == "postgresql" \
        else None
    a = open_home(Settings(home=tmp_path / "home", database_url=url), create=True)
    a.workspaces.create(ME, "acme", "Acme", "Europe/Berlin")
    yield a
    a.store.dispose()


def _msg(ext: str, at: datetime, *, reply_to: str | None = None, author: str = "pat",
         network: str = "mastodon", kind: MessageKind = MessageKind.MENTION, ours: bool = False,
         text_: str = "hello", sentiment: str = "neutral", language: str = "en") -> Message:
    return Message(network, "acme", ext, kind, author, text_, at, reply_to, 10, language,
                   sentiment, ours)


def test_threads_and_receiving_twice(app: App) -> None:
    ws, inbox = app.workspace("acme"), app.inbox
    batch = [_msg("m1", T0), _msg("m2", T0 + timedelta(minutes=5), reply_to="m1"),
             _msg("c1", T0, reply_to="post-9", kind=MessageKind.COMMENT, author="lee"),
             _msg("r1", T0 + timedelta(minutes=20), reply_to="m2", author="acme", ours=True)]
    touched = inbox.receive(ME, ws, batch)
    assert len(touched) == 2
    assert inbox.receive(ME, ws, batch) == []  # the same notifications again: nothing new
    rows = inbox.page(ws, InboxFilter()).rows
    by_root = {r.conversation.root_id: r.conversation for r in rows}
    assert set(by_root) == {"m1", "c1"}
    thread = inbox.thread(ws, by_root["m1"].id)
    assert [m.external_id for m in thread.messages] == ["m1", "m2", "r1"]
    assert thread.conversation.first_response_at == T0 + timedelta(minutes=20)
    assert thread.conversation.responder == "acme"
    assert by_root["c1"].first_response_at is None
    # a closed conversation opens again when the person writes again
    inbox.set_status(ANA, ws, [by_root["c1"].id], Status.CLOSED)
    inbox.receive(ME, ws, [_msg("c2", T0 + timedelta(hours=1), reply_to="c1", author="lee")])
    again = inbox.thread(ws, by_root["c1"].id).conversation
    assert (again.status, again.closed_at, again.last_message_at) == (
        Status.OPEN, None, T0 + timedelta(hours=1))


def _many(app: App) -> dict[str, int]:
    ws = app.workspace("acme")
    msgs = [_msg(f"x{i}", T0 + timedelta(minutes=i), network="bluesky" if i % 3 == 0
                 else "mastodon", sentiment="negative" if i % 2 else "positive",
                 language="de" if i == 4 else "en") for i in range(7)]
    app.inbox.receive(ME, ws, msgs)
    return {r.conversation.root_id: r.conversation.id
            for r in app.inbox.page(ws, InboxFilter(), limit=50).rows}


def test_filters_and_keyset_pages(app: App) -> None:
    ids, ws, inbox = _many(app), app.workspace("acme"), app.inbox
    seen, cursor = [], None
    while True:
        page = inbox.page(ws, InboxFilter(after=parse_cursor(cursor) if cursor else None), 3)
        seen += [r.conversation.root_id for r in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"x{i}" for i in range(6, -1, -1)]

    def roots(**kw: object) -> list[str]:
        return [r.conversation.root_id for r in inbox.page(ws, InboxFilter(**kw)).rows]  # type: ignore[arg-type]

    assert roots(network="bluesky") == ["x6", "x3", "x0"]
    assert roots(sentiment="negative") == ["x5", "x3", "x1"]
    assert roots(language="de") == ["x4"]
    inbox.tag(ANA, ws, ids["x2"], "Billing")
    assert roots(tag="billing") == ["x2"]
    inbox.assign(ANA, ws, [ids["x5"]], "ben")
    assert roots(assignee="ben") == ["x5"]
    assert "x5" not in roots(assignee=UNASSIGNED)
    inbox.answered_elsewhere(ANA, ws, ids["x6"])
    assert "x6" not in roots(unanswered=True)
    assert roots(waiting_since=T0 + timedelta(minutes=1)) == ["x1", "x0"]
    inbox.set_status(ANA, ws, [ids["x0"]], Status.PENDING)
    assert roots(status=Status.PENDING) == ["x0"]
    with pytest.raises(InvalidInput, match="not a page cursor"):
        parse_cursor("yesterday")
    with pytest.raises(InvalidInput, match="limit: 0"):
        inbox.page(ws, InboxFilter(), 0)


def test_claims_round_robin_notes_and_roles(app: App) -> None:
    ids, ws = _many(app), app.workspace("acme")
    clock = Clock(T0 + timedelta(hours=1))
    inbox = InboxService(app.inbox.repo, clock)
    cid = ids["x1"]
    assert inbox.claim(ANA, ws, cid).claimed_by == "ana"
    with pytest.raises(Conflict, match=r"conversation \d+: ana is on it \(since 16:30 UTC\)"):
        inbox.claim(BEN, ws, cid)
    assert inbox.claim(ANA, ws, cid).claimed_by == "ana"  # claiming again is fine
    clock.at += timedelta(minutes=16)  # ana left without releasing it: the claim went stale
    assert inbox.claim(BEN, ws, cid).claimed_by == "ben"
    inbox.release(BEN, ws, cid)
    assert inbox.claim(ANA, ws, cid).claimed_by == "ana"

    three = [ids["x0"], ids["x1"], ids["x2"]]
    assert [c.assignee for c in inbox.assign_round_robin(ANA, ws, three, ["ana", "ben"])] \
        == ["ana", "ben", "ana"]
    assert inbox.assign_round_robin(ANA, ws, [ids["x3"]], ["ana", "ben"])[0].assignee == "ben"
    with pytest.raises(NotFound, match="conversation 999999 not found"):
        inbox.assign(ANA, ws, [ids["x4"], 999999], "ana")
    assert inbox.thread(ws, ids["x4"]).conversation.assignee is None  # nothing half-done

    note = inbox.note(ANA, ws, cid, "  called them back  ")
    assert (note.author, note.text) == ("ana", "called them back")
    assert [n.text for n in inbox.thread(ws, cid).notes] == ["called them back"]
    with pytest.raises(InvalidInput, match="note: the text is empty"):
        inbox.note(ANA, ws, cid, " ")
    for write in (lambda: inbox.claim(VERA, ws, cid),
                  lambda: inbox.assign(VERA, ws, [cid], "vera"),
                  lambda: inbox.set_status(VERA, ws, [cid], Status.CLOSED),
                  lambda: inbox.note(VERA, ws, cid, "hi"),
                  lambda: inbox.answered_elsewhere(VERA, ws, cid),
                  lambda: inbox.set_sla(ANA, ws, 60)):
        with pytest.raises(Forbidden, match="may not"):
            write()
    assert inbox.thread(ws, cid).conversation.status is Status.OPEN


def test_sla_timers_and_care_metrics_by_hand(app: App) -> None:
    ws = app.workspace("acme")
    clock = Clock(T0 + timedelta(days=7))
    inbox = InboxService(app.inbox.repo, clock)
    inbox.set_sla(ME, ws, 60, "mon-fri 09:00-17:00", "2026-12-24")
    fri_1630, fri_1000 = T0, T0 - timedelta(hours=6, minutes=30)
    mon_0920 = datetime(2026, 11, 30, 8, 20, tzinfo=UTC)  # 09:20 in Berlin
    inbox.receive(ME, ws, [
        _msg("a", fri_1630, text_="I want a refund, urgent", sentiment="negative"),
        _msg("a-r", mon_0920, reply_to="a", author="acme", ours=True),   # 50 business min
        _msg("b", fri_1000),
        _msg("b-r", fri_1000 + timedelta(minutes=90), reply_to="b", author="acme", ours=True),
        _msg("c", fri_1000 + timedelta(minutes=30)),                      # never answered
    ])
    rows = {r.conversation.root_id: r for r in inbox.page(ws, InboxFilter()).rows}
    assert rows["a"].due == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # Monday 09:30 Berlin
    assert rows["c"].overdue and not rows["a"].overdue
    why = inbox.thread(ws, rows["a"].conversation.id).priority
    assert [r.detail for r in why.reasons] == ["negative", "urgent", "refund"]
    inbox.set_status(BEN, ws, [rows["a"].conversation.id], Status.CLOSED)
    inbox.set_status(BEN, ws, [rows["a"].conversation.id], Status.CLOSED)  # re-run: same
    f = inbox.care(ws, fri_1000 - timedelta(days=1), fri_1630 + timedelta(days=1))
    # answered: a (Fri 15:30 -> Mon 08:20 UTC: 64 h 50 min = 3890 min), b (90 min);
    # c unanswered and overdue
    assert (f.conversations, f.answered, f.response_rate) == (3, 2, 2 / 3)
    assert (f.first_response_median_min, f.first_response_p90_min) == ((3890 + 90) / 2, 3890)
    assert f.time_to_close_median_min == (clock.at - fri_1630).total_seconds() / 60
    assert dict(f.handled_per_agent) == {"ben": 1}
    assert (f.sla_measured, f.sla_within, f.share_within_sla) == (3, 1, 1 / 3)
    with pytest.raises(InvalidInput, match="holidays: 'soon' is not a date"):
        inbox.set_sla(ME, ws, 60, "mon-fri 09:00-17:00", "soon")
    assert inbox.sla(ws) is not None and inbox.sla(ws).holidays  # type: ignore[union-attr]
