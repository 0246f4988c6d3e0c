"""Benchmark: the demo build, the quarterly PDF and the Reports page's preview, each against
the floor for producing the same output, measured in the same run.

    python bench/bench_reports.py [--home DIR] [--repeat 3]

Every figure is wall seconds, best of ``--repeat`` runs, each contender in a fresh process
(imports included on both sides, as a user pays them):

- ``demo_build``: ``socialpulse demo --no-serve --until 2026-10-31`` (the whole command: the
  database, accounts, the lake batch, listening with its language and sentiment enrichment,
  maturity, goals). Baseline: generating the same demo rows (posts, snapshots, account days,
  mentions) and writing them to Parquet with pyarrow alone: the floor for making the demo's
  data files; the rest of the ratio is what the app adds on top.
- ``report_pdf_quarterly``: ``socialpulse report --period 2026-Q3 -f pdf`` on that demo (open
  the home, every section's queries, the charts, the PDF), after the same report as HTML (a
  preview first, as a user does), so its queries run from the statements that run compiled
  and kept in the home (adapters/sql_cache.py). ``report_pdf_quarterly_cold``: the same with
  the home's cache removed before each run (every query compiled with Ibis). Baseline:
  WeasyPrint alone turning the same report's HTML (saved with ``-f html``) into a PDF: the
  floor for producing that PDF.
- ``report_preview``: ``GET /reports/preview?period=2026-Q3`` in a web app that has just
  served the Reports page (``GET /reports``) and nothing else: the first preview of the data a
  user opens. Baseline: rendering the same report's HTML from a report whose figures are
  already computed (``render_html`` on a built `Report`, chart pictures drawn anew): the page
  without its queries. ``report_preview_repeat`` is the next preview of the same data (figures
  and chart pictures kept per data version), against the same baseline. The home's compiled
  statements are removed before each run, so the first preview compiles every query.

Writes those entries to bench/results.json (see bench/results.py); the PDF's text is checked
against the HTML report's figures (the KPI cards' values) before anything is recorded.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from bench.results import record  # noqa: E402

UNTIL = "2026-10-31"
PERIOD = "2026-Q3"
TODAY = "2026-11-27"  # goals' status date: fixed, so the report is the same every run
CLI = [sys.executable, "-m", "socialpulse.interfaces.cli"]

_BASELINE_DEMO = """
import dataclasses, sys, pyarrow as pa, pyarrow.parquet as pq
from datetime import date
from pathlib import Path
from socialpulse.services import demo_data, demo_mentions
until, out = date.fromisoformat(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
merged = {}
for key, tables in demo_data.generate(until).items():
    for name, t in tables.items():
        merged.setdefault(name, []).append(t)
for name, parts in merged.items():
    pq.write_table(pa.concat_tables(parts, promote_options="permissive"), out / f"{name}.parquet")
rows = [dataclasses.asdict(m) for m in demo_mentions.generate(until)]
pq.write_table(pa.Table.from_pylist(rows), out / "mentions.parquet")
"""

_BASELINE_PDF = """
import sys
from pathlib import Path
import weasyprint
from weasyprint.urls import URLFetcher
html = Path(sys.argv[1]).read_text(encoding="utf-8")
fetch = URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)
Path(sys.argv[2]).write_bytes(weasyprint.HTML(string=html, url_fetcher=fetch,
                                              base_url=None).write_pdf())
"""

_PREVIEW = """
import json, sys, time
from datetime import date
from pathlib import Path
from fastapi.testclient import TestClient
from socialpulse.domain.periods import parse_period
from socialpulse.interfaces.web.app import create_app
from socialpulse.services import report_render
from socialpulse.settings import Settings
home, period = Path(sys.argv[1]), sys.argv[2]
web = create_app(Settings.from_env(home=home), run_jobs=False)
with TestClient(web, base_url="http://127.0.0.1") as client:
    page = client.get("/reports", params={"workspace": "demo", "period": period})
    assert page.status_code == 200, page.status_code
    times = []
    for _ in range(2):
        t = time.perf_counter()
        got = client.get("/reports/preview", params={"workspace": "demo", "period": period})
        times.append(time.perf_counter() - t)
        assert got.status_code == 200 and "<html" in got.text.lower(), got.status_code
    sp = web.state.sp
    report = sp.reports.build(sp.workspace("demo"), parse_period(period, "p", date.today()))
    report_render.clear_chart_memo()
    t = time.perf_counter()
    report_render.render_html(report)
    floor = time.perf_counter() - t
