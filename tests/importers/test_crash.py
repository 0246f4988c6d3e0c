"""kill -9 in the middle of an import leaves nothing half-imported; running it again completes.

A child process imports a generated X export (the benchmark's generator, same 40 columns as the
real file) and reports its stages on stdout; the parent kills it with SIGKILL at a random
moment of a chosen stage (while parsing, or while the lake writes files and the ledger
commits), then checks what readers can see and runs the import again.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from socialpulse.bootstrap import open_home
from socialpulse.domain.actor import Actor
from socialpulse.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ROWS = 60_000

CHILD = """
import sys
from pathlib import Path
from socialpulse.bootstrap import open_home
from socialpulse.domain.actor import Actor
from socialpulse.settings import Settings
home, csv = Path(sys.argv[1]), Path(sys.argv[2])
app = open_home(Settings(home=home))
ws = app.store.workspace("acme")
def progress(stage, done, total):
    print(stage, flush=True)
res = app.imports.run(Actor.local("tester"), ws, [(csv, csv.name)], progress=progress)
print("done", res.rows, flush=True)
"""


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from bench_import import generate
    finally:
        sys.path.pop(0)
    name = "tweet_activity_metrics_crash_20210101_20240101_en.csv"
    path = tmp_path_factory.mktemp("crash") / name
    generate(path, ROWS, seed=7)
    return path


def _visible(home: Path) -> tuple[int, int]:
    app = open_home(Settings(home=home))
    try:
        ws = app.store.workspace("acme")
        posts = app.lake.read(ws.id, "posts")
        committed = app.store.batches(ws.id, "committed")
        return len(posts), len(committed)
    finally:
        app.store.dispose()


@pytest.mark.parametrize("stage,seed", [("reading", 1), ("writing", 2), ("writing", 3)])
def test_kill_9_then_rerun(tmp_path, big_csv, stage, seed):
    home = tmp_path / "home"
    app = open_home(Settings(home=home), create=True)
    app.store.create_workspace("acme", "Acme", "Europe/Madrid")
    app.store.dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(home), str(big_csv)],
                             stdout=subprocess.PIPE, text=True, env=env)
    rng = random.Random(seed)
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith(stage):
            time.sleep(rng.uniform(0.0, 0.25))
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=120)
    assert child.returncode == -signal.SIGKILL  # killed before it could finish
    posts, committed = _visible(home)
    # all or nothing: either the batch committed before the kill, or nothing is visible
    assert (posts, committed) in ((0, 0), (ROWS, 1))
    # running the same import again completes it
    app = open_home(Settings(home=home))
    try:
        ws = app.store.workspace("acme")
        pending = app.store.batches(ws.id, "pending")
        res = app.imports.run(Actor.local("tester"), ws, [(big_csv, big_csv.name)])
        assert res.rows["posts"] == ROWS  # type: ignore[union-attr]
        # a batch the kill left pending is found by its content hash and redone
        assert res.resumed == bool(pending)  # type: ignore[union-attr]
        assert res.already_imported == (committed == 1)  # type: ignore[union-attr]
        assert len(app.lake.read(ws.id, "posts")) == ROWS
        assert len(app.store.batches(ws.id, "committed")) == 1
        assert app.store.batches(ws.id, "pending") == []
        leftovers = [p for p in (home / "lake").rglob("*") if p.is_file()
                     and (p.name.endswith(".tmp"))]
        assert leftovers == []
    finally:
        app.store.dispose()
