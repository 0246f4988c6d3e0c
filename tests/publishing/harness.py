"""Publishing's services on a real data home with the connections harness's fake clock.

`bootstrap.App.publishing` and `App.outbox` wire the same parts with the real clock; here the
queue, the services and the connectors' sleeps run on a `FakeClock`, so schedules, backoffs,
leases and rate-limit waits pass in a moment. Only the network edge is fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from socialpulse.adapters.lake_imports import LakeImportTables
from socialpulse.adapters.store.connections_repo import ConnectionsRepo
from socialpulse.adapters.store.publishing_repo import PublishingRepo
from socialpulse.bootstrap import App
from socialpulse.services.jobs import JobRunner
from socialpulse.services.publishing import PublishingService
from socialpulse.services.publishing_outbox import Outbox
from tests.connectors.fakes import FakeClock
from tests.connectors.harness import Harness, harness


class _Services:
    """What job handlers see as ``ctx.services``: the App, with these services."""

    def __init__(self, app: App, h: Harness, outbox: Outbox) -> None:
        self._app = app
        self.connections = h.connections
        self.outbox = outbox

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)


@dataclass
class PubHarness:
    base: Harness
    publishing: PublishingService
    outbox: Outbox

    @property
    def app(self) -> App:
        return self.base.app

    @property
    def clock(self) -> FakeClock:
        return self.base.clock

    def runner(self, name: str = "test-worker", lease: timedelta | None = None) -> JobRunner:
        return self.base.jobs.runner(_Services(self.app, self.base, self.outbox), name, lease)


def pub_harness(app: App, clock: FakeClock) -> PubHarness:
    h = harness(app, clock)
    repo, conns = PublishingRepo(app.store), ConnectionsRepo(app.store)
    registry = h.connections.connectors
    outbox = Outbox(repo, conns, registry, h.connections.cipher, app.store, app.lake,
                    LakeImportTables(app.lake), h.jobs, clock.now,
                    follow_after=timedelta(minutes=3))
    return PubHarness(h, PublishingService(repo, conns, h.jobs, clock.now), outbox)
