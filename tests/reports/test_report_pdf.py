"""The quarterly PDF of the demo: rendered to PNG with pdftoppm, pages counted, charts not blank."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from socialpulse.services.reports import Report

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None and not os.environ.get("CI"),
    reason="pdftoppm (poppler-utils) is not installed; scripts/system_deps.sh installs it",
)


def _pages(pdf: bytes, tmp: Path, dpi: int = 40) -> list[Image.Image]:
    src = tmp / "r.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(src), str(tmp / "p")], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(tmp.glob("p-*.png"))]


def _page_text(pdf_path: Path, n: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf_path), "-"],
                         check=True, capture_output=True, text=True)
    return out.stdout


def _coloured(img: Image.Image) -> tuple[int, int]:
    """Pixels with a clear hue (chart lines and bars; text is grey), and distinct hues."""
    a = np.asarray(img.convert("RGB")).reshape(-1, 3).astype(int)
    mask = (a.max(axis=1) - a.min(axis=1)) > 60
    hues = {tuple(x) for x in (a[mask] // 64).tolist()}
    return int(mask.sum()), len(hues)


def _trends_page(pdf: bytes, tmp: Path) -> tuple[int, Image.Image]:
    """The PDF's pages, and the crop of the page where the Trends section starts (below its
    heading): it holds nothing but the line charts."""
    tmp.mkdir(parents=True, exist_ok=True)
    pages = _pages(pdf, tmp)
    texts = [_page_text(tmp / "r.pdf", i + 1) for i in range(len(pages))]
    found = [i for i, t in enumerate(texts) if t.lstrip().startswith("Trends")]
    assert found, "no page starts with the Trends section"
    page = pages[found[0]]
    w, h = page.size
    return len(pages), page.crop((0, int(h * 0.12), w, int(h * 0.92)))


def test_sections_of_the_demo_report(q3_report: Report) -> None:
    ids = [s.id for s in q3_report.sections]
    # the demo has data, goals and an OKR, an assessment and mentions
    assert ids == ["kpis", "networks", "top_posts", "trends", "goals", "audit", "maturity",
                   "competitors", "listening"]
    assert q3_report.period_title == "Q3 2026"
    assert q3_report.notes == []
    summary = " ".join(q3_report.summary)
    assert "Engagement rate" in summary and "share of voice" in summary
    appendix = {m["id"] for m in q3_report.appendix}
    assert {"engagement_rate", "impressions", "followers"} <= appendix
    assert all(m["formula"].startswith(m["id"] + " = ") for m in q3_report.appendix)


@needs_poppler
def test_pdf_pages_and_charts_are_not_blank(q3_pdf: bytes, tmp_path: Path) -> None:
    assert q3_pdf.startswith(b"%PDF-")
    pages = _pages(q3_pdf, tmp_path)
    assert 6 <= len(pages) <= 16, len(pages)
    pdf_path = tmp_path / "r.pdf"
    texts = [_page_text(pdf_path, i + 1) for i in range(len(pages))]
    # the cover title is letter-spaced: pdftotext may or may not insert a space per letter,
    # depending on the poppler version and the fonts installed
    assert "SOCIALMEDIAREPORT" in "".join(texts[0].split()).upper(), texts[0][:200]
    assert "Q3 2026" in texts[0]
    assert "Executive summary" in texts[1]
    assert any("Appendix: metric definitions" in t for t in texts)
    # the trends page: line charts drawing each network in its own colour
    _, area = _trends_page(q3_pdf, tmp_path / "again")
    count, hues = _coloured(area)
    assert count > 0.005 * area.size[0] * area.size[1], count
    assert hues >= 4, hues


@needs_poppler
def test_a_blank_chart_would_be_caught(q3_report: Report, tmp_path: Path) -> None:
    """The check above can fail: with charts drawn as empty images, the trends page is blank."""
    import copy

    from socialpulse.services import report_render

    blank = copy.deepcopy(q3_report)
    for s in blank.sections:
        for c in s.charts:
            c.spec = {"$schema": c.spec.get("$schema"), "data": {"values": []},
                      "mark": "point", "width": 10, "height": 10}
    _, area = _trends_page(report_render.render_pdf(blank), tmp_path)
    count, hues = _coloured(area)
    assert count < 0.005 * area.size[0] * area.size[1] or hues < 4
