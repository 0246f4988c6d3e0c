"""The quarterly PDF's layout: charts keep their labels, short tables are never split (no row
left alone on a page), long ones repeat their header; checked on the demo's pages."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from socialpulse.services.report_render import chart_png
from socialpulse.services.reports import Report
from tests.reports.test_report_pdf import needs_poppler


def _texts(pdf: bytes, tmp: Path) -> list[str]:
    src = tmp / "r.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(src), "-"], check=True,
                         capture_output=True, text=True).stdout
    return out.split("\f")


def _ink_at_edges(png: bytes, tmp: Path) -> tuple[int, int]:
    """Non-white pixels in the two leftmost and two rightmost columns of a chart image."""
    path = tmp / "c.png"
    path.write_bytes(png)
    a = np.asarray(Image.open(path).convert("L")).astype(int)
    return int((a[:, :2] < 200).sum()), int((a[:, -2:] < 200).sum())


def test_chart_labels_are_inside_the_image(q3_report: Report, tmp_path: Path) -> None:
    """The maturity chart's longest labels ("Integration of data and channels") were cut at
    the left edge when the PDF drew the chart's SVG with other fonts; as a PNG measured and
    drawn with the same fonts, the image's edges stay blank."""
    maturity = next(s for s in q3_report.sections if s.id == "maturity")
    png = chart_png(maturity.charts[0].spec, 330)
    assert png.startswith(b"\x89PNG")
    left, right = _ink_at_edges(png, tmp_path)
    assert left == 0 and right == 0, (left, right)


def test_edge_check_can_fail(tmp_path: Path) -> None:
    img = Image.new("RGB", (50, 20), "white")
    img.putpixel((0, 5), (0, 0, 0))
    img.save(tmp_path / "x.png")
    assert _ink_at_edges((tmp_path / "x.png").read_bytes(), tmp_path)[0] == 1


@needs_poppler
def test_short_tables_stay_on_one_page(q3_report: Report, q3_pdf: bytes,
                                       tmp_path: Path) -> None:
    """Each top post's row is on the page of the table's header (the table used to be split,
    two rows alone on the next page); the same for every table of the goals section."""
    pages = _texts(q3_pdf, tmp_path)
    top = next(s for s in q3_report.sections if s.id == "top_posts")
    rows = top.tables[0].rows
    assert 3 <= len(rows) <= 10
    head = [i for i, t in enumerate(pages) if re.search(r"Day\s+Account\s+Post", t)]
    assert len(head) == 1, head
    page = re.sub(r"\s+", " ", pages[head[0]])
    for r in rows:
        words = str(r["post"]).split()[:2]
        assert " ".join(words) in page, (words, head[0] + 1)


@pytest.mark.parametrize("rule", [
    r"table \{ break-inside: avoid; \}",
    r"thead \{ display: table-header-group; \}",
    r"tbody tr:nth-child\(-n\+2\) \{ break-after: avoid; \}",
    r"tbody tr:nth-last-child\(-n\+2\) \{ break-before: avoid; \}",
])
def test_print_rules_are_in_the_report(q3_report: Report, q3_html: str, rule: str) -> None:
    assert re.search(rule, q3_html)
    charts = sum(len(s.charts) for s in q3_report.sections)
    pngs = re.findall(r'data-chart="[^"]+"><img src="data:image/png;base64,', q3_html)
    assert len(pngs) == charts
