"""The lake's promises: atomic batches, no duplicates, crash-safe, compaction keeps the answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from socialpulse.bootstrap import App, open_home
from socialpulse.domain.errors import InvalidInput, MissingData
from socialpulse.domain.models import Network
from socialpulse.settings import Settings


def _daily(acc: int, n: int, followers: int = 100) -> pa.Table:
    return pa.table(
        {
            "account_id": [acc] * n,
            "date": [date(2026, 1, 1 + i) for i in range(n)],
            "followers": [followers + i for i in range(n)],
            "observed_at": [datetime(2026, 2, 1, tzinfo=UTC)] * n,
        }
    )


def test_same_content_twice_is_one_batch(empty_app: App) -> None:
    ws = empty_app.store.create_workspace("w", "W")
    acc = empty_app.store.ensure_account(ws.id, Network.X, "@w").id
    first = empty_app.lake.ingest(ws.id, "a.csv", "t", {"account_daily": _daily(acc, 5)})
    second = empty_app.lake.ingest(ws.id, "copy of a.csv", "t", {"account_daily": _daily(acc, 5)})
    assert not first.already_imported and second.already_imported
    assert second.batch_id == first.batch_id
    assert len(empty_app.lake.read(ws.id, "account_daily")) == 5
    assert len(empty_app.store.batches(ws.id)) == 1


def test_bad_types_write_nothing(empty_app: App) -> None:
    ws = empty_app.store.create_workspace("w", "W")
    bad = pa.table({"account_id": [1], "date": ["not a date"], "followers": [1]})
    with pytest.raises(InvalidInput, match=r"account_daily\.date"):
        empty_app.lake.ingest(ws.id, "bad.csv", "t", {"account_daily": bad})
    assert empty_app.store.batches(ws.id, None) == []
    assert not list(empty_app.lake.root.rglob("*.parquet"))


def test_pending_batches_are_invisible_and_rerun_completes(empty_app: App) -> None:
    ws = empty_app.store.create_workspace("w", "W")
    acc = empty_app.store.ensure_account(ws.id, Network.X, "@w").id
    table = _daily(acc, 3)
    # simulate a crash after the files were written but before the ledger commit
    from socialpulse.adapters.lake import prepare

    _, digest = prepare("t", {"account_daily": table})
    batch = empty_app.store.begin_batch(ws.id, "crashed.csv", "t", digest)
    stray = empty_app.lake.root / f"account_daily/ws={ws.id}/month=2026-01/b{batch.id:08d}.parquet"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"half written")
    assert empty_app.lake.files(ws.id, "account_daily") == []
    result = empty_app.lake.ingest(ws.id, "crashed.csv", "t", {"account_daily": table})
    assert result.resumed and not result.already_imported
    assert len(empty_app.lake.read(ws.id, "account_daily")) == 3
    assert [b.status for b in empty_app.store.batches(ws.id, None)] == ["committed"]


def test_kill_9_during_ingest_leaves_nothing(tmp_path) -> None:
    """A real SIGKILL in the middle of writing a large batch, then a re-run."""
    home = tmp_path / "home"
    app = open_home(Settings(home=home), create=True)
    ws = app.store.create_workspace("w", "W")
    acc = app.store.ensure_account(ws.id, Network.X, "@w").id
    app.store.dispose()
    script = textwrap.dedent(f"""
        import os, sys, pyarrow as pa
        from datetime import date, timedelta, datetime, UTC
        from socialpulse.bootstrap import open_home
        from socialpulse.settings import Settings
        import socialpulse.adapters.lake as lake
        app = open_home(Settings(home=__import__('pathlib').Path({str(home)!r})))
        n = 400 * 31
        days = [date(1990, 1, 1) + timedelta(days=i) for i in range(n)]
        t = pa.table({{"account_id": [{acc}] * n, "date": days, "followers": list(range(n)),
                      "observed_at": [datetime(2026, 1, 1, tzinfo=UTC)] * n}})
        real = lake.Lake._write_file
        count = [0]
        def slow(self, rel, table):
            real(self, rel, table)
            count[0] += 1
            if count[0] == 50:
                print("WROTE", flush=True)
                import time; time.sleep(30)
        lake.Lake._write_file = slow
        app.lake.ingest({ws.id}, "big.csv", "t", {{"account_daily": t}})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "WROTE"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    app = open_home(Settings(home=home))
    written = list(app.lake.root.rglob("*.parquet"))
    assert len(written) >= 50  # files exist on disk...
    assert app.lake.files(ws.id, "account_daily") == []  # ...but none is visible
    with pytest.raises(MissingData, match="no data for followers"):
        app.metrics.compute(ws, [("followers", None)])
    # run it again, for real this time: it completes and the stray files are replaced
    from datetime import timedelta

    n = 400 * 31
    days = [date(1990, 1, 1) + timedelta(days=i) for i in range(n)]
    t = pa.table(
        {
            "account_id": [acc] * n,
            "date": days,
            "followers": list(range(n)),
            "observed_at": [datetime(2026, 1, 1, tzinfo=UTC)] * n,
        }
    )
    result = app.lake.ingest(ws.id, "big.csv", "t", {"account_daily": t})
    assert result.resumed
    assert len(app.lake.read(ws.id, "account_daily")) == n
    app.store.dispose()


def test_compaction_keeps_the_answers(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    before = demo_app.metrics.compute(
        ws, [("engagement_rate", None), ("followers", None), ("posts", None)]
    )
    # a second, overlapping batch: the same posts observed later with higher counters
    snaps = demo_app.lake.read(ws.id, "post_snapshots").slice(0, 500)
    later = snaps.set_column(
        snaps.schema.get_field_index("observed_at"),
        "observed_at",
        pa.array([datetime(2026, 10, 30, tzinfo=UTC)] * len(snaps), pa.timestamp("us", tz="UTC")),
    )
    demo_app.lake.ingest(ws.id, "later", "t", {"post_snapshots": later})
    mid = demo_app.metrics.compute(
        ws, [("engagement_rate", None), ("followers", None), ("posts", None)]
    )
    assert mid.rows[0]["posts"] == before.rows[0]["posts"]
    rows = demo_app.lake.compact(ws.id)
    assert rows["post_snapshots"] < len(demo_app.lake.read(ws.id, "post_snapshots")) + 1
    after = demo_app.metrics.compute(
        ws, [("engagement_rate", None), ("followers", None), ("posts", None)]
    )
    assert after.rows == mid.rows
    assert len(demo_app.store.batches(ws.id)) == 1
