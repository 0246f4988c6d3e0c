"""`socialpulse audit | assess | benchmark` end to end on a private copy of the demo home."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from socialpulse.bootstrap import App
from socialpulse.interfaces.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "examples" / "maturity-answers.yaml"


def run(app: App, *args: str) -> int:
    return main(["--home", str(app.settings.home), *args])


def test_audit_json_csv_and_baselines(demo_app: App, capsys: pytest.CaptureFixture) -> None:
    assert run(demo_app, "audit", "--period", "2026-Q3", "-f", "json", "--save") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["period"] == {"start": "2026-07-01", "end": "2026-09-30"}
    assert data["run_id"] == 1 and len(data["accounts"]) == 8
    assert run(demo_app, "audit", "--period", "2026-Q3", "-f", "csv", "--no-save") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["rank"] for r in rows] == [str(i) for i in range(1, 9)]
    assert {r["verdict"] for r in rows} <= {"working", "needs a new approach"}
    assert run(demo_app, "audit", "--baselines", "-f", "json") == 0
    baselines = json.loads(capsys.readouterr().out)
    assert {b["run_id"] for b in baselines} == {1}
    assert any(b["metric"] == "engagement_rate" and b["account"] == "own accounts"
               for b in baselines)


def test_audit_table_and_bad_period(demo_app: App, capsys: pytest.CaptureFixture) -> None:
    assert run(demo_app, "audit", "--no-save") == 0
    out = capsys.readouterr().out
    assert out.startswith("Audit of Acme Outdoor (demo), 2026-08-03..2026-10-31: 8 own")
    assert "needs a new approach" in out and "flags:" in out
    assert run(demo_app, "audit", "--period", "2026-13") == 2
    assert capsys.readouterr().err.strip() == (
        "socialpulse: error: --period: month 13 is not 01-12 in '2026-13'")


def test_template_round_trip(demo_app: App, tmp_path: Path,
                             capsys: pytest.CaptureFixture) -> None:
    blank = tmp_path / "answers.yaml"
    assert run(demo_app, "assess", "--template", "-o", str(blank)) == 0
    doc = yaml.safe_load(blank.read_text())
    assert len(doc["answers"]) == 35 and set(doc["answers"].values()) == {None}
    assert "1 (Listen): Nobody looks for mentions" in blank.read_text()
    assert run(demo_app, "assess", "--answers", str(blank)) == 2
    assert "answers: missing answer for listening.monitoring" in capsys.readouterr().err
    doc["answers"] = {k: 3 for k in doc["answers"]}
    doc["organisation"] = {"industry": "retail", "size_band": "50-249", "region": "europe"}
    blank.write_text(yaml.safe_dump(doc))
    assert run(demo_app, "assess", "--answers", str(blank), "-f", "json") == 0
    result = json.loads(capsys.readouterr().out)
    assert result["scores"]["mean_stage"] == 3 and result["scores"]["weakest_stage"] == 3
    assert result["profile"]["size_band"] == "50-249"


def test_assess_text_output(demo_app: App, capsys: pytest.CaptureFixture) -> None:
    assert run(demo_app, "assess", "--answers", str(SAMPLE)) == 0
    out = capsys.readouterr().out
    assert "stage 2 Participate (mean); weakest link: stage 1 Listen (advocacy)" in out
    assert "benchmark: Synthetic demo benchmark (synthetic demo data" in out
    assert "?  reach.functions: you answered 'Marketing and PR/communications.'" in out
    assert "make it a goal: socialpulse goals add internal_communications:amplification_rate" in out
    assert run(demo_app, "assess") == 0  # the latest result again
    assert "Social Maturity Assessment #" in capsys.readouterr().out


@pytest.mark.parametrize("change,message", [
    ({"answers": {"listening.telepathy": 3}},
     "answers.listening.telepathy: unknown question"),
    ({"answers": {"engagement.response": 6}}, "answers.engagement.response: 6 is out of range"),
    ({"organisation": {"industry": "mining", "size_band": "1-49", "region": "europe"}},
     "organisation.industry: 'mining' is not one of retail"),
])
def test_bad_answers_files(demo_app: App, tmp_path: Path, capsys: pytest.CaptureFixture,
                           change: dict, message: str) -> None:
    doc = yaml.safe_load(SAMPLE.read_text())
    for key, value in change.items():
        if key == "answers":
            doc["answers"].update(value)
        else:
            doc[key] = value
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    assert run(demo_app, "assess", "--answers", str(path)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"socialpulse: error: {path}: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_profile_option_errors(demo_app: App, capsys: pytest.CaptureFixture) -> None:
    assert run(demo_app, "assess", "--industry", "mining") == 2
    assert "organisation.industry: 'mining' is not one of" in capsys.readouterr().err
    assert run(demo_app, "assess", "--industry", "technology") == 0
    assert "Technology and software, 250 to 999 employees, Europe" in capsys.readouterr().err


def test_benchmark_export_import(demo_app: App, tmp_path: Path,
                                 capsys: pytest.CaptureFixture) -> None:
    assert run(demo_app, "benchmark", "export") == 2
    assert "nothing to export: 1 assessed organisation(s)" in capsys.readouterr().err
    out = tmp_path / "pack.json"
    assert run(demo_app, "benchmark", "export", "--pack", "demo-synthetic", "-o", str(out),
               "-f", "json") == 0
    doc = json.loads(out.read_text())
    assert doc["synthetic"] is True and all(g["n"] >= 5 for g in doc["groups"])
    doc["name"] = "copy"
    out.write_text(json.dumps(doc))
    capsys.readouterr()
    assert run(demo_app, "benchmark", "import", str(out)) == 0
    assert "benchmark pack 'copy' imported" in capsys.readouterr().out
    assert run(demo_app, "benchmark", "list", "-f", "json") == 0
    names = [p["name"] for p in json.loads(capsys.readouterr().out)]
    assert names == ["demo-synthetic", "copy"]
    assert run(demo_app, "benchmark", "remove", "copy") == 0
    assert run(demo_app, "benchmark", "remove", "copy") == 2
    assert "benchmark pack 'copy' not found (packs: demo-synthetic)" in capsys.readouterr().err
    out.write_text("{not json")
    assert run(demo_app, "benchmark", "import", str(out)) == 2
    assert "pack.json: invalid JSON at line 1" in capsys.readouterr().err
