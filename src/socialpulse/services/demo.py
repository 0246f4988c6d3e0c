"""Load the demo workspace: rebuilt from scratch on every run, so re-running is safe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from socialpulse.adapters.lake import Lake, conform
from socialpulse.adapters.store import Store
from socialpulse.domain.errors import Conflict
from socialpulse.domain.models import Workspace
from socialpulse.services import demo_data
from socialpulse.services.workspaces import WorkspaceService


@dataclass(frozen=True)
class DemoSummary:
    workspace: Workspace
    accounts: int
    rows: dict[str, int]
    until: date


def load_demo(store: Store, lake: Lake, until: date) -> DemoSummary:
    workspaces = WorkspaceService(store, lake)
    existing = store.find_workspace(demo_data.DEMO_SLUG)
    if existing is not None:
        foreign = [b for b in store.batches(existing.id, None) if b.format != "demo"]
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

    load_demo_mentions(store, lake, ws, until)
    return DemoSummary(ws, len(ids), result.rows, until)
