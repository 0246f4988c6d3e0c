"""Google Analytics 4 traffic acquisition exports: sessions, key events and revenue from social
sources go to each network's account; the conversions goal type's metrics then work.

No real GA4 file is public in our samples: the files here are built in the shape GA4 writes
its report downloads (a comment block with "# Start date: YYYYMMDD" / "# End date:", then the
table with GA4's column names); the expected values are summed by hand from the rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.periods import parse_period
from socialpulse.services.imports import ImportOptions
from tests.importers.conftest import do_import, sample_files

HEAD = """# ----------------------------------------
# Traffic acquisition: Session source / medium
# Account: Acme Outdoor
# Property: acme-outdoor.example
# ----------------------------------------
#
# All Users
# Start date: 20211101
# End date: 20211130
"""
COLUMNS = ("Session source / medium,Date,Sessions,Engaged sessions,Engagement rate,"
           "Average engagement time per session,Events per session,Event count,Key events,"
           "Total revenue\n")
ROWS = [  # source, day, sessions, engaged, key events, revenue
    ("google / organic", "20211102", 900, 600, 12, 300.0),
    ("t.co / referral", "20211102", 40, 10, 1, 25.5),
    ("x.com / referral", "20211102", 20, 5, 0, 0.0),
    ("t.co / referral", "20211115", 60, 30, 2, 50.0),
    ("l.facebook.com / referral", "20211103", 70, 35, 3, 12.25),
    ("(direct) / (none)", "20211103", 500, 250, 9, 100.0),
]


def _file(tmp_path: Path, rows=ROWS, name="Traffic_acquisition_Session_source_medium.csv",
          columns=COLUMNS) -> Path:
    path = tmp_path / name
    body = "".join(f"{s},{d},{n},{e},{e / n:.4f},30.5,4.2,{n * 4},{k},{r}\n"
                   for s, d, n, e, k, r in rows)
    path.write_text(HEAD + columns + body, encoding="utf-8")
    return path


def test_ga4_rows_go_to_each_networks_account(home, ws, tmp_path):
    name = "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
    do_import(home, ws, sample_files("x", name))  # the workspace's X account: rOpenSci
    path = _file(tmp_path)
    with pytest.raises(InvalidInput, match="no Facebook account"):  # and no Facebook one
        do_import(home, ws, [(path, path.name)])
    do_import(home, ws, [(path, path.name)], ImportOptions(account="rOpenSci"))
    daily = {(r["account_id"], r["date"].isoformat()): r
             for r in home.lake.read(ws.id, "account_daily").to_pylist()}
    x_id = next(a.id for a in home.store.accounts(ws.id) if a.network.value == "x")
    day = daily[(x_id, "2021-11-02")]
    assert day["social_sessions"] == 40 + 20 and day["conversions"] == 1 + 0
    assert day["bounced_sessions"] == (40 - 10) + (20 - 5)
    assert day["revenue"] == pytest.approx(25.5)
    t = home.metrics.compute(ws, [("conversion_rate", None), ("conversion_rate", "by_sessions"),
                                  ("bounce_rate", None), ("social_revenue", None)],
                             period=parse_period("2021-11"), networks=["x"])
    rec = t.records()[0]
    assert rec["conversion_rate:by_sessions"] == pytest.approx(100 * 3 / 120)
    assert rec["social_revenue"] == pytest.approx(75.5)
    assert rec["bounce_rate"] == pytest.approx(100 * (30 + 15 + 30) / 120)
    clicks = home.metrics.compute(ws, [("clicks", None)], period=parse_period("2021-11"),
                                  networks=["x"]).records()[0]["clicks"]
    assert rec["conversion_rate"] == pytest.approx(100 * 3 / clicks)


def test_the_workspace_only_account_takes_the_rows(home, ws, tmp_path):
    do_import(home, ws, sample_files("x", "tweet_activity_metrics_rOpenSci_20211101*"))
    path = _file(tmp_path, [r for r in ROWS if "facebook" not in r[0]])
    res = do_import(home, ws, [(path, path.name)])
    [report] = res.plan.files
    assert report.account == "X rOpenSci" and "only X account" in report.handle_origin
    assert report.skipped == {"rows from sources that are not social networks": 2}
    assert report.format == "ga4"


def test_a_range_without_a_date_column_is_stored_on_its_end(home, ws, tmp_path):
    do_import(home, ws, sample_files("x", "tweet_activity_metrics_rOpenSci_20211101*"))
    rows = [(s, "", n, e, k, r) for s, _, n, e, k, r in ROWS if "facebook" not in s]
    path = tmp_path / "ga4.csv"
    path.write_text(HEAD + COLUMNS.replace("Date,", "") + "".join(
        f"{s},{n},{e},{e / n:.4f},30.5,4.2,{n * 4},{k},{r}\n" for s, _, n, e, k, r in rows))
    res = do_import(home, ws, [(path, path.name)])
    assert any("stored on 2021-11-30" in n for n in res.plan.files[0].notes)
    [row] = home.lake.read(ws.id, "account_daily").to_pylist()
    assert row["date"].isoformat() == "2021-11-30" and row["social_sessions"] == 120


def test_bad_cells_name_row_and_column(home, ws, tmp_path):
    path = _file(tmp_path, [("t.co / referral", "20211302", 1, 1, 0, 0.0)])
    with pytest.raises(InvalidInput, match=r"row 11, column 'Date': expected a day like"):
        do_import(home, ws, [(path, path.name)], ImportOptions(account="acme"))
    path = _file(tmp_path, [("t.co / referral", "20211102", 1.5, 1, 0, 0.0)])
    with pytest.raises(InvalidInput, match=r"row 11, column 'Sessions': expected a whole"):
        do_import(home, ws, [(path, path.name)], ImportOptions(account="acme"))
    path = _file(tmp_path, [("google / organic", "20211102", 1, 1, 0, 0.0)])
    with pytest.raises(InvalidInput, match="no rows from social sources"):
        do_import(home, ws, [(path, path.name)], ImportOptions(account="acme"))
