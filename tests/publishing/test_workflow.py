"""The workflow and its role rules on SQLite and on a real PostgreSQL: a viewer cannot write or
schedule, a publisher cannot approve, an approver cannot schedule; edits and cancels work
until a send is claimed, and a cancelled post never goes out."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from socialpulse.adapters.store import Store
from socialpulse.bootstrap import App, open_home
from socialpulse.domain.actor import Actor, ActorKind
from socialpulse.domain.errors import Conflict, Forbidden, InvalidInput
from socialpulse.domain.models import Network
from socialpulse.domain.publishing import PostStatus, Variant
from socialpulse.domain.roles import Role
from socialpulse.services.publishing import SEND, job_key
from socialpulse.settings import Settings
from tests.connectors.fakes import FakeClock

from .conftest import ME, connect_both
from .fakes import PublishingBluesky, PublishingMastodon
from .harness import PubHarness, pub_harness

NINE = datetime(2026, 3, 29, 9, 0)


def _as(role: Role, n: int) -> Actor:
    return Actor(f"user:{n}", f"{role.value} person", ActorKind.USER, user_id=n,
                 roles=(("acme", role),))


PUBLISHER, APPROVER, VIEWER = _as(Role.PUBLISHER, 2), _as(Role.APPROVER, 3), _as(Role.VIEWER, 4)


def _fresh_pg(pg_url: str) -> str:
    name = f"publishing_{secrets.token_hex(6)}"
    server, _, _ = pg_url.rpartition("/")
    admin = Store(f"{server}/postgres")
    try:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()
    return f"{server}/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def wh(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock,
       masto: PublishingMastodon, sky: PublishingBluesky) -> Iterator[PubHarness]:
    url = _fresh_pg(request.getfixturevalue("pg_url")) if request.param == "postgresql" \
        else None
    app: App = open_home(Settings(home=tmp_path / "home", database_url=url), create=True)
    app.workspaces.create(ME, "acme", "Acme", "Europe/Madrid")
    h = pub_harness(app, clock)
    connect_both(h, masto, sky)
    yield h
    app.store.dispose()


def _draft(h: PubHarness, who: Actor = PUBLISHER, body: str = "Hello") -> int:
    post = h.publishing.draft(who, h.app.workspace("acme"),
                              [Variant(Network.MASTODON, body), Variant(Network.BLUESKY, body)])
    return int(post.id)


def test_role_rules(wh: PubHarness, masto: PublishingMastodon) -> None:
    ws = wh.app.workspace("acme")
    with pytest.raises(Forbidden, match="may not write and schedule posts"):
        _draft(wh, VIEWER)
    assert wh.publishing.posts(ws) == []
    pid = _draft(wh)
    wh.publishing.submit(PUBLISHER, ws, pid)
    with pytest.raises(Forbidden, match="may not approve posts"):
        wh.publishing.approve(PUBLISHER, ws, pid)
    assert wh.publishing.get(ws, pid).status is PostStatus.SUBMITTED
    wh.publishing.approve(APPROVER, ws, pid, "ok")
    for who in (VIEWER, APPROVER):
        with pytest.raises(Forbidden):
            wh.publishing.schedule(who, ws, pid, NINE)
    assert wh.publishing.get(ws, pid).status is PostStatus.APPROVED
    assert wh.base.jobs.by_key(job_key(pid, Network.MASTODON, 1)) is None
    post = wh.publishing.schedule(PUBLISHER, ws, pid, NINE)
    assert post.status is PostStatus.SCHEDULED
    assert wh.base.jobs.by_key(job_key(pid, Network.MASTODON, 1)) is not None
    with pytest.raises(Forbidden):
        wh.publishing.cancel(VIEWER, ws, pid)


def test_reject_needs_a_comment_and_edit_goes_back_to_draft(wh: PubHarness) -> None:
    ws = wh.app.workspace("acme")
    pid = _draft(wh)
    wh.publishing.submit(PUBLISHER, ws, pid)
    with pytest.raises(InvalidInput, match="say why"):
        wh.publishing.reject(APPROVER, ws, pid, " ")
    post = wh.publishing.reject(APPROVER, ws, pid, "too loud")
    assert post.status is PostStatus.REJECTED and post.comment == "too loud"
    with pytest.raises(Conflict, match="is rejected; only an approved post can be scheduled"):
        wh.publishing.schedule(PUBLISHER, ws, pid, NINE)
    post = wh.publishing.edit(PUBLISHER, ws, pid, [Variant(Network.MASTODON, "Calmer")])
    assert post.status is PostStatus.DRAFT and [v.network for v in post.variants] == [
        Network.MASTODON]
    with pytest.raises(InvalidInput, match="Bluesky: 301 graphemes"):
        wh.publishing.edit(PUBLISHER, ws, pid, [Variant(Network.BLUESKY, "a" * 301)])
    assert wh.publishing.get(ws, pid).variants[0].text == "Calmer"  # nothing half-written


def test_cancel_until_claimed(wh: PubHarness, masto: PublishingMastodon,
                              sky: PublishingBluesky) -> None:
    ws = wh.app.workspace("acme")
    cancelled, claimed = _draft(wh, body="Never"), _draft(wh, body="Claimed")
    for pid in (cancelled, claimed):
        wh.publishing.submit(PUBLISHER, ws, pid)
        wh.publishing.approve(APPROVER, ws, pid)
        wh.publishing.schedule(PUBLISHER, ws, pid, NINE)
    assert wh.publishing.cancel(PUBLISHER, ws, cancelled).status is PostStatus.CANCELLED
    job = wh.base.jobs.by_key(job_key(claimed, Network.MASTODON, 1))
    assert job is not None
    wh.outbox.repo.claim_send(claimed, Network.MASTODON, 1, job.id, None, now=wh.clock.now())
    with pytest.raises(Conflict, match="cannot become cancelled"):
        wh.publishing.cancel(PUBLISHER, ws, claimed)
    with pytest.raises(Conflict, match="can no longer be edited"):
        wh.publishing.edit(PUBLISHER, ws, claimed, [Variant(Network.MASTODON, "x")])
    wh.clock.advance(timedelta(days=2))
    wh.runner().drain(kinds=[SEND])
    assert masto.texts() == {"Claimed": 1}
    assert wh.publishing.get(ws, cancelled).status is PostStatus.CANCELLED
    assert wh.publishing.get(ws, claimed).status is PostStatus.PUBLISHED


def test_bad_input_is_one_line(wh: PubHarness) -> None:
    ws = wh.app.workspace("acme")
    with pytest.raises(InvalidInput, match="the post has no network"):
        wh.publishing.draft(PUBLISHER, ws, [])
    with pytest.raises(InvalidInput, match="X: publishing to this network is not supported"):
        wh.publishing.draft(PUBLISHER, ws, [Variant(Network.X, "hi")])
    pid = _draft(wh)
    wh.publishing.submit(PUBLISHER, ws, pid)
    wh.publishing.approve(APPROVER, ws, pid)
    with pytest.raises(InvalidInput, match="not a time zone"):
        wh.publishing.schedule(PUBLISHER, ws, pid, NINE, zone="Mars/Olympus")
    with pytest.raises(InvalidInput, match="has passed"):
        wh.publishing.schedule(PUBLISHER, ws, pid, datetime(2026, 1, 1, 9, 0))
    with pytest.raises(InvalidInput, match="does not exist in Europe/Madrid"):
        wh.publishing.schedule(PUBLISHER, ws, pid, datetime(2026, 3, 29, 2, 30))
    assert wh.publishing.get(ws, pid).status is PostStatus.APPROVED
