"""The connections services wired on a real data home with an injected clock.

`bootstrap.App.connections` wires the same parts with the real clock; tests build them here
with a `FakeClock` for the queue, the services and the connectors' sleep, so rate-limit waits
and the daily schedule run without waiting. Only the network edge is fake (tests/connectors/
fakes.py); the database, the queue, the lake and the parsers are the real ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from socialpulse.adapters.connectors.http import CallPolicy
from socialpulse.adapters.connectors.registry import ConnectorRegistry
from socialpulse.adapters.lake_imports import LakeImportTables
from socialpulse.adapters.secrets import SecretBox
from socialpulse.adapters.store.connections_repo import ConnectionsRepo
from socialpulse.adapters.store.jobs_repo import JobsRepo
from socialpulse.bootstrap import App
from socialpulse.services.connections import ConnectionsService
from socialpulse.services.job_kinds import job_kinds
from socialpulse.services.jobs import JobRunner, JobService
from socialpulse.services.sync import SyncService

from .fakes import FakeClock


class _Services:
    """What job handlers see as ``ctx.services``: the App, with these connections."""

    def __init__(self, app: App, connections: ConnectionsService) -> None:
        self._app = app
        self.connections = connections

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)


@dataclass
class Harness:
    app: App
    clock: FakeClock
    jobs: JobService
    connections: ConnectionsService
    policy_calls: list[CallPolicy]

    def runner(self, name: str = "test-worker") -> JobRunner:
        return self.jobs.runner(_Services(self.app, self.connections), name)


def harness(app: App, clock: FakeClock, reserve: int = 2) -> Harness:
    policies: list[CallPolicy] = []

    def policy() -> CallPolicy:
        p = CallPolicy(clock=clock.now, sleep=clock.sleep, draw=lambda: 0.5, reserve=reserve)
        policies.append(p)
        return p

    jobs = JobService(JobsRepo(app.store), job_kinds(), clock=clock.now)
    repo, registry = ConnectionsRepo(app.store), ConnectorRegistry(policy)
    box = SecretBox(app.settings.home, os.environ)
    sync = SyncService(repo, registry, box, app.store, app.lake, LakeImportTables(app.lake),
                       jobs, clock.now)
    conns = ConnectionsService(repo, registry, box, app.store, sync, clock.now)
    return Harness(app, clock, jobs, conns, policies)
