"""Measuring goals: whose accounts a goal covers, its metric's value over a window and its
weekly history, all through `MetricsService.compute` (never a formula of its own).

Engine answers are memoised by the question and the data's version stamp
(`services.versioned`), so a board, or a create followed by its first tracking, never asks
the engine twice, and an import from another process is seen at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from socialpulse.domain import forecast as fc
from socialpulse.domain import goals as g
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.goals import Goal
from socialpulse.domain.metrics import Catalogue, Metric
from socialpulse.domain.models import Account, Network, Workspace, find_account, parse_enum
from socialpulse.domain.periods import DateRange, Grain
from socialpulse.domain.query import Breakdown, own_accounts
from socialpulse.services.metrics import MetricsService
from socialpulse.services.ports import WorkspaceRepository
from socialpulse.services.versioned import DataVersion, VersionedMemo, data_version

from .view import Series

HISTORY_DAYS = 548  # 18 months of weekly history for achievability and the forecast
MEMO_SIZE = 512  # engine answers kept per service (keyed by the lake's version)


def scope_label(accs: Sequence[Account], nets: Sequence[str], campaign: str | None) -> str:
    """``Acme Outdoor on instagram, x (3 accounts), campaign fall``: whose figures these are."""
    brands = sorted({a.brand_name or a.name for a in accs})
    networks = sorted({a.network.value for a in accs})
    text = (f"{', '.join(brands)} on {', '.join(networks)} "
            f"({len(accs)} account{'s' if len(accs) != 1 else ''})")
    if campaign:
        text += f", campaign {campaign}"
    return text


def _number(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


class GoalMeasurer:
    """A goal's scope, values and weekly series, measured through the metrics service."""

    def __init__(self, metrics: MetricsService, workspaces: WorkspaceRepository) -> None:
        self.metrics = metrics
        self.workspaces = workspaces
        self.catalogue: Catalogue = metrics.catalogue
        self._memo = VersionedMemo(MEMO_SIZE)

    def scope(
        self, ws: Workspace, accounts: Sequence[str | int], networks: Sequence[str]
    ) -> tuple[list[Account], tuple[str, ...]]:
        """Accounts a goal measures: those named, else the own brand's (never competitors')."""
        nets = tuple(parse_enum(Network, str(n), "networks").value for n in networks)
        all_acc = self.workspaces.accounts(ws.id)
        if accounts:
            chosen = [find_account(all_acc, ref) for ref in accounts]
        else:
            chosen = own_accounts(all_acc)
        if nets:
            chosen = [a for a in chosen if a.network.value in nets]
        if not chosen:
            where = f" on {', '.join(nets)}" if nets else ""
            raise InvalidInput(f"scope: no account of workspace {ws.slug!r}{where} to measure; "
                               "check accounts and networks (see `socialpulse accounts list`)")
        return chosen, nets

    def goal_scope_label(self, ws: Workspace, goal: Goal) -> str:
        """The scope label of a stored goal, from the accounts it holds today."""
        ids = set(goal.account_ids)
        accs = [a for a in self.workspaces.accounts(ws.id) if a.id in ids]
        return scope_label(accs, goal.networks, goal.campaign)

    def unit(self, goal: Goal) -> str:
        return self.catalogue.metric(goal.metric).variant(goal.variant).unit

    def in_words(self, metric: Metric, variant: str | None, period: DateRange,
                 scope: str) -> str:
        """``sum of post reach over 2026-08-01..2026-10-31, Acme Outdoor on x (1 account)``."""
        return (f"{g.measure_words(self.catalogue, metric, variant)} over {period.label()}, "
                f"{scope}")

    def version(self, ws: Workspace) -> DataVersion:
        """The data's version stamp, read per call: any import, compaction or rebuilt demo,
        from any process, changes it (`services.versioned`)."""
        return data_version(self.workspaces, ws)

    def cached(self, key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        """Memo of engine results keyed by the question and the lake's version."""
        return self._memo.get(key, make)

    def compute(
        self, ws: Workspace, goal: Goal, period: DateRange, breakdown: Breakdown = Breakdown()
    ) -> Any:
        key = ("compute", ws.id, self.version(ws), goal.metric, goal.variant, period,
               breakdown, goal.networks, goal.account_ids, goal.campaign)
        return self.cached(key, lambda: self.metrics.compute(
            ws, [(goal.metric, goal.variant)], breakdown, period, goal.networks,
            account_ids=goal.account_ids, campaign=goal.campaign, allow_empty=True,
        ))

    def value(self, ws: Workspace, goal: Goal, period: DateRange) -> tuple[float | None, Any]:
        """The goal's metric over ``period`` (None when it cannot be computed) and the table
        it came from (its notes say why)."""
        table = self.compute(ws, goal, period)
        key = table.metrics[0]
        return _number(table.rows[0].get(key) if table.rows else None), table

    def forecast(self, s: Series, steps: int) -> fc.Forecast:
        key = ("forecast", tuple(s.values), steps, s.kind, s.window_weeks, s.scale)
        out: fc.Forecast = self.cached(key, lambda: fc.forecast(
            s.values, steps, s.kind, s.window_weeks, s.scale))
        return out

    def data_end(self, ws: Workspace) -> date | None:
        """The last day with data in the workspace (None when it holds none)."""
        rng = self.cached(("data_range", ws.id, self.version(ws)),
                          lambda: self.metrics.data_range(ws))
        return rng.end if rng else None

    def series(self, ws: Workspace, goal: Goal, as_of: date) -> Series | None:
        """Complete weeks (Monday to Sunday) up to ``as_of``, 18 months back."""
        last_sunday = as_of - timedelta(days=(as_of.weekday() + 1) % 7)
        first_monday = last_sunday - timedelta(days=HISTORY_DAYS)
        first_monday -= timedelta(days=first_monday.weekday())
        if last_sunday <= first_monday:
            return None
        table = self.compute(ws, goal, DateRange(first_monday, last_sunday),
                             Breakdown(grain=Grain.WEEK))
        key = table.metrics[0]
        by_week = {r["period"]: r.get(key) for r in table.rows}
        kind = g.window_kind(self.catalogue, self.catalogue.metric(goal.metric), goal.variant)
        weeks, values = _weekly(by_week, first_monday, last_sunday, kind)
        window_weeks = max(1, round(goal.window_days / 7))
        scale = goal.window_days / (7 * window_weeks)
        if len(values) < window_weeks:
            return None
        return Series(weeks, values, fc.window_series(values, kind, window_weeks, scale),
                      window_weeks, scale, kind)


def _weekly(by_week: dict[Any, Any], first_monday: date, last_sunday: date,
            kind: str) -> tuple[list[date], list[float]]:
    """Weekly values from the first week with data: a week without rows counts 0 for an
    additive metric and repeats the last value otherwise."""
    weeks: list[date] = []
    values: list[float] = []
    wk = first_monday
    started = False
    while wk <= last_sunday - timedelta(days=6):
        v = by_week.get(wk)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            if started and kind == "sum":
                v = 0.0
            elif started and values:
                v = values[-1]
        if v is not None:
            started = True
            weeks.append(wk)
            values.append(float(v))
        wk += timedelta(days=7)
    return weeks, values
