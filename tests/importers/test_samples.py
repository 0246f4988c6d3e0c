"""Every real sample imports, and the totals agree with values computed by hand from the files.

The "by hand" side reads the files with the standard library (csv, xlrd, json), not with the
importers, so a mapping mistake shows up as a disagreement.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET  # noqa: S405 - our own test sample, trusted

import pyarrow.compute as pc
import pytest
import xlrd

from .conftest import SAMPLES, do_import, metric, sample_files


def _csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", [
    "tweet_activity_metrics_rOpenSci_20161201_20170101_en.csv",
    "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv",
])
def test_x_engagement_rate_matches_the_export(home, ws, name):
    rows = _csv(SAMPLES / "x" / name)
    eng = sum(float(r["engagements"]) for r in rows)
    imp = sum(float(r["impressions"]) for r in rows)
    # X's own column is engagements / impressions, row by row
    for r in rows:
        assert float(r["engagement rate"]) == pytest.approx(
            float(r["engagements"]) / float(r["impressions"]), rel=1e-9)
    res = do_import(home, ws, sample_files("x", name))
    assert res.rows["posts"] == len(rows) and res.rows["post_snapshots"] == len(rows)
    assert metric(home, ws, "impressions") == imp
    assert metric(home, ws, "engagements") == eng
    assert metric(home, ws, "likes") == sum(float(r["likes"]) for r in rows)
    assert metric(home, ws, "shares") == sum(float(r["retweets"]) for r in rows)
    assert metric(home, ws, "engagement_rate") == pytest.approx(100 * eng / imp)
    accounts = home.store.accounts(ws.id)
    assert [(a.network.value, a.handle) for a in accounts] == [("x", "rOpenSci")]


def test_x_month_period_sees_the_export(home, ws):
    """Observed at the export's last day (workspace time), so the month's query sees it."""
    from socialpulse.domain.periods import parse_period

    name = "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
    do_import(home, ws, sample_files("x", name))
    t = home.metrics.compute(ws, [("posts", None), ("impressions", None)],
                             period=parse_period("2021-11", "p"))
    rec = t.records()[0]
    assert rec["posts"] == 33
    assert rec["impressions"] == sum(float(r["impressions"]) for r in _csv(SAMPLES / "x" / name))


def test_x_daily_maps_profile_clicks(home, ws):
    name = "daily_tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"
    rows = _csv(SAMPLES / "x" / name)
    res = do_import(home, ws, sample_files("x", name))
    assert res.rows["account_daily"] == len(rows) == 31
    assert metric(home, ws, "profile_views") == sum(int(r["user profile clicks"]) for r in rows)
    daily = home.lake.read(ws.id, "account_daily")
    assert daily["ad_impressions"].null_count == 31  # "-" stays empty, not 0
    assert daily["followers"].null_count == 31  # the export has no followers column


def test_linkedin_workbook(home, ws):
    book = xlrd.open_workbook(str(SAMPLES / "linkedin" / "NPLF_LinkedIn_Q1.xls"))
    sh = book.sheet_by_name("Update Engagement")
    header = sh.row_values(1)
    rows = [dict(zip(header, sh.row_values(i), strict=True)) for i in range(2, sh.nrows)]
    imp = sum(r["Impressions"] for r in rows)
    eng = sum(r["Clicks"] + r["Likes"] + r["Comments"] + r["Shares"] for r in rows)
    for r in rows:  # LinkedIn's own rate is (clicks + reactions + comments + shares) / impr.
        assert r["Engagement rate"] == pytest.approx(
            (r["Clicks"] + r["Likes"] + r["Comments"] + r["Shares"]) / r["Impressions"],
            abs=1e-6)
    res = do_import(home, ws, sample_files("linkedin"))
    assert res.rows["posts"] == len(rows) == 10
    assert metric(home, ws, "impressions") == imp
    assert metric(home, ws, "engagement_rate") == pytest.approx(100 * eng / imp)
    visitors = book.sheet_by_name("Visitor metrics")
    total_views = sum(visitors.row_values(i)[21] for i in range(1, visitors.nrows))
    assert metric(home, ws, "profile_views") == total_views
    posts = home.lake.read(ws.id, "posts")
    assert sorted(posts["local_date"].to_pylist())[0].isoformat() >= "2020-04-01"
    f = res.plan.files[0]
    assert f.handle_origin.startswith("the file name") and f.account == "LinkedIn NPLF"
    # the demographics sheets are stored as audience breakdowns (tests/completeness)
    assert not any("demographics" in k for k in f.skipped) and res.rows["audience"] > 0


def _spreadsheetml_sheet(name: str) -> list[list]:
    ns = "{urn:schemas-microsoft-com:office:spreadsheet}"
    root = ET.parse(SAMPLES / "facebook" / "NPLF_Facebook_Posts_Q2_spreadsheetml.xls").getroot()
    for wsx in root.iter(ns + "Worksheet"):
        if wsx.get(ns + "Name") == name:
            out = []
            for row in wsx.iter(ns + "Row"):
                cells = []
                for c in row.findall(ns + "Cell"):
                    d = c.find(ns + "Data")
                    cells.append(d.text if d is not None else None)
                out.append(cells)
            return out
    raise KeyError(name)


def test_facebook_legacy_post_data(home, ws):
    key = _spreadsheetml_sheet("Key Metrics")
    header = key[0]
    data = key[2:]
    reach = sum(float(r[header.index("Lifetime Post Total Reach")]) for r in data)
    impressions = sum(float(r[header.index("Lifetime Post Total Impressions")]) for r in data)
    stories = _spreadsheetml_sheet("Lifetime Post Stories by act...")
    sh = stories[0]
    likes = sum(float(r[sh.index("like")] or 0) for r in stories[1:])
    comments = sum(float(r[sh.index("comment")] or 0) for r in stories[1:])
    shares = sum(float(r[sh.index("share")] or 0) for r in stories[1:])
    res = do_import(home, ws, sample_files("facebook"))
    assert res.rows["posts"] == len(data) == 63
    assert metric(home, ws, "reach") == reach
    assert metric(home, ws, "impressions") == impressions
    assert metric(home, ws, "likes") == likes
    assert metric(home, ws, "comments") == comments
    assert metric(home, ws, "shares") == shares
    assert metric(home, ws, "engagements") == likes + comments + shares
    assert [a.handle for a in home.store.accounts(ws.id)] == ["NPLFoundation"]
    f = res.plan.files[0]
    assert f.observed_origin.startswith("import time")


def test_youtube_folder(home, ws):
    rows = _csv(SAMPLES / "youtube" / "priyankapatel05_Table data.csv")
    assert rows[0]["Content"] == "Total"
    videos = rows[1:]
    res = do_import(home, ws, sample_files("youtube"))
    assert res.rows["posts"] == len(videos)
    assert metric(home, ws, "video_views") == sum(int(r["Views"]) for r in videos)
    assert metric(home, ws, "impressions") == sum(int(r["Impressions"]) for r in videos)
    table = next(f for f in res.plan.files if f.format == "youtube-table")
    assert table.skipped == {"the 'Total' row": 1}
    assert "Chart data" in table.observed_origin  # the export's last day, from the folder
    assert table.observed_at.date().isoformat() == "2026-06-12"
    snaps = home.lake.read(ws.id, "post_snapshots")
    assert snaps["likes"].null_count == len(videos)  # not in this export: empty, not 0


def test_tiktok_studio(home, ws):
    content = _csv(SAMPLES / "tiktok" / "htupycollabs_Content.csv")
    history = _csv(SAMPLES / "tiktok" / "htupycollabs_FollowerHistory.csv")
    overview = _csv(SAMPLES / "tiktok" / "htupycollabs_Overview.csv")
    res = do_import(home, ws, sample_files("tiktok"))
    assert res.rows["posts"] == len(content) == 13
    assert metric(home, ws, "likes") == sum(int(r["Total likes"]) for r in content)
    assert metric(home, ws, "video_views") == sum(int(r["Total views"]) for r in content)
    assert metric(home, ws, "followers") == int(history[-1]["Followers"])
    assert metric(home, ws, "profile_views") == sum(int(r["Profile Views"]) for r in overview)
    daily = home.lake.read(ws.id, "account_daily")
    undefined = sum(1 for r in history if r["Followers"] == "undefined")
    assert daily["followers"].null_count == undefined > 0
    assert pc.max(daily["date"]).as_py().isoformat() == "2026-02-27"
    assert pc.min(daily["date"]).as_py().isoformat() == "2025-02-28"
    notes = " ".join(n for f in res.plan.files for n in f.notes)
    assert "taken as 2026" in notes
    assert [a.handle for a in home.store.accounts(ws.id)] == ["haileytupy2.0"]
    posts = home.lake.read(ws.id, "posts").to_pylist()
    by_id = {p["post_id"]: p for p in posts}
    assert by_id["7602008805399940407"]["published_at"].date().isoformat() == "2026-02-01"


def test_tiktok_year_option(home, ws):
    from socialpulse.services.imports import ImportOptions

    res = do_import(home, ws, sample_files("tiktok", "*Overview.csv"), ImportOptions(year=2025))
    daily = home.lake.read(ws.id, "account_daily")
    assert pc.max(daily["date"]).as_py().isoformat() == "2025-02-27"
    assert "from --year" in " ".join(res.plan.files[0].notes)


def test_mastodon_status(home, ws):
    status = json.loads((SAMPLES / "mastodon" / "status_example_from_docs.json").read_text())
    res = do_import(home, ws, sample_files("mastodon"))
    assert res.rows == {"posts": 1, "post_snapshots": 1, "account_daily": 1}
    assert metric(home, ws, "likes") == status["favourites_count"]
    assert metric(home, ws, "comments") == status["replies_count"]
    assert metric(home, ws, "shares") == status["reblogs_count"] + status["quotes_count"]
    assert metric(home, ws, "followers") == status["account"]["followers_count"]
    assert [a.handle for a in home.store.accounts(ws.id)] == ["Gargron@mastodon.social"]
    assert res.plan.files[0].observed_origin.startswith("import time")


def test_bluesky_feeds(home, ws):
    res = do_import(home, ws, sample_files("bluesky", "*.json"))
    dan = next(f for f in res.plan.files if "dan" in f.name)
    assert dan.skipped == {"repost of another account's post": 2}
    feed = json.loads((SAMPLES / "bluesky" / "atproto_author-feed_self.json").read_text())["feed"]
    assert res.rows["posts"] == len(feed) + 2
    likes = sum(it["post"]["likeCount"] for it in feed)
    assert metric(home, ws, "likes") == likes
    assert sorted(a.handle for a in home.store.accounts(ws.id)) == ["alice.test", "dan.test"]
