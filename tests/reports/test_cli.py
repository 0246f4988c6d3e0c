"""`socialpulse report`: the issue's one-liner works; bad input exits 2 with one line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from socialpulse.bootstrap import App
from socialpulse.interfaces.cli import main


@pytest.fixture
def home(demo_app_ro: App, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOCIALPULSE_HOME", str(demo_app_ro.settings.home))
    return demo_app_ro.settings.home


def test_report_command_writes_a_spreadsheet(home: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sept.xlsx"
    code = main(["report", "--workspace", "demo", "--period", "2026-09", "--format", "xlsx",
                 "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    assert f"wrote {out}" in capsys.readouterr().out
    wb = load_workbook(io.BytesIO(out.read_bytes()))
    assert "KPIs" in wb.sheetnames
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, no leftovers


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2026-Q5"], "--period: '2026-Q5' is not a period"),
    (["--period", "2026-09-31..2026-10-01"], "is not a date"),
    (["--period", "2026-Q3", "--format", "docx"], "--format: 'docx' is not a report format"),
    (["--period", "2026-Q3", "-o", "/nonexistent-folder/q3.pdf"], "does not exist"),
    (["--format", "pdf"], "--period: give the report's period"),
    (["--period", "2030-Q1", "--format", "xlsx"], "has no data in 2030-01-01..2030-03-31"),
    (["--workspace", "nope", "--period", "2026-Q3"], "nope"),
])
def test_bad_input_exits_2_with_one_line(home: Path, tmp_path: Path, args: list[str],
                                         message: str, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["report", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("socialpulse: error: ") and err.count("\n") == 1, err
    assert message in err
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_unwritable_output(home: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code = main(["report", "--period", "2026-09", "-f", "xlsx", "-o", str(locked / "r.xlsx")])
        err = capsys.readouterr().err
        import os

        if os.geteuid() == 0:  # root writes anywhere; a folder given as the file still fails
            code = main(["report", "--period", "2026-09", "-f", "xlsx", "-o", str(locked)])
            err = capsys.readouterr().err
            assert "is a folder" in err
        else:
            assert "not writable" in err
        assert code == 2 and err.count("\n") == 1
    finally:
        locked.chmod(0o700)
