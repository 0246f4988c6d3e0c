"""Listening on the demo workspace and on a user's own files: the full path through the lake,
the catalogue metrics, corrections, alerts, and the CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.periods import DateRange, parse_period
from socialpulse.domain.query import parse_breakdown
from socialpulse.interfaces.cli import main
from socialpulse.services.demo_data import events

SAMPLES = Path(__file__).parents[1] / "data" / "samples" / "listening"
UNTIL = date(2026, 10, 31)
ME = Actor.local("tester")


def lake_sql(app: App, sql: str, params: list | None = None) -> list[tuple]:
    """``sql`` over table ``m``: the workspace's mention files read directly, beside the
    service (a check that does not go through the queries it checks)."""
    files = [str(p) for p in app.lake.files(app.workspace("demo").id, "mentions")]
    con = duckdb.connect()
    con.execute(f"CREATE VIEW m AS SELECT * FROM read_parquet({files!r}, union_by_name = true)")
    return con.execute(sql, params or []).fetchall()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_demo_has_share_of_voice_sentiment_and_the_crisis(demo_app_ro: App) -> None:
    a = demo_app_ro
    ws = a.workspace("demo")
    rng = a.listening.default_period(ws, 365)
    sov = a.listening.share_of_voice(ws, rng)
    names = [b["brand"] for b in sov["brands"]]
    assert set(names) == {"Acme Outdoor", "Summit Gear", "TrailCo"}
    assert abs(sum(b["share_of_voice"] for b in sov["brands"]) - 1) < 1e-9
    own = next(b for b in sov["brands"] if b["is_own"])
    assert 0.3 < own["share_of_voice"] < 0.7
    assert 0 < own["tagged"] < own["mentions"]  # tagged and untagged told apart
    langs = {r[0] for r in lake_sql(a, "SELECT DISTINCT lang FROM m")}
    assert {"en", "es", "de", "fr", "und"} <= langs  # Persian shows as undetermined
    bad = events(UNTIL)["bad-week"]
    alerts = a.listening.alerts(ws)
    crisis = [x for x in alerts if x.brand == "Acme Outdoor" and x.start <= bad.end
              and x.end >= bad.start]
    assert {x.kind for x in crisis} == {"volume", "negative_share"}
    for x in crisis:
        assert x.mentions and all(bad.start <= m.published_at.date() <= bad.end + timedelta(days=1)
                                  for m in x.mentions)
    neg = next(x for x in crisis if x.kind == "negative_share")
    assert all(m.sentiment == "negative" for m in neg.mentions)
    # outside the crisis, nothing fires for the own brand
    assert all(x.start >= bad.start - timedelta(days=7) for x in alerts
               if x.brand == "Acme Outdoor")


def test_catalogue_metrics_use_the_mentions(demo_app_ro: App) -> None:
    """brand_mentions, share_of_voice and social_sentiment by week: real numbers that agree
    with the listening service's own counts."""
    a = demo_app_ro
    ws = a.workspace("demo")
    period = parse_period("2026-Q3")
    table = a.metrics.compute(ws, [("brand_mentions", None), ("share_of_voice", None),
                                   ("social_sentiment", None)], parse_breakdown("week"), period)
    recs = table.records()
    assert len(recs) >= 13
    assert all(r["brand_mentions"] > 0 and 0 < r["share_of_voice"] < 100
               and 0 < r["social_sentiment"] < 100 for r in recs)
    total = a.metrics.compute(ws, [("brand_mentions", None), ("share_of_voice", None),
                                   ("social_sentiment", None)], period=period).records()[0]
    sov = a.listening.share_of_voice(ws, DateRange(period.start, period.end))
    own = next(b for b in sov["brands"] if b["is_own"])
    assert total["brand_mentions"] == own["mentions"]
    assert total["share_of_voice"] == pytest.approx(own["share_of_voice"] * 100)
    assert total["social_sentiment"] == pytest.approx(own["positive_share"] * 100)


def test_ingest_own_file_twice_and_correct(demo_app: App, capsys) -> None:
    home = str(demo_app.settings.home)
    code, out, err = run(capsys, "--home", home, "listen", "ingest",
                         str(SAMPLES / "mentions.jsonl"))
    assert code == 0, err
    assert "read 5 posts, 4 mention a brand" in out and "1 matched no query" in out
    code, out, _ = run(capsys, "--home", home, "listen", "ingest",
                       str(SAMPLES / "mentions.jsonl"))
    assert code == 0 and "already ingested" in out
    ws = demo_app.workspace("demo")
    r = demo_app.listening.mentions(ws, search="which one for the alps")
    assert r["total"] == 1
    m = r["mentions"][0]
    assert set(m["brands"]) == {"Acme Outdoor", "Summit Gear"} and m["mention_id"] == "t-3"
    # a correction: the label changes everywhere the lake is read, and is kept for retraining
    before = demo_app.metrics.compute(ws, [("social_sentiment", None)],
                                      period=DateRange(date(2026, 10, 21), date(2026, 10, 21))
                                      ).records()[0]["social_sentiment"]
    new = "positive" if m["sentiment"] != "positive" else "negative"
    code, out, err = run(capsys, "--home", home, "listen", "correct", "t-3", new)
    assert code == 0, err
    assert demo_app.listening.mentions(ws, search="which one for the alps")["mentions"][0][
        "sentiment"] == new
    after = demo_app.metrics.compute(ws, [("social_sentiment", None)],
                                     period=DateRange(date(2026, 10, 21), date(2026, 10, 21))
                                     ).records()[0]["social_sentiment"]
    assert after != before
    code, out, _ = run(capsys, "--home", home, "listen", "corrections")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["mention_id"] == "t-3" and rows[0]["sentiment"] == new
    assert rows[0]["text"].startswith("Summit Gear vs Acme Outdoor")
    # re-ingesting a file that holds the mention again keeps the person's label
    code, out, err = run(capsys, "--home", home, "listen", "ingest",
                         str(SAMPLES / "mentions.jsonl"), "--format", "jsonl")
    extra = Path(demo_app.settings.home) / "again.jsonl"
    extra.write_text((SAMPLES / "mentions.jsonl").read_text().splitlines()[2] + "\n")
    code, out, err = run(capsys, "--home", home, "listen", "ingest", str(extra))
    assert code == 0, err
    got = demo_app.listening.mentions(ws, search="which one for the alps")["mentions"][0]
    assert got["sentiment"] == new and got["sentiment_source"] == "user"


