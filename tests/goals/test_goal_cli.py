"""The goals and okrs commands end to end (real data home, real CLI entry point)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialpulse.bootstrap import App
from socialpulse.interfaces.cli import main

TODAY = ["--today", "2026-10-31"]


@pytest.fixture(scope="module")
def home(goals_app: App) -> Path:
    return goals_app.settings.home


def run(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_templates_list_every_pair(home, capsys):
    code, out, _ = run(home, capsys, "goals", "templates", "--format", "json")
    assert code == 0
    ids = {t["id"] for t in json.loads(out)}
    assert "brand_awareness:reach" in ids and "customer_service:first_response_time" in ids
    code, out, _ = run(home, capsys, "goals", "templates", "--goal-type", "customer_insight")
    assert code == 0 and "milestone key results" in out
    code, out, _ = run(home, capsys, "goals", "types", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 10


def test_add_from_template_show_json_check_in_and_archive(home, capsys):
    code, out, err = run(home, capsys, "goals", "add", "brand_awareness:impressions",
                         "--owner", "ana", *TODAY, "--format", "json")
    assert code == 0, err
    created = json.loads(out)
    gid = str(created["id"])
    code, out, _ = run(home, capsys, "goals", "show", gid, *TODAY, "--format", "json")
    d = json.loads(out)
    for key in ("current", "baseline", "target", "progress", "expected", "forecast", "status",
                "reason"):
        assert key in d
    assert d["forecast"]["lower"] <= d["forecast"]["value"] <= d["forecast"]["upper"]
    # a new goal starts at 0: its baseline is the window current is measured over, today
    assert d["progress"] == 0 and d["baseline"]["period"] == d["current"]["window"]
    code, out, _ = run(home, capsys, "goals", "show", gid, *TODAY)
    assert (f"the sum of post impressions over {d['baseline']['period']}, Acme Outdoor on "
            in out) and "MetricsService" not in out
    assert "SMART" in out and any(f"A {lvl}" in out for lvl in ("pass", "warn", "fail"))
    assert "forecast" in out and "backtest MAPE" in out
    code, out, _ = run(home, capsys, "goals", "check-in", gid, "-m", "Launched the series",
                       "--today", "2026-11-10")
    assert code == 0 and "checked in on goal" in out
    code, out, _ = run(home, capsys, "goals", "list", *TODAY)
    assert code == 0 and "Raise brand awareness: impressions" in out
    code, out, err = run(home, capsys, "goals", "revise", gid, "--change", "+12%",
                         "--milestone", "2026-11-30=+5%:halfway", "-m", "Q4 budget cut",
                         "--author", "ana", *TODAY)
    assert code == 0, err
    assert f"goal {gid} revised" in out and "Revised: target " in out
    assert "milestones 0 -> 1" in out
    assert "Q4 budget cut" in out and "milestone   2026-11-30" in out
    code, out, _ = run(home, capsys, "goals", "show", gid, *TODAY, "--format", "json")
    assert json.loads(out)["target"]["change_pct"] == 12
    code, out, err = run(home, capsys, "goals", "revise", gid, "--no-milestones",
                         "--milestone", "2026-11-30=+5%", "-m", "x", *TODAY)
    assert code == 2 and "give one of them" in err
    code, out, _ = run(home, capsys, "goals", "archive", gid)
    assert code == 0
    code, out, _ = run(home, capsys, "goals", "list", "--all", *TODAY)
    assert "(archived)" in out


@pytest.mark.parametrize(("args", "message"), [
    (["goals", "add", "brand_awareness:reach", "--change", "0%"], "equals the baseline"),
    (["goals", "add", "brand_awareness:reach", "--deadline", "2026-09-30"],
     "deadline: 2026-09-30 is not after today"),
    (["goals", "add", "brand_awareness:reach", "--network", "youtube"],
     "reach cannot be computed"),
    (["goals", "add", "--metric", "reach", "--baseline", "2026-Q3", "--deadline",
      "2026-12-31"], "target: give target_value or target_change_pct"),
    (["goals", "add", "brand_awareness:reach", "--change", "lots"], "--change: 'lots'"),
    (["goals", "show", "9999"], "goal 9999 not found"),
    (["goals", "revise", "9999", "-m", "x", "--owner", "y"], "goal 9999 not found"),
    (["goals", "revise", "1", "-m", "x"], "nothing to change"),
    (["okrs", "add", "O", "--deadline", "2026-12-31", "--kr", "template=brand_awareness:reach",
      "--kr", "milestone=Personas", "--kr", "title=More reach"], "key result 3: More reach "
                                                                  "has no measure"),
])
def test_bad_input_is_one_line_and_exit_2(home, capsys, args, message):
    code, out, err = run(home, capsys, *args, *TODAY)
    assert code == 2
    assert err.startswith("socialpulse: error:") and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_okr_add_grade_show(home, capsys):
    code, out, err = run(home, capsys, "okrs", "add", "Hikers talk with us",
                         "--kr", "template=community_engagement:engagement_rate",
                         "--kr", "metric=followers;change=+3%;networks=linkedin",
                         "--kr", "milestone=Buyer personas updated",
                         "--deadline", "2026-12-31", "--kind", "committed", *TODAY,
                         "--format", "json")
    assert code == 0, err
    okr = json.loads(out)
    assert [k["kind"] for k in okr["key_results"]] == ["metric", "metric", "milestone"]
    # not graded yet: unknown, not a red 0.0, and left out of the objective's grade
    assert okr["key_results"][2]["grade"] is None and okr["coverage"] == (
        "2 of 3 key results graded")
    oid = str(okr["id"])
    code, out, _ = run(home, capsys, "okrs", "show", oid, *TODAY)
    assert "KR3 ungraded grey   Buyer personas updated" in out
    code, out, _ = run(home, capsys, "okrs", "grade", oid, "--kr", "3", "--grade", "0.8",
                       "-m", "drafts done", *TODAY)
    assert code == 0 and "KR3 0.8      green" in out and "committed: expected 1.0" in out
    assert "(3 of 3 key results graded)" in out
    code, out, _ = run(home, capsys, "okrs", "list", *TODAY)
    assert "Hikers talk with us" in out
    code, _, err = run(home, capsys, "okrs", "grade", oid, "--kr", "3", "--grade", "1.5",
                       *TODAY)
    assert code == 2 and "not a grade from 0.0 to 1.0" in err
