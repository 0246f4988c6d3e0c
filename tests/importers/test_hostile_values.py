"""Careless and hostile values in real exports: refused with one line, nothing written.

Each case is a real sample from tests/data/samples with one thing changed (a date out of the
plausible range, an impossible day, a repeated header, a fractional, negative or huge count,
no data rows), written into tmp_path under the sample's own name. The CLI must exit 2 with one
line naming file, row and column; the data home (every database table and every lake file)
must be the same afterwards; the upload API must answer 400 with the same message.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from socialpulse.bootstrap import open_home
from socialpulse.interfaces.cli import main
from socialpulse.interfaces.web.app import create_app
from socialpulse.settings import Settings
from tests.webfixtures import browser_client

from .conftest import SAMPLES

X = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
X_OLD = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20161201_20170101_en.csv"
MASTODON = SAMPLES / "mastodon" / "status_example_from_docs.json"
YOUTUBE = SAMPLES / "youtube" / "priyankapatel05_Table data.csv"
TIKTOK = SAMPLES / "tiktok" / "htupycollabs_FollowerHistory.csv"
FACEBOOK = SAMPLES / "facebook" / "NPLF_Facebook_Posts_Q2_spreadsheetml.xls"
MENTIONS = SAMPLES / "listening" / "mentions.csv"
FUTURE = (date.today() + timedelta(days=30)).isoformat()  # beyond today + 2 days


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _write_csv(dest: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    dest.write_text(buf.getvalue(), encoding="utf-8")


def changed_csv(sample: Path, change: Callable[[list[list[str]]], None]) -> Callable[[Path], Path]:
    """A copy of ``sample`` (same name, in a folder of the test) with ``change`` applied to
    its rows (rows[0] is the header, rows[3] spreadsheet row 4)."""
    def build(folder: Path) -> Path:
        rows = _csv_rows(sample)
        change(rows)
        dest = folder / sample.name
        _write_csv(dest, rows)
        return dest
    return build


def set_cell(row: int, column: str, value: str) -> Callable[[list[list[str]]], None]:
    """Set one cell: ``row`` as a spreadsheet shows it (the header is row 1)."""
    def change(rows: list[list[str]]) -> None:
        rows[row - 1][rows[0].index(column)] = value
    return change


def changed_text(sample: Path, old: str, new: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        text = sample.read_text(encoding="utf-8-sig")
        assert old in text
        dest = folder / sample.name
        dest.write_text(text.replace(old, new), encoding="utf-8")
        return dest
    return build


def mastodon(change: Callable[[dict], None]) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        status = json.loads(MASTODON.read_text(encoding="utf-8"))
        change(status)
        dest = folder / MASTODON.name
        dest.write_text(json.dumps(status), encoding="utf-8")
        return dest
    return build


def repeat_header(column: str) -> Callable[[list[list[str]]], None]:
    def change(rows: list[list[str]]) -> None:
        i = rows[0].index(column)
        rows[0][i + 1] = column
    return change


def header_only(rows: list[list[str]]) -> None:
    del rows[1:]


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], Path]
    expect: tuple[str, ...]  # parts of the one error line after "FILE: "
    args: tuple[str, ...] = ()


CASES = [
    Case("x-year-9999", changed_csv(X, set_cell(4, "time", "9999-12-31 10:00 +0000")),
         ("row 4, column 'time': date out of range: 9999-12-31 is in the future",)),
    Case("x-year-1", changed_csv(X, set_cell(4, "time", "0001-01-01 00:00 +0000")),
         ("row 4, column 'time': date out of range: 0001-01-01 is before 2004-01-01",)),
    Case("x-year-0", changed_csv(X, set_cell(4, "time", "0000-01-01 00:00 +0000")),
         ("row 4, column 'time': expected a time", "found '0000-01-01 00:00 +0000'")),
    Case("x-next-month", changed_csv(X, set_cell(6, "time", f"{FUTURE} 10:00 +0000")),
         ("row 6, column 'time': date out of range", "is in the future")),
    Case("x-february-30", changed_csv(X, set_cell(4, "time", "2021-02-30 10:00 +0000")),
         ("row 4, column 'time': expected a time", "found '2021-02-30 10:00 +0000'")),
    Case("x-repeated-header", changed_csv(X, repeat_header("likes")),
         ("column 'likes': the header names this column 2 times",)),
    Case("x-fractional-count", changed_csv(X, set_cell(4, "likes", "2.5")),
         ("row 4, column 'likes': a count is a whole number: '2.5'",)),
    Case("x-negative-count", changed_csv(X, set_cell(5, "retweets", "-3")),
         ("row 5, column 'retweets': a count cannot be negative: '-3'",)),
    Case("x-huge-count", changed_csv(X, set_cell(5, "impressions", "1" + "0" * 30)),
         ("row 5, column 'impressions': count out of range",)),
    Case("x-header-only", changed_csv(X, header_only), ("no data rows",)),
    Case("tiktok-header-only", changed_csv(SAMPLES / "tiktok" / "htupycollabs_Viewers.csv",
                                           header_only), ("no data rows",)),
    Case("mastodon-huge-count", mastodon(lambda s: s.update(favourites_count=10**30)),
         ("column 'status 1.favourites_count': count out of range",)),
    Case("mastodon-fractional-count", mastodon(lambda s: s.update(replies_count=2.5)),
         ("column 'status 1.replies_count': replies_count must be a whole number",)),
    Case("mastodon-year-9999", mastodon(lambda s: s.update(created_at="9999-12-31T10:00:00Z")),
         ("column 'status 1.created_at': date out of range: 9999-12-31",)),
    Case("mastodon-no-statuses", lambda folder: _json(folder / MASTODON.name, []),
         ("no data rows",), ("--format", "mastodon")),
    Case("youtube-year-2099", changed_text(YOUTUBE, '"Aug 28, 2025"', '"Aug 28, 2099"'),
         ("row 3, column 'Video publish time': date out of range: 2099-08-28",)),
    Case("tiktok-year-2001", lambda folder: _copy(TIKTOK, folder),
         ("row 2, column 'Date': date out of range", "before 2004-01-01"),
         ("--year", "2001")),
    Case("facebook-year-9999", changed_text(FACEBOOK, ">2020-09-22T07:07:36.000<",
                                            ">9999-12-31T07:07:36.000<"),
         ("column 'Posted': date out of range: 9999-12-31",)),
    Case("facebook-february-30", changed_text(FACEBOOK, ">2020-09-22T07:07:36.000<",
                                              ">2021-02-30T07:07:36.000<"),
         ("column 'Posted': expected a date and time, found '2021-02-30",)),
]


def _json(dest: Path, value: object) -> Path:
    dest.write_text(json.dumps(value), encoding="utf-8")
    return dest


def _copy(sample: Path, folder: Path) -> Path:
    dest = folder / sample.name
    dest.write_bytes(sample.read_bytes())
    return dest


def home_state(home: Path) -> tuple[list[str], dict[str, str]]:
    """Every row of every database table, and every other file of the home with its hash."""
    con = sqlite3.connect(home / "socialpulse.db")
    try:
        dump = list(con.iterdump())
    finally:
        con.close()
    files = {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(home.rglob("*"))
             if p.is_file() and not p.name.startswith("socialpulse.db")}
    return dump, files


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """A home with one workspace that already holds a real import (the 2016 X export)."""
    home = tmp_path / "home"
    monkeypatch.setenv("SOCIALPULSE_HOME", str(home))
    assert main(["import", str(X_OLD), "-q"]) == 0
    return home


def error_line(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.startswith("socialpulse: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0].removeprefix("socialpulse: error: ")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_refuses_with_one_line_and_writes_nothing(data_home, tmp_path, capsys, case):
    folder = tmp_path / "bad"
    folder.mkdir()
    path = case.build(folder)
    before = home_state(data_home)
    capsys.readouterr()
    rc = main(["import", str(path), *case.args])
    msg = error_line(capsys.readouterr().err)
    assert rc == 2
    assert msg.startswith(path.name), msg
    for part in case.expect:
        assert part in msg, msg
    assert home_state(data_home) == before


WEB_CASES = [c for c in CASES if not c.args]


def test_upload_api_gives_the_cli_message_and_writes_nothing(data_home, tmp_path, capsys):
    folder = tmp_path / "bad"
    folder.mkdir()
    paths = []
    for case in WEB_CASES:
        sub = folder / case.id
        sub.mkdir()
        paths.append(case.build(sub))
    expected = []
    for path in paths:
        capsys.readouterr()
        assert main(["import", str(path)]) == 2
        expected.append(error_line(capsys.readouterr().err))
    app = open_home(Settings(home=data_home))
    try:
        with browser_client(create_app(app.settings), raise_server_exceptions=False) as c:
            # after the app's start (it may create the home's secret key): the refused
            # uploads themselves must write nothing
            before = home_state(data_home)
            for path, msg in zip(paths, expected, strict=True):
                r = c.post("/api/workspaces/default/imports",
                           files={"files": (path.name, path.read_bytes(), "text/csv")})
                assert r.status_code == 400, (path.name, r.status_code, r.text[:200])
                assert r.json() == {"error": {"message": msg}}
    finally:
        app.store.dispose()
    assert home_state(data_home) == before


def test_header_only_file_creates_no_account(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOCIALPULSE_HOME", str(tmp_path / "home"))
    assert main(["workspaces", "add", "acme"]) == 0
    path = changed_csv(X, header_only)(tmp_path)
    capsys.readouterr()
    assert main(["import", str(path), "--workspace", "acme"]) == 2
    assert error_line(capsys.readouterr().err) == f"{path.name}: no data rows"
    assert main(["accounts", "list", "--workspace", "acme", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["lake", "status", "--workspace", "acme", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_observed_at_outside_the_range_is_refused(data_home, capsys):
    before = home_state(data_home)
    capsys.readouterr()
    assert main(["import", str(X), "--observed-at", "2099-01-01"]) == 2
    msg = error_line(capsys.readouterr().err)
    assert msg.startswith("--observed-at: date out of range: 2099-01-01 is in the future"), msg
    assert home_state(data_home) == before


def test_listening_file_with_a_date_out_of_range(data_home, tmp_path, capsys):
    rows = _csv_rows(MENTIONS)
    rows[2][rows[0].index("published_at")] = "9999-12-31 10:00:00"
    bad = tmp_path / MENTIONS.name
    _write_csv(bad, rows)
    assert main(["listen", "brands", "--add", "Acme Outdoor", "--own", "--query", "acme"]) == 0
    before = home_state(data_home)
    capsys.readouterr()
    assert main(["listen", "ingest", str(bad)]) == 2
    msg = error_line(capsys.readouterr().err)
    assert msg.startswith(f"{bad}:3: published_at: date out of range: 9999-12-31"), msg
    assert home_state(data_home) == before
