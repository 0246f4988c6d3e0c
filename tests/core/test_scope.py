"""Scope: own brands by default, competitors, all or named brands; --by brand; --by account
names the network.

Hand values from the tiny workspace of `test_metrics_by_hand` (A: X own, B: Instagram own,
C: X competitor "Rival"; January followers at the end: A 1100, B 2100, C 5000; posts: A 2,
B 1, C 1) and from the demo's own Parquet files read with pyarrow, not through the engine.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from socialpulse.bootstrap import App, local_actor
from socialpulse.domain.errors import InvalidInput, MissingData
from socialpulse.domain.models import Network
from socialpulse.domain.periods import parse_period
from socialpulse.domain.query import (
    NO_BRAND,
    Scope,
    ScopeKind,
    parse_breakdown,
    parse_scope,
)
from socialpulse.interfaces.cli import main
from socialpulse.services.compare import parse_compare_metrics
from tests.core.test_metrics_by_hand import JAN, tiny  # noqa: F401 - the fixture

Q3 = parse_period("2026-Q3")


def _one(app: App, ws, keys, by=None, scope=None):
    reqs = [(k.partition(":")[0], k.partition(":")[2] or None) for k in keys]
    return app.metrics.compute(ws, reqs, parse_breakdown(by), JAN, scope=scope)


def test_default_is_own_brands_and_each_scope_by_hand(tiny) -> None:  # noqa: F811
    app, ws, ids = tiny
    own = _one(app, ws, ["followers", "posts"])
    assert own.rows[0]["followers"] == 1100 + 2100
    assert own.rows[0]["posts"] == 3
    assert own.scope.kind is ScopeKind.OWN and own.scope.brands == ("Own",)
    assert own.scope.label == "own brands (Own)"
    rival = _one(app, ws, ["followers", "posts"], scope=Scope(ScopeKind.COMPETITORS))
    assert (rival.rows[0]["followers"], rival.rows[0]["posts"]) == (5000, 1)
    every = _one(app, ws, ["followers"], scope=Scope(ScopeKind.ALL))
    assert every.rows[0]["followers"] == 1100 + 2100 + 5000
    named = _one(app, ws, ["followers"], scope=parse_scope(None, ["rival"]))
    assert named.rows[0]["followers"] == 5000 and named.scope.label == "brands (Rival)"
    by_net = {r["network"]: r["followers"] for r in _one(app, ws, ["followers"], "network").rows}
    assert by_net == {"instagram": 2100, "x": 1100}  # X is A alone, not A + C


def test_a_competitor_without_impressions_has_no_engagement_rate(tiny) -> None:  # noqa: F811
    app, ws, _ = tiny
    assert _one(app, ws, ["engagement_rate"]).rows[0]["engagement_rate"] == pytest.approx(
        (20 + 8 + 60) / 1600 * 100)
    with pytest.raises(MissingData, match="missing inputs: impressions"):
        _one(app, ws, ["engagement_rate"], scope=Scope(ScopeKind.COMPETITORS))


def test_accounts_of_no_brand_are_own_and_grouped_under_no_brand(tiny) -> None:  # noqa: F811
    app, ws, _ = tiny
    loose = app.store.ensure_account(ws.id, Network.TIKTOK, "@loose").id
    app.lake.ingest(ws.id, "loose", "test", {"account_daily": pa.table({
        "account_id": [loose], "date": [date(2026, 1, 31)], "followers": [70],
        "observed_at": [datetime(2026, 2, 1, tzinfo=UTC)]})})
    own = _one(app, ws, ["followers"])
    assert own.rows[0]["followers"] == 1100 + 2100 + 70
    assert NO_BRAND in own.scope.brands
    by_brand = {r["brand"]: r["followers"]
                for r in _one(app, ws, ["followers"], "brand", Scope(ScopeKind.ALL)).rows}
    assert by_brand == {"Own": 3200, "Rival": 5000, NO_BRAND: 70}


def test_by_account_brings_the_network(tiny) -> None:  # noqa: F811
    app, ws, _ = tiny
    table = _one(app, ws, ["posts"], "account", Scope(ScopeKind.ALL))
    assert table.dimensions == ["account", "network"]
    assert {(r["account"], r["network"]) for r in table.rows} == {
        ("@a", "x"), ("@b", "instagram"), ("@c", "x")}


def test_scope_errors_name_the_field(tiny) -> None:  # noqa: F811
    app, ws, _ = tiny
    with pytest.raises(InvalidInput, match="brand: no brand 'Nope'.*brands: Own, Rival"):
        _one(app, ws, ["posts"], scope=parse_scope(None, ["Nope"]))
    with pytest.raises(InvalidInput, match="scope: unknown value 'mine'"):
        parse_scope("mine")
    with pytest.raises(InvalidInput, match="name brands or ask for 'all'"):
        parse_scope("all", ["Own"])
    # nobody is a competitor now
    app.workspaces.update_account(local_actor(), ws, "@c", competitor=False)
    with pytest.raises(MissingData, match="has no competitor brand"):
        _one(app, ws, ["posts"], scope=Scope(ScopeKind.COMPETITORS))


def _followers_at(app: App, account_ids: set[int], day: date) -> float:
    """Followers on ``day`` summed over accounts, straight from the lake's Parquet files
    (the latest observation of each account and day)."""
    ws = app.workspace("demo")
    t = app.lake.read(ws.id, "account_daily")
    t = t.filter(pc.and_(pc.equal(t["date"], day),
                         pc.is_in(t["account_id"], pa.array(sorted(account_ids)))))
    latest: dict[int, tuple] = {}
    for r in t.to_pylist():
        key = (r["observed_at"], r["batch_id"])
        if r["account_id"] not in latest or key > latest[r["account_id"]][0]:
            latest[r["account_id"]] = (key, r["followers"])
    assert set(latest) == account_ids
    return float(sum(v for _, v in latest.values()))


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_instagram_followers_own_vs_all_from_the_parquet(capsys, demo_app_ro: App) -> None:
    accounts = demo_app_ro.store.accounts(demo_app_ro.workspace("demo").id)
    insta = [a for a in accounts if a.network is Network.INSTAGRAM]
    own = {a.id for a in insta if a.is_own}
    assert len(own) == 1 and len(insta) == 3
    home = str(demo_app_ro.settings.home)
    want_own = _followers_at(demo_app_ro, own, Q3.end)
    want_all = _followers_at(demo_app_ro, {a.id for a in insta}, Q3.end)
    assert want_all > want_own
    for extra, want, label in (([], want_own, "own brands (Acme Outdoor)"),
                               (["--all"], want_all,
                                "all brands (Acme Outdoor, Summit Gear, TrailCo)")):
        code, out, err = _run(capsys, "--home", home, "metrics", "compute", "followers",
                              "--by", "network", "--period", "2026-Q3", "--format", "json",
                              *extra)
        assert code == 0, err
        doc = json.loads(out)
        rows = {r["network"]: r["followers"] for r in doc["rows"]}
        assert rows["instagram"] == want
        assert doc["scope"]["label"] == label
    code, out, _ = _run(capsys, "--home", home, "metrics", "compute", "followers", "--by",
                        "network", "--period", "2026-Q3", "--competitors")
    assert code == 0
    assert out.splitlines()[-1] == "scope: competitors (Summit Gear, TrailCo)"
    code, out, _ = _run(capsys, "--home", home, "metrics", "compute", "followers", "--by",
                        "brand", "--period", "2026-Q3", "--all", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["brand"] for r in table] == ["Acme Outdoor", "Summit Gear", "TrailCo"]
    assert {r["scope"] for r in table} == {"all brands (Acme Outdoor, Summit Gear, TrailCo)"}


def test_demo_by_account_never_repeats_a_handle_without_its_network(capsys,
                                                                   demo_app_ro: App) -> None:
    code, out, err = _run(capsys, "--home", str(demo_app_ro.settings.home), "metrics",
                          "compute", "posts", "--by", "account", "--period", "2026-Q3",
                          "--all", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    pairs = [(r["account"], r["network"]) for r in rows]
    assert len(pairs) == len(set(pairs)) == 14
    assert len({a for a, _ in pairs}) < len(pairs)  # @summitgear is on X, Instagram, TikTok


def test_posts_cli_takes_the_same_scope(capsys, demo_app_ro: App) -> None:
    home = str(demo_app_ro.settings.home)
    code, out, _ = _run(capsys, "--home", home, "posts", "--period", "2026-Q3",
                        "--brand", "TrailCo", "--format", "json", "--limit", "500")
    doc = json.loads(out)
    assert code == 0 and doc["scope"]["brands"] == ["TrailCo"]
    handles = {a.id: a for a in demo_app_ro.store.accounts(demo_app_ro.workspace("demo").id)}
    trailco = {(a.network.value, a.handle) for a in handles.values() if a.brand_name == "TrailCo"}
    assert doc["posts"] and {(p["network"], p["account"]) for p in doc["posts"]} <= trailco
    code, _, err = _run(capsys, "--home", home, "posts", "--all", "--competitors")
    assert code == 2 and "--competitors and --all: choose one scope" in err


def test_compare_explains_each_gap_once(tiny) -> None:  # noqa: F811
    """Own: A (X) has no reach, B (Instagram) has; Rival's C has none: by hand, 60 / 800."""
    app, ws, _ = tiny
    result = app.compare.compare(ws, JAN, parse_compare_metrics("engagement_rate:by_reach"))
    own, rival = result.brands
    assert own["values"]["engagement_rate:by_reach"] == pytest.approx(60 / 800 * 100)
    assert rival["values"]["engagement_rate:by_reach"] is None
    assert result.notes == [
        "Rival: no reach in its exports, so engagement rate by reach is not comparable.",
        "Engagement rate by reach: left out X @a (their exports lack an input); the other "
        "accounts of their brand count.",
    ]
