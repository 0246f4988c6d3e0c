"""Re-importing the same or overlapping files adds no duplicates; newer snapshots win."""

from __future__ import annotations

import csv
import io

from socialpulse.services.imports import ImportOptions

from .conftest import SAMPLES, do_import, metric, sample_files

NAME = "tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"


def _later_export(tmp_path, bump: int):
    """The same tweets exported two weeks later: every impression count grew by ``bump``."""
    rows = list(csv.reader(io.StringIO((SAMPLES / "x" / NAME).read_text(encoding="utf-8"),
                                       newline="")))
    i = rows[0].index("impressions")
    for r in rows[1:]:
        r[i] = f"{float(r[i]) + bump:.1f}"
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    path = tmp_path / NAME.replace("20211201", "20211215")
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, len(rows) - 1


def test_same_file_twice_is_a_no_op(home, ws):
    first = do_import(home, ws, sample_files("x", NAME))
    again = do_import(home, ws, sample_files("x", NAME))
    assert again.already_imported and again.batch_id == first.batch_id
    assert len(home.store.batches(ws.id, "committed")) == 1
    assert metric(home, ws, "posts") == 33


def test_overlapping_exports_newer_snapshot_wins(home, ws, tmp_path):
    do_import(home, ws, sample_files("x", NAME))
    before = metric(home, ws, "impressions")
    later, n = _later_export(tmp_path, 100)
    do_import(home, ws, [(later, later.name)])
    assert metric(home, ws, "posts") == 33  # no duplicates
    assert metric(home, ws, "impressions") == before + 100 * n
    # importing the older export again does not bring old counts back
    do_import(home, ws, sample_files("x", NAME))
    assert metric(home, ws, "impressions") == before + 100 * n
    assert metric(home, ws, "posts") == 33


def test_both_exports_in_one_import(home, ws, tmp_path):
    later, n = _later_export(tmp_path, 7)
    res = do_import(home, ws, [*sample_files("x", NAME), (later, later.name)])
    assert res.rows["posts"] == 33  # one row per post in the batch
    assert res.rows["post_snapshots"] == 66  # two observations per post
    base = sum(float(r["impressions"]) for r in csv.DictReader(
        io.StringIO((SAMPLES / "x" / NAME).read_text(encoding="utf-8"))))
    assert metric(home, ws, "impressions") == base + 7 * n


def test_daily_fields_from_two_imports_are_merged(home, ws):
    """TikTok followers imported after the Overview do not blank its profile views."""
    do_import(home, ws, sample_files("tiktok", "*Overview.csv"))
    views = metric(home, ws, "profile_views")
    assert views and views > 0
    do_import(home, ws, sample_files("tiktok", "*FollowerHistory.csv"))
    assert metric(home, ws, "profile_views") == views
    assert metric(home, ws, "followers") == 5013


def test_account_option_overrides_the_file(home, ws):
    res = do_import(home, ws, sample_files("x", NAME), ImportOptions(account="@acme_x"))
    assert res.accounts_created == ["X acme_x"]
    assert [a.handle for a in home.store.accounts(ws.id)] == ["acme_x"]


def test_imported_account_joins_the_demo(demo_app):
    """A new user's import shows up beside the demo accounts, with correct metrics."""
    ws = demo_app.store.workspace("demo")
    n = len(demo_app.store.accounts(ws.id))
    do_import(demo_app, ws, sample_files("x", NAME))
    accounts = demo_app.store.accounts(ws.id)
    assert len(accounts) == n + 1
    acc = next(a for a in accounts if a.handle == "rOpenSci")
    t = demo_app.metrics.compute(ws, [("engagement_rate", None)], account_ids=[acc.id])
    rows = csv.DictReader(io.StringIO((SAMPLES / "x" / NAME).read_text(encoding="utf-8")))
    eng = imp = 0.0
    for r in rows:
        eng += float(r["engagements"])
        imp += float(r["impressions"])
    assert t.records()[0]["engagement_rate"] == __import__("pytest").approx(100 * eng / imp)


def test_newest_export_wins_inside_one_import_and_repeats_are_no_ops(home, ws, tmp_path):
    later, _ = _later_export(tmp_path, 1)
    text = later.read_text(encoding="utf-8").replace("Join our Community Call",
                                                     "Join our (edited) Community Call", 1)
    later.write_text(text, encoding="utf-8")
    files = [(later, later.name), *sample_files("x", NAME)]  # newest first on purpose
    first = do_import(home, ws, files)
    posts = {p["post_id"]: p for p in home.lake.read(ws.id, "posts").to_pylist()}
    assert posts["1465712230054432768"]["text"].startswith("Join our (edited)")
    again = do_import(home, ws, list(reversed(files)))
    assert again.already_imported and again.batch_id == first.batch_id


def test_an_actor_without_grants_imports_nothing(home, ws):
    """Writing an import is an authorized write (Action.DATA_IMPORT): a signed-in user, who is
    granted nothing until roles exist, is refused before any account or batch is written."""
    import pytest

    from socialpulse.domain.actor import Actor, ActorKind
    from socialpulse.domain.errors import Forbidden

    plan = home.imports.plan(ws, sample_files("x", NAME))
    with pytest.raises(Forbidden, match="may not .* in workspace 'acme'"):
        home.imports.commit(Actor("user:ann", "ann", ActorKind.USER), plan, "test")
    assert home.store.accounts(ws.id) == []
    assert home.store.batches(ws.id, None) == []
    assert do_import(home, ws, sample_files("x", NAME)).batch_id is not None
