"""What a metric run's per-account counts say: inputs nobody provides, accounts left out.

Plain Python over plain rows (no Ibis), shared by the Ibis engine (`engine_second.diagnose`)
and by runs replayed from compiled SQL (`sql_cache.replay`), which must not import Ibis.
"""

from __future__ import annotations

from typing import Any

from socialpulse.domain import datasets
from socialpulse.domain.query import QueryPlan


def per_account(dataset: str) -> bool:
    """Whether a measured dataset's rows belong to accounts (mentions belong to networks)."""
    return datasets.MEASURED[dataset].entity == "account_id"  # type: ignore[index]


def diagnosis(plan: QueryPlan, per_acc: list[dict[str, Any]]
              ) -> tuple[dict[str, list[str]], dict[str, list[int]]]:
    """Which inputs no account provides (``missing``: metric key -> measure ids), and which
    accounts a metric had to leave out (``excluded``: metric key -> account ids), from the rows
    of `engine_second.account_counts` (one per account: how many level-1 rows hold each input)."""
    missing: dict[str, list[str]] = {}
    excluded: dict[str, list[int]] = {}
    for pm in plan.metrics:
        lacking = [m.id for m in pm.inputs if not any(row[m.id] for row in per_acc)]
        if lacking:
            missing[pm.key] = lacking
            continue
        if any(not per_account(m.dataset) for m in pm.inputs):
            continue
        left_out = [
            int(row["account_id"])
            for row in per_acc
            if row["account_id"] is not None
            and any(row[m.id] for m in pm.inputs)
            and not all(row[m.id] for m in pm.inputs)
        ]
        if left_out:
            excluded[pm.key] = sorted(left_out)
    return missing, excluded
