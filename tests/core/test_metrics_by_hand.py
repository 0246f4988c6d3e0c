"""Every metric of the catalogue against values computed by hand from a tiny workspace.

Accounts: A (X, own), B (Instagram, own), C (X, competitor: public counters only, no impressions).
January 2026: p1 (A, two snapshots: the latest wins), p2 (A), p3 (B), p4 (C); February: p5 (A).
Followers: A 1000 -> 1100, B 2000 -> 2100, C 5000 flat over January (Dec 31 is the start).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.errors import MissingData
from socialpulse.domain.models import Network
from socialpulse.domain.periods import parse_period
from socialpulse.domain.query import Scope, ScopeKind, parse_breakdown

JAN = parse_period("2026-01")


def ts(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def post(acc: int, pid: str, when: datetime) -> dict:
    return {
        "account_id": acc,
        "post_id": pid,
        "published_at": when,
        "local_date": when.date(),
        "post_type": "image",
        "text": pid,
        "url": "",
        "campaign": None,
    }


def snap(acc: int, pid: str, when: datetime, **counters: int | None) -> dict:
    return {"account_id": acc, "post_id": pid, "observed_at": when, **counters}


@pytest.fixture
def tiny(empty_app: App) -> tuple[App, object, dict[str, int]]:
    app = empty_app
    ws = app.store.create_workspace("tiny", "Tiny", "UTC", ["en"])
    own = app.store.ensure_brand(ws.id, "Own", True)
    rival = app.store.ensure_brand(ws.id, "Rival", False)
    a = app.store.ensure_account(ws.id, Network.X, "@a", brand_id=own.id).id
    b = app.store.ensure_account(ws.id, Network.INSTAGRAM, "@b", brand_id=own.id).id
    c = app.store.ensure_account(ws.id, Network.X, "@c", brand_id=rival.id).id
    posts = [
        post(a, "p1", ts(2026, 1, 5)),
        post(a, "p2", ts(2026, 1, 20)),
        post(b, "p3", ts(2026, 1, 10)),
        post(c, "p4", ts(2026, 1, 12)),
        post(a, "p5", ts(2026, 2, 3)),
    ]
    x = dict(reach=None, saves=None)
    snaps = [
        snap(
            a,
            "p1",
            ts(2026, 1, 6),
            impressions=100,
            engagements=10,
            likes=5,
            comments=1,
            shares=2,
            clicks=2,
            video_views=20,
            **x,
        ),
        snap(
            a,
            "p1",
            ts(2026, 1, 12),
            impressions=200,
            engagements=20,
            likes=10,
            comments=2,
            shares=4,
            clicks=4,
            video_views=50,
            **x,
        ),
        snap(
            a,
            "p2",
            ts(2026, 1, 21),
            impressions=400,
            engagements=8,
            likes=4,
            comments=2,
            shares=1,
            clicks=1,
            video_views=0,
            **x,
        ),
        snap(
            b,
            "p3",
            ts(2026, 1, 11),
            impressions=1000,
            reach=800,
            engagements=60,
            likes=40,
            comments=10,
            shares=5,
            saves=5,
            video_views=300,
            clicks=None,
        ),
        snap(
            c,
            "p4",
            ts(2026, 1, 13),
            impressions=None,
            engagements=30,
            likes=20,
            comments=5,
            shares=5,
            clicks=None,
            video_views=None,
            reach=None,
            saves=None,
        ),
        snap(
            a,
            "p5",
            ts(2026, 2, 4),
            impressions=300,
            engagements=9,
            likes=3,
            comments=3,
            shares=3,
            clicks=0,
            video_views=0,
            **x,
        ),
    ]
    daily = []
    start = date(2025, 12, 31)
    for i in range(60):
        d = start + timedelta(days=i)
        jan_i = min(i, 31)  # Dec 31 -> Jan 31 ramps; February stays
        row = {"date": d, "observed_at": ts(2026, 3, 1)}
        daily.append({**row, "account_id": a, "followers": 1000 + round(100 * jan_i / 31)})
        daily.append({**row, "account_id": b, "followers": 2000 + round(100 * jan_i / 31)})
        daily.append({**row, "account_id": c, "followers": 5000})
    care = {
        "account_id": a,
        "date": date(2026, 1, 15),
        "observed_at": ts(2026, 3, 1),
        "followers": None,
        "messages_received": 40,
        "messages_replied": 30,
        "first_response_seconds": 30 * 600.0,
        "csat_ratings": 10,
        "csat_satisfied": 8,
        "csat_score_total": 41.0,
        "nps_responses": 20,
        "nps_promoters": 10,
        "nps_detractors": 4,
        "social_sessions": 200,
        "bounced_sessions": 90,
        "conversions": 5,
        "all_conversions": 50,
        "revenue": 345.5,
        "ad_spend": 120.0,
        "ad_clicks": 60,
        "ad_impressions": 40000,
        "profile_views": 7,
    }
    daily = [r for r in daily if not (r["account_id"] == a and r["date"] == care["date"])]
    daily.append({**care, "followers": 1000 + round(100 * 15 / 31)})
    daily = [{k: r.get(k) for k in care} for r in daily]  # same keys in every row
    app.lake.ingest(
        ws.id,
        "tiny",
        "test",
        {
            "posts": pa.Table.from_pylist(posts),
            "post_snapshots": pa.Table.from_pylist(snaps),
            "account_daily": pa.Table.from_pylist(daily),
        },
    )
    return app, ws, {"a": a, "b": b, "c": c}


# expected January values, by hand (see the module docstring)
FOLLOWERS_END = 1100 + 2100 + 5000
FOLLOWERS_START = 1000 + 2000 + 5000
EXPECTED = {
    "posts": 4,
    "impressions": 200 + 400 + 1000,
    "reach": 800,
    "engagements": 20 + 8 + 60 + 30,
    "engagements:per_post": (20 + 8 + 60 + 30) / 4,
    "likes": 10 + 4 + 40 + 20,
    "comments": 2 + 2 + 10 + 5,
    "shares": 4 + 1 + 5 + 5,
    "clicks": 4 + 1,
    "video_views": 50 + 0 + 300,
    "followers": FOLLOWERS_END,
    "net_follower_growth": FOLLOWERS_END - FOLLOWERS_START,
    "engagement_rate": (20 + 8 + 60) / 1600 * 100,  # C has no impressions: left out
    "engagement_rate:by_reach": 60 / 800 * 100,  # only B reports reach
    "engagement_rate:by_followers": 118 / FOLLOWERS_END * 100,
    "engagement_rate:post_mean": (20 / 200 + 8 / 400 + 60 / 1000) / 3 * 100,
    "amplification_rate": 15 / FOLLOWERS_END * 100,
    "amplification_rate:per_post": 15 / 4,
    "applause_rate": 74 / FOLLOWERS_END * 100,
    "applause_rate:per_post": 74 / 4,
    "conversation_rate": 19 / FOLLOWERS_END * 100,
    "virality_rate": (4 + 1 + 5) / 1600 * 100,
    "virality_rate:by_reach": 5 / 800 * 100,
    "audience_growth_rate": 200 / FOLLOWERS_START * 100,
    "audience_growth_rate:by_end": 200 / FOLLOWERS_END * 100,
    "click_through_rate": 5 / 600 * 100,  # B reports no clicks: only A counts
    "video_view_rate": 350 / 1600 * 100,
    "reach:reach_rate": 800 / 2100 * 100,
    "bounce_rate": 90 / 200 * 100,
    "conversion_rate": 5 / 5 * 100,  # conversions / clicks of A
    "conversion_rate:by_sessions": 5 / 200 * 100,
    "social_conversion_rate": 5 / 50 * 100,
    "social_revenue": 345.5,
    "cost_per_click": 120 / 60,
    "cpm": 120 / 40000 * 1000,
    "csat": 8 / 10 * 100,
    "csat:mean_score": 41 / 10,
    "nps": (10 - 4) / 20 * 100,
    "response_rate": 30 / 40 * 100,
    "first_response_time": 600.0,
    "profile_views": 7,
}


MENTION_METRICS = {"brand_mentions", "share_of_voice", "social_sentiment"}  # tested below


def _compute(app: App, ws: object, keys: list[str], by: str | None = None, period=JAN):
    """Every account, own and competitor (the hand values above include C)."""
    reqs = [(k.partition(":")[0], k.partition(":")[2] or None) for k in keys]
    return app.metrics.compute(ws, reqs, parse_breakdown(by), period,
                               scope=Scope(ScopeKind.ALL))


def test_every_metric_by_hand(tiny) -> None:
    app, ws, _ = tiny
    table = _compute(app, ws, list(EXPECTED))
    row = table.rows[0]
    for key, want in EXPECTED.items():
        assert row[key] == pytest.approx(want), key


def test_catalogue_is_fully_covered_here() -> None:
    from socialpulse.catalogue import metric_catalogue

    ids = {k.partition(":")[0] for k in EXPECTED} | MENTION_METRICS
    assert set(metric_catalogue().metrics) == ids


def test_breakdown_by_network_and_account(tiny) -> None:
    app, ws, ids = tiny
    rows = {
        r["network"]: r for r in _compute(app, ws, ["engagement_rate", "followers"], "network").rows
    }
    assert rows["x"]["engagement_rate"] == pytest.approx(28 / 600 * 100)
    assert rows["x"]["followers"] == 1100 + 5000
    assert rows["instagram"]["engagement_rate"] == pytest.approx(6.0)
    by_acc = {
        r["account"]: r
        for r in _compute(app, ws, ["engagements", "engagement_rate"], "account").rows
    }
    assert by_acc["@c"]["engagements"] == 30
    assert by_acc["@c"]["engagement_rate"] is None  # no impressions: never a fake 0


def test_latest_snapshot_in_the_window(tiny) -> None:
    app, ws, _ = tiny
    # up to Jan 10: p1 counts with its Jan 6 snapshot (not the Jan 12 one); p3, published
    # Jan 10 and first observed Jan 11, counts with that first later snapshot
    early = parse_period("2026-01-01..2026-01-10")
    row = _compute(app, ws, ["impressions", "posts"], period=early).rows[0]
    assert row["impressions"] == 100 + 1000 and row["posts"] == 2


def test_a_post_observed_only_after_the_period_counts_with_its_first_later_snapshot(
    tiny,
) -> None:
    app, ws, _ = tiny
    # p4 (published Jan 12) was first observed on Jan 13: it still counts in Jan 1..12
    row = _compute(app, ws, ["engagements", "posts"],
                   period=parse_period("2026-01-01..2026-01-12")).rows[0]
    # p1 (its Jan 12 snapshot is before the cut-off, Jan 13 00:00), p3 (observed Jan 11)
    # and p4 (only later: Jan 13)
    assert row["posts"] == 3
    assert row["engagements"] == 20 + 60 + 30


def test_monthly_buckets_and_followers_start(tiny) -> None:
    app, ws, _ = tiny
    rows = _compute(
        app,
        ws,
        ["posts", "net_follower_growth", "impressions"],
        "month",
        parse_period("2026-01-01..2026-02-28"),
    ).rows
    assert [r["period"] for r in rows] == [date(2026, 1, 1), date(2026, 2, 1)]
    assert rows[0]["posts"] == 4 and rows[1]["posts"] == 1
    assert rows[0]["net_follower_growth"] == 200 and rows[1]["net_follower_growth"] == 0
    assert rows[1]["impressions"] == 300


def test_missing_inputs_are_named_not_zero(tiny) -> None:
    app, ws, _ = tiny
    table = _compute(app, ws, ["share_of_voice", "engagement_rate"])
    assert table.rows[0]["share_of_voice"] is None
    assert table.missing["share_of_voice"] == ["own_mentions", "mentions"]
    assert any("share_of_voice: no data for own_mentions, mentions" in n for n in table.notes)
    assert any("engagement_rate: left out" in n and "X @c" in n for n in table.notes)


def test_reimport_and_newer_snapshots(tiny) -> None:
    app, ws, ids = tiny
    newer = [
        snap(
            ids["a"],
            "p2",
            ts(2026, 1, 25),
            impressions=500,
            engagements=10,
            likes=5,
            comments=2,
            shares=1,
            clicks=2,
            video_views=0,
            reach=None,
            saves=None,
        )
    ]
    app.lake.ingest(ws.id, "newer", "test", {"post_snapshots": pa.Table.from_pylist(newer)})
    again = app.lake.ingest(ws.id, "newer", "test", {"post_snapshots": pa.Table.from_pylist(newer)})
    assert again.already_imported
    row = _compute(app, ws, ["impressions", "posts"]).rows[0]
    assert row["impressions"] == 200 + 500 + 1000 and row["posts"] == 4


def test_mention_metrics_by_hand_without_any_account(empty_app: App) -> None:
    """Listening-only workspaces: brand mentions, share of voice and sentiment by hand."""
    app = empty_app
    ws = app.store.create_workspace("listen", "Listen", "UTC", ["en"])
    own = app.store.ensure_brand(ws.id, "Own", True).id
    rival = app.store.ensure_brand(ws.id, "Rival", False).id
    rows = []
    # own: 3 positive, 1 negative, 1 neutral, 1 unlabelled; rival: 4 mentions
    labels = ["positive", "positive", "positive", "negative", "neutral", None]
    for i, label in enumerate(labels):
        rows.append({"mention_id": f"o{i}", "brand_id": own, "is_own_brand": True,
                     "network": "x" if i % 2 else "mastodon", "local_date": date(2026, 1, 3),
                     "published_at": ts(2026, 1, 3), "sentiment": label,
                     "has_sentiment": label is not None})
    for i in range(4):
        rows.append({"mention_id": f"r{i}", "brand_id": rival, "is_own_brand": False,
                     "network": "x", "local_date": date(2026, 1, 4),
                     "published_at": ts(2026, 1, 4), "sentiment": "neutral",
                     "has_sentiment": True})
    app.lake.ingest(ws.id, "mentions", "test", {"mentions": pa.Table.from_pylist(rows)})
    keys = ["brand_mentions", "share_of_voice", "social_sentiment", "social_sentiment:net"]
    assert {k.partition(":")[0] for k in keys} == MENTION_METRICS
    row = _compute(app, ws, keys).rows[0]
    assert row["brand_mentions"] == 6
    assert row["share_of_voice"] == pytest.approx(6 / 10 * 100)
    assert row["social_sentiment"] == pytest.approx(3 / 5 * 100)
    assert row["social_sentiment:net"] == pytest.approx((3 - 1) / 5 * 100)
    by_net = {r["network"]: r for r in _compute(app, ws, ["share_of_voice"], "network").rows}
    assert by_net["x"]["share_of_voice"] == pytest.approx(3 / 7 * 100)
    assert by_net["mastodon"]["share_of_voice"] == pytest.approx(100.0)
    with pytest.raises(MissingData, match="no accounts or data yet"):
        _compute(app, ws, ["engagement_rate"])
