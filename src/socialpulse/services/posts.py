"""Posts use case: what was published, with its counters, best first.

The list reads the lake with the metric engine's own rules (latest version of each post, its
latest snapshot observed before the period ends), so the posts of a scope add up to the
metrics of that scope. It serves the CLI (`socialpulse posts`), the API and the Posts page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from socialpulse.domain.datasets import POST_COUNTERS, POST_SORTS
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.metrics import Catalogue
from socialpulse.domain.models import Account, Network, Workspace, find_account, parse_enum
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import PlannedMetric, ResolvedScope, Scope
from socialpulse.services.metrics import MetricsService

#: The rate shown for each post: the catalogue's metric in its default variant (engagements /
#: impressions), compiled per post by the engine from the same formula as everywhere else.
RATE = "engagement_rate"
#: What a post list can be sorted by (highest first; published_at: newest first).
SORTS = (*POST_SORTS, RATE)
MAX_LIMIT = 500
#: Deepest page a list may start at (the engines' LIMIT is a 64-bit integer).
MAX_OFFSET = 1_000_000_000
SEARCH_MAX = 200

#: Columns of a post row, in display order (the counters the lake keeps, then the rate).
COLUMNS = ("published_at", "local_date", "network", "account", "post_type", "text", "url",
           "campaign", *POST_COUNTERS, RATE, "observed_at", "post_id")


@dataclass(frozen=True)
class PostPage:
    rows: list[dict[str, Any]]
    total: int
    offset: int
    limit: int
    sort: str
    period: DateRange | None
    scope: ResolvedScope | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total, "offset": self.offset, "limit": self.limit, "sort": self.sort,
            "period": None if self.period is None else {"start": self.period.start.isoformat(),
                                                        "end": self.period.end.isoformat()},
            "scope": self.scope.as_dict() if self.scope else None,
            "posts": self.records(),
        }

    def records(self, with_scope: bool = False) -> list[dict[str, Any]]:
        """The rows with days and instants as ISO text, as JSON and CSV carry them;
        ``with_scope`` adds a ``scope`` column (its label) for CSV."""
        extra = {"scope": self.scope.label if self.scope else ""} if with_scope else {}
        return [{**{k: v.isoformat() if isinstance(v, date) else v for k, v in r.items()},
                 **extra} for r in self.rows]


def post_rate(catalogue: Catalogue) -> PlannedMetric:
    """`RATE` planned for the engine, in its default variant."""
    metric = catalogue.metric(RATE)
    return PlannedMetric(RATE, metric, metric.variant(None), tuple(catalogue.inputs(metric)))


class PostsService:
    def __init__(self, metrics: MetricsService) -> None:
        self.metrics = metrics

    def scope(self, ws: Workspace, accounts: Sequence[str | int] = (),
              networks: Sequence[str] = (), scope: Scope | None = None,
              ) -> tuple[ResolvedScope, list[Account]]:
        """Named accounts, else ``scope`` (default: own brands), resolved by the metrics'
        own rule; then only the ``networks`` named."""
        every = self.metrics.store.accounts(ws.id)
        named = [find_account(every, ref, "accounts").id for ref in accounts]
        resolved = self.metrics.resolve_scope(ws, scope, named, every)
        nets = {parse_enum(Network, n, "networks") for n in networks}
        ids = set(resolved.account_ids)
        return resolved, [a for a in every if a.id in ids and (not nets or a.network in nets)]

    def list(self, ws: Workspace, period: DateRange | None = None,
             accounts: Sequence[str | int] = (), networks: Sequence[str] = (),
             scope: Scope | None = None, sort: str = "engagements", limit: int = 20,
             offset: int = 0, search: str | None = None) -> PostPage:
        if sort not in SORTS:
            raise InvalidInput(f"sort: unknown column {sort!r}; use one of {', '.join(SORTS)}")
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"limit: {limit} is not between 1 and {MAX_LIMIT}")
        if offset < 0:
            raise InvalidInput(f"offset: {offset} is negative")
        if offset > MAX_OFFSET:
            raise InvalidInput(f"offset: {offset} is over {MAX_OFFSET:,}")
        text = (search or "").strip()
        if len(text) > SEARCH_MAX:
            raise InvalidInput(f"search: longer than {SEARCH_MAX} characters")
        resolved, chosen = self.scope(ws, accounts, networks, scope)
        if not chosen:
            return PostPage([], 0, offset, limit, sort, period, resolved)
        # the same question of the same lake answers from the metrics' memo (the accounts as
        # passed: their network and handle label the rows)
        question = (tuple(chosen), period, ws.timezone, sort, limit, offset, text)
        rows, total = self.metrics.memo("posts", ws.id, question, lambda: _page_rows(
            self.metrics, ws, chosen, period, sort, limit, offset, text or None))
        return PostPage(rows, total, offset, limit, sort, period, resolved)


def _page_rows(metrics: MetricsService, ws: Workspace, chosen: Sequence[Account],
               period: DateRange | None, sort: str, limit: int, offset: int,
               search: str | None) -> tuple[list[dict[str, Any]], int]:
    """One page of posts from the engine, labelled with their accounts, and the total."""
    table, total = metrics.engine.posts(ws.id, [a.id for a in chosen], period, ws.timezone,
                                        post_rate(metrics.catalogue), sort, limit, offset,
                                        search)
    by_id = {a.id: a for a in chosen}
    rows = []
    for r in table.to_pylist():
        acc = by_id[r.pop("account_id")]
        r.update(network=acc.network.value, account=acc.handle)
        rows.append({c: r.get(c) for c in COLUMNS})
    return rows, total
