"""The small interfaces services need from adapters (dependencies point inward)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import pyarrow as pa

from socialpulse.domain.models import Account
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import PlannedMetric, QueryPlan


class EngineRunResult(Protocol):
    columns: list[str]
    rows: list[dict[str, Any]]
    missing: dict[str, list[str]]
    excluded: dict[str, list[int]]


class MetricEngine(Protocol):
    def run(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> EngineRunResult: ...

    def sql(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> str: ...

    def posts(self, workspace_id: int, account_ids: Sequence[int], period: DateRange | None,
              tz: str, rate: PlannedMetric, sort: str, limit: int, offset: int = 0,
              search: str | None = None) -> tuple[pa.Table, int]: ...
