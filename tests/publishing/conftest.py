"""Fixtures of publishing's tests: a workspace in Madrid with a Mastodon and a Bluesky account
connected to the publishing fakes, and the services on a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.connections import ConnectionKind, Secret
from socialpulse.domain.models import Network
from socialpulse.services.connections import ConnectRequest
from tests.connectors.fakes import FakeClock

from .fakes import PublishingBluesky, PublishingMastodon
from .harness import PubHarness, pub_harness

START = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)  # two days before Madrid's clocks go forward
ME = Actor.local("tester")
HANDLE, DID, PASSWORD = "alice.test", "did:plc:alice", "abcd-efgh-ijkl-mnop"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def masto(clock: FakeClock) -> Iterator[PublishingMastodon]:
    f = PublishingMastodon(clock.now)
    yield f
    f.close()


@pytest.fixture
def sky(clock: FakeClock) -> Iterator[PublishingBluesky]:
    f = PublishingBluesky(clock.now)
    f.add_account(HANDLE, DID, followers=10, items=[])
    yield f
    f.close()


def connect_both(h: PubHarness, masto: PublishingMastodon, sky: PublishingBluesky,
                 slug: str = "acme") -> None:
    ws = h.app.workspace(slug)
    h.base.connections.connect(ME, ws, ConnectRequest(
        Network.MASTODON, ConnectionKind.OWN, server=masto.url, secret=Secret("good-token")))
    h.base.connections.connect(ME, ws, ConnectRequest(
        Network.BLUESKY, ConnectionKind.OWN, handle=HANDLE, server=sky.url,
        secret=Secret(PASSWORD)))


@pytest.fixture
def ph(empty_app: App, clock: FakeClock, masto: PublishingMastodon,
       sky: PublishingBluesky) -> PubHarness:
    empty_app.workspaces.create(ME, "acme", "Acme", "Europe/Madrid")
    h = pub_harness(empty_app, clock)
    connect_both(h, masto, sky)
    return h
