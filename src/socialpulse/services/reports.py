"""The executive report: sections gathered from every capability, ready to render.

A report is a list of sections, each built by a small *provider* registered in `SECTIONS`. A
provider reads numbers from the services only (metrics, overview, goals, audit, maturity,
listening: the `ReportSources` the report is given) and returns ``None`` when its capability
has nothing to say yet (no goals, no assessment, no mentions): the report grows with the
product and never breaks on a missing or empty capability. A provider that fails unexpectedly
is left out with a note (logged), so one feature's bug cannot take the whole executive report
down.

Each section carries its sentences for the executive summary (templates in
`socialpulse.domain.narrative`), its tables (the spreadsheet export writes one sheet each), its
Vega-Lite charts (the same specs as the web, `services.charts`) and the metric ids it used (the
appendix defines each one with its formula). The model is in `report_model`, the providers in
`report_sections` and `report_sections_strategy`; rendering to HTML, PDF and XLSX lives in
`services.report_render`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from socialpulse.domain import narrative as nv
from socialpulse.domain.errors import MissingData, SocialPulseError
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.services.metrics import display_formula
from socialpulse.services.report_model import (
    CHART_LISTENERS,
    Chart,
    Context,
    Provider,
    Report,
    ReportSources,
    Section,
    Table,
    grain_for,
)
from socialpulse.services.report_sections import (
    audience_section,
    compare_section,
    kpi_section,
    network_section,
    top_posts_section,
    trend_section,
)
from socialpulse.services.report_sections_strategy import (
    audit_section,
    goals_section,
    listening_section,
    maturity_section,
)
from socialpulse.services.versioned import VersionedMemo, data_version

log = logging.getLogger("socialpulse.reports")
#: Per-network figure tables kept (two per report: the period and the previous one).
FIGURES_MEMO_SIZE = 32

#: The report's sections in order: (id, provider). Features may append their own.
SECTIONS: list[tuple[str, Provider]] = [
    ("kpis", kpi_section),
    ("networks", network_section),
    ("top_posts", top_posts_section),
    ("audience", audience_section),
    ("trends", trend_section),
    ("goals", goals_section),
    ("audit", audit_section),
    ("maturity", maturity_section),
    ("competitors", compare_section),
    ("listening", listening_section),
]


def _build_sections(ctx: Context, wanted: Sequence[str] | None
                    ) -> tuple[list[Section], list[str]]:
    """Run each provider (or the ``wanted`` ones): the sections built, and a note for each
    provider that failed unexpectedly (one that has no answer for the period is just left out)."""
    built: list[Section] = []
    notes: list[str] = []
    for sid, provider in SECTIONS:
        if wanted is not None and sid not in wanted:
            continue
        try:
            sec = provider(ctx)
        except SocialPulseError as exc:  # the capability has no answer for this period
            log.info("report section %s left out: %s", sid, exc.message)
            continue
        except Exception as exc:  # one feature's failure must not sink the report
            log.exception("report section %s failed", sid)
            notes.append(f"The {sid} section could not be built ({type(exc).__name__}).")
            continue
        if sec is not None:
            built.append(sec)
            for chart in sec.charts:
                for listener in CHART_LISTENERS:
                    listener(chart)
    return built, notes


class ReportService:
    """Builds a `Report` for a workspace and period; renderers turn it into files."""

    def __init__(self, sources: ReportSources, clock: Callable[[], date] = date.today) -> None:
        self.src = sources
        self.clock = clock
        #: Figures per data version (`report_model.by_network`): the Reports page's preview
        #: and the download that follows it ask the same questions of the same data.
        self._figures = VersionedMemo(FIGURES_MEMO_SIZE, copies=True)

    def build(self, workspace: Workspace, period: DateRange, today: date | None = None,
              sections: Sequence[str] | None = None) -> Report:
        day = today or self.clock()
        scope = self.src.overview.scope(workspace)
        brand = self.src.branding.view(workspace)
        ctx = Context(self.src, workspace, period, day, scope.account_ids, scope.label,
                      brand.primary, version=data_version(self.src.metrics.store, workspace),
                      figures=self._figures)
        built, notes = _build_sections(ctx, sections)
        if not any(s.id in ("kpis", "networks") for s in built):
            raise MissingData(f"period: workspace {workspace.slug!r} has no data in "
                              f"{period.label()}; pick a period with data")
        appendix = self._appendix(built)
        ptitle = nv.describe_period(period.start, period.end)
        return Report(
            workspace=workspace, branding=brand, period=period, previous=period.previous(),
            title=f"{brand.name}: social media report, {ptitle}", period_title=ptitle,
            generated_on=day, scope=scope.label, sections=built, notes=notes,
            appendix=appendix,
        )

    def _appendix(self, built: Sequence[Section]) -> list[dict[str, Any]]:
        """The definition of every metric the sections used, in first-use order."""
        used: list[str] = []
        for s in built:
            used.extend(m for m in s.metrics if m not in used)
        appendix = []
        for mid in used:
            try:
                m = self.src.metrics.catalogue.metric(mid)
            except SocialPulseError:
                continue
            appendix.append({"id": m.id, "name": m.name, "unit": m.variant(None).unit,
                             "formula": f"{m.id} = {display_formula(m, None)}",
                             "description": m.description})
        return appendix


__all__ = ["SECTIONS", "Chart", "Context", "Report", "ReportService", "ReportSources", "Section",
           "Table", "grain_for"]
