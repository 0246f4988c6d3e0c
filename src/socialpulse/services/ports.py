"""The small interfaces services need from adapters (dependencies point inward)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from socialpulse.domain.audit import LakeDetails
from socialpulse.domain.branding import Branding
from socialpulse.domain.change_log import ChangeEntry
from socialpulse.domain.connections import Secret
from socialpulse.domain.goals import CheckIn, Goal, Objective, StatusEntry
from socialpulse.domain.identity_oidc import OidcClaims
from socialpulse.domain.jobs import Job, JobState
from socialpulse.domain.listening.figures import BrandFigure
from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.listening.records import Correction, StoredAlert
from socialpulse.domain.listening.selection import MentionSelection
from socialpulse.domain.maturity import Assessment, AuditRun, Baseline, Pack, Profile, StoredPack
from socialpulse.domain.models import Account, Brand, Function, Network, Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.domain.platforms import ImportFormat
from socialpulse.domain.query import PlannedMetric, QueryPlan
from socialpulse.domain.schedules import Delivery, Schedule
from socialpulse.services.import_model import Context, Parsed

if TYPE_CHECKING:  # annotations only: `socialpulse --help` must not import PyArrow
    import pyarrow as pa


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


# --- Workspaces, accounts and the import ledger (the app database) ----------------------------

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
    """Workspaces, their brands and accounts, and the ledger of their imports
    (`adapters/store.Store`)."""

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


# --- The Parquet lake -------------------------------------------------------------------------

class Ingested(Protocol):
    @property
    def batch_id(self) -> int: ...
    @property
    def rows(self) -> dict[str, int]: ...
    @property
    def already_imported(self) -> bool: ...
    @property
    def resumed(self) -> bool: ...


class Removed(Protocol):
    @property
    def batches(self) -> Sequence[LedgerBatch]: ...
    @property
    def rows(self) -> dict[str, int]: ...


class DataLake(Protocol):
    """The lake as services use it: whole-batch writes, small reads, maintenance
    (`adapters/lake.Lake`)."""

    root: Path
    grace_s: float

    def ingest(self, workspace_id: int, source: str, fmt: str,
               tables: Mapping[str, pa.Table]) -> Ingested: ...

    def read(self, workspace_id: int, dataset: str) -> pa.Table: ...

    def read_latest(self, workspace_id: int, dataset: str) -> pa.Table: ...

    def compact(self, workspace_id: int, timezone: str | None = None) -> dict[str, int]: ...

    def remove(self, workspace_id: int, batch_id: int) -> Removed: ...


# --- Background jobs (the app database) -------------------------------------------------------

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


# --- Listening: mention queries and writes, NLP, mention sources, its tables ------------------

class MentionQueries(Protocol):
    """Listening's questions about the lake's mentions (`adapters/mention_queries.py`): Ibis
    queries on the App's backend (DuckDB or PySpark); ``sql`` shows what a figure runs."""

    def volume(self, sel: MentionSelection, grain: str, figures: Sequence[BrandFigure]
               ) -> list[dict[str, Any]]: ...

    def brands(self, sel: MentionSelection, figures: Sequence[BrandFigure]
               ) -> list[dict[str, Any]]: ...

    def top_authors(self, sel: MentionSelection, limit: int) -> list[dict[str, Any]]: ...

    def texts(self, sel: MentionSelection) -> list[dict[str, Any]]: ...

    def day_counts(self, sel: MentionSelection) -> list[dict[str, Any]]: ...

    def mentions(self, sel: MentionSelection, limit: int, offset: int
                 ) -> tuple[int, list[dict[str, Any]]]: ...

    def alert_mentions(self, sels: Sequence[MentionSelection], limit: int
                       ) -> list[list[dict[str, Any]]]: ...

    def mention_rows(self, workspace_id: int, mention_id: str) -> list[dict[str, Any]]: ...

    def scan(self, workspace_id: int) -> list[dict[str, Any]]: ...

    def data_range(self, workspace_id: int) -> tuple[Any, Any]: ...

    def sql(self, question: str, sel: MentionSelection, figures: Sequence[BrandFigure],
            grain: str = "week") -> str: ...

    def engine_name(self) -> str: ...


