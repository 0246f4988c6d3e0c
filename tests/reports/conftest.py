"""Reports fixtures: one Q3 2026 report of the demo built once, and the web fixtures reused."""

from __future__ import annotations

from datetime import date

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.periods import parse_period
from socialpulse.services.reports import Report

REPORT_DAY = date(2026, 11, 2)


@pytest.fixture(scope="session")
def q3_report(demo_app_ro: App) -> Report:
    """The demo's Q3 2026 report (reading only: the demo has no goals, audits are not saved)."""
    return demo_app_ro.reports.build(demo_app_ro.workspace("demo"), parse_period("2026-Q3"),
                                     REPORT_DAY)


@pytest.fixture(scope="session")
def q3_html(q3_report: Report) -> str:
    from socialpulse.services.report_render import render_html

    return render_html(q3_report)


@pytest.fixture(scope="session")
def q3_pdf(q3_report: Report, q3_html: str) -> bytes:
    from socialpulse.services.report_render import render_pdf

    return render_pdf(q3_report, q3_html)

