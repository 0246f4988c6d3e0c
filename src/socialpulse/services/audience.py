"""Use case: who an account's audience is (followers, visitors, viewers by one dimension).

Breakdowns come from exports (TikTok follower gender and territories, LinkedIn visitor and
follower demographics) into the lake's ``audience`` dataset. Each account shows, per dimension,
its latest breakdown: the values with their count and share, and the day they describe. A share
the export gives is shown as given; otherwise it is the value's count over the sum of the counts
listed for that dimension and day (LinkedIn lists its top values only, so that sum is the
whole of what the export lists, not every visitor). Reads only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from socialpulse.domain.errors import MissingData
from socialpulse.domain.models import NETWORK_LABELS, Account, Workspace, find_account
from socialpulse.services.ports import DataLake, WorkspaceRepository

#: The columns of a flat listing (CSV from the CLI and the API).
COLUMNS = ["network", "account", "dimension", "date", "value", "count", "share", "share_basis"]

#: How a share was obtained, as shown beside it.
SHARE_GIVEN = "as the export gives it"
SHARE_COMPUTED = "count over the sum of the counts listed"


@dataclass(frozen=True)
class Slice:
    value: str
    count: int | None
    share: float | None


@dataclass(frozen=True)
class Breakdown:
    """One dimension of one account's audience, as of one day."""

    dimension: str
    day: date
    slices: list[Slice]
    share_basis: str

    def as_dict(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "date": self.day.isoformat(),
                "share_basis": self.share_basis,
                "values": [{"value": s.value, "count": s.count, "share": s.share}
                           for s in self.slices]}


@dataclass(frozen=True)
class AccountAudience:
    account: Account
    breakdowns: list[Breakdown]

    @property
    def label(self) -> str:
        return f"{NETWORK_LABELS[self.account.network]} {self.account.handle}"

    def as_dict(self) -> dict[str, Any]:
        return {"account_id": self.account.id, "account": self.account.handle,
                "network": self.account.network.value,
                "breakdowns": [b.as_dict() for b in self.breakdowns]}


class AudienceService:
    def __init__(self, store: WorkspaceRepository, lake: DataLake) -> None:
        self.store = store
        self.lake = lake

    def audience(self, workspace: Workspace, account: str | int | None = None,
                 as_of: date | None = None) -> list[AccountAudience]:
        """Every account's latest breakdowns (or one account's, named by id, handle or
        NETWORK:HANDLE), describing days up to ``as_of`` when given (a report's period end);
        an account without any is left out."""
        accounts = self.store.accounts(workspace.id)
        wanted = find_account(accounts, account, "account") if account is not None else None
        rows = self.lake.read_latest(workspace.id, "audience").to_pylist()
        by_account: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            if (wanted is None or r["account_id"] == wanted.id) and (
                    as_of is None or r["date"] <= as_of):
                by_account[r["account_id"]].append(r)
        out = [AccountAudience(a, _breakdowns(by_account[a.id]))
               for a in accounts if by_account.get(a.id)]
        if wanted is not None and not out:
            raise MissingData(f"account {wanted.handle!r} has no audience data; import a "
                              "TikTok FollowerGender/FollowerTopTerritories export, LinkedIn "
                              "demographics or YouTube Table data by geography or age")
        return out


def _breakdowns(rows: list[dict[str, Any]]) -> list[Breakdown]:
    """Per dimension, the rows of its latest day, largest first."""
    latest: dict[str, date] = {}
    for r in rows:
        latest[r["dimension"]] = max(latest.get(r["dimension"], r["date"]), r["date"])
    out = []
    for dimension in sorted(latest):
        day = latest[dimension]
        current = [r for r in rows if r["dimension"] == dimension and r["date"] == day]
        given = all(r["share"] is not None for r in current)
        total = sum(r["count"] or 0 for r in current)
        slices = [Slice(r["value"], r["count"],
                        r["share"] if given else (r["count"] / total if total and
                                                  r["count"] is not None else None))
                  for r in current]
        slices.sort(key=lambda s: (-(s.share or 0), -(s.count or 0), s.value))
        out.append(Breakdown(dimension, day, slices, SHARE_GIVEN if given else SHARE_COMPUTED))
    return out


def records(found: list[AccountAudience]) -> list[dict[str, Any]]:
    """One record per account, dimension and value: the flat listing of `COLUMNS`."""
    return [{"network": acc.account.network.value, "account": acc.account.handle,
             "dimension": b.dimension, "date": b.day.isoformat(), "value": s.value,
             "count": s.count, "share": s.share, "share_basis": b.share_basis}
            for acc in found for b in acc.breakdowns for s in b.slices]
