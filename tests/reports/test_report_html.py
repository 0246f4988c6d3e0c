"""The HTML report works offline: opened from a file in Chromium, it requests nothing outside."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from socialpulse.services.report_render import render_xlsx
from socialpulse.services.reports import Report


@pytest.mark.browser
def test_html_report_opens_offline_with_every_chart(q3_html: str, tmp_path: Path,
                                                    page: Any, page_log: Any) -> None:
    path = tmp_path / "report.html"
    path.write_text(q3_html, encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    assert page.locator("h2", has_text="Executive summary").count() == 1
    outside = [u for u in page_log.requests
               if not (u.startswith("file:") or u.startswith("data:"))]
    assert outside == []
    images = page.locator("figure.chart img")
    assert images.count() >= 6  # 4 trends, networks, maturity, share of voice
    sizes = page.eval_on_selector_all(
        "figure.chart img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])")
    assert all(done and w > 100 and h > 50 for done, w, h in sizes), sizes
    assert page_log.errors == []


def test_html_holds_no_external_reference(q3_html: str) -> None:
    import re

    refs = re.findall(r'(?:src|href)="([^"]+)"', q3_html)
    assert refs and all(r.startswith("data:") or r.startswith("#") for r in refs), [
        r[:60] for r in refs if not r.startswith("data:")]
    assert "@import" not in q3_html and "url(http" not in q3_html


def test_xlsx_has_every_table(q3_report: Report) -> None:
    wb = load_workbook(io.BytesIO(render_xlsx(q3_report)))
    names = wb.sheetnames
    assert names[0] == "Summary" and names[-1] == "Metric definitions"
    for sheet in ("KPIs", "Networks", "Audit", "Maturity", "Share of voice", "Alerts"):
        assert sheet in names
    kpis = wb["KPIs"]
    header = [c.value for c in kpis[1]]
    assert header[:3] == ["metric", "value", "previous"]
    values = [r[1].value for r in kpis.iter_rows(min_row=2)]
    assert values and all(isinstance(v, int | float) for v in values if v is not None)
    summary = [r[1].value for r in wb["Summary"].iter_rows(min_row=2)]
    assert any(isinstance(v, str) and "Engagement rate" in v for v in summary)
