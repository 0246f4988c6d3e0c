"""Live sources against local fakes: Mastodon tag timeline and search, Bluesky search, the
Jetstream firehose. Polls run as jobs of the real queue; a restart (a new App on the same
home) resumes from the stored cursor and stores nothing twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.jobs import JobState
from socialpulse.domain.models import Workspace
from socialpulse.interfaces.cli import main

from .conftest import ME, open_live
from .fakes import FakeBluesky, FakeJetstream, FakeMastodon, at, jetstream_event, post_view, status


def _ids(app: App, ws: Workspace) -> list[str]:
    return [r["mention_id"] for r in app.listening.queries.scan(ws.id)]


def test_mastodon_tag_timeline_polls_forward_and_a_restart_resumes(
        live: tuple[App, Workspace], live_home: Path, mastodon: FakeMastodon) -> None:
    app, ws = live
    mastodon.statuses = [status(100 + i, f"#acme launch day {i}", at(30 - i))
                         for i in range(5)] + [status(90, "#acme? no: weather talk", at(40))]
    mastodon.statuses[-1]["content"] = "<p>weather talk</p>"  # on the tag, matches no query
    src = app.listening_live.add_source(ME, ws, "mastodon", "tag", "#acme", mastodon.url, 60)
    outcomes = app.jobs.runner(app, "test-worker").drain()
    assert [o.state for o in outcomes] == [JobState.DONE]
    assert sorted(_ids(app, ws)) == sorted(
        f"mastodon:https://example.social/users/alice/statuses/{100 + i}" for i in range(5))
    stored = app.listening_live.sources(ws)[0]
    assert stored.cursor == "104" and stored.mentions == 5 and stored.last_error is None
    # the chain: the next poll is queued for the next slot of the interval
    nxt = [j for j in app.jobs.recent() if j.kind == "listening.poll" and
           j.state is JobState.QUEUED]
    assert len(nxt) == 1 and nxt[0].run_at > datetime.now(UTC)
    # restarting the polling (sources poll, or two processes) merges into the same slots
    app.listening_live.ensure_polling(ws)
    app.listening_live.ensure_polling()
    assert [j.id for j in app.jobs.recent() if j.kind == "listening.poll"
            and j.state is JobState.QUEUED] == [nxt[0].id]
    app.store.dispose()

    mastodon.statuses += [status(105 + i, f"acme day two {i}", at(5 - i)) for i in range(3)]
    again = open_live(live_home)  # a restarted process
    r = again.listening_live.poll(src.id, chain=False)
    assert r["stored"] == 3
    assert mastodon.requests[-1][1]["since_id"] == ["104"]
    ids = _ids(again, ws)
    assert len(ids) == len(set(ids)) == 8
    # a crash after the batch but before the cursor: the same statuses come again, once stored
    again.listening_live.tables.save_cursor(src.id, "104", 0, datetime.now(UTC))
    again.listening_live.poll(src.id, chain=False)
    assert sorted(_ids(again, ws)) == sorted(ids)
    again.store.dispose()


def test_mastodon_follows_link_pages_until_the_cursor(live: tuple[App, Workspace],
                                                      mastodon: FakeMastodon) -> None:
    app, ws = live
    mastodon.statuses = [status(1000, "acme first", at(90))]
    src = app.listening_live.add_source(ME, ws, "mastodon", "tag", "acme", mastodon.url, 60)
    app.listening_live.poll(src.id, chain=False)
    mastodon.statuses += [status(1001 + i, f"acme update {i}", at(60 - i)) for i in range(55)]
    before = len(mastodon.requests)
    r = app.listening_live.poll(src.id, chain=False)
    pages = mastodon.requests[before:]
    assert len(pages) == 2 and "max_id" in pages[1][1]  # followed rel="next"
    assert r["read"] == 55 and r["stored"] == 55
    assert len(set(_ids(app, ws))) == 56
    assert app.listening_live.sources(ws)[0].cursor == "1055"


def test_mastodon_search_and_a_busy_instance(live: tuple[App, Workspace],
                                             mastodon: FakeMastodon) -> None:
    app, ws = live
    mastodon.statuses = [status(10 + i, f"globex outage {i}", at(20 - i)) for i in range(4)]
    src = app.listening_live.add_source(ME, ws, "mastodon", "search", "globex", mastodon.url)
    mastodon.busy = 1
    outcomes = app.jobs.runner(app, "w").drain()
    assert outcomes[0].state is JobState.FAILED
    assert "busy (HTTP 429); the server asks to wait 30 s" in outcomes[0].message
    assert "429" in (app.listening_live.sources(ws)[0].last_error or "")
    # a failed read does not stop the polling: the next slot's poll is queued
    assert any(j.kind == "listening.poll" and j.state is JobState.QUEUED
               for j in app.jobs.recent())
    r = app.listening_live.poll(src.id, chain=False)
    assert r["stored"] == 4 and app.listening_live.sources(ws)[0].last_error is None
    assert mastodon.requests[-1][0] == "/api/v2/search"


def test_bluesky_search_pages_by_cursor_then_polls_since(live: tuple[App, Workspace],
                                                         bluesky: FakeBluesky) -> None:
    app, ws = live
    bluesky.posts = [post_view("did:plc:a", f"3k{i:03d}", f"acme thread {i}", at(300 - i))
                     for i in range(120)]
    src = app.listening_live.add_source(ME, ws, "bluesky", None, "acme", bluesky.url)
    first = app.listening_live.poll(src.id, chain=False)
    assert first["stored"] == 100  # a first poll reads one page: listening starts now
    cursor = app.listening_live.sources(ws)[0].cursor
    assert cursor == bluesky.posts[-1]["indexedAt"]
    bluesky.posts += [post_view("did:plc:b", f"3m{i:03d}", f"acme news {i}", at(10 - i))
                      for i in range(5)]
    second = app.listening_live.poll(src.id, chain=False)
    assert bluesky.requests[-1][1]["since"] == [cursor]
    assert second["read"] == 6  # the boundary post again (since is inclusive) and 5 new
    ids = _ids(app, ws)
    assert len(ids) == len(set(ids)) == 105


def test_bad_sources_are_refused_with_one_line(live: tuple[App, Workspace]) -> None:
    app, ws = live
    with pytest.raises(InvalidInput, match="has no live source"):
        app.listening_live.add_source(ME, ws, "myspace")
    with pytest.raises(InvalidInput, match="is not a hashtag"):
        app.listening_live.add_source(ME, ws, "mastodon", "tag", "two words")
    with pytest.raises(InvalidInput, match="--instance"):
        app.listening_live.add_source(ME, ws, "jetstream", instance_url="https://x.example")
    assert app.listening_live.sources(ws) == []


def _events(start_us: int, n: int, text: str, did: str = "did:plc:z") -> list[dict[str, object]]:
    return [jetstream_event(did, f"r{start_us + i}", f"{text} {i}", at(1), start_us + i)
            for i in range(n)]


def test_jetstream_stream_filters_by_the_queries_and_resumes(
        live: tuple[App, Workspace], live_home: Path) -> None:
    app, ws = live
    events = _events(1_000, 10, "loving my acme blender") + _events(2_000, 5, "cats")
    events.append({"did": "did:plc:q", "time_us": 2_500, "kind": "identity",
                   "identity": {"did": "did:plc:q", "handle": "q.bsky.social"}})
    events.append(jetstream_event("did:plc:z", "r1000", "", at(1), 2_600, "delete"))
    fake = FakeJetstream(events)
    try:
        app.listening_live.add_source(ME, ws, "jetstream", instance_url=fake.url)
        s = app.listening_live.stream(ME, ws, threading.Event(), max_events=len(events),
                                      batch_events=4)
        assert (s.events, s.posts, s.stored) == (17, 15, 10)
        assert s.cursor == "2600" and s.batches >= 3
        assert len(_ids(app, ws)) == 10
        app.store.dispose()

        fake.events += _events(3_000, 3, "acme again")
        again = open_live(live_home)
        s2 = again.listening_live.stream(ME, ws, threading.Event(), max_events=4)
        assert "cursor=2600" in fake.paths[-1]
        assert s2.events == 4 and s2.stored == 3  # the delete replayed, then 3 new posts
        ids = _ids(again, ws)
        assert len(ids) == len(set(ids)) == 13
        assert "bluesky:at://did:plc:z/app.bsky.feed.post/r3000" in ids
        again.store.dispose()
    finally:
        fake.close()


def test_listen_stream_command(live_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeJetstream(_events(5_000, 6, "#acme news"))
    try:
        home = ["--home", str(live_home)]
        assert main([*home, "listen", "sources", "add", "jetstream", "--instance",
                     fake.url]) == 0
        assert main([*home, "listen", "stream", "--max-events", "6"]) == 0
        out = capsys.readouterr().out
        assert "firehose: 6 events, 6 posts, 6 mentions stored" in out
        assert "resume from 5005" in out
        assert main([*home, "listen", "sources", "add", "jetstream", "--instance",
                     fake.url]) == 2
        assert "already listened to" in capsys.readouterr().err
    finally:
        fake.close()
