"""The maturity tables on SQLite and on a real PostgreSQL (started by the test)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from socialpulse.adapters.store import Store
from socialpulse.adapters.store.maturity_tables import MaturityRepo
from socialpulse.domain import maturity as mat
from socialpulse.domain.errors import NotFound
from socialpulse.domain.models import Network


def _exercise(store: Store, slug: str) -> None:
    store.migrate()
    repo = MaturityRepo(store)
    ws = store.create_workspace(slug, "Maturity", "Europe/Madrid", ["en"])
    acc = store.ensure_account(ws.id, Network.X, "@m")
    run = repo.save_audit(ws.id, date(2026, 7, 1), date(2026, 9, 30), {"accounts": []}, [
        (None, "engagement_rate", "by_impressions", 2.5, "how"),
        (acc.id, "followers", "default", 1200.0, "how"),
    ])
    got = repo.baselines(ws.id)
    assert [(b.account_id, b.metric, b.value) for b in got] == [
        (None, "engagement_rate", 2.5), (acc.id, "followers", 1200.0)]
    assert got[0].run_id == run.id and got[0].period_end == date(2026, 9, 30)
    with pytest.raises(NotFound, match="audit run 999 not found"):
        repo.baselines(ws.id, 999)

    repo.set_profile(ws.id, mat.Profile("retail", "1-49", "europe", "M"))
    repo.set_profile(ws.id, mat.Profile("retail", "50-249", "europe", "M"))
    assert repo.profile(ws.id) == mat.Profile("retail", "50-249", "europe", "M")

    old = repo.create_assessment(ws.id, 1, {"a": 1}, "file", scores={"overall_score": 0},
                                 completed_at=datetime(2026, 1, 1, tzinfo=UTC))
    draft = repo.create_assessment(ws.id, 1, {}, "web")
    repo.update_answers(draft.id, {"a": 3})
    listed = repo.assessments(ws.id)
    assert [a.id for a in listed] == [draft.id, old.id]  # drafts first, then newest
    assert listed[0].status == "draft" and listed[0].answers == {"a": 3}
    repo.complete(draft.id, {"overall_score": 50})
    assert repo.latest_completed()[ws.id].id == draft.id

    group = mat.BenchmarkGroup("retail", "all", "listening", 9,
                               {"p10": 1, "p25": 2, "p50": 3, "p75": 4, "p90": 5})
    pack = mat.Pack(f"{slug}-pack", "Label", False, "", 1, (group,))
    repo.save_pack(pack)
    repo.save_pack(mat.Pack(f"{slug}-pack", "Label 2", True, "", 1, (group, group.__class__(
        "retail", "1-49", "listening", 3, dict(group.quantiles)))))
    mine = [p for p in repo.packs() if p.pack.name == f"{slug}-pack"]
    assert len(mine) == 1 and mine[0].pack.label == "Label 2" and len(mine[0].pack.groups) == 2

    store.delete_workspace(ws.id)  # cascades to runs, baselines, profile, assessments
    assert repo.baselines(ws.id) == [] and repo.profile(ws.id) is None
    assert repo.assessments(ws.id) == []


def test_maturity_tables_on_sqlite(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    _exercise(store, "mat-sqlite")
    store.dispose()


@pytest.mark.postgres
def test_maturity_tables_on_postgresql(pg_url: str) -> None:  # noqa: F811
    store = Store(pg_url)
    _exercise(store, "mat-pg")
    assert MaturityRepo(store).delete_pack("mat-pg-pack") is True
    assert MaturityRepo(store).delete_pack("mat-pg-pack") is False
    store.dispose()
