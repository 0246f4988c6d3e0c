"""Changing a workspace's settings; a new time zone re-derives every local day (real lake)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import Function, Network
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import Breakdown
from socialpulse.interfaces.cli import main
from socialpulse.interfaces.web.app import create_app
from socialpulse.services.workspaces import WorkspaceService
from tests.webfixtures import browser_client

LA = "America/Los_Angeles"


def _days_match_zone(table: pa.Table, tz: str) -> bool:
    zone = ZoneInfo(tz)
    rows = table.select(["published_at", "local_date"]).to_pylist()
    return all(r["published_at"] is None or r["published_at"].astimezone(zone).date()
               == r["local_date"] for r in rows)


def _state(app: App) -> tuple[object, ...]:
    ws = app.workspace("demo")
    return (ws, [(b.id, tuple(b.files)) for b in app.store.batches(ws.id)],
            app.lake.read(ws.id, "posts").sort_by("post_id"))


def test_new_time_zone_moves_day_boundaries_and_keeps_totals(demo_app: App):
    svc = WorkspaceService(demo_app.store, demo_app.lake)
    ws = demo_app.workspace("demo")
    assert ws.timezone == "Europe/Madrid"
    posts = demo_app.lake.read(ws.id, "posts")
    mentions = demo_app.lake.read(ws.id, "mentions")
    assert _days_match_zone(posts, ws.timezone) and not _days_match_zone(posts, LA)
    everything = DateRange(date(2020, 1, 1), date(2030, 12, 31))

    def impressions(w, grain=None):
        return demo_app.metrics.compute(w, [("impressions", None)], Breakdown(grain=grain),
                                        period=everything).rows

    total_before, by_day_before = impressions(ws), impressions(ws, Grain.DAY)
    old_files = [f for b in demo_app.store.batches(ws.id) for f in b.files]

    updated, rows = svc.update(local_actor(), ws, timezone=LA)

    assert updated.timezone == LA and demo_app.workspace("demo").timezone == LA
    assert rows["posts"] == len(posts) and rows["mentions"] == len(mentions)
    after = demo_app.lake.read(ws.id, "posts")
    assert _days_match_zone(after, LA)
    assert _days_match_zone(demo_app.lake.read(ws.id, "mentions"), LA)
    # one committed batch; the old files stay for queries already running, and the first
    # sweep after the grace period deletes them
    assert len(demo_app.store.batches(ws.id)) == 1
    assert all((demo_app.lake.root / f).exists() for f in old_files)
    later = datetime.now(UTC) + timedelta(seconds=demo_app.lake.grace_s + 1)
    assert demo_app.lake.sweep(ws.id, now=later) == len(old_files)
    assert not any((demo_app.lake.root / f).exists() for f in old_files)
    # posts move between days (the ones published before 09:00 in Madrid), totals over the
    # whole history do not
    moved = pa.compute.sum(pa.compute.not_equal(
        posts.sort_by("post_id")["local_date"], after.sort_by("post_id")["local_date"])).as_py()
    assert 0 < moved < len(posts)
    assert impressions(updated) == total_before
    assert impressions(updated, Grain.DAY) != by_day_before
    # the same zone again rewrites nothing
    assert svc.update(local_actor(), updated, timezone=LA)[1] == {}


def test_a_failed_rewrite_changes_nothing(demo_app: App, monkeypatch: pytest.MonkeyPatch):
    before = _state(demo_app)
    calls = {"n": 0}
    real = pq.write_table

    def disk_full(*args, **kwargs):  # the disk fills up after a few files
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", disk_full)
    with pytest.raises(OSError):
        WorkspaceService(demo_app.store, demo_app.lake).update(local_actor(), before[0],
                                                               timezone=LA)
    monkeypatch.undo()
    after = _state(demo_app)
    assert after[0] == before[0] and after[1] == before[1] and after[2].equals(before[2])
    # and a re-run completes it
    WorkspaceService(demo_app.store, demo_app.lake).update(local_actor(), before[0], timezone=LA)
    assert demo_app.workspace("demo").timezone == LA


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"timezone": "Mars/Olympus"}, "unknown time zone 'Mars/Olympus'"),
    ({"languages": ["english"]}, "'english' is not an ISO 639 code"),
    ({"name": "  "}, "name: give a non-empty name"),
    ({}, "nothing to change"),
])
def test_bad_settings_are_refused_and_nothing_changes(demo_app: App, kwargs, message):
    before = _state(demo_app)
    with pytest.raises(InvalidInput, match=message):
        WorkspaceService(demo_app.store, demo_app.lake).update(local_actor(), before[0], **kwargs)
    after = _state(demo_app)
    assert after[0] == before[0] and after[1] == before[1]


def test_cli_and_api(demo_app: App, capsys: pytest.CaptureFixture[str]):
    home = ["--home", str(demo_app.settings.home)]
    assert main([*home, "workspaces", "update", "demo", "--timezone", "Nope/Nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown time zone 'Nope/Nope'" in err and len(err.strip().splitlines()) == 1
    assert main([*home, "workspaces", "update", "demo", "--name", "Acme (renamed)",
                 "--languages", "en,es"]) == 0
    out = capsys.readouterr().out
    assert "name 'Acme (renamed)'" in out and "languages en,es" in out
    with browser_client(create_app(demo_app.settings), raise_server_exceptions=False) as client:
        r = client.patch("/api/workspaces/demo", json={"timezone": "Asia/Tokyo"})
        assert r.status_code == 200, r.text
        assert r.json()["timezone"] == "Asia/Tokyo" and r.json()["name"] == "Acme (renamed)"
        for body, message in [({"colour": "red"}, "unknown field 'colour'"),
                              ({"languages": "en"}, "languages must be a list"),
                              ({"timezone": "Nope"}, "unknown time zone")]:
            r = client.patch("/api/workspaces/demo", json=body)
            assert r.status_code == 400 and message in r.json()["error"]["message"]
        assert client.patch("/api/workspaces/nope", json={"name": "x"}).status_code == 404
    ws = demo_app.workspace("demo")
    assert _days_match_zone(demo_app.lake.read(ws.id, "posts"), "Asia/Tokyo")


def test_accounts_can_be_corrected(demo_app: App, capsys: pytest.CaptureFixture[str]):
    svc = demo_app.workspaces
    ws = demo_app.workspace("demo")
    own_before = demo_app.overview.scope(ws).account_ids
    # an imported account: marketing, no brand (counted as own)
    new = svc.add_account(local_actor(), ws, Network.MASTODON, "acme@mastodon.social")
    assert new.function is Function.MARKETING and new.brand_name == "" and new.is_own
    acc = svc.update_account(local_actor(), ws, "mastodon:acme@mastodon.social",
                             function="customer_service", brand="Acme Outdoor",
                             url="https://mastodon.social/@acme")
    assert (acc.function, acc.brand_name, acc.is_own) == (Function.CUSTOMER_SERVICE,
                                                          "Acme Outdoor", True)
    # a new competitor brand: the account leaves the Overview's scope
    acc = svc.update_account(local_actor(), ws, acc.id, brand="Peak Co", competitor=True)
    assert acc.brand_name == "Peak Co" and not acc.is_own
    assert acc.id not in demo_app.overview.scope(ws).account_ids
    assert set(demo_app.overview.scope(ws).account_ids) == set(own_before)
    home = ["--home", str(demo_app.settings.home)]
    assert main([*home, "accounts", "update", "x:@acmecare", "-w", "demo",
                 "--function", "pr_comms"]) == 0
    assert "X @acmecare (id 2): pr_comms, brand Acme Outdoor (own)" in capsys.readouterr().out
    assert next(a for a in demo_app.store.accounts(ws.id)
                if a.handle == "@acmecare").function is Function.PR_COMMS
    # bad input: one line, exit 2, nothing changed
    before = demo_app.store.accounts(ws.id)
    for args, message in [(["x:@nobody", "--name", "N"], "no account 'x:@nobody'"),
                          (["@acmeoutdoor", "--name", "N"], "matches 2 accounts"),
                          (["1", "--function", "ceo"], "function"),
                          (["1", "--url", "javascript:alert(1)"], "not an http(s) address"),
                          (["1"], "nothing to change")]:
        assert main([*home, "accounts", "update", *args, "-w", "demo"]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err
    assert demo_app.store.accounts(ws.id) == before
    with browser_client(create_app(demo_app.settings), raise_server_exceptions=False) as client:
        r = client.patch("/api/workspaces/demo/accounts/youtube:AcmeOutdoorTV",
                         json={"function": "marketing", "name": "Acme TV"})
        assert r.status_code == 200 and r.json()["name"] == "Acme TV"
        assert r.json()["function"] == "marketing" and r.json()["competitor"] is False
        for body, message in [({"competitor": "yes"}, "competitor must be true or false"),
                              ({"owner": "x"}, "unknown field 'owner'")]:
            r = client.patch("/api/workspaces/demo/accounts/1", json=body)
            assert r.status_code == 400 and message in r.json()["error"]["message"]
        r = client.patch("/api/workspaces/demo/accounts/nobody", json={"name": "x"})
        assert r.status_code == 400 and "no account 'nobody'" in r.json()["error"]["message"]