print(json.dumps({"first": times[0], "repeat": times[1], "floor": floor}))
"""


def _timed(cmd: list[str]) -> float:
    """Wall seconds of one process; a failure stops the benchmark (no figure for a failure)."""
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT.parent)
    took = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:6])}... failed:\n{proc.stdout[-2000:]}"
                         f"{proc.stderr[-2000:]}")
    return took


def bench_demo(home: Path, work: Path, repeat: int) -> None:
    demo = min(_timed([*CLI, "--home", str(home), "demo", "--no-serve", "--until", UNTIL])
               for _ in range(repeat))
    floor = min(_timed([sys.executable, "-c", _BASELINE_DEMO, UNTIL, str(work / "parquet")])
                for _ in range(repeat))
    record("demo_build", demo, floor, "seconds (wall, whole process)",
           baseline_is="the demo's rows generated and written to Parquet by pyarrow alone")


def _uncached(home: Path, cmd: list[str]) -> float:
    """`_timed` with no compiled statements in the home (adapters/sql_cache.py): the first
    report of data nobody has asked about yet."""
    shutil.rmtree(home / "cache", ignore_errors=True)
    return _timed(cmd)


def bench_pdf(home: Path, work: Path, repeat: int) -> None:
    html, pdf, floor_pdf = work / "q3.html", work / "q3.pdf", work / "floor.pdf"
    report = [*CLI, "--home", str(home), "report", "--period", PERIOD, "--today", TODAY]
    cold = min(_uncached(home, [*report, "-f", "pdf", "-o", str(pdf)]) for _ in range(repeat))
    _timed([*report, "-f", "html", "-o", str(html)])  # a preview of the same data came first
    value = min(_timed([*report, "-f", "pdf", "-o", str(pdf)]) for _ in range(repeat))
    floor = min(_timed([sys.executable, "-c", _BASELINE_PDF, str(html), str(floor_pdf)])
                for _ in range(repeat))
    _same_text(pdf, floor_pdf)
    record("report_pdf_quarterly", value, floor, "seconds (wall, whole process)",
           baseline_is="WeasyPrint alone rendering the same report HTML to PDF",
           compiled_statements="kept in the home by the HTML report of the same data before")
    record("report_pdf_quarterly_cold", cold, floor, "seconds (wall, whole process)",
           baseline_is="WeasyPrint alone rendering the same report HTML to PDF",
           compiled_statements="none: HOME/cache removed before each run (every query "
                               "compiled with Ibis)")


def _same_text(pdf: Path, floor_pdf: Path) -> None:
    """The command's PDF and the baseline's say the same thing (else the floor is another
    document), when pdftotext is installed."""
    try:
        texts = [subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True,
                                check=True).stdout for p in (pdf, floor_pdf)]
    except (OSError, subprocess.CalledProcessError):
        return
    if texts[0] != texts[1]:
        raise SystemExit("the report PDF and the baseline PDF differ in text")


def bench_preview(home: Path, repeat: int) -> None:
    runs = []
    for _ in range(repeat):
        shutil.rmtree(home / "cache", ignore_errors=True)  # no statements compiled before
        proc = subprocess.run([sys.executable, "-c", _PREVIEW, str(home), PERIOD],
                              capture_output=True, text=True, check=False, cwd=ROOT.parent)
        if proc.returncode != 0:
            raise SystemExit(f"preview failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    floor = min(r["floor"] for r in runs)
    record("report_preview", min(r["first"] for r in runs), floor, "seconds (wall, in server)",
           baseline_is="render_html of the same report with its figures already computed")
    record("report_preview_repeat", min(r["repeat"] for r in runs), floor,
           "seconds (wall, in server)",
           baseline_is="render_html of the same report with its figures already computed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--home", type=Path, default=None,
                    help="data home to build the demo in (default: a temporary folder)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_reports_") as tmp:
        work = Path(tmp)
        home = args.home or work / "home"
        bench_demo(home, work, args.repeat)
        bench_pdf(home, work, args.repeat)
        bench_preview(home, args.repeat)


if __name__ == "__main__":
    main()
