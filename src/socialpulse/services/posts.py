"""Posts use case: what was published, with its counters, best first.

The list reads the lake with the metric engine's own rules (latest version of each post, its
latest snapshot observed before the period ends), so the posts of a scope add up to the
metrics of that scope. It serves the CLI (`socialpulse posts`), the API and the Posts page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from socialpulse.adapters.engine import POST_SORTS
from socialpulse.adapters.lake import POST_COUNTERS
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.metrics import Catalogue
from socialpulse.domain.models import Account, Network, Workspace, find_account, parse_enum
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import PlannedMetric
from socialpulse.services.metrics import MetricsService

#: The rate shown for each post: the catalogue's metric in its default variant (engagements /
#: impressions), compiled per post by the engine from the same formula as everywhere else.
RATE = "engagement_rate"
#: What a post list can be sorted by (highest first; published_at: newest first).
SORTS = (*POST_SORTS, RATE)
MAX_LIMIT = 500
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
    scope: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total, "offset": self.offset, "limit": self.limit, "sort": self.sort,
            "period": None if self.period is None else {"start": self.period.start.isoformat(),
                                                        "end": self.period.end.isoformat()},
            "scope": self.scope,
            "posts": self.records(),
        }

    def records(self) -> list[dict[str, Any]]:
        """The rows with days and instants as ISO text, as JSON and CSV carry them."""
        return [{k: v.isoformat() if isinstance(v, date) else v for k, v in r.items()}
                for r in self.rows]


def post_rate(catalogue: Catalogue) -> PlannedMetric:
    """`RATE` planned for the engine, in its default variant."""
    metric = catalogue.metric(RATE)
    return PlannedMetric(RATE, metric, metric.variant(None), tuple(catalogue.inputs(metric)))


class PostsService:
    def __init__(self, metrics: MetricsService) -> None:
        self.metrics = metrics

    def scope(self, ws: Workspace, accounts: Sequence[str | int] = (),
              networks: Sequence[str] = (), competitors: bool = False) -> list[Account]:
        """Named accounts, else the own brands' (with ``competitors``: every account)."""
        every = self.metrics.store.accounts(ws.id)
        chosen = ([find_account(every, ref, "accounts") for ref in accounts] if accounts
                  else [a for a in every if a.is_own or competitors])
        nets = {parse_enum(Network, n, "networks") for n in networks}
        return [a for a in chosen if not nets or a.network in nets]

    def list(self, ws: Workspace, period: DateRange | None = None,
             accounts: Sequence[str | int] = (), networks: Sequence[str] = (),
             competitors: bool = False, sort: str = "engagements", limit: int = 20,
             offset: int = 0, search: str | None = None) -> PostPage:
        if sort not in SORTS:
            raise InvalidInput(f"sort: unknown column {sort!r}; use one of {', '.join(SORTS)}")
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(f"limit: {limit} is not between 1 and {MAX_LIMIT}")
        if offset < 0:
            raise InvalidInput(f"offset: {offset} is negative")
        text = (search or "").strip()
        if len(text) > SEARCH_MAX:
            raise InvalidInput(f"search: longer than {SEARCH_MAX} characters")
        chosen = self.scope(ws, accounts, networks, competitors)
        if not chosen:
            return PostPage([], 0, offset, limit, sort, period)
        table, total = self.metrics.engine.posts(ws.id, [a.id for a in chosen], period,
                                                 ws.timezone, post_rate(self.metrics.catalogue),
                                                 sort, limit, offset, text or None)
        by_id = {a.id: a for a in chosen}
        rows = []
        for r in table.to_pylist():
            acc = by_id[r.pop("account_id")]
            r.update(network=acc.network.value, account=acc.handle)
            rows.append({c: r.get(c) for c in COLUMNS})
        return PostPage(rows, total, offset, limit, sort, period,
                        sorted({a.label for a in chosen}))
