"""The funnel's whole-period figure is the average of the per-period rates, by hand.

One own X account with 1,000 followers all along (no change, so every month ends on 1,000).
January: posts with 800 likes, 50 comments, 30 shares; February: 600 likes, 30 comments,
10 shares. Monthly applause rates 80% and 60%; the whole period reads their average, 70% (the
old ratio of sums over the two months read 140%, and 561% on the demo's 13 months).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.models import Network
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import Breakdown
from socialpulse.services.funnel import FunnelService, average_rates


def _when(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 12, tzinfo=UTC)


@pytest.fixture
def funnel_app(empty_app: App) -> tuple[App, object]:
    app = empty_app
    ws = app.store.create_workspace("hand", "By hand", "UTC", ["en"])
    brand = app.store.ensure_brand(ws.id, "Own", True)
    acc = app.store.ensure_account(ws.id, Network.X, "@own", brand_id=brand.id).id
    posts, snaps = [], []
    # (post, day, likes, comments, shares): two posts in January, one in February
    for pid, day, likes, comments, shares in [("j1", _when(2026, 1, 5), 500, 30, 20),
                                              ("j2", _when(2026, 1, 20), 300, 20, 10),
                                              ("f1", _when(2026, 2, 10), 600, 30, 10)]:
        posts.append({"account_id": acc, "post_id": pid, "published_at": day,
                      "local_date": day.date(), "post_type": "image", "text": pid, "url": "",
                      "campaign": None})
        snaps.append({"account_id": acc, "post_id": pid, "observed_at": day + timedelta(days=2),
                      "impressions": 10_000, "engagements": likes + comments + shares,
                      "likes": likes, "comments": comments, "shares": shares})
    daily = [{"account_id": acc, "date": date(2025, 12, 31) + timedelta(days=i),
              "observed_at": _when(2026, 3, 5), "followers": 1000} for i in range(60)]
    app.lake.ingest(ws.id, "hand", "test", {"posts": pa.Table.from_pylist(posts),
                                            "post_snapshots": pa.Table.from_pylist(snaps),
                                            "account_daily": pa.Table.from_pylist(daily)})
    return app, ws


def test_whole_period_is_the_average_of_monthly_rates(funnel_app: tuple[App, object]) -> None:
    app, ws = funnel_app
    f = FunnelService(app.metrics, app.store).funnel(
        ws, DateRange(date(2026, 1, 1), date(2026, 2, 28)), Grain.MONTH)  # type: ignore[arg-type]
    months = {r["period"]: r for r in f.rows}
    assert months[date(2026, 1, 1)]["applause_rate"] == pytest.approx(80.0)
    assert months[date(2026, 2, 1)]["applause_rate"] == pytest.approx(60.0)
    x = f.totals["X"]
    assert x["applause_rate"] == pytest.approx((80 + 60) / 2)
    assert x["conversation_rate"] == pytest.approx((5.0 + 3.0) / 2)
    assert x["amplification_rate"] == pytest.approx((3.0 + 1.0) / 2)
    assert x["periods"] == 2
    assert "average of the monthly rates" in f.as_dict()["totals_how"]


def test_average_skips_periods_without_a_value() -> None:
    rows = [{"network_label": "X", "a": 10.0}, {"network_label": "X", "a": None},
            {"network_label": "X", "a": 30.0}, {"network_label": "TikTok", "a": None}]
    out = average_rates(rows, ["a"])
    assert out["X"] == {"a": 20.0, "periods": 3}
    assert out["TikTok"] == {"a": None, "periods": 1}


def test_demo_funnel_stays_readable_over_thirteen_months(demo_app_ro: App) -> None:
    """The demo's TikTok applause over 13 months read 561%; averaged by month it reads a
    monthly rate, below the old ratio of sums and within what a month can bring."""
    ws = demo_app_ro.workspace("demo")
    rng = DateRange(date(2025, 10, 1), date(2026, 10, 31))
    f = FunnelService(demo_app_ro.metrics, demo_app_ro.store).funnel(ws, rng, Grain.MONTH)
    own = [a.id for a in demo_app_ro.store.accounts(ws.id) if a.is_own]
    old = demo_app_ro.metrics.compute(ws, [("applause_rate", None)], Breakdown(("network",)),
                                      rng, account_ids=own)
    ratio_of_sums = {str(r["network"]): r["applause_rate"] for r in old.rows}
    tiktok = f.totals["TikTok"]
    assert tiktok["periods"] == 13
    monthly = [r["applause_rate"] for r in f.rows if r["network_label"] == "TikTok"]
    assert tiktok["applause_rate"] == pytest.approx(sum(monthly) / len(monthly))
    assert tiktok["applause_rate"] < ratio_of_sums["tiktok"] / 5
