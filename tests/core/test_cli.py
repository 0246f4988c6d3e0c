"""The CLI as a user runs it: real data home, one-line errors, exit code 2."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from socialpulse.bootstrap import App
from socialpulse.interfaces.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_metrics_list_needs_no_home(capsys, tmp_path) -> None:
    code, out, _ = run(
        capsys, "--home", str(tmp_path / "none"), "metrics", "list", "--format", "json"
    )
    assert code == 0
    ids = {m["id"] for m in json.loads(out)}
    assert {"engagement_rate", "amplification_rate", "share_of_voice"} <= ids


def test_explain_shows_formula_and_sql(capsys, demo_app_ro: App) -> None:
    home = str(demo_app_ro.settings.home)
    code, out, _ = run(capsys, "--home", home, "metrics", "explain", "engagement_rate")
    assert code == 0
    assert "engagement_rate = engagements / impressions x 100" in out
    assert "SELECT" in out and "ROW_NUMBER()" in out
    code, out, _ = run(
        capsys,
        "--home",
        home,
        "metrics",
        "explain",
        "engagement_rate",
        "--variant",
        "post_mean",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert data["variant"] == "post_mean" and "mean over posts" in data["formula"]


def test_compute_json_and_csv(capsys, demo_app_ro: App) -> None:
    home = str(demo_app_ro.settings.home)
    code, out, err = run(
        capsys,
        "--home",
        home,
        "metrics",
        "compute",
        "engagement_rate",
        "followers",
        "--by",
        "network,month",
        "--from",
        "2026-07-01",
        "--to",
        "2026-09-30",
        "--format",
        "json",
    )
    assert code == 0, err
    doc = json.loads(out)  # the API's document: rows, units, notes, period, scope
    assert doc["scope"]["kind"] == "own" and doc["period"] == "2026-07-01..2026-09-30"
    rows = doc["rows"]
    assert {tuple(sorted(r)) for r in rows} == {
        ("engagement_rate", "followers", "network", "period")
    }
    assert {r["period"] for r in rows} == {"2026-07-01", "2026-08-01", "2026-09-01"}
    assert all(r["engagement_rate"] > 0 for r in rows)
    code, out, _ = run(
        capsys,
        "--home",
        home,
        "metrics",
        "compute",
        "posts",
        "--by",
        "account",
        "--period",
        "2026-Q3",
        "--format",
        "csv",
        "--all",
    )
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(table) == 14 and all(int(float(r["posts"])) > 0 for r in table)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["metrics", "compute", "nope"], "unknown metric 'nope'"),
        (["metrics", "compute", "engagement_rate", "--variant", "x"], "unknown variant 'x'"),
        (["metrics", "compute", "engagement_rate", "--from", "2026-02-30"], "--from"),
        (["metrics", "compute", "engagement_rate", "--by", "planet"], "unknown breakdown"),
        (["metrics", "compute", "engagement_rate", "--workspace", "ghost"], "workspace 'ghost'"),
        (["metrics", "compute", "engagement_rate", "--format", "xml"], "--format"),
        (["metrics", "compute", "engagement_rate", "--from", "2030-01-01"], "no data"),
        (["metrics", "explain", "virality"], "unknown metric"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, demo_app_ro: App, args, message) -> None:
    code, _, err = run(capsys, "--home", str(demo_app_ro.settings.home), *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_missing_home_and_empty_workspace(capsys, tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "--home", str(tmp_path / "nowhere"), "metrics", "compute", "engagement_rate"
    )
    assert code == 2 and "no socialpulse data home" in err
    home = str(tmp_path / "h")
    assert (
        run(capsys, "--home", home, "workspaces", "add", "acme", "--timezone", "Europe/Madrid")[0]
        == 0
    )
    code, _, err = run(capsys, "--home", home, "metrics", "compute", "engagement_rate")
    assert code == 2 and "has no accounts or data yet" in err
    code, _, err = run(capsys, "--home", home, "workspaces", "add", "b", "--timezone", "Mars/Base")
    assert code == 2 and "unknown time zone" in err


def test_console_script_runs_as_a_process(demo_app_ro: App) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "socialpulse.interfaces.cli",
            "--home",
            str(demo_app_ro.settings.home),
            "metrics",
            "compute",
            "virality_rate",
            "--by",
            "nope",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stderr.startswith("socialpulse: error:")


def test_run_as_module_every_command_group_reads_home(demo_app_ro: App, tmp_path: Path) -> None:
    """`python -m socialpulse.interfaces.cli` runs the package's __main__: the --home of the root
    callback (cli/root.py) must reach the commands of every command group module."""
    env = {**os.environ, "SOCIALPULSE_HOME": str(tmp_path / "not-here")}
    proc = subprocess.run(
        [sys.executable, "-m", "socialpulse.interfaces.cli", "--home",
         str(demo_app_ro.settings.home), "listen", "brands", "--format", "json"],
        capture_output=True, text=True, check=False, env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert any(b["own"] == "yes" for b in json.loads(proc.stdout))


def test_csv_neutralises_formula_cells(capsys, tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    assert run(capsys, "--home", home, "workspaces", "add", "acme", "--name", "=1+2")[0] == 0
    code, out, _ = run(capsys, "--home", home, "workspaces", "list", "--format", "csv")
    assert code == 0
    assert list(csv.DictReader(io.StringIO(out)))[0]["name"] == "'=1+2"
