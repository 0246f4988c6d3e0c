"""Audience breakdowns (TikTok follower gender and territories, LinkedIn demographics) are
stored and shown: the service, `socialpulse audience`, the API, the Audience page and the
report's section. Expected values are read from the real sample files with csv and xlrd."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
import xlrd
from fastapi.testclient import TestClient

from socialpulse.domain.errors import InvalidInput, MissingData
from socialpulse.domain.periods import parse_period
from socialpulse.interfaces.cli import main
from socialpulse.interfaces.web.app import create_app
from tests.importers.conftest import SAMPLES, do_import, sample_files

TIKTOK = SAMPLES / "tiktok"
LINKEDIN = SAMPLES / "linkedin" / "NPLF_LinkedIn_Q1.xls"


def _shares(name: str) -> dict[str, float]:
    with open(TIKTOK / name, encoding="utf-8-sig", newline="") as fh:
        return {r[0]: float(r[1]) for r in list(csv.reader(fh))[1:]}


def _linkedin_sheet(name: str) -> dict[str, int]:
    sheet = xlrd.open_workbook(LINKEDIN).sheet_by_name(name)
    return {sheet.cell_value(i, 0): int(sheet.cell_value(i, 1)) for i in range(1, sheet.nrows)}


@pytest.fixture
def loaded(home, ws):
    """TikTok follower files (history, gender, territories) and the LinkedIn workbook."""
    do_import(home, ws, sample_files("tiktok", "htupycollabs_Follower*"))
    do_import(home, ws, [(LINKEDIN, LINKEDIN.name)])
    return home, ws


def test_tiktok_breakdowns_are_the_files_shares(loaded):
    home, ws = loaded
    [tiktok] = home.audience.audience(ws, "tiktok:htupycollabs")
    by = {b.dimension: b for b in tiktok.breakdowns}
    assert set(by) == {"followers by gender", "followers by territory"}
    assert {s.value: s.share for s in by["followers by gender"].slices} == _shares(
        "htupycollabs_FollowerGender.csv")
    assert {s.value: s.share for s in by["followers by territory"].slices} == _shares(
        "htupycollabs_FollowerTopTerritories.csv")
    # undated files take the day of the same import's FollowerHistory (its last row)
    with open(TIKTOK / "htupycollabs_FollowerHistory.csv", encoding="utf-8-sig") as fh:
        last = list(csv.DictReader(fh))[-1]["Date"]
    assert by["followers by gender"].day.strftime("%B %-d") == last
    assert by["followers by gender"].slices[0].value == "Female"  # largest first


def test_linkedin_demographics_are_counts_with_computed_shares(loaded):
    home, ws = loaded
    [nplf] = home.audience.audience(ws, "linkedin:NPLF")
    by = {b.dimension: b for b in nplf.breakdowns}
    assert set(by) == {f"visitors by {d}" for d in ("location", "job function", "seniority",
                                                      "industry", "company size")}
    seniority = _linkedin_sheet("Seniority")
    b = by["visitors by seniority"]
    assert {s.value: s.count for s in b.slices} == seniority
    total = sum(seniority.values())
    assert {s.value: s.share for s in b.slices} == pytest.approx(
        {k: v / total for k, v in seniority.items()})
    assert "sum of the counts" in b.share_basis
    # dated by the workbook's last daily row (Visitor metrics)
    sheet = xlrd.open_workbook(LINKEDIN).sheet_by_name("Visitor metrics")
    m, d, y = (int(x) for x in sheet.cell_value(sheet.nrows - 1, 0).split("/"))
    assert b.day == date(y, m, d)


def test_unknown_account_and_account_without_audience(loaded):
    home, ws = loaded
    with pytest.raises(InvalidInput, match="no account 'nobody'"):
        home.audience.audience(ws, "nobody")
    do_import(home, ws, sample_files("x", "tweet_activity_metrics_rOpenSci_20211101*"))
    with pytest.raises(MissingData, match="has no audience data"):
        home.audience.audience(ws, "rOpenSci")


def test_cli_audience(loaded, capsys, monkeypatch):
    home, _ = loaded
    monkeypatch.setenv("SOCIALPULSE_HOME", str(home.settings.home))
    assert main(["audience", "htupycollabs", "-w", "acme"]) == 0
    out = capsys.readouterr().out
    assert "TikTok htupycollabs" in out and "followers by territory, as of" in out
    assert "US" in out and "46.20%" in out
    assert main(["audience", "-w", "acme", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"network": "linkedin", "account": "NPLF", "dimension": "visitors by seniority",
            "value": "Entry"}.items() <= next(r for r in rows if r["value"] == "Entry").items()
    assert main(["audience", "nobody", "-w", "acme"]) == 2
    assert "socialpulse: error: account: no account 'nobody'" in capsys.readouterr().err


def test_api_and_page(loaded):
    home, ws = loaded
    with TestClient(create_app(home.settings), base_url="http://127.0.0.1") as c:
        r = c.get("/api/workspaces/acme/audience", params={"account": "htupycollabs"})
        assert r.status_code == 200
        [acc] = r.json()["accounts"]
        gender = next(b for b in acc["breakdowns"] if b["dimension"] == "followers by gender")
        assert gender["values"][0] == {"value": "Female", "count": None, "share": 0.59}
        csv_text = c.get("/api/workspaces/acme/audience", params={"format": "csv"}).text
        assert csv_text.splitlines()[0].startswith("network,account,dimension,date,value")
        assert c.get("/api/workspaces/acme/audience",
                     params={"account": "nobody"}).status_code == 400
        page = c.get("/audience", params={"workspace": "acme"})
        assert page.status_code == 200
        assert "Followers by territory" in page.text and "Visitors by company size" in page.text
        assert '<a href="/audience' in page.text or 'href="/audience' in page.text


def test_report_section(loaded):
    home, ws = loaded
    report = home.reports.build(ws, parse_period("2020-Q2"), today=date(2026, 11, 23))
    section = report.section("audience")
    if section is None:  # the report covers the own brand's accounts; both are own here
        pytest.fail("no audience section")
    linkedin = [r for r in section.data["rows"] if r["account"] == "LinkedIn NPLF"]
    assert linkedin and all(r["as_of"] <= "2020-06-30" for r in linkedin)
    # the TikTok breakdowns describe 2026: not part of a 2020 report
    assert not [r for r in section.data["rows"] if r["account"].startswith("TikTok")]
    assert any("Audience of LinkedIn NPLF" in s for s in report.summary)


@pytest.mark.browser
def test_audience_page_in_chromium(loaded, page, page_log):
    from tests.webfixtures import serve_app

    home, _ = loaded
    with serve_app(create_app(home.settings)) as server:
        page.goto(f"{server.url}/audience?workspace=acme")
        table = page.locator('table[data-dimension="followers by gender"]')
        assert table.locator("tbody tr").first.inner_text().split("\t")[0] == "Female"
        assert page.locator("meter").count() > 10
        page.click("nav >> text=Audience")
        assert page.url.startswith(f"{server.url}/audience")
        assert page_log.errors == [] and page_log.foreign_hosts() == []


@pytest.mark.parametrize("cell, message", [("1e30", "count out of range"),
                                           ("2.5", "a count is a whole number"),
                                           ("-4", "a count cannot be negative"),
                                           ("many", "expected a count")])
def test_audience_counts_follow_the_count_rule(cell: str, message: str) -> None:
    from socialpulse.adapters.importers.audience import breakdown
    from socialpulse.adapters.importers.base import Sheet
    from socialpulse.domain.errors import SocialPulseError

    sheet = Sheet(name="followers.csv", header=["Country", "Followers"],
                  rows=[["Spain", "12"], ["France", cell]], first_row=2)
    with pytest.raises(SocialPulseError, match=message) as err:
        breakdown(sheet, "territory", count_col=1)
    assert "followers.csv" in str(err.value) and "Followers" in str(err.value)
