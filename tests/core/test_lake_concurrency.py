"""The lake under concurrency: queries running while a compaction and a time-zone change swap
the files, two processes importing the same file at once, and who owns a pending batch.

Real SQLite (and PostgreSQL where marked), real Parquet, real processes.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from socialpulse.adapters.lake import _HOST, Lake, abandoned
from socialpulse.adapters.store import Batch
from socialpulse.bootstrap import App, local_actor, open_home
from socialpulse.domain.errors import Conflict
from socialpulse.domain.periods import DateRange
from socialpulse.services.workspaces import WorkspaceService
from socialpulse.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TWEETS = ROOT / "tests/data/samples/x/tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
EVERYTHING = DateRange(date(2000, 1, 1), date(2030, 12, 31))
#: totals over the whole history: a compaction keeps them and a new time zone only moves
#: posts between days, so every query must answer exactly these before, during and after
METRICS = [("impressions", None), ("engagements", None), ("posts", None), ("followers", None)]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT)}


def _answer(app: App, slug: str) -> list[dict[str, Any]]:
    ws = app.workspace(slug)
    return app.metrics.compute(ws, METRICS, period=EVERYTHING).rows


def _second_batch(app: App, day: int = 30) -> None:
    """An overlapping import (the same posts observed later) so a compaction has work; another
    ``day`` makes it new content whatever order the lake's files keep their rows in."""
    ws = app.workspace("demo")
    snaps = app.lake.read(ws.id, "post_snapshots").slice(0, 300)
    later = snaps.set_column(
        snaps.schema.get_field_index("observed_at"), "observed_at",
        pa.array([datetime(2026, 10, day, tzinfo=UTC)] * len(snaps), pa.timestamp("us", tz="UTC")))
    app.lake.ingest(ws.id, "later.csv", "t", {"post_snapshots": later})


READER = """
import json, sys
from datetime import date
from pathlib import Path
from socialpulse.bootstrap import open_home
from socialpulse.domain.periods import DateRange
from socialpulse.settings import Settings
from tests.core.test_lake_concurrency import METRICS, EVERYTHING
app = open_home(Settings(home=Path(sys.argv[1])))
stop = Path(sys.argv[2])
print("ready", flush=True)
while not stop.exists():
    try:
        ws = app.workspace("demo")
        rows = app.metrics.compute(ws, METRICS, period=EVERYTHING).rows
        print(json.dumps({"rows": rows}, default=str), flush=True)
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
"""


def test_queries_during_compaction_and_time_zone_change(demo_app: App, tmp_path: Path):
    _second_batch(demo_app)
    expected = json.loads(json.dumps(_answer(demo_app, "demo"), default=str))
    stop = tmp_path / "stop"
    process = subprocess.Popen([sys.executable, "-c", READER, str(demo_app.settings.home),
                                str(stop)], stdout=subprocess.PIPE, text=True, env=ENV,
                               cwd=ROOT)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    answers: list[Any] = []
    errors: list[str] = []
    done = threading.Event()

    def read_in_a_loop(app: App) -> None:
        while not done.is_set():
            try:
                answers.append(json.loads(json.dumps(_answer(app, "demo"), default=str)))
            except Exception as exc:  # what the attack run saw: IOException, a 500
                errors.append(f"{type(exc).__name__}: {exc}")

    # each thread its own app (engine, pool), as each server worker has; opened one by one
    readers = [open_home(Settings(home=demo_app.settings.home)) for _ in range(3)]
    threads = [threading.Thread(target=read_in_a_loop, args=(app,)) for app in readers]
    for t in threads:
        t.start()
    ws = demo_app.workspace("demo")
    assert demo_app.lake.compact(ws.id)  # two batches merged into one
    WorkspaceService(demo_app.store, demo_app.lake).update(local_actor(), ws,
                                                           timezone="Pacific/Auckland")
    assert demo_app.lake.compact(ws.id, timezone="America/Los_Angeles")
    done.set()
    for t in threads:
        t.join(timeout=300)
    for app in readers:
        app.store.dispose()
    stop.touch()
    out, _ = process.communicate(timeout=300)
    from_process = [json.loads(line) for line in out.splitlines() if line.strip()]
    errors += [r["error"] for r in from_process if "error" in r]
    answers += [r["rows"] for r in from_process if "rows" in r]
    assert errors == []
    assert answers and all(a == expected for a in answers)
    assert json.loads(json.dumps(_answer(demo_app, "demo"), default=str)) == expected


def test_files_a_query_listed_stay_readable_after_the_swap(demo_app: App):
    """The deterministic core of the test above: a reader lists the committed files, a
    compaction retires them, the reader then opens them (what DuckDB does a moment later)."""
    _second_batch(demo_app)
    ws = demo_app.workspace("demo")
    listed = demo_app.lake.files(ws.id, "post_snapshots")
    rows = sum(pq.read_metadata(p).num_rows for p in listed)
    assert demo_app.lake.compact(ws.id)
    assert not set(listed) & set(demo_app.lake.files(ws.id, "post_snapshots"))
    assert sum(pq.read_metadata(p).num_rows for p in listed) == rows
    # the next import after the grace period deletes them
    demo_app.lake.grace_s = 0
    _second_batch(demo_app, day=31)
    assert not any(p.exists() for p in listed)


# --- two imports of the same file ----------------------------------------------------------

