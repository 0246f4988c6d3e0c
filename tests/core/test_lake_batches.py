"""Removing a bad import: `lake batches`, `lake remove`, the ledger rules behind them (real
SQLite, real Parquet, real sample exports)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialpulse.bootstrap import App, local_actor, open_home
from socialpulse.domain.errors import Conflict, NotFound
from socialpulse.interfaces.cli import main
from socialpulse.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
TWEETS = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
OLDER = SAMPLES / "x" / "tweet_activity_metrics_rOpenSci_20161201_20170101_en.csv"
DAILY = SAMPLES / "x" / "daily_tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("SOCIALPULSE_HOME", str(home))
    return home


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def _import(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    rc, _, err = _run(capsys, "import", str(path), "--quiet", "--timezone", "Europe/Madrid")
    assert rc == 0, err


def _app(home: Path) -> App:
    return open_home(Settings(home=home))


def test_batches_lists_each_import_and_remove_undoes_one(home, capsys):
    _import(capsys, TWEETS)
    _import(capsys, DAILY)
    rc, out, _ = _run(capsys, "lake", "batches", "--format", "json")
    assert rc == 0
    listed = json.loads(out)
    assert [b["source"] for b in listed] == [DAILY.name, TWEETS.name]  # newest first
    assert {b["state"] for b in listed} == {"active"}
    tweets = listed[1]
    assert tweets["format"] == "x-tweets" and tweets["rows"]["posts"] > 0
    app = _app(home)
    ws = app.workspace(None)
    posts_before = len(app.lake.read(ws.id, "posts"))
    assert posts_before == tweets["rows"]["posts"]

    rc, out, err = _run(capsys, "lake", "remove", str(tweets["batch"]))
    assert rc == 0, err
    assert out.startswith(f"removed batch {tweets['batch']}: {tweets['rows']['posts']:,} posts")
    # readers stop seeing its rows at once; the other import is untouched
    assert len(app.lake.read(ws.id, "posts")) == 0
    assert len(app.lake.read(ws.id, "account_daily")) == listed[0]["rows"]["account_daily"]
    rc, out, _ = _run(capsys, "lake", "batches")
    assert rc == 0 and "removed" in out and "active" in out
    # removing again is safe and says so
    rc, out, _ = _run(capsys, "lake", "remove", str(tweets["batch"]))
    assert rc == 0 and "already removed; nothing changed" in out
    # the content hash no longer blocks re-importing the same file
    _import(capsys, TWEETS)
    assert len(app.lake.read(ws.id, "posts")) == posts_before
    app.store.dispose()


def test_removed_files_stay_for_the_grace_period_then_go(home, capsys):
    _import(capsys, TWEETS)
    app = _app(home)
    ws = app.workspace(None)
    batch = app.store.batches(ws.id)[0]
    files = [app.lake.root / f for f in batch.files]
    assert files and all(f.exists() for f in files)
    removal = app.lake.remove(ws.id, batch.id)
    assert [b.id for b in removal.batches] == [batch.id]
    assert app.lake.files(ws.id, "posts") == []  # invisible at once...
    assert all(f.exists() for f in files)  # ...but a query that listed them can still read
    assert app.lake.sweep(ws.id) == 0  # not before the grace period is over
    later = datetime.now(UTC) + timedelta(seconds=app.lake.grace_s + 1)
    assert app.lake.sweep(ws.id, now=later) == len(files)
    assert not any(f.exists() for f in files)
    assert app.store.batches(ws.id, "removed")[0].files == []
    assert app.lake.sweep(ws.id, now=later) == 0  # nothing left to delete
    app.store.dispose()


def test_a_merged_import_cannot_be_split_but_its_compaction_can_go(home, capsys):
    _import(capsys, TWEETS)
    _import(capsys, OLDER)
    app = _app(home)
    ws = app.workspace(None)
    first, second = (b.id for b in app.store.batches(ws.id))
    assert app.lake.compact(ws.id)
    merged = app.store.batches(ws.id)[0]
    rc, _, err = _run(capsys, "lake", "remove", str(first))
    assert rc == 2
    assert err == (f"socialpulse: error: import batch {first} was merged with other imports "
                   f"into batch {merged.id} by a compaction and cannot be split from it; remove "
                   "that batch (every import it merged) and re-import the files to keep\n")
    rc, out, _ = _run(capsys, "lake", "batches")
    assert f"merged into {merged.id}" in out
    # removing the compaction removes every import it merged, so both files import again
    rc, out, _ = _run(capsys, "lake", "remove", str(merged.id), "--json")
    assert rc == 0
    result = json.loads(out)
    assert sorted(result["removed"]) == sorted([merged.id, first, second])
    assert f"with the 2 imports it merged ({first}, {second})" in result["message"]
    assert app.lake.read(ws.id, "posts").num_rows == 0
    _import(capsys, OLDER)
    assert app.lake.read(ws.id, "posts").num_rows > 0
    app.store.dispose()


def test_unknown_or_pending_batches_are_refused(empty_app: App):
    ws = empty_app.store.create_workspace("w", "W")
    with pytest.raises(NotFound, match="import batch 99 not found in this workspace"):
        empty_app.batches.remove(local_actor(), ws, 99)
    pending = empty_app.store.begin_batch(ws.id, "big.csv", "x-tweets", "h")
    with pytest.raises(Conflict, match=f"import batch {pending.id} is still being imported"):
        empty_app.batches.remove(local_actor(), ws, pending.id)
    other = empty_app.store.create_workspace("other", "Other")
    with pytest.raises(NotFound):  # a batch of another workspace is not this one's
        empty_app.batches.remove(local_actor(), other, pending.id)


def test_cli_errors_are_one_line(home, capsys):
    _import(capsys, TWEETS)
    for args, message in ((["lake", "remove", "42"], "import batch 42 not found"),
                          (["lake", "remove", "0"], "batch: 0 is not a batch number")):
        rc, _, err = _run(capsys, *args)
        assert rc == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_a_removal_is_one_transaction(home, capsys, monkeypatch):
    """A failure while the ledger changes leaves every batch as it was."""
    _import(capsys, TWEETS)
    _import(capsys, OLDER)
    app = _app(home)
    ws = app.workspace(None)
    assert app.lake.compact(ws.id)
    merged = app.store.batches(ws.id)[0]
    before = [(b.id, b.status) for b in app.store.batches(ws.id, None)]
    from socialpulse.adapters.store import tables

    real = tables.IngestBatchRow.__setattr__
    seen = {"n": 0}

    def fail_on_the_second(row, name, value):  # the disk fails in the middle of the update
        if name == "status" and value == "removed":
            seen["n"] += 1
            if seen["n"] == 2:
                raise OSError(5, "Input/output error")
        real(row, name, value)

    monkeypatch.setattr(tables.IngestBatchRow, "__setattr__", fail_on_the_second)
    with pytest.raises(OSError):
        app.lake.remove(ws.id, merged.id)
    monkeypatch.undo()
    assert [(b.id, b.status) for b in app.store.batches(ws.id, None)] == before
    assert app.lake.read(ws.id, "posts").num_rows > 0
    app.store.dispose()
