"""The report tables (branding, schedules, deliveries) on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialpulse.adapters.store import Store
from socialpulse.adapters.store.reports_tables import Branding, ReportsRepo
from socialpulse.domain.errors import NotFound


def _exercise(store: Store, slug: str) -> None:
    store.migrate()
    repo = ReportsRepo(store)
    ws = store.create_workspace(slug, "Reports", "Europe/Madrid", ["en"])
    assert repo.branding(ws.id) == Branding()
    logo = bytes(range(256)) * 4  # binary, with NUL bytes
    repo.save_branding(ws.id, Branding("Acme", "#00aa66", "#ff8800", logo, "image/png"))
    repo.save_branding(ws.id, Branding("Acme 2", "#00aa66", None, logo, "image/png"))
    assert repo.branding(ws.id) == Branding("Acme 2", "#00aa66", None, logo, "image/png")
    a = repo.add_schedule(ws.id, "weekly", "pdf", "/tmp/r", ("a@b.org", "c@d.org"))
    b = repo.add_schedule(ws.id, "monthly", "xlsx", "/tmp/r", ())
    assert [(s.id, s.recipients) for s in repo.schedules(ws.id)] == [
        (a.id, ("a@b.org", "c@d.org")), (b.id, ())]
    # running a delivery once is the job queue's work (tests/jobs); this table records it
    assert repo.schedule(a.id) == a and repo.schedule(999) is None
    assert not repo.delivered(a.id, "2026-W37")
    repo.record_delivery(a.id, "2026-W37", "/tmp/r/x.pdf", "a@b.org")
    repo.record_delivery(a.id, "2026-W37", "/tmp/r/x.pdf", "a@b.org")  # twice: one row
    assert repo.delivered(a.id, "2026-W37") and not repo.delivered(b.id, "2026-W37")
    assert not repo.delivered(a.id, "2026-W38")  # unique per schedule and period
    assert [(d.period_key, d.status, d.path, d.emailed_to) for d in repo.deliveries(a.id)] == [
        ("2026-W37", "done", "/tmp/r/x.pdf", "a@b.org")]
    assert repo.deliveries(b.id) == []
    with pytest.raises(NotFound, match="no schedule 999"):
        repo.remove_schedule(ws.id, 999)
    repo.remove_schedule(ws.id, a.id)
    assert [s.id for s in repo.schedules(ws.id)] == [b.id]
    store.delete_workspace(ws.id)  # cascades to branding, schedules and deliveries
    assert repo.branding(ws.id) == Branding() and repo.schedules(ws.id) == []


def test_report_tables_on_sqlite(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    _exercise(store, "rep-sqlite")
    store.dispose()


@pytest.mark.postgres
def test_report_tables_on_postgresql(pg_url: str) -> None:  # noqa: F811
    store = Store(pg_url)
    _exercise(store, "rep-pg")
    store.dispose()