def test_mastodon_bluesky_and_csv_ingest(demo_app: App, capsys) -> None:
    home = str(demo_app.settings.home)
    ws = demo_app.workspace("demo")
    demo_app.listening.add_brand(ME, ws, "Mastodon project", query="inheritance OR gargron")
    demo_app.listening.add_brand(ME, ws, "Alice", query='author:alice* "thanks bob"')
    for name in ("mastodon_status.json", "bluesky_author_feed.json", "mentions.csv"):
        code, out, err = run(capsys, "--home", home, "listen", "ingest", str(SAMPLES / name))
        assert code == 0, err
    r = demo_app.listening.mentions(ws, network="mastodon", brand="Mastodon project")
    assert r["total"] == 1 and r["mentions"][0]["author_followers"] == 322930
    r = demo_app.listening.mentions(ws, brand="Alice")
    assert [m["text"] for m in r["mentions"]] == ["thanks bob"]
    r = demo_app.listening.mentions(ws, search="replaced my boots")
    assert r["total"] == 1 and r["mentions"][0]["network"] == "x"


def test_cli_errors_are_one_line(demo_app_ro: App, capsys, tmp_path: Path) -> None:
    home = str(demo_app_ro.settings.home)
    code, _, err = run(capsys, "--home", home, "listen", "query", "TrailCo", "trailco OR",
                       "--test")
    assert code == 2 and err.strip().count("\n") == 0
    assert "query: OR needs a term on both sides at column 9" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "TrailCo", "published_at": "2026-01-01", "network": "x"}\n{oops\n')
    code, _, err = run(capsys, "--home", home, "listen", "ingest", str(bad))
    assert code == 2 and f"{bad}:2: invalid JSON" in err
    code, _, err = run(capsys, "--home", home, "listen", "mentions", "--sentiment", "angry")
    assert code == 2 and "sentiment: unknown value 'angry'" in err
    code, _, err = run(capsys, "--home", home, "listen", "correct", "nope", "positive")
    assert code == 2 and "mention 'nope' not found" in err


def test_cli_reports(demo_app_ro: App, capsys) -> None:
    home = str(demo_app_ro.settings.home)
    code, out, _ = run(capsys, "--home", home, "listen", "sov", "--period", "2026-Q3",
                       "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert {d["brand"] for d in data} == {"Acme Outdoor", "Summit Gear", "TrailCo"}
    code, out, _ = run(capsys, "--home", home, "listen", "alerts", "--no-detect", "--format",
                       "json")
    assert code == 0 and any(a["kind"] == "negative_share" for a in json.loads(out))
    code, out, _ = run(capsys, "--home", home, "listen", "query", "Acme Outdoor", "--test")
    assert code == 0 and "query matches" in out and "[tagged]" in out
    code, out, _ = run(capsys, "--home", home, "listen", "trending", "--period",
                       "2026-06-15..2026-07-09", "--days", "7")
    assert code == 0 and "theme" in out


def test_classify_jsonl(capsys, tmp_path: Path) -> None:
    f = tmp_path / "texts.txt"
    f.write_text("I love it, amazing!\nEs horrible, lo odio\n\nکاپشن خوب است\n")
    code, out, err = run(capsys, "listen", "classify", str(f), "--languages", "en,es,fa")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["lang"] for r in rows] == ["en", "es", "fa"]
    assert rows[0]["sentiment"] == "positive" and rows[1]["sentiment"] == "negative"
    assert set(rows[0]) >= {"text", "lang", "sentiment", "score"}
    code, _, err = run(capsys, "listen", "classify", str(f), "--mode", "magic")
    assert code == 2 and "unknown mode 'magic'" in err
    code, _, err = run(capsys, "listen", "classify", str(f), "--languages", "xx")
    assert code == 2 and "unknown language code 'xx'" in err


def test_top_authors_are_one_handle_on_one_network_in_a_stable_order(demo_app_ro: App) -> None:
    a = demo_app_ro
    ws = a.workspace("demo")
    rng = a.listening.default_period(ws, 365)
    first = a.listening.top_authors(ws, rng, limit=50)
    assert first == a.listening.top_authors(ws, rng, limit=50)
    keys = [(r["author"], r["network"]) for r in first]
    assert len(keys) == len(set(keys)) and len(keys) > 10
    # each row's counts are that handle's on that network only
    r = first[0]
    n = lake_sql(
        a, "SELECT count(DISTINCT mention_id) AS n FROM m WHERE author = ? AND network = ? "
           "AND local_date BETWEEN ? AND ?", [r["author"], r["network"], rng.start, rng.end])
    assert r["mentions"] == n[0][0]
    followers = [x["followers"] or 0 for x in first]
    assert followers == sorted(followers, reverse=True)