class MentionWriter(Protocol):
    """Writes mention rows (columns of the lake's ``mentions`` dataset) as one atomic,
    content-hashed batch; returns whether the same content was imported before."""

    def write(self, workspace_id: int, source: str, fmt: str,
              columns: Mapping[str, Sequence[Any]]) -> bool: ...


class MentionSource(Protocol):
    """Anything that iterates raw mentions (a file, later a live stream); ``name`` is what the
    ledger records. A file sets ``replayable = True`` (see `adapters/connectors/base.py`)."""

    name: str

    def __iter__(self) -> Iterator[RawMention]: ...


class OpenMentionSource(Protocol):
    """Opens the source of a mentions file: ``fmt`` jsonl, csv, mastodon, bluesky or None
    (detected); errors name the file (`adapters/connectors.open_source`)."""

    def __call__(self, path: Path, fmt: str | None = None, network: str | None = None
                 ) -> MentionSource: ...


class Enrichment(Protocol):
    @property
    def lang(self) -> str: ...
    @property
    def sentiment(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def confidence(self) -> float: ...
    @property
    def model(self) -> str: ...  # the mode that labelled it
    @property
    def note(self) -> str: ...  # why there is no sentiment (label "unknown"), else ""


class MentionEnricher(Protocol):
    """Language, then sentiment, for a batch of texts (`adapters/nlp/pipeline.Enricher`)."""

    mode: str

    def languages(self, texts: Sequence[str], hints: Sequence[str] | None = None,
                  authors: Sequence[str] | None = None) -> list[str]: ...

    def sentiment(self, texts: Sequence[str], langs: Sequence[str]) -> Sequence[Enrichment]: ...

    def enrich(self, texts: Sequence[str], hints: Sequence[str] | None = None,
               authors: Sequence[str] | None = None) -> Sequence[Enrichment]: ...


class ListeningNlp(Protocol):
    """Builds enrichers (a model per mode) and checks language lists against what the
    language detector supports."""

    def enricher(self, languages: Sequence[str], mode: str = "accurate",
                 model_path: str | None = None,
                 corrections: Sequence[tuple[str, str, str]] = ()) -> MentionEnricher: ...

    def parse_languages(self, value: str | Sequence[str], where: str) -> tuple[str, ...]: ...


class ListeningTables(Protocol):
    """Brand queries, corrections and alerts in the app database
    (`adapters/store/listening_tables.ListeningRepo`)."""

    def set_query(self, workspace_id: int, brand_id: int, query: str) -> None: ...

    def queries(self, workspace_id: int) -> dict[int, str]: ...

    def correct(self, workspace_id: int, mention_id: str, sentiment: str,
                model_sentiment: str | None, text: str, lang: str) -> Correction: ...

    def corrections(self, workspace_id: int, mention_ids: Sequence[str] | None = None
                    ) -> dict[str, Correction]: ...

    def save_alerts(self, workspace_id: int, alerts: Sequence[StoredAlert],
                    window: tuple[date, date] | None = None) -> list[StoredAlert]: ...

    def alerts(self, workspace_id: int) -> list[StoredAlert]: ...

    def set_alert_status(self, workspace_id: int, alert_id: int, status: str
                         ) -> StoredAlert: ...


# --- Reports: schedules and deliveries (the app database) -------------------------------------

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

class GoalsStore(Protocol):
    """Goals, OKRs, check-ins and status history of a workspace (`adapters/store/goals_repo`).
    Every read and write names the workspace or a goal of it."""

    def add_goal(self, g: Goal) -> int: ...

    def goal(self, workspace_id: int, goal_id: int) -> Goal: ...

    def goals(self, workspace_id: int, include_archived: bool = False) -> list[Goal]: ...

    def archive_goal(self, workspace_id: int, goal_id: int) -> None: ...

    def revise_goal(self, g: Goal, note: CheckIn) -> None: ...

    def add_checkin(self, goal_id: int, c: CheckIn) -> None: ...

    def checkins(self, goal_id: int) -> list[CheckIn]: ...

    def record_status(self, goal_id: int, e: StatusEntry, always: bool = False) -> bool: ...

    def status_history(self, goal_id: int) -> list[StatusEntry]: ...

    def add_objective(self, workspace_id: int, title: str, kind: str, deadline: date,
                      owner: str, key_results: Sequence[tuple[str, str, Goal | None]]
                      ) -> int: ...

    def objective(self, workspace_id: int, objective_id: int) -> Objective: ...

    def objectives(self, workspace_id: int) -> list[Objective]: ...

    def add_kr_grade(self, key_result_id: int, on: date, grade: float, comment: str,
                     author: str) -> None: ...


# --- Maturity: profiles, assessments, benchmark packs (the app database) ----------------------

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


# --- Report branding (the app database) -------------------------------------------------------

class BrandingRepository(Protocol):
    """A workspace's report branding (`adapters/store/reports_tables`); absent means defaults."""

    def branding(self, workspace_id: int) -> Branding: ...

    def save_branding(self, workspace_id: int, b: Branding) -> None: ...


# --- Imports: the parsers, and parsed files as lake tables ------------------------------------

class ImportFormats(Protocol):
    """The import formats and their parsers (`adapters/importers.Importers`)."""

    def formats(self) -> Sequence[ImportFormat]: ...

    def read(self, path: Path, name: str, ctx: Context, fmt: str | None = None) -> Parsed: ...


class ImportLake(Protocol):
    """Parsed files as the lake's tables, and daily rows completed with the stored ones
    (`adapters/lake_imports.LakeImportTables`)."""

    def tables(self, parsed: Sequence[Parsed], ids: Mapping[tuple[Network, str], int],
               tz: str) -> dict[str, pa.Table]: ...

    def merge_daily(self, workspace_id: int, new: pa.Table) -> pa.Table: ...


# --- Secrets at rest (connections' credentials; any feature that stores one) -----------------

class SecretCipher(Protocol):
    """Credentials encrypted for the database, a short fingerprint to show instead
    (`adapters/secrets.SecretBox`)."""

    def encrypt(self, secret: Secret) -> str: ...

    def decrypt(self, token: str, what: str) -> Secret: ...

    def fingerprint(self, secret: Secret) -> str: ...


# --- The audit: its lake reads and its runs ---------------------------------------------------

class AuditLakeReads(Protocol):
    """What the audit reads from the lake besides metrics (`adapters/lake_audit.py`)."""

    def audit_details(self, workspace_id: int, period: DateRange, tz: str) -> LakeDetails: ...


class AuditRuns(Protocol):
    """Audit runs and the baselines they saved (`adapters/store/maturity_tables.MaturityRepo`)."""

    def save_audit(self, workspace_id: int, period_start: date, period_end: date,
                   report: dict[str, Any],
                   baselines: Sequence[tuple[int | None, str, str, float, str]]) -> AuditRun: ...

    def audit_runs(self, workspace_id: int) -> list[AuditRun]: ...

    def baselines(self, workspace_id: int, run_id: int | None = None) -> list[Baseline]: ...


# --- The activity log (the app database) -------------------------------------------------------

class ChangeLogReads(Protocol):
    """Entries of the activity log, newest first; written by the store's recorder, never by a
    service (`adapters/store/change_log_tables.ChangeLogReads`)."""

    def entries(self, workspace: str | None, since: datetime | None,
                limit: int) -> list[ChangeEntry]: ...


# --- Single sign-on (OpenID Connect) -----------------------------------------------------------

class OidcProvider(Protocol):
    """One OpenID provider: the code flow with PKCE and the ID token's checks
    (`adapters/oidc.OidcClient`)."""

    def authorization_url(self, redirect_uri: str, state: str, nonce: str,
                          code_verifier: str) -> str: ...

    def redeem(self, code: str, redirect_uri: str, code_verifier: str,
               nonce: str) -> OidcClaims: ...


class OidcLinks(Protocol):
    """Provider accounts linked to users (`adapters/store/oidc_tables.OidcLinksRepo`)."""

    def user_for(self, issuer: str, subject: str) -> int | None: ...

    def user_with_email(self, email: str) -> int | None: ...

    def login_taken(self, login: str) -> bool: ...

    def link(self, issuer: str, subject: str, user_id: int) -> int: ...
