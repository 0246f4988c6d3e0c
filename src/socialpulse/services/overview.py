"""The Overview use case: which period to show, KPI tiles and trend charts, ready to render.

Pages, the JSON API and reports all call this, so a tile shows the same number, change and
formula everywhere. Every number comes from `MetricsService` (this module formats and arranges,
it never computes a metric itself).

Period presets are relative to the *data*, not to the clock: "last 90 days" ends on the last day
with posts, so a workspace whose exports stopped a month ago still shows a full period.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from socialpulse.domain.errors import InvalidInput, MissingData
from socialpulse.domain.formatting import format_change, format_value
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import (
    DateRange,
    Grain,
    ordered,
    parse_date,
    parse_period,
    trailing,
)
from socialpulse.domain.query import Breakdown, Scope, ScopeKind, brand_of
from socialpulse.services.charts import (
    axis_format,
    chart_spec,
    network_color_scale,
    tooltip_format,
    unit_suffix,
)
from socialpulse.services.metrics import (
    OVERVIEW_TRENDS,
    MetricsService,
    display_formula,
    network_label,
)
from socialpulse.services.ports import WorkspaceRepository
from socialpulse.services.single_flight import SingleFlight
from socialpulse.services.versioned import DataVersion, VersionedMemo, data_version

DEFAULT_PRESET = "last90"
RESULT_CACHE_SIZE = 64

T = TypeVar("T")


@dataclass(frozen=True)
class PeriodPreset:
    id: str
    label: str


PRESETS: tuple[PeriodPreset, ...] = (
    PeriodPreset("last30", "Last 30 days of data"),
    PeriodPreset("last90", "Last 90 days of data"),
    PeriodPreset("last-month", "Last full month"),
    PeriodPreset("last-quarter", "Last full quarter"),
    PeriodPreset("custom", "Custom"),
)
_PRESET_IDS = {p.id for p in PRESETS}


@dataclass(frozen=True)
class ViewScope:
    """Which accounts a view covers, in words for the page."""

    account_ids: tuple[int, ...]
    label: str  # "own brands (Acme Outdoor)"
    left_out: list[str]  # brands not included
    kind: str = ScopeKind.OWN.value
    brands: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResolvedPeriod:
    """The period to show, how it was chosen, and the data it sits in."""

    range: DateRange
    preset: str  # a preset id, or "custom"
    data_range: DateRange | None

    @property
    def previous(self) -> DateRange:
        return self.range.previous()

    def as_dict(self) -> dict[str, Any]:
        prev = self.previous
        return {
            "start": self.range.start.isoformat(),
            "end": self.range.end.isoformat(),
            "label": self.range.label(),
            "preset": self.preset,
            "previous": {"start": prev.start.isoformat(), "end": prev.end.isoformat(),
                         "label": prev.label()},
            "data_range": None if self.data_range is None else {
                "start": self.data_range.start.isoformat(),
                "end": self.data_range.end.isoformat(),
            },
        }


def last_full_month(end: date) -> DateRange:
    """The last calendar month that ends on or before ``end``."""
    if (end + timedelta(days=1)).day == 1:
        return DateRange(end.replace(day=1), end)
    last = end.replace(day=1) - timedelta(days=1)
    return DateRange(last.replace(day=1), last)


def last_full_quarter(end: date) -> DateRange:
    """The last calendar quarter that ends on or before ``end``."""
    q_start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    q_next = date(q_start.year + (q_start.month + 2) // 12, (q_start.month + 2) % 12 + 1, 1)
    if end + timedelta(days=1) == q_next:
        return DateRange(q_start, end)
    last = q_start - timedelta(days=1)
    return DateRange(date(last.year, 3 * ((last.month - 1) // 3) + 1, 1), last)


def preset_range(preset: str, data_end: date) -> DateRange:
    """The range of a preset for data that ends on ``data_end``."""
    if preset == "last30":
        return trailing(data_end, 30)
    if preset == "last90":
        return trailing(data_end, 90)
    if preset == "last-month":
        return last_full_month(data_end)
    if preset == "last-quarter":
        return last_full_quarter(data_end)
    raise InvalidInput(f"period: unknown preset {preset!r}; use one of "
                       f"{', '.join(p.id for p in PRESETS if p.id != 'custom')}")


class OverviewService:
    """KPI tiles, trend charts and period presets for one workspace at a time."""

    def __init__(self, metrics: MetricsService, store: WorkspaceRepository) -> None:
        self.metrics = metrics
        self.store = store
        self._results = VersionedMemo(RESULT_CACHE_SIZE, copies=True)
        self._flights = SingleFlight()  # one build per key at a time (after an import)

    def _data_key(self, workspace: Workspace) -> DataVersion:
        """The data's version stamp, read per request: an import or a rebuilt demo in another
        process shows on the next request (`services.versioned`)."""
        return data_version(self.store, workspace)

    def _cached(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """Tiles and trends per (workspace data, scope, period): the Overview is opened far more
        often than data is imported, and each build runs several queries."""
        return self._flights.run(key, lambda: self._results.get(key, build))

    def data_range(self, workspace: Workspace) -> DateRange | None:
        """First and last day with posts, per version of the data."""
        return self._cached(
            ("data_range", self._data_key(workspace)),
            lambda: self.metrics.data_range(workspace) if self.store.accounts(workspace.id)
            else None)

    def resolve_period(
        self,
        workspace: Workspace,
        period: str | None = None,
        from_: str | None = None,
        to: str | None = None,
    ) -> ResolvedPeriod:
        """A preset id (``last90``...), a period (``2026-Q3``, ``A..B``) or ``from``/``to``.

        Without any, the default: the 90 days ending on the last day with data. Dates and
        periods are checked against the plausible years, seen from today.
        """
        data = self.data_range(workspace)
        today = date.today()
        text = (period or "").strip()
        if from_ or to:
            if text and text != "custom":
                raise InvalidInput("period: use either a period or from/to, not both")
            end_default = data.end if data else None
            start_default = data.start if data else None
            start = parse_date(from_, "from", today) if from_ else start_default
            end = parse_date(to, "to", today) if to else end_default
            if start is None or end is None:
                raise InvalidInput("period: give both from and to (the workspace has no data "
                                   "to default to)")
            return ResolvedPeriod(ordered(start, end), "custom", data)
        if not text or text == "custom":
            text = DEFAULT_PRESET
        if text in _PRESET_IDS:
            if data is None:
                raise InvalidInput(
                    f"period: {text!r} is relative to the data and workspace "
                    f"{workspace.slug!r} has none yet; give explicit dates"
                )
            return ResolvedPeriod(preset_range(text, data.end), text, data)
        return ResolvedPeriod(parse_period(text, "period", today), "custom", data)

    def scope(self, workspace: Workspace, chosen: Scope | None = None) -> ViewScope:
        """The accounts a view covers: ``chosen``, by default the own brands (resolved by
        `MetricsService.resolve_scope`, like every computation).

        A workspace that only watches competitors (no own account) shows every account.
        """
        accounts = self.store.accounts(workspace.id)
        try:
            resolved = self.metrics.resolve_scope(workspace, chosen, accounts=accounts)
        except MissingData:
            if chosen is not None or not accounts:
                raise
            resolved = self.metrics.resolve_scope(workspace, Scope(ScopeKind.ALL),
                                                  accounts=accounts)
        others = sorted({brand_of(a) for a in accounts} - set(resolved.brands))
        return ViewScope(resolved.account_ids, resolved.label, others, resolved.kind.value,
                         resolved.brands)

    def tiles(self, workspace: Workspace, period: DateRange,
              scope: Scope | None = None) -> list[dict[str, Any]]:
        """The KPI tiles: value, previous value, change (with its tone), formula, sparkline."""
        ids = self.scope(workspace, scope).account_ids
        key = ("tiles", workspace.id, self._data_key(workspace), ids, period)
        return self._cached(key, lambda: self._tiles(workspace, period, ids))

    def _tiles(
        self, workspace: Workspace, period: DateRange, ids: tuple[int, ...]
    ) -> list[dict[str, Any]]:
        tiles = self.metrics.kpis(workspace, period, account_ids=ids)
        weekly = self.metrics.compute(
            workspace, [(t["id"], None) for t in tiles],
            breakdown=Breakdown(grain=Grain.WEEK), period=period, account_ids=ids,
            allow_empty=True,
        )
        out = []
        for t in tiles:
            metric = self.metrics.catalogue.metric(t["id"])
            change = t["change_pct"]
            if change is None or abs(change) < 0.05:
                tone = "neutral"
            elif (change > 0) == (metric.direction == "higher"):
                tone = "good"
            else:
                tone = "bad"
            points = [
                {"period": r["period"], "value": r[t["id"]]}
                for r in weekly.records() if r.get(t["id"]) is not None
            ]
            inputs = [
                f"{m.id}: {m.agg} of {m.dataset}{'.' + m.column if m.column else ''}"
                for m in self.metrics.catalogue.inputs(metric)
            ]
            out.append({
                **t,
                "formula": f"{metric.id} = {display_formula(metric, None)}",
                "inputs": inputs,
                "description": metric.description,
                "value_text": format_value(t["value"], t["unit"]),
                "previous_text": format_value(t["previous"], t["unit"]),
                "change_text": format_change(change),
                "tone": tone,
                "sparkline": chart_spec(
                    "kpi_sparkline", points, y_title=metric.name,
                    tooltip_format=tooltip_format(t["unit"]),
                    description=f"{metric.name} by week",
                ) if len(points) > 1 else None,
            })
        return out

    def trends(
        self, workspace: Workspace, period: DateRange, grain: Grain = Grain.WEEK,
        scope: Scope | None = None,
    ) -> dict[str, Any]:
        """The trend table (metric by network and week) and one line chart per trend metric."""
        ids = self.scope(workspace, scope).account_ids
        key = ("trends", workspace.id, self._data_key(workspace), ids, period, grain)
        return self._cached(key, lambda: self._trends(workspace, period, grain, ids))

    def _trends(
        self, workspace: Workspace, period: DateRange, grain: Grain, ids: tuple[int, ...]
    ) -> dict[str, Any]:
        table = self.metrics.trends(workspace, period, grain, account_ids=ids)
        records = table.records()
        charts = []
        for key in OVERVIEW_TRENDS:
            metric = self.metrics.catalogue.metric(key)
            unit = table.units[key]
            points = [
                {"period": r["period"], "network": network_label(str(r["network"])),
                 "value": r[key]}
                for r in records if r.get(key) is not None
            ]
            charts.append({
                "id": key,
                "title": f"{metric.name} by network, {grain.value}ly",
                "unit": unit,
                "spec": chart_spec(
                    "line_trend", points, series="network", series_title="Network",
                    y_title=metric.name + unit_suffix(unit), x_title=grain.value.capitalize(),
                    y_format=axis_format(unit), tooltip_format=tooltip_format(unit),
                    color_scale=network_color_scale(p["network"] for p in points),
                    description=f"{metric.name} by network and {grain.value}",
                ),
                "points": len(points),
            })
        return {
            "columns": [*table.dimensions, *table.metrics],
            "rows": records,
            "units": table.units,
            "notes": table.notes,
            "charts": charts,
        }
