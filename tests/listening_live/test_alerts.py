"""Alert rules that reach people: a simulated spike arrives from a live source, and one worker
pass stores it, evaluates the rules, e-mails a local SMTP sink and posts to a local webhook;
dedup, cool-down and quiet hours run on an injected clock; the message's link acknowledges."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from socialpulse.bootstrap import App
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.jobs import JobState
from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.listening.rules import (
    AlertRule,
    RuleSpec,
    WindowMention,
    check_rule,
    cooling_down,
    evaluate,
    in_quiet_hours,
    quiet_hours_end,
)
from socialpulse.interfaces.cli import main
from socialpulse.interfaces.web.app import create_app
from socialpulse.settings import Settings
from tests.webfixtures import BASE_URL, arm

from .conftest import ME, open_live
from .fakes import FakeMastodon, WebhookSink, status


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.original_content
                                                       or envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SOCIALPULSE_SMTP_URL", f"smtp+plain://127.0.0.1:{port}")
    monkeypatch.setenv("SOCIALPULSE_MAIL_FROM", "alerts@acme.example")
    monkeypatch.setenv("SOCIALPULSE_BASE_URL", "http://127.0.0.1:8765")
    try:
        yield inbox
    finally:
        controller.stop()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _set_clock(app: App, clock: Clock) -> None:
    app.alert_rules.clock = clock
    app.listening_live.clock = clock
    app.jobs.clock = clock


def _mention(i: int, text: str, when: datetime, author: str = "@carol",
             followers: int | None = 10) -> RawMention:
    return RawMention(f"test:{i}", "mastodon", when, text, author, followers, "en",
                      f"https://example.social/@carol/{i}")


# --- the rules themselves (pure) --------------------------------------------------------------


def _rule(kind: str, threshold: float, **kw: Any) -> AlertRule:
    spec = check_rule(RuleSpec(kind, threshold, emails=("a@b.example",), **kw))
    return AlertRule(1, 1, 1, spec, datetime(2026, 1, 1, tzinfo=UTC))


def _wm(i: int, text: str, sentiment: str = "neutral", followers: int | None = 5,
        author: str = "@x") -> WindowMention:
    return WindowMention(f"m{i}", datetime(2026, 3, 1, 12, tzinfo=UTC), author, followers,
                         text, sentiment, "", "mastodon")


def test_rules_fire_on_what_they_watch() -> None:
    now = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    spike = [_wm(i, f"acme app crashed again {i}", "negative", author=f"@u{i % 3}")
             for i in range(12)]
    vol = _rule("volume", 3, min_volume=10)
    assert evaluate(vol, "Acme", now, spike, usual_per_window=2.0) is not None
    assert evaluate(vol, "Acme", now, spike, usual_per_window=5.0) is None  # 12 < 3 x 5
    assert evaluate(vol, "Acme", now, spike[:9], usual_per_window=0.5) is None  # < min_volume
    neg = _rule("negative_share", 0.5, min_volume=10)
    fired = evaluate(neg, "Acme", now, spike + [_wm(99, "fine", "positive")], 1.0,
                     frozenset({"acme"}))
    assert fired is not None and "92% of 13 mentions" in fired.title
    # the brand's own word and the drivers' numbers are left out; ties in alphabetical order
    assert fired.explanation.terms[:3] == [("again", 12), ("app", 12), ("crashed", 12)]
    assert "acme" not in dict(fired.explanation.terms)
    assert [a for a, _, _ in fired.explanation.authors] == ["@u0", "@u1", "@u2"]
    kw = _rule("keyword", 0, keyword="Crashed Again")
    assert evaluate(kw, "Acme", now, spike, 0).observed == 12  # type: ignore[union-attr]
    assert evaluate(kw, "Acme", now, [_wm(1, "crashed, never again")], 0) is None
    reach = _rule("high_reach", 10_000)
    big = _wm(7, "acme is ok", followers=250_000, author="@famous")
    f = evaluate(reach, "Acme", now, [*spike, big], 0)
    assert f is not None and f.explanation.posts == [big] and "@famous" in f.title
    # a firing is keyed by its window-long bucket: the same moment fires once
    assert evaluate(reach, "Acme", now + timedelta(minutes=1), [big], 0).bucket == f.bucket  # type: ignore[union-attr]


def test_cool_down_and_quiet_hours_rules() -> None:
    t = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert cooling_down(t, t + timedelta(minutes=59), 60)
    assert not cooling_down(t, t + timedelta(minutes=60), 60)
    assert not cooling_down(None, t, 60)
    night = (time(22), time(7))
    assert in_quiet_hours(datetime(2026, 3, 1, 23, 30), *night)
    assert in_quiet_hours(datetime(2026, 3, 1, 6, 59), *night)
    assert not in_quiet_hours(datetime(2026, 3, 1, 7, 0), *night)
    assert not in_quiet_hours(datetime(2026, 3, 1, 13, 0), time(12), time(13))
    assert quiet_hours_end(datetime(2026, 3, 1, 23, 30), *night) == datetime(2026, 3, 2, 7)
    assert quiet_hours_end(datetime(2026, 3, 2, 1, 0), *night) == datetime(2026, 3, 2, 7)
    assert quiet_hours_end(datetime(2026, 3, 2, 9, 0), *night) is None


@pytest.mark.parametrize(("spec", "message"), [
    (RuleSpec("spike", 3, emails=("a@b.c",)), "unknown alert rule 'spike'"),
    (RuleSpec("negative_share", 40, emails=("a@b.c",)), "0.4 is 40%"),
    (RuleSpec("keyword", 0, emails=("a@b.c",)), "keyword: required"),
    (RuleSpec("volume", 3), "needs somewhere to deliver"),
    (RuleSpec("volume", 3, quiet_start=time(22), emails=("a@b.c",)), "give both"),
    (RuleSpec("volume", 3, window_minutes=0, emails=("a@b.c",)), "window: from 1"),
])
def test_bad_rules_name_the_field(spec: RuleSpec, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_rule(spec)


# --- through the worker -----------------------------------------------------------------------


def test_a_spike_mails_and_posts_within_one_worker_pass(
        live_home: Path, mastodon: FakeMastodon, webhook: WebhookSink, smtp: Inbox) -> None:
    app = open_live(live_home)
    ws = app.workspace("acme")
    now = datetime.now(UTC)
    # a quiet week: one mention a day
    app.listening.ingest(ME, ws, [_mention(i, "acme blender works", now - timedelta(days=i))
                                  for i in range(1, 8)], source_name="history")
    app.alert_rules.add_rule(ME, ws, "Acme", RuleSpec(
        "volume", 3, min_volume=10, window_minutes=60, emails=("ops@acme.example",),
        webhook_url=webhook.url + "/hook"))
    mastodon.statuses = [status(500 + i, f"acme blender leaking, refund please #{i}",
                                now - timedelta(minutes=40 - i), acct=f"user{i % 4}@ex.social",
                                followers=100 * (i + 1)) for i in range(25)]
    app.listening_live.add_source(ME, ws, "mastodon", "tag", "acme", mastodon.url, 60)

    outcomes = app.jobs.runner(app, "one-pass").drain()
    kinds = [(o.job.kind, o.state) for o in outcomes]
    assert kinds == [("listening.poll", JobState.DONE), ("alerts.evaluate", JobState.DONE),
                     ("alerts.send", JobState.DONE), ("alerts.send", JobState.DONE)]
    assert len(smtp.messages) == 1
    to, msg = smtp.messages[0]
    assert to == ["ops@acme.example"] and msg["From"] == "alerts@acme.example"
    assert "Acme: 25 mentions in the last 60 min" in msg["Subject"]
    body = msg.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Top terms: " in body and "refund (25)" in body and "leaking (25)" in body
    assert "Top authors: @user0@ex.social (7 mentions" in body
    assert "@user0@ex.social (no sentiment" not in body
    token = app.alert_rules.events(ws)[0].token
    assert f"Acknowledge this alert: http://127.0.0.1:8765/alerts/ack/{token}" in body
    posted = webhook.posted()
    assert len(posted) == 1 and set(posted[0]) == {"text"}
    assert "25 mentions in the last 60 min" in posted[0]["text"] and token in posted[0]["text"]

    # dedup: evaluating again (another batch, a re-run) sends nothing more
    assert app.alert_rules.evaluate(ME, ws) == []
    app.alert_rules.request_evaluation(ws)
    assert all(o.state is JobState.DONE for o in app.jobs.runner(app, "again").drain())
    assert len(smtp.messages) == 1 and len(webhook.posted()) == 1
    app.store.dispose()


def test_cool_down_and_quiet_hours_on_an_injected_clock(
        live_home: Path, webhook: WebhookSink) -> None:
    app = open_live(live_home)
    app.workspaces.update(ME, app.workspace("acme"), timezone="America/New_York")
    ws = app.workspace("acme")
    today = datetime.now(UTC).date()
    clock = Clock(datetime.combine(today, time(3, 30), UTC))  # 22:30 or 23:30 in New York
    _set_clock(app, clock)
    app.alert_rules.add_rule(ME, ws, "Acme", RuleSpec(
        "keyword", 0, keyword="recall", window_minutes=60, cooldown_minutes=120,
        quiet_start=time(22), quiet_end=time(7), webhook_url=webhook.url))
    n = iter(range(1000))

    def say(text: str) -> None:
        app.listening.ingest(ME, ws, [_mention(next(n), text, clock.now - timedelta(minutes=5))],
                             source_name=f"batch {clock.now.isoformat()}")

    say("acme announces a recall of the blender")
    fired = app.alert_rules.evaluate(ME, ws)
    assert len(fired) == 1
    send = [j for j in app.jobs.recent() if j.kind == "alerts.send"]
    # 03:30 UTC is the evening before in New York: quiet hours end at 07:00 there, same UTC day
    local_7am = datetime.combine(today, time(7), ZoneInfo("America/New_York"))
    assert send[0].run_at == local_7am.astimezone(UTC)
    assert app.jobs.runner(app, "night").drain() == [] and webhook.posted() == []

    clock.now += timedelta(minutes=30)  # still cooling down: nothing new
    say("another recall post about acme")
    assert app.alert_rules.evaluate(ME, ws) == []
    clock.now += timedelta(minutes=95)  # past the 120-minute cool-down
    say("acme recall: refunds start monday")
    assert len(app.alert_rules.evaluate(ME, ws)) == 1

    clock.now = send[0].run_at + timedelta(seconds=1)  # quiet hours are over
    out = app.jobs.runner(app, "morning").drain()
    assert [o.state for o in out] == [JobState.DONE, JobState.DONE]
    assert len(webhook.posted()) == 2
    app.store.dispose()


def test_acknowledged_from_the_messages_link(live_home: Path, webhook: WebhookSink) -> None:
    app = open_live(live_home)
    ws = app.workspace("acme")
    now = datetime.now(UTC)
    app.alert_rules.add_rule(ME, ws, "Globex", RuleSpec(
        "high_reach", 10_000, webhook_url=webhook.url))
    app.listening.ingest(ME, ws, [_mention(1, "globex is great", now - timedelta(minutes=3),
                                           "@famous", 2_000_000)], source_name="one")
    event = app.alert_rules.evaluate(ME, ws)[0]
    web = TestClient(create_app(Settings(home=live_home)), base_url=BASE_URL)
    page = web.get(f"/alerts/ack/{event.token}")
    assert page.status_code == 200 and "@famous" in page.text and "data-ack-button" in page.text
    assert app.alert_rules.events(ws)[0].status == "open"  # opening the link changes nothing
    assert web.get("/alerts/ack/not-a-real-token-at-all").status_code == 404
    arm(web)
    done = web.post(f"/alerts/ack/{event.token}", follow_redirects=False)
    assert done.status_code == 303
    assert app.alert_rules.events(ws)[0].status == "acknowledged"
    # its delivery, still queued, is skipped: the person already knows
    out = app.jobs.runner(app, "w").drain()
    assert out[0].message == "already acknowledged" and webhook.posted() == []
    app.store.dispose()


def test_rules_api_and_cli(live_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    web = TestClient(create_app(Settings(home=live_home)), base_url=BASE_URL)
    arm(web)
    api = "/api/workspaces/acme/listening/rules"
    bad = web.post(api, json={"brand": "Acme", "kind": "negative_share", "threshold": 40,
                              "emails": ["ops@acme.example"]})
    assert bad.status_code == 400 and "0.4 is 40%" in bad.json()["error"]["message"]
    assert web.post(api, json={"brand": "Acme", "kind": "volume", "window": "x",
                               "emails": ["a@b.example"]}).status_code == 400
    ok = web.post(api, json={"brand": "Acme", "kind": "volume", "quiet": "22:00-07:00",
                             "emails": ["ops@acme.example"]})
    assert ok.status_code == 201 and ok.json()["quiet_hours"] == "22:00-07:00"
    assert [r["kind"] for r in web.get(api).json()] == ["volume"]
    assert web.post("/api/workspaces/acme/listening/sources",
                    json={"network": "mastodon", "query": "acme", "every": 5}
                    ).status_code == 400
    home = ["--home", str(live_home)]
    assert main([*home, "listen", "rules", "add", "Globex", "--kind", "keyword",
                 "--keyword", "outage", "--email", "a@b.example,c@d.example"]) == 0
    assert main([*home, "listen", "rules", "add", "Nobody", "--kind", "volume", "--email",
                 "a@b.example"]) == 2
    assert "brand 'Nobody' not found" in capsys.readouterr().err
    assert main([*home, "listen", "rules", "list", "--format", "json"]) == 0
    listed = capsys.readouterr().out
    assert '"keyword": "outage"' in listed and "c@d.example" in listed
    assert main([*home, "listen", "rules", "remove", "1"]) == 0
    assert main([*home, "listen", "rules", "remove", "1"]) == 2
    page = web.get("/listening?workspace=acme")
    assert page.status_code == 200 and 'data-alert-rule="2"' in page.text


def test_unconfigured_mail_fails_the_delivery_with_one_line(live_home: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    for var in ("SOCIALPULSE_SMTP_URL", "SOCIALPULSE_SMTP_HOST"):
        monkeypatch.delenv(var, raising=False)
    app = open_live(live_home)
    ws = app.workspace("acme")
    app.alert_rules.add_rule(ME, ws, "Acme", RuleSpec("keyword", 0, keyword="fire",
                                                      emails=("ops@acme.example",)))
    now = datetime.now(UTC)
    app.listening.ingest(ME, ws, [_mention(3, "acme store on fire", now - timedelta(minutes=1))],
                         source_name="x")
    assert len(app.alert_rules.evaluate(ME, ws)) == 1
    out = app.jobs.runner(app, "w").drain()
    assert out[0].state is JobState.QUEUED  # tried again later: a server may appear
    assert "set SOCIALPULSE_SMTP_URL" in out[0].message
    assert not out[0].job.acted_outside
    app.store.dispose()
