"""The small interfaces services need from adapters (dependencies point inward)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from socialpulse.domain.jobs import Job, JobState
from socialpulse.domain.maturity import Assessment, Pack, Profile, StoredPack
from socialpulse.domain.models import Account, Brand, Function, Network, Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import PlannedMetric, QueryPlan
from socialpulse.domain.schedules import Delivery, Schedule


class EngineRunResult(Protocol):
    columns: list[str]
    rows: list[dict[str, Any]]
    missing: dict[str, list[str]]
    excluded: dict[str, list[int]]


class MetricEngine(Protocol):
    def run(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> EngineRunResult: ...

    def sql(self, plan: QueryPlan, accounts: Sequence[Account], tz: str) -> str: ...

    def posts(self, workspace_id: int, account_ids: Sequence[int], period: DateRange | None,
              tz: str, rate: PlannedMetric, sort: str, limit: int, offset: int = 0,
              search: str | None = None) -> tuple[pa.Table, int]: ...


# --- Workspaces, accounts and the import ledger (the app database) ---------------------------

class LedgerBatch(Protocol):
    """One import as the ledger records it (read-only to services)."""

    @property
    def id(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def rows(self) -> dict[str, int]: ...
    @property
    def files(self) -> list[str]: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def committed_at(self) -> datetime | None: ...
    @property
    def merged_into(self) -> int | None: ...


class WorkspaceRepository(Protocol):
    """Workspaces, their brands and accounts, and the ledger of their imports."""

    def create_workspace(self, slug: str, name: str, timezone: str = "UTC",
                         languages: Sequence[str] = ("en",)) -> Workspace: ...

    def update_workspace(self, workspace_id: int, name: str | None = None,
                         timezone: str | None = None,
                         languages: Sequence[str] | None = None) -> Workspace: ...

    def workspaces(self) -> list[Workspace]: ...

    def find_workspace(self, slug: str) -> Workspace | None: ...

    def workspace(self, slug: str) -> Workspace: ...

    def delete_workspace(self, workspace_id: int) -> None: ...

    def ensure_brand(self, workspace_id: int, name: str, is_own: bool) -> Brand: ...

    def brands(self, workspace_id: int) -> list[Brand]: ...

    def ensure_account(self, workspace_id: int, network: Network, handle: str, *,
                       name: str = "", url: str = "", function: Function = Function.MARKETING,
                       brand_id: int | None = None) -> Account: ...

    def update_account(self, workspace_id: int, account_id: int, *, name: str | None = None,
                       url: str | None = None, function: Function | None = None,
                       brand: str | None = None, brand_is_own: bool | None = None
                       ) -> Account: ...

    def accounts(self, workspace_id: int) -> list[Account]: ...

    def batches(self, workspace_id: int, status: str | None = "committed"
                ) -> Sequence[LedgerBatch]: ...


# --- The Parquet lake ------------------------------------------------------------------------

class Ingested(Protocol):
    @property
    def batch_id(self) -> int: ...
    @property
    def rows(self) -> dict[str, int]: ...


class Removed(Protocol):
    @property
    def batches(self) -> Sequence[LedgerBatch]: ...
    @property
    def rows(self) -> dict[str, int]: ...


class DataLake(Protocol):
    """The lake as services use it: whole-batch writes, small reads, maintenance."""

    root: Path
    grace_s: float

    def ingest(self, workspace_id: int, source: str, fmt: str,
               tables: Mapping[str, pa.Table]) -> Ingested: ...

    def read(self, workspace_id: int, dataset: str) -> pa.Table: ...

    def read_latest(self, workspace_id: int, dataset: str) -> pa.Table: ...

    def compact(self, workspace_id: int, timezone: str | None = None) -> dict[str, int]: ...

    def remove(self, workspace_id: int, batch_id: int) -> Removed: ...


class JobQueue(Protocol):
    """The durable job queue (`adapters/store/jobs_repo.JobsRepo`); times are UTC, given by
    the caller. Claiming is atomic: two workers never hold one job."""

    def enqueue(self, kind: str, payload: Mapping[str, Any], *, now: datetime,
                run_at: datetime, max_attempts: int, enqueued_by: str,
                key: str | None = None) -> tuple[Job, bool]: ...

    def get(self, job_id: int) -> Job | None: ...

    def by_key(self, key: str) -> Job | None: ...

    def claim(self, worker: str, *, now: datetime, lease_until: datetime,
              kinds: Sequence[str], ids: Sequence[int] | None = None) -> Job | None: ...

    def heartbeat(self, job_id: int, worker: str, *, now: datetime, lease_until: datetime,
                  progress: Mapping[str, Any] | None = None) -> bool: ...

    def finish(self, job_id: int, worker: str, state: JobState, *, now: datetime,
               result: Mapping[str, Any] | None = None, error: str | None = None,
               run_at: datetime | None = None) -> bool: ...

    def expired(self, now: datetime) -> list[Job]: ...

    def settle_expired(self, job: Job, state: JobState, *, now: datetime, error: str,
                       run_at: datetime | None = None) -> bool: ...

    def retry_now(self, job_id: int, *, now: datetime) -> bool: ...

    def jobs(self, states: Sequence[JobState] | None = None, limit: int = 100) -> list[Job]: ...


class MaturityRepository(Protocol):
    """Organisation profiles, assessments and benchmark packs (`adapters/store/maturity_tables`).
    Profiles and assessments are per workspace; packs belong to the installation."""

    def profile(self, workspace_id: int) -> Profile | None: ...

    def set_profile(self, workspace_id: int, profile: Profile) -> None: ...

    def profiles(self) -> dict[int, Profile]: ...

    def create_assessment(self, workspace_id: int, version: int, answers: dict[str, int],
                          source: str, scores: dict[str, Any] | None = None,
                          completed_at: datetime | None = None) -> Assessment: ...

    def update_answers(self, assessment_id: int, answers: dict[str, int]) -> Assessment: ...

    def complete(self, assessment_id: int, scores: dict[str, Any]) -> Assessment: ...

    def assessment(self, workspace_id: int, assessment_id: int) -> Assessment: ...

    def assessments(self, workspace_id: int, status: str | None = None) -> list[Assessment]: ...

    def latest_completed(self) -> dict[int, Assessment]: ...

    def save_pack(self, pack: Pack) -> StoredPack: ...

    def delete_pack(self, name: str) -> bool: ...

    def packs(self) -> list[StoredPack]: ...


# --- Listening: mention queries and writes, NLP, mention sources, its tables ------------------


class ReportSchedulesRepo(Protocol):
    """Report schedules and their delivered periods (`adapters/store/reports_tables`)."""

    def add_schedule(self, workspace_id: int, cadence: str, fmt: str, folder: str,
                     recipients: tuple[str, ...]) -> Schedule: ...

    def schedules(self, workspace_id: int | None = None) -> list[Schedule]: ...

    def schedule(self, schedule_id: int) -> Schedule | None: ...

    def remove_schedule(self, workspace_id: int, schedule_id: int) -> None: ...

    def delivered(self, schedule_id: int, period_key: str) -> bool: ...

    def record_delivery(self, schedule_id: int, period_key: str, path: str,
                        emailed_to: str) -> None: ...

    def deliveries(self, schedule_id: int) -> list[Delivery]: ...


# --- Goals and OKRs (the app database) --------------------------------------------------------
