"""Account daily totals (TikTok Overview, LinkedIn aggregated update metrics) count in the
metrics of accounts without per-post data, and never beside per-post data (docs/metrics.md).

Expected values are summed by hand from the real sample files with the csv module and xlrd,
not with the importers.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import xlrd

from socialpulse.domain.periods import parse_period
from socialpulse.domain.query import parse_breakdown
from socialpulse.services.imports import ImportOptions
from tests.importers.conftest import SAMPLES, do_import, sample_files

TIKTOK = SAMPLES / "tiktok"
OVERVIEW = "htupycollabs_Overview.csv"
CONTENT = "htupycollabs_Content.csv"
LINKEDIN = SAMPLES / "linkedin" / "NPLF_LinkedIn_Q1.xls"
# one account for both TikTok files (the Content export names the video owner's handle)
SAME = ImportOptions(account="htupycollabs", year=2026)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _compute(app, ws, ids, period=None, by=""):
    return app.metrics.compute(ws, [(i, None) for i in ids], period=period,
                               breakdown=parse_breakdown(by), allow_empty=True)


def test_a_tiktok_overview_alone_gives_daily_views(home, ws):
    rows = _rows(TIKTOK / OVERVIEW)
    do_import(home, ws, sample_files("tiktok", OVERVIEW), SAME)
    ids = ["video_views", "likes", "comments", "shares", "engagements"]
    got = _compute(home, ws, ids).records()[0]
    hand = {c: sum(int(r[h]) for r in rows) for c, h in
            [("video_views", "Video Views"), ("likes", "Likes"), ("comments", "Comments"),
             ("shares", "Shares")]}
    assert hand["video_views"] > 0 and any(int(r["Comments"]) < 0 for r in rows)  # net days
    for c, v in hand.items():
        assert got[c] == v, c
    assert got["engagements"] == hand["likes"] + hand["comments"] + hand["shares"]
    # a month: the file's last row (February 27) is 2026 (--year), so October is 2025
    october = [r for r in rows if r["Date"].startswith("October ")]
    month = _compute(home, ws, ["video_views"], parse_period("2025-10", "period"))
    assert month.records()[0]["video_views"] == sum(int(r["Video Views"]) for r in october)
    # by week, the buckets add up to the month (one source per account)
    weeks = _compute(home, ws, ["video_views"], parse_period("2025-10", "period"), "week")
    assert sum(r["video_views"] for r in weeks.records()) == month.records()[0]["video_views"]


def test_per_video_data_wins_and_totals_are_never_added(home, ws):
    content = _rows(TIKTOK / CONTENT)
    do_import(home, ws, sample_files("tiktok", OVERVIEW), SAME)
    do_import(home, ws, sample_files("tiktok", CONTENT), SAME)
    assert len(home.store.accounts(ws.id)) == 1
    got = _compute(home, ws, ["video_views", "likes", "shares"]).records()[0]
    assert got["video_views"] == sum(int(r["Total views"]) for r in content)
    assert got["likes"] == sum(int(r["Total likes"]) for r in content)
    assert got["shares"] == sum(int(r["Total shares"]) for r in content)
    # a month with no video published: the account has per-video data, so 0, not the totals
    march = _compute(home, ws, ["video_views"], parse_period("2025-03", "period")).records()
    assert not march or march[0]["video_views"] in (0, None)
    # the daily totals are still stored (a later Content-less account could use them)
    daily = home.lake.read(ws.id, "account_daily")
    assert sum(v for v in daily["video_views"].to_pylist() if v) == sum(
        int(r["Video Views"]) for r in _rows(TIKTOK / OVERVIEW))


def _aggregated_csv(tmp_path: Path) -> tuple[Path, list[dict[str, float]]]:
    """The real workbook's 'Update metrics (aggregated)' sheet, note row and all, written as
    the CSV LinkedIn also offers (the same columns); and its data rows by header."""
    sheet = xlrd.open_workbook(LINKEDIN).sheet_by_name("Update metrics (aggregated)")
    rows = [sheet.row_values(i) for i in range(sheet.nrows)]
    path = tmp_path / "NPLF_aggregated.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        for r in rows:
            w.writerow([int(c) if isinstance(c, float) and c.is_integer() else c for c in r])
    header = rows[1]
    return path, [dict(zip(header, r, strict=True)) for r in rows[2:]]


def test_a_linkedin_aggregated_sheet_alone_gives_daily_impressions(home, ws, tmp_path):
    path, rows = _aggregated_csv(tmp_path)
    do_import(home, ws, [(path, path.name)])
    got = _compute(home, ws, ["impressions", "engagements", "clicks", "likes"]).records()[0]
    hand = {k: sum(r[f"{h} (organic)"] for r in rows) for k, h in
            [("impressions", "Impressions"), ("clicks", "Clicks"), ("likes", "Reactions"),
             ("comments", "Comments"), ("shares", "Shares")]}
    assert hand["impressions"] > 0
    assert got["impressions"] == hand["impressions"]
    assert got["clicks"] == hand["clicks"] and got["likes"] == hand["likes"]
    assert got["engagements"] == (hand["clicks"] + hand["likes"] + hand["comments"]
                                  + hand["shares"])
    april = [r for r in rows if str(r["Date"]).startswith("04/")]
    month = _compute(home, ws, ["impressions"], parse_period("2020-04", "period"))
    assert month.records()[0]["impressions"] == sum(r["Impressions (organic)"] for r in april)


def test_the_whole_linkedin_workbook_counts_updates_not_totals(home, ws):
    book = xlrd.open_workbook(LINKEDIN)
    sheet = book.sheet_by_name("Update Engagement")
    header = sheet.row_values(1)
    rows = [dict(zip(header, sheet.row_values(i), strict=True)) for i in range(2, sheet.nrows)]
    do_import(home, ws, [(LINKEDIN, LINKEDIN.name)])
    got = _compute(home, ws, ["impressions"]).records()[0]
    assert got["impressions"] == sum(r["Impressions"] for r in rows if r["Update link"])
    totals = book.sheet_by_name("Update metrics (aggregated)")
    organic = sum(totals.row_values(i)[1] for i in range(2, totals.nrows))
    assert got["impressions"] != organic  # the totals were not used


def test_explain_states_the_rule(home, ws):
    notes = " ".join(home.metrics.explain("video_views", None, ws).notes)
    assert "daily account totals" in notes and "never both" in notes
    assert "daily account totals" not in " ".join(home.metrics.explain("followers", None,
                                                                        ws).notes)


@pytest.mark.spark
def test_totals_rule_is_identical_on_spark(home, ws, spark_backend):
    from socialpulse.adapters.engine import IbisEngine
    from socialpulse.domain.query import MetricQuery, MetricRequest, plan

    do_import(home, ws, sample_files("tiktok", OVERVIEW), SAME)
    do_import(home, ws, sample_files("tiktok", CONTENT), ImportOptions(account="other",
                                                                       year=2026))
    do_import(home, ws, sample_files("tiktok", OVERVIEW), ImportOptions(account="other",
                                                                        year=2026))
    accounts = home.store.accounts(ws.id)
    reqs = tuple(MetricRequest(m, None) for m in ("video_views", "likes", "engagements",
                                                  "posts", "followers"))
    query = MetricQuery(ws.id, reqs, parse_breakdown("account,month"),
                        parse_period("2025-07-01..2025-12-31", "period"))
    p = plan(home.catalogue, query)
    duck = home.engine.run(p, accounts, ws.timezone)
    spark = IbisEngine(spark_backend, home.lake.files).run(p, accounts, ws.timezone)
    assert duck.columns == spark.columns and len(duck.rows) == len(spark.rows) >= 6
    for d, s in zip(duck.rows, spark.rows, strict=True):
        assert d == pytest.approx(s)
    assert {r["account"] for r in duck.rows} == {"htupycollabs", "other"}


def test_a_lake_written_before_the_totals_columns_still_reads(home, ws):
    """Homes imported with an older socialpulse have account_daily files without the totals
    columns; they read as empty and new imports add to them."""
    import pyarrow.parquet as pq

    from socialpulse.adapters.lake import DAILY_TOTALS

    history = "htupycollabs_FollowerHistory.csv"
    do_import(home, ws, sample_files("tiktok", history), SAME)
    for path in home.lake.files(ws.id, "account_daily"):
        old = pq.read_table(path).drop_columns(DAILY_TOTALS)
        pq.write_table(old, path)
    assert "video_views" not in pq.read_schema(home.lake.files(ws.id, "account_daily")[0]).names
    do_import(home, ws, sample_files("tiktok", OVERVIEW), SAME)
    got = _compute(home, ws, ["video_views", "followers"]).records()[0]
    assert got["video_views"] == sum(int(r["Video Views"]) for r in _rows(TIKTOK / OVERVIEW))
    last = [r for r in _rows(TIKTOK / history) if r["Followers"] not in ("", "undefined")][-1]
    assert got["followers"] == int(last["Followers"])
