"""Load the demo workspace: rebuilt from scratch on every run, so re-running is safe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pyarrow as pa

from socialpulse.adapters.lake import conform
from socialpulse.domain.errors import Conflict
from socialpulse.domain.models import Workspace
from socialpulse.services import demo_data
from socialpulse.services.demo_goals import DemoStory, load_demo_goals
from socialpulse.services.workspaces import WorkspaceService

if TYPE_CHECKING:
    from socialpulse.bootstrap import App


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


def load_demo(app: App, until: date) -> DemoSummary:
    """Build the demo workspace: data, listening, maturity, goals, an OKR and a schedule."""
    store, lake = app.store, app.lake
    workspaces = WorkspaceService(store, lake)
    existing = store.find_workspace(demo_data.DEMO_SLUG)
    if existing is not None:
        # data a user imported and still holds (removed imports and the lake's own
        # compactions of demo data do not count)
        foreign = [b for b in store.batches(existing.id, None)
                   if b.status in ("committed", "compacted")
                   and b.format != "demo" and b.source != "compaction"]
        if foreign:
            raise Conflict(
                f"workspace {demo_data.DEMO_SLUG!r} holds imported data ({foreign[0].source}); "
                "the demo will not overwrite it"
            )
        workspaces.delete(existing)
    ws = workspaces.create(
        demo_data.DEMO_SLUG, demo_data.DEMO_NAME, demo_data.DEMO_TZ, demo_data.DEMO_LANGUAGES
    )
    store.ensure_brand(ws.id, demo_data.OWN_BRAND, is_own=True)
    for c in demo_data.COMPETITORS:
        store.ensure_brand(ws.id, c, is_own=False)
    ids: dict[str, int] = {}
    for acc in demo_data.ACCOUNTS:
        created = workspaces.add_account(
            ws,
            acc.network,
            acc.handle,
            name=acc.name,
            function=acc.function,
            brand=acc.brand,
            competitor=acc.brand != demo_data.OWN_BRAND,
        )
        ids[acc.key] = created.id
    generated = demo_data.generate(until)
    merged: dict[str, list[pa.Table]] = {}
    for key, tables in generated.items():
        for name, t in tables.items():
            t = t.append_column("account_id", pa.array([ids[key]] * len(t), pa.int64()))
            merged.setdefault(name, []).append(conform(name, t))
    tables = {name: pa.concat_tables(parts) for name, parts in merged.items()}
    result = lake.ingest(ws.id, f"demo until {until.isoformat()}", "demo", tables)
    from socialpulse.services import maturity_demo  # profile, synthetic benchmark, assessment

    maturity_demo.load_demo(store, ws, until)
    from socialpulse.services.demo_mentions import load_demo_mentions  # listening

    mentions, alerts = load_demo_mentions(store, lake, ws, until)
    story = load_demo_goals(app, ws, until)
    return DemoSummary(ws, len(ids), result.rows, until, story, mentions, alerts)
