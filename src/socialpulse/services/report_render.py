"""Render a `Report` as a standalone HTML page, a PDF or an XLSX workbook.

- **HTML**: one self-contained file. Charts are the web's Vega-Lite specs rendered to PNG (at
  twice the size, sharp in print) with vl-convert (offline; it bundles Vega) and embedded as
  ``data:`` images, the logo too, styles inline: the file opens offline and makes no request at
  all. PNG rather than SVG because an SVG's text is laid out by vl-convert with its fonts and
  drawn by the PDF renderer with the machine's: wider fonts pushed axis labels out of the chart
  ("ngagement and relationships"); a PNG is drawn with the fonts it was measured with.
- **PDF**: the same HTML through WeasyPrint (print CSS: A4, cover page, page numbers). Its URL
  fetcher refuses everything except ``data:`` URIs, so a report never reaches the network.
- **XLSX**: every table of the report, one sheet each, through `services.export.to_xlsx`
  (formula-like text neutralised, numbers kept as numbers).
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from socialpulse import __version__
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.formatting import format_value
from socialpulse.domain.maturity import STAGES
from socialpulse.services.export import to_xlsx
from socialpulse.services.report_model import CHART_LISTENERS, Chart
from socialpulse.services.reports import Report

TEMPLATES = Path(__file__).parent / "report_templates"
#: Chart widths in CSS pixels (A4 content width is ~680 px at 96 dpi).
WIDE, HALF = 680, 330
CHART_FONT = "Liberation Sans, DejaVu Sans, Helvetica, Arial, sans-serif"
#: Chart PNGs kept by spec (a report has about 8, about 60 KB each).
PNG_MEMO_SIZE = 64
#: Charts converted at once.
CHART_THREADS = 4


class ReportFormat(StrEnum):
    PDF = "pdf"
    HTML = "html"
    XLSX = "xlsx"

    @property
    def media_type(self) -> str:
        return {
            "pdf": "application/pdf",
            "html": "text/html; charset=utf-8",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[self.value]


def parse_format(text: str, field_name: str = "--format") -> ReportFormat:
    try:
        return ReportFormat(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"{field_name}: {text!r} is not a report format; use pdf, html or "
                           "xlsx") from None


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["fmt"] = format_value
    return env


def chart_png(spec: dict[str, Any], width: int) -> bytes:
    """The chart as a PNG at twice ``width`` CSS pixels (the web's specs fill their container;
    the report's have a fixed width).

    A PNG is a function of the spec (data included) and the width only, so it is kept by
    their JSON text: the download that follows a preview draws no chart again, and a chart
    whose data changed has another key (never a stale picture)."""
    return _png_future(_spec_json(spec, width)).result()


def prefetch_chart(chart: Chart) -> None:
    """Start drawing ``chart`` now, in the background (`CHART_LISTENERS`): while the report's
    next sections run their queries, vl-convert (outside the GIL) draws this one."""
    _png_future(_spec_json(chart.spec, WIDE if chart.wide else HALF))


def clear_chart_memo() -> None:
    """Forget every drawn chart (benchmarks measure drawing anew)."""
    with _PNG_LOCK:
        _PNGS.clear()


def _spec_json(spec: dict[str, Any], width: int) -> str:
    s = copy.deepcopy(spec)
    s["width"] = width
    s.setdefault("config", {})["font"] = CHART_FONT
    s["background"] = "white"
    return json.dumps(s, default=str)


def _png_future(spec_json: str) -> Future[bytes]:
    """The drawing of ``spec_json``, started once: later asks (a prefetch, then the render)
    wait for the same one; a failed drawing is forgotten, so the next ask tries again."""
    with _PNG_LOCK:
        fut = _PNGS.get(spec_json)
        if fut is not None and not (fut.done() and fut.exception() is not None):
            _PNGS.move_to_end(spec_json)
            return fut
        fut = _POOL.submit(_draw, spec_json)
        _PNGS[spec_json] = fut
        while len(_PNGS) > PNG_MEMO_SIZE:
            _PNGS.popitem(last=False)
        return fut


def _draw(spec_json: str) -> bytes:
    import vl_convert as vlc

    # vl-convert releases the GIL and serialises its engine itself: conversions may overlap
    png: bytes = vlc.vegalite_to_png(json.loads(spec_json), scale=2)
    return png


_PNGS: OrderedDict[str, Future[bytes]] = OrderedDict()
_PNG_LOCK = threading.Lock()
_POOL = ThreadPoolExecutor(CHART_THREADS, thread_name_prefix="report-chart")
CHART_LISTENERS.append(prefetch_chart)


def _png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def chart_images(report: Report) -> dict[str, str]:
    """Every chart of the report as a ``data:`` PNG by ``<section>-<n>``, drawn in a few
    threads (vl-convert runs outside the GIL: about 0.2 s a chart, 8 in the quarterly); those
    prefetched while the report was built are ready or under way."""
    futures = {f"{s.id}-{i}": _png_future(_spec_json(c.spec, WIDE if c.wide else HALF))
               for s in report.sections for i, c in enumerate(s.charts, start=1)}
    return {k: _png_uri(f.result()) for k, f in futures.items()}


def render_html(report: Report) -> str:
    """The report as one standalone HTML document (charts and logo embedded)."""
    images = chart_images(report)
    return _env().get_template("report.html").render(
        r=report, b=report.branding, images=images, version=__version__, stages=STAGES)


def _data_only_fetcher() -> Any:
    """WeasyPrint URL fetcher for ``data:`` URIs only; anything else is refused (offline)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=False)


def render_pdf(report: Report, html: str | None = None) -> bytes:
    """The report as PDF (WeasyPrint), from the same HTML as `render_html`."""
    import weasyprint

    doc = weasyprint.HTML(string=html or render_html(report), url_fetcher=_data_only_fetcher(),
                          base_url=None)
    pdf: bytes = doc.write_pdf()
    return pdf


def render_xlsx(report: Report) -> bytes:
    """Every table of the report, one sheet each (the summary sheet first)."""
    return to_xlsx([(t.name, t.columns, t.rows) for t in report.tables()])


def render(report: Report, fmt: ReportFormat) -> bytes:
    if fmt is ReportFormat.PDF:
        return render_pdf(report)
    if fmt is ReportFormat.HTML:
        return render_html(report).encode("utf-8")
    return render_xlsx(report)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file in the same folder, fsync, rename: a reader
    (or a crash) never sees half a report."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