HOLDER = """
import sys, threading, time
from pathlib import Path
import socialpulse.adapters.lake as lake
from socialpulse.interfaces.cli import main
go = Path(sys.argv[2])
real = lake.Lake._write_file
said = threading.Lock()
def held(self, rel, table):  # write a file, then hold the batch until told to go on
    real(self, rel, table)
    if said.acquire(blocking=False):  # the writer threads say it once
        print("writing", flush=True)
    while not go.exists():
        time.sleep(0.05)
lake.Lake._write_file = held
sys.exit(main(["import", sys.argv[1], "--workspace", sys.argv[3], "--quiet", "--json"]))
"""

PLAIN = """
import sys
from socialpulse.interfaces.cli import main
sys.exit(main(["import", sys.argv[1], "--workspace", sys.argv[2], "--quiet", "--json"]))
"""


def _two_imports(home: Path, slug: str, env: dict[str, str], tmp_path: Path) -> None:
    go = tmp_path / "go"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(TWEETS), str(go), slug],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "writing"  # it owns the pending batch now
    second = subprocess.Popen([sys.executable, "-c", PLAIN, str(TWEETS), slug],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    with contextlib.suppress(subprocess.TimeoutExpired):
        second.wait(timeout=3)  # it waits for the holder, as it should
    assert second.returncode is None, second.communicate()
    go.touch()
    out1, err1 = holder.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert holder.returncode == 0 and second.returncode == 0, (err1, err2)
    first, again = json.loads(out1), json.loads(out2)
    assert not first["already_imported"] and again["already_imported"]
    assert first["batch_id"] == again["batch_id"]


def _end_state(app: App, slug: str) -> None:
    ws = app.workspace(slug)
    assert [b.status for b in app.store.batches(ws.id, None)] == ["committed"]
    posts = app.lake.read(ws.id, "posts")
    assert posts.num_rows == len(set(posts["post_id"].to_pylist())) > 0
    assert not [p for p in app.lake.root.rglob("*.tmp")]


def test_the_same_file_imported_by_two_processes_at_once(tmp_path: Path):
    home = tmp_path / "home"
    app = open_home(Settings(home=home), create=True)
    app.workspaces.create(local_actor(), "acme", "Acme", "Europe/Madrid")
    _two_imports(home, "acme", {**ENV, "SOCIALPULSE_HOME": str(home)}, tmp_path)
    _end_state(app, "acme")
    app.store.dispose()


@pytest.mark.postgres
def test_the_same_file_imported_by_two_processes_on_postgresql(
        tmp_path: Path, pg_url: str) -> None:
    home = tmp_path / "home"
    app = open_home(Settings(home=home, database_url=pg_url), create=True)
    ws = app.workspaces.create(local_actor(), "twoimports", "Two imports", "Europe/Madrid")
    try:
        env = {**ENV, "SOCIALPULSE_HOME": str(home), "SOCIALPULSE_DATABASE_URL": pg_url}
        _two_imports(home, "twoimports", env, tmp_path)
        _end_state(app, "twoimports")
    finally:
        app.workspaces.delete(local_actor(), ws)
        app.store.dispose()


def test_a_live_import_is_waited_for_then_reported(empty_app: App):
    """An import of content another live import holds waits, then says so (Conflict: the
    CLI exits 2 with this line); once the holder is gone, it is redone."""
    ws = empty_app.store.create_workspace("w", "W")
    table = pa.table({"account_id": [1], "date": [date(2026, 1, 1)], "followers": [5],
                      "observed_at": [datetime(2026, 1, 2, tzinfo=UTC)]})
    from socialpulse.adapters.lake import prepare

    _, digest = prepare("t", {"account_daily": table})
    lease = datetime.now(UTC) + timedelta(minutes=30)
    # held by a live process of this host: this test's parent (it outlives the test)
    held = empty_app.store.begin_batch(ws.id, "a.csv", "t", digest,
                                       f"{_HOST} {os.getppid()} tok", lease)
    impatient = Lake(empty_app.lake.root, empty_app.store, wait_s=0.5)
    with pytest.raises(Conflict, match=r"^b\.csv: already being imported by another process "
                       rf"\(batch {held.id}, since .* UTC\); try again when it has finished$"):
        impatient.ingest(ws.id, "b.csv", "t", {"account_daily": table})
    assert [b.status for b in empty_app.store.batches(ws.id, None)] == ["pending"]
    # the holder's lease runs out: the next import takes the batch over and completes it
    assert empty_app.store.take_over_batch(held.id, held.owner, "x 1 y",
                                           datetime.now(UTC) - timedelta(seconds=1))
    result = impatient.ingest(ws.id, "b.csv", "t", {"account_daily": table})
    assert result.resumed and result.batch_id == held.id
    assert [b.status for b in empty_app.store.batches(ws.id, None)] == ["committed"]


def _pending(owner: str | None, lease_in_s: float = 600) -> Batch:
    now = datetime.now(UTC)
    return Batch(1, 1, "f.csv", "t", "h", "pending", {}, [], now, None, owner=owner,
                 lease_until=now + timedelta(seconds=lease_in_s))


def test_who_owns_a_pending_batch():
    now = datetime.now(UTC)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert abandoned(_pending(None), now)  # written before owners were recorded
    assert abandoned(_pending(f"{_HOST} {os.getppid()} t", lease_in_s=-1), now)  # expired
    assert not abandoned(_pending(f"{_HOST} {os.getppid()} t"), now)  # a live process
    assert abandoned(_pending(f"{_HOST} {dead.pid} t"), now)  # its process is gone
    assert not abandoned(_pending(f"another-host {dead.pid} t"), now)  # only its lease says
    assert abandoned(_pending(f"{_HOST} {os.getpid()} not-running"), now)  # died in here
