"""Period parameters out of range or reversed: a 400 JSON error or exit 2, never a 500.

``period=0000-Q1``, ``period=9999-Q4`` and ``from=0001-01-01&to=9999-12-31`` used to reach date
arithmetic that overflowed (500s). Periods are now bounded to 2004..today's year + 5, and a
``from`` after ``to`` is one line naming both.
"""

from __future__ import annotations

from datetime import date

import pytest

from socialpulse.domain.periods import PERIOD_YEARS_AHEAD
from socialpulse.interfaces.cli import main
from socialpulse.interfaces.web.app import create_app
from tests.webfixtures import browser_client

from .conftest import SAMPLES, do_import

X = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
LAST_YEAR = date.today().year + PERIOD_YEARS_AHEAD

#: (query string, what the message must say)
BAD = [
    ("period=0000-Q1", f"period: '0000-Q1' is outside the years 2004-{LAST_YEAR}"),
    ("period=9999-Q4", f"period: '9999-Q4' is outside the years 2004-{LAST_YEAR}"),
    (f"period={LAST_YEAR + 1}-01", f"is outside the years 2004-{LAST_YEAR}"),
    ("period=2003", "period: '2003' is outside the years"),
    ("from=0001-01-01&to=9999-12-31", "from: '0001-01-01' is outside the years"),
    ("from=2021-11-01&to=9999-12-31", "to: '9999-12-31' is outside the years"),
    ("from=2021-11-30&to=2021-11-01", "from 2021-11-30 is after to 2021-11-01"),
    ("period=2021-11-30..2021-11-01",
     "period start 2021-11-30 is after period end 2021-11-01"),
]
ENDPOINTS = [
    "/api/workspaces/acme/overview",
    "/api/workspaces/acme/metrics?metrics=posts,engagement_rate&by=month",
    "/api/workspaces/acme/posts",
    "/api/workspaces/acme/listening/mentions",
]


@pytest.fixture
def web(home, ws):
    do_import(home, ws, [(X, X.name)])
    with browser_client(create_app(home.settings), raise_server_exceptions=False) as c:
        yield c


def test_api_answers_400_json_for_bad_periods(web):
    for endpoint in ENDPOINTS:
        sep = "&" if "?" in endpoint else "?"
        ok = web.get(endpoint + sep + "period=2021-11")
        assert ok.status_code == 200, (endpoint, ok.text[:200])
        for query, says in BAD:
            r = web.get(endpoint + sep + query)
            assert r.status_code == 400, (endpoint, query, r.status_code, r.text[:200])
            msg = r.json()["error"]["message"]
            assert says in msg and "\n" not in msg, (endpoint, query, msg)


def test_today_parameter_is_bounded(web):
    r = web.get("/api/workspaces/acme/goals?today=9999-12-31")
    assert r.status_code == 400
    assert "today: '9999-12-31' is outside the years" in r.json()["error"]["message"]
    assert web.get("/api/workspaces/acme/goals?today=2021-11-30").status_code == 200


def test_pages_answer_400_not_500(web):
    for path in ("/", "/posts", "/metrics"):
        for query, _ in BAD[:3]:
            r = web.get(f"{path}?workspace=acme&{query}")
            assert 400 <= r.status_code < 500, (path, query, r.status_code)


def test_cli_exits_2_with_one_line(home, ws, monkeypatch, capsys):
    do_import(home, ws, [(X, X.name)])
    monkeypatch.setenv("SOCIALPULSE_HOME", str(home.settings.home))
    for args, says in [
        (["--period", "9999-Q4"], f"--period: '9999-Q4' is outside the years 2004-{LAST_YEAR}"),
        (["--from", "0001-01-01"], f"--from: '0001-01-01' is outside the years 2004-{LAST_YEAR}"),
        (["--from", "2021-11-30", "--to", "2021-11-01"],
         "--from 2021-11-30 is after --to 2021-11-01"),
    ]:
        capsys.readouterr()
        rc = main(["metrics", "compute", "posts", "--by", "month", "--workspace", "acme", *args])
        err = capsys.readouterr().err
        assert rc == 2, err
        assert err.strip() == f"socialpulse: error: {says}", err
