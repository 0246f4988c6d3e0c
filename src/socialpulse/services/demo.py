"""Load the demo workspace: rebuilt from scratch on every run, so re-running is safe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import Conflict
from socialpulse.domain.models import Workspace
from socialpulse.services import demo_data
from socialpulse.services.demo_goals import DemoStory
from socialpulse.services.ports import DataLake, WorkspaceRepository
from socialpulse.services.workspaces import WorkspaceService


@dataclass(frozen=True)
class DemoSummary:
    workspace: Workspace
    accounts: int
    rows: dict[str, int]
    until: date
    story: DemoStory
    mentions: int
    alerts: int

    @property
    def line(self) -> str:
        """The one line `socialpulse demo` prints: what was loaded, so a first start knows
        which pages have something to show."""
        rows = ", ".join(f"{v:,} {k}" for k, v in self.rows.items())
        s = self.story
        return (f"demo workspace {self.workspace.slug!r} loaded: {self.accounts} accounts, "
                f"{rows}, {self.mentions:,} mentions with {self.alerts} listening alerts, "
                f"{s.goals} goals, {s.okrs} OKR, a completed maturity assessment and "
                f"{s.schedules} scheduled report (until {self.until.isoformat()})")


@dataclass(frozen=True)
class DemoParts:
    """The demo's parts beyond posts, each loaded by its own area's service (wired in
    bootstrap), on behalf of the actor building the demo."""

    maturity: Callable[[Actor, Workspace, date], None]  # profile, benchmark, an assessment
    mentions: Callable[[Actor, Workspace, date], tuple[int, int]]  # mentions, alerts
    goals: Callable[[Actor, Workspace, date], DemoStory]  # goals, an OKR, a schedule


class DemoService:
    """Build the demo workspace: data, listening, maturity, goals, an OKR and a schedule."""

    def __init__(self, workspaces: WorkspaceService, store: WorkspaceRepository,
                 lake: DataLake, parts: DemoParts) -> None:
        self.workspaces = workspaces
        self.store = store
        self.lake = lake
        self.parts = parts

    def _clear(self, actor: Actor) -> None:
        """Remove an earlier demo, unless it holds data a user imported and still holds
        (removed imports and the lake's own compactions of demo data do not count)."""
        existing = self.store.find_workspace(demo_data.DEMO_SLUG)
        if existing is None:
            return
        foreign = [b for b in self.store.batches(existing.id, None)
                   if b.status in ("committed", "compacted")
                   and b.format != "demo" and b.source != "compaction"]
        if foreign:
            raise Conflict(
                f"workspace {demo_data.DEMO_SLUG!r} holds imported data ({foreign[0].source}); "
                "the demo will not overwrite it"
            )
        self.workspaces.delete(actor, existing)

    def _accounts(self, actor: Actor, ws: Workspace) -> dict[str, int]:
        self.store.ensure_brand(ws.id, demo_data.OWN_BRAND, is_own=True)
        for c in demo_data.COMPETITORS:
            self.store.ensure_brand(ws.id, c, is_own=False)
        ids: dict[str, int] = {}
        for acc in demo_data.ACCOUNTS:
            created = self.workspaces.add_account(
                actor, ws, acc.network, acc.handle, name=acc.name, function=acc.function,
                brand=acc.brand, competitor=acc.brand != demo_data.OWN_BRAND,
            )
            ids[acc.key] = created.id
        return ids

    def build(self, actor: Actor, until: date) -> DemoSummary:
        """Rebuild the demo from scratch (re-running is safe), as ``actor``."""
        authorize(actor, Action.DEMO_BUILD, demo_data.DEMO_SLUG)
        self._clear(actor)
        ws = self.workspaces.create(
            actor, demo_data.DEMO_SLUG, demo_data.DEMO_NAME, demo_data.DEMO_TZ,
            demo_data.DEMO_LANGUAGES,
        )
        ids = self._accounts(actor, ws)
        merged: dict[str, list[pa.Table]] = {}
        for key, tables in demo_data.generate(until).items():
            for name, t in tables.items():
                t = t.append_column("account_id", pa.array([ids[key]] * len(t), pa.int64()))
                merged.setdefault(name, []).append(t)
        # accounts' tables differ only where a column is all null; the lake conforms the union
        tables = {name: pa.concat_tables(parts, promote_options="permissive")
                  for name, parts in merged.items()}
        result = self.lake.ingest(ws.id, f"demo until {until.isoformat()}", "demo", tables)
        self.parts.maturity(actor, ws, until)
        mentions, alerts = self.parts.mentions(actor, ws, until)
        story = self.parts.goals(actor, ws, until)
        return DemoSummary(ws, len(ids), result.rows, until, story, mentions, alerts)
