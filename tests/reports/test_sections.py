"""The report grows with the product: a capability with no data leaves its section out, one that
breaks is left out with a note, and a workspace without data is a one-line error."""

from __future__ import annotations

from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.errors import MissingData
from socialpulse.domain.periods import parse_period
from socialpulse.services.report_render import render_html

WANTED = ["kpis", "goals", "maturity", "listening"]


def test_missing_capabilities_leave_their_sections_out(demo_app_ro: App,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    ws = demo_app_ro.workspace("demo")
    monkeypatch.setattr(demo_app_ro.maturity, "latest", lambda workspace: None)
    monkeypatch.setattr(demo_app_ro.listening, "data_range", lambda workspace: None)
    monkeypatch.setattr(demo_app_ro.goals, "list", lambda *args, **kwargs: [])
    monkeypatch.setattr(demo_app_ro.goals, "okrs", lambda *args, **kwargs: [])
    report = demo_app_ro.reports.build(ws, parse_period("2026-09"), sections=WANTED)
    assert [s.id for s in report.sections] == ["kpis"]  # no goals, assessment or mentions
    assert report.notes == []
    html = render_html(report)
    assert "Maturity and benchmark" not in html and "Listening" not in html
    assert "Appendix: metric definitions" in html


def test_a_failing_capability_does_not_sink_the_report(demo_app_ro: App,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("listening index corrupted")

    ws = demo_app_ro.workspace("demo")
    monkeypatch.setattr(demo_app_ro.listening, "share_of_voice", broken)
    report = demo_app_ro.reports.build(ws, parse_period("2026-09"), sections=WANTED)
    assert [s.id for s in report.sections] == ["kpis", "goals", "maturity"]
    assert report.notes == ["The listening section could not be built (RuntimeError)."]
    assert "could not be built" in render_html(report)


def test_a_workspace_without_data(empty_app: App) -> None:
    ws = empty_app.store.create_workspace("empty", "Empty", "UTC", ["en"])
    with pytest.raises(MissingData, match="has no accounts or data yet|has no data in"):
        empty_app.reports.build(ws, parse_period("2026-Q3"))
