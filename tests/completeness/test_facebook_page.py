"""Facebook's legacy Page Insights "Page data" export: daily total impressions, reach and video
views as account totals, page likes as followers.

No real Page data file is among our samples: the file here is built from the export's
documented column names (Date, Lifetime Total Likes, Daily Total Reach, Daily Total
Impressions, ...; names in row 1, descriptions in row 2, as in the real "Post data" sample);
the expected values are summed by hand from its rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from socialpulse.domain.periods import parse_period
from socialpulse.services.imports import ImportOptions
from tests.completeness.files import write_csv
from tests.importers.conftest import SAMPLES, do_import

HEADER = ["Date", "Lifetime Total Likes", "Daily New Likes", "Daily Unlikes",
          "Daily Page Engaged Users", "Weekly Page Engaged Users", "Daily Total Reach",
          "Weekly Total Reach", "Daily Organic Reach", "Daily Total Impressions",
          "Weekly Total Impressions", "Daily Organic impressions", "Daily Paid Impressions"]
DESCRIPTIONS = ["", "Lifetime: The total number of people who have liked your Page. "
                "(Unique Users)", "Daily: The number of new people who have liked your Page. "
                "(Unique Users)", "Daily: Unlikes of your Page (Unique Users)",
                "Daily: The number of people who engaged with your Page. (Unique Users)",
                "Weekly: (Unique Users)", "Daily: The number of people who had any content from "
                "your Page or about your Page enter their screen. (Unique Users)",
                "Weekly: (Unique Users)", "Daily: (Unique Users)",
                "Daily: The number of times any content from your Page or about your Page "
                "entered a person's screen. (Total Count)", "Weekly: (Total Count)",
                "Daily: (Total Count)", "Daily: (Total Count)"]


def _page_file(tmp_path: Path) -> tuple[Path, list[dict[str, int]]]:
    rows = []
    likes = 1200
    for i in range(45):  # 2020-05-20 .. 2020-07-03
        day = date(2020, 5, 20) + timedelta(days=i)
        likes += i % 3
        rows.append({"Date": day.isoformat(), "Lifetime Total Likes": likes,
                     "Daily Total Reach": 100 + 7 * i, "Daily Total Impressions": 150 + 11 * i,
                     "Daily Organic impressions": 140 + 11 * i})
    path = write_csv(tmp_path / "NPLF_Facebook_Page_data.csv", HEADER, DESCRIPTIONS,
                     [[r.get(h, 0) for h in HEADER] for r in rows])
    return path, rows


def test_page_data_alone_gives_daily_impressions_reach_and_followers(home, ws, tmp_path):
    path, rows = _page_file(tmp_path)
    res = do_import(home, ws, [(path, path.name)])
    assert res.plan.files[0].format == "facebook-page" and res.rows["account_daily"] == 45
    june = [r for r in rows if r["Date"].startswith("2020-06")]
    t = home.metrics.compute(ws, [("impressions", None), ("reach", None), ("followers", None)],
                             period=parse_period("2020-06"))
    rec = t.records()[0]
    assert rec["impressions"] == sum(r["Daily Total Impressions"] for r in june)
    assert rec["reach"] == sum(r["Daily Total Reach"] for r in june)
    assert rec["followers"] == june[-1]["Lifetime Total Likes"]


def test_page_data_beside_the_post_export_counts_the_posts(home, ws, tmp_path):
    xls = SAMPLES / "facebook" / "NPLF_Facebook_Posts_Q2_spreadsheetml.xls"
    first = do_import(home, ws, [(xls, xls.name)], ImportOptions(source_tz="America/Chicago"))
    page = first.plan.files[0].account.split(" ", 1)[1]
    posts_only = home.metrics.compute(ws, [("impressions", None)]).records()[0]["impressions"]
    path, rows = _page_file(tmp_path)
    do_import(home, ws, [(path, path.name)], ImportOptions(account=page))
    assert len(home.store.accounts(ws.id)) == 1
    both = home.metrics.compute(ws, [("impressions", None), ("followers", None)]).records()[0]
    assert both["impressions"] == posts_only  # the Page has per-post data: totals not added
    assert both["followers"] == rows[-1]["Lifetime Total Likes"]
