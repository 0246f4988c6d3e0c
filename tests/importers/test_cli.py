"""The `socialpulse import` command: preview, dry run, report, exit codes."""

from __future__ import annotations

import json

import pytest

from socialpulse.interfaces.cli import main

from .conftest import SAMPLES


@pytest.fixture
def home_env(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("SOCIALPULSE_HOME", str(home))
    return home


def test_import_a_folder_with_preview_and_report(home_env, capsys):
    rc = main(["import", str(SAMPLES / "youtube"), "--timezone", "Europe/Madrid"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "created workspace 'default'" in err
    assert "priyankapatel05_Table data.csv: youtube-table -> YouTube priyankapatel05" in out
    assert "preview (first rows as they will be stored)" in out
    assert "UWQNrpakgcA" in out
    assert "skipped 1: the 'Total' row" in out
    assert "imported 442 posts, 442 post_snapshots into workspace 'default'" in out
    rc = main(["accounts", "list"])
    assert "priyankapatel05" in capsys.readouterr().out


def test_dry_run_writes_nothing(home_env, capsys):
    rc = main(["import", str(SAMPLES / "linkedin" / "NPLF_LinkedIn_Q1.xls"), "--dry-run",
               "--account", "nplf"])
    out, _ = capsys.readouterr()
    assert rc == 0
    assert "dry run: would import 10 posts, 10 post_snapshots, 91 account_daily" in out
    assert main(["lake", "status"]) == 0
    status = capsys.readouterr().out
    assert "linkedin" not in status
    main(["accounts", "list"])
    assert "nplf" not in capsys.readouterr().out


def test_json_report(home_env, capsys):
    rc = main(["import", str(SAMPLES / "mastodon" / "status_example_from_docs.json"), "--json",
               "--observed-at", "2019-12-10"])
    out, _ = capsys.readouterr()
    assert rc == 0
    rep = json.loads(out)
    assert rep["written"] == {"posts": 1, "post_snapshots": 1, "account_daily": 1}
    assert rep["files"][0]["observed_origin"] == "--observed-at"
    assert rep["files"][0]["observed_at"].startswith("2019-12-10T23:59:59")


def test_bad_file_exits_2_with_one_line(home_env, tmp_path, capsys):
    bad = tmp_path / "tweet_activity_metrics_x_20211101_20211201_en.csv"
    src = (SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv")
    bad.write_bytes(src.read_bytes()[:3000])
    rc = main(["import", str(bad)])
    _, err = capsys.readouterr()
    assert rc == 2
    lines = [ln for ln in err.strip().splitlines() if ln.startswith("socialpulse: error:")]
    assert len(lines) == 1 and bad.name in lines[0] and "row" in lines[0]
    assert "Traceback" not in err


def test_unknown_format_and_missing_file(home_env, capsys):
    assert main(["import", "nope.csv"]) == 2
    assert "nope.csv: no such file" in capsys.readouterr().err
    f = str(SAMPLES / "mastodon" / "status_example_from_docs.json")
    assert main(["import", f, "--format", "myspace"]) == 2
    assert "unknown format 'myspace'" in capsys.readouterr().err
