"""Questions asked together are computed once; different questions do not wait on each other."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.periods import parse_period
from socialpulse.services.single_flight import SingleFlight
from socialpulse.services.versioned import VersionedMemo


def test_the_same_key_is_built_once_by_threads_that_ask_together() -> None:
    flights, memo = SingleFlight(), VersionedMemo(8)
    builds: list[int] = []
    start = threading.Barrier(8)

    def build() -> int:
        builds.append(1)
        time.sleep(0.2)  # long enough that every other thread asks meanwhile
        return 42

    answers: list[int] = []

    def ask() -> None:
        start.wait(timeout=30)
        answers.append(flights.run("k", lambda: memo.get(("k",), build)))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert answers == [42] * 8 and len(builds) == 1
    assert len(flights) == 0  # no lock is kept once nobody needs it


def test_different_keys_run_side_by_side() -> None:
    """Each build waits for the other to start: this only ends if they run at once."""
    flights = SingleFlight()
    both = threading.Barrier(2)
    done: list[str] = []

    def ask(key: str) -> None:
        done.append(flights.run(key, lambda: (both.wait(timeout=10), key)[1]))

    threads = [threading.Thread(target=ask, args=(k,)) for k in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(done) == ["a", "b"]


def test_a_failed_build_releases_its_key() -> None:
    flights = SingleFlight()

    def fail() -> int:
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError, match="no"):
            flights.run("k", fail)
    assert flights.run("k", lambda: 1) == 1 and len(flights) == 0


def test_concurrent_overviews_run_each_engine_question_once(demo_home_template: Path,
                                                            tmp_path: Path) -> None:
    """Eight requests for the same Overview at once, on a fresh process: the engine runs
    each of its questions once, and every request gets the same tiles."""
    import shutil

    from socialpulse.bootstrap import open_home
    from socialpulse.settings import Settings

    home = tmp_path / "home"
    shutil.copytree(demo_home_template, home)
    app: App = open_home(Settings(home=home))
    ws = app.workspace("demo")
    period = parse_period("2026-Q3")
    runs: list[Any] = []
    engine: Any = app.metrics.engine  # its run is wrapped to count the questions asked
    engine_run = engine.run

    def counted(p: Any, accounts: Any, tz: str) -> Any:
        runs.append(p)
        return engine_run(p, accounts, tz)

    engine.run = counted
    start = threading.Barrier(8)
    tiles: list[object] = []

    def ask() -> None:
        start.wait(timeout=60)
        tiles.append(app.overview.tiles(ws, period, None))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(tiles) == 8 and all(t == tiles[0] for t in tiles)
    asked = [(p.query, tuple(pm.key for pm in p.metrics)) for p in runs]
    assert asked and len(asked) == len(set(asked))  # no question ran twice
    alone = len(runs)
    app.metrics._results = VersionedMemo(8, copies=True)  # forget the answers
    app.overview._results = VersionedMemo(8, copies=True)
    runs.clear()
    app.overview.tiles(ws, period, None)
    assert len(runs) == alone  # one request alone asks the engine as often as eight together
    app.store.dispose()
