"""The executive report's model: a `Report` is a list of `Section`s, each with its summary
sentences, `Table`s and `Chart`s; a section *provider* receives a `Context` (the services the
report reads, as `ReportSources`, and the workspace, period and date) and returns a section or
None. Sections live in `report_sections` and `report_sections_strategy`, the list of them and
the service that builds a report in `reports`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import Breakdown
from socialpulse.services.metrics import network_label
from socialpulse.services.versioned import DataVersion, VersionedMemo

if TYPE_CHECKING:
    from socialpulse.services.audience import AudienceService
    from socialpulse.services.audit import AuditService
    from socialpulse.services.compare import CompareService
    from socialpulse.services.goals import GoalsService
    from socialpulse.services.listening import ListeningService
    from socialpulse.services.maturity import MaturityService
    from socialpulse.services.metrics import MetricsService
    from socialpulse.services.overview import OverviewService
    from socialpulse.services.posts import PostsService
    from socialpulse.services.report_branding import BrandingService, BrandingView


@dataclass(frozen=True)
class ReportSources:
    """The services a report reads: every figure comes from one of them (never a formula of
    its own), and this list is all a report depends on (`bootstrap` wires it)."""

    metrics: MetricsService
    overview: OverviewService
    posts: PostsService
    audience: AudienceService
    compare: CompareService
    goals: GoalsService
    audit: AuditService
    maturity: MaturityService
    listening: ListeningService
    branding: BrandingService


@dataclass
class Table:
    """A table of a section: shown in the HTML/PDF and written as one sheet of the XLSX."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]
    headers: dict[str, str] = field(default_factory=dict)  # column -> human header


@dataclass
class Chart:
    """A Vega-Lite chart with its title (rendered to SVG for the report)."""

    title: str
    spec: dict[str, Any]
    wide: bool = True


#: Called with each chart as soon as its section is built: the renderer (`report_render`)
#: registers one that starts drawing it, so pictures are drawn while later sections query.
CHART_LISTENERS: list[Callable[[Chart], None]] = []


@dataclass
class Section:
    id: str
    title: str
    data: dict[str, Any] = field(default_factory=dict)
    summary: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)


@dataclass
class Report:
    workspace: Workspace
    branding: BrandingView
    period: DateRange
    previous: DateRange
    title: str
    period_title: str
    generated_on: date
    scope: str
    sections: list[Section]
    notes: list[str]
    appendix: list[dict[str, Any]]

    @property
    def summary(self) -> list[str]:
        return [s for sec in self.sections for s in sec.summary]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def tables(self) -> list[Table]:
        """Every table, for the spreadsheet: the summary first, the metric definitions last."""
        head = Table("Summary", ["item", "value"], [
            {"item": "Report", "value": self.title},
            {"item": "Workspace", "value": self.branding.name},
            {"item": "Period", "value": self.period.label()},
            {"item": "Compared with", "value": self.previous.label()},
            {"item": "Scope", "value": self.scope},
            {"item": "Generated on", "value": self.generated_on.isoformat()},
            *({"item": f"Summary {i}", "value": s} for i, s in enumerate(self.summary, 1)),
        ])
        defs = Table("Metric definitions", ["id", "name", "formula", "unit", "description"],
                     self.appendix)
        return [head, *(t for s in self.sections for t in s.tables), defs]


@dataclass
class Context:
    """What every provider gets: the services, the workspace, the period and the report date."""

    src: ReportSources
    workspace: Workspace
    period: DateRange
    today: date
    account_ids: tuple[int, ...]
    scope: str
    colour: str = "#0f766e"  # the brand's primary colour, for single-colour charts
    memo: dict[str, Any] = field(default_factory=dict)
    #: The data's version stamp (`services.versioned`), read once per report.
    version: DataVersion = ()
    #: Figures that depend only on the data and the question, kept per `version` across
    #: reports (the `ReportService`'s memo); a fresh one by default (nothing shared).
    figures: VersionedMemo = field(default_factory=lambda: VersionedMemo(16, copies=True))

    @property
    def previous(self) -> DateRange:
        return self.period.previous()

    def goals(self) -> list[Any]:
        """Tracked goals (memoised: the KPI and goal sections both use them)."""
        if "goals" not in self.memo:
            self.memo["goals"] = [t for t in self.src.goals.list(self.workspace, self.today)
                                  if not t.goal.archived]
        return list(self.memo["goals"])


Provider = Callable[[Context], Section | None]


def grain_for(period: DateRange) -> Grain:
    """Daily points for a month or less, weekly up to a half year, monthly beyond."""
    if period.days <= 35:
        return Grain.DAY
    if period.days <= 190:
        return Grain.WEEK
    return Grain.MONTH


#: Every metric the report reads per network (the KPI sentences' drivers and the Networks
#: table): asked for in one query per period, so the two sections never run their own.
NETWORK_FIGURES = ("impressions", "engagements", "engagement_rate", "followers",
                   "audience_growth_rate")


def by_network(ctx: Context, metrics: Sequence[str], period: DateRange,
               ) -> dict[str, dict[str, Any]]:
    """``metrics`` per network (by its label) over ``period``, for the report's accounts.

    One planned query per period answers every section: `NETWORK_FIGURES` by network, asked
    once (a metric's value does not depend on the others asked with it) and kept per data
    version (`ReportService`), so a preview followed by its download computes them once."""
    unplanned = [m for m in metrics if m not in NETWORK_FIGURES]
    if unplanned:
        raise ValueError(f"by_network: {unplanned} not in NETWORK_FIGURES; add them there")
    key = ("by_network", ctx.workspace.id, ctx.version, ctx.account_ids, period)

    def query() -> dict[str, dict[str, Any]]:
        table = ctx.src.metrics.compute(
            ctx.workspace, [(m, None) for m in NETWORK_FIGURES],
            breakdown=Breakdown(entities=("network",)), period=period,
            account_ids=ctx.account_ids, allow_empty=True)
        return {network_label(str(r["network"])): r for r in table.rows}

    rows = ctx.figures.get(key, query)
    return {label: {k: v for k, v in r.items() if k == "network" or k in metrics}
            for label, r in rows.items()}


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th, 21st."""
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
