"""The one place that wires settings to adapters to services."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from socialpulse.domain.actor import Actor
from socialpulse.domain.errors import InvalidInput, NotFound
from socialpulse.settings import Settings

MARKER_TEXT = "# socialpulse data home: app database, Parquet lake and settings\nversion = 1\n"

# Adapters and services are imported by the properties that build them, never at the top:
# every `socialpulse` command imports this module, and `--help` must not pay for Ibis,
# SQLAlchemy, Alembic or PyArrow (issue 13; tests/core/test_cli_imports.py checks it).
if TYPE_CHECKING:
    from socialpulse.adapters.engine import IbisEngine
    from socialpulse.adapters.lake import Lake
    from socialpulse.adapters.secrets import SecretBox
    from socialpulse.adapters.store import Store
    from socialpulse.domain.metrics import Catalogue
    from socialpulse.domain.models import Workspace
    from socialpulse.services.alert_rules import AlertRules
    from socialpulse.services.audience import AudienceService
    from socialpulse.services.audit import AuditService
    from socialpulse.services.batches import BatchService
    from socialpulse.services.change_log import ChangeLogService
    from socialpulse.services.compare import CompareService
    from socialpulse.services.connections import ConnectionsService
    from socialpulse.services.demo import DemoService
    from socialpulse.services.funnel import FunnelService
    from socialpulse.services.goals import GoalsService
    from socialpulse.services.identity import IdentityService
    from socialpulse.services.imports import ImportService
    from socialpulse.services.inbox import InboxService
    from socialpulse.services.jobs import JobService
    from socialpulse.services.listening import ListeningService
    from socialpulse.services.listening_live import LiveListening
    from socialpulse.services.maturity import MaturityService
    from socialpulse.services.members import MembersService
    from socialpulse.services.metrics import MetricsService
    from socialpulse.services.oidc_signin import OidcSignIn
    from socialpulse.services.overview import OverviewService
    from socialpulse.services.ports import MetricEngine
    from socialpulse.services.posts import PostsService
    from socialpulse.services.publishing import PublishingService
    from socialpulse.services.publishing_outbox import Outbox
    from socialpulse.services.report_branding import BrandingService
    from socialpulse.services.report_schedules import ReportSchedules
    from socialpulse.services.reports import ReportService
    from socialpulse.services.tokens import TokensService
    from socialpulse.services.workspaces import WorkspaceService


QUERY_ENGINES = ("duckdb", "spark")


def local_actor() -> Actor:
    """The person at this machine, by login name: who the CLI, pages and API of a local
    `serve` act as until sign-in exists (issue 14). Resolved once per request or command by
    the interfaces' chokepoints."""
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the password database
        login = "local"
    return Actor.local(login)


def duckdb_backend() -> Any:
    import ibis

    return ibis.duckdb.connect()


def spark_backend(settings: Settings) -> Any:
    """PySpark for users who outgrow one machine: local mode by default, or the cluster named by
    $SOCIALPULSE_SPARK_MASTER. The driver binds this machine only unless Spark is told
    otherwise."""
    try:
        import ibis
        from pyspark.sql import SparkSession
    except ImportError:
        raise InvalidInput(
            "query engine 'spark' needs PySpark: pip install -e '.[spark]' (and a Java runtime)"
        ) from None
    master = os.environ.get("SOCIALPULSE_SPARK_MASTER", "local[*]")
    builder = (
        SparkSession.builder.master(master)
        .appName("socialpulse")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(settings.home / "spark-warehouse"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config(
            "spark.driver.host", "127.0.0.1"
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)


class _Deferred:
    """An adapter built on its first use. The workspace service needs the lake only to compact
    or delete, and importing the lake (PyArrow, NumPy) would cost every command that opens a
    workspace about a fifth of a second (issue 13)."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build = build

    def __getattr__(self, name: str) -> Any:
        return getattr(self._build(), name)


@dataclass
class App:
    """Adapters and services for one data home. Cheap to create; create one per process."""

    settings: Settings

    @cached_property
    def store(self) -> Store:
        from socialpulse.adapters.store import Store
        from socialpulse.adapters.store.change_recorder import install

        store = Store(self.settings.db_url)
        install(store)  # the activity log: every change of the app tables
        return store

    @cached_property
    def change_log(self) -> ChangeLogService:
        from socialpulse.adapters.store.change_log_tables import ChangeLogReads
        from socialpulse.services.change_log import ChangeLogService

        return ChangeLogService(ChangeLogReads(self.store))

    @cached_property
    def lake(self) -> Lake:
        from socialpulse.adapters.lake import Lake

        return Lake(self.settings.lake_dir, self.store)

    @cached_property
    def workspaces(self) -> WorkspaceService:
        from socialpulse.services.workspaces import WorkspaceService

        # a workspace created by a signed-in user has them as its owner (issue 14)
        return WorkspaceService(self.store, _Deferred(lambda: self.lake),
                                on_created=lambda actor, ws: self.members.creator_owns(actor, ws))

    @cached_property
    def members(self) -> MembersService:
        from socialpulse.adapters.store.access_repo import AccessRepo
        from socialpulse.services.members import MembersService

        return MembersService(AccessRepo(self.store), self.workspaces)

    @cached_property
    def tokens(self) -> TokensService:
        from socialpulse.adapters.store.access_repo import AccessRepo
        from socialpulse.services.tokens import TokensService

        return TokensService(AccessRepo(self.store), self.workspaces)

    @cached_property
    def audience(self) -> AudienceService:
        from socialpulse.services.audience import AudienceService

        return AudienceService(self.store, self.lake)

    @cached_property
    def posts(self) -> PostsService:
        from socialpulse.services.posts import PostsService

        return PostsService(self.metrics)

    @cached_property
    def compare(self) -> CompareService:
        from socialpulse.services.compare import CompareService

        return CompareService(self.metrics)

    @cached_property
    def catalogue(self) -> Catalogue:
        from socialpulse.catalogue import metric_catalogue

        return metric_catalogue()

    @cached_property
    def engine(self) -> IbisEngine:
        from socialpulse.adapters.engine import IbisEngine

        if self.settings.query_engine == "spark":
            return IbisEngine(spark_backend(self.settings), self.lake.files)
        return IbisEngine(duckdb_backend(), self.lake.files)

    @cached_property
    def metric_engine(self) -> MetricEngine:
        """Where metric questions go: on DuckDB, runs compiled once and replayed from the home's
        cache (adapters/sql_cache.py), so a repeated question imports no Ibis."""
        if self.settings.query_engine == "spark":
            return self.engine
        from socialpulse.adapters.sql_cache import SqlCachedEngine

        lake_dir = self.settings.lake_dir

        def committed(workspace_id: int) -> list[str]:
            """Lake.files of every dataset, each with its batch's content hash and commit
            time (a rebuilt demo reuses batch ids, so the same paths)."""
            return [f"{lake_dir / f}|{b.content_hash}|{b.committed_at}"
                    for b in self.store.batches(workspace_id, "committed") for f in b.files]

        return SqlCachedEngine(lambda: self.engine, committed,
                               self.settings.home / "cache" / "sql")

    @cached_property
    def metrics(self) -> MetricsService:
        from socialpulse.services.metrics import MetricsService

        return MetricsService(self.catalogue, self.store, self.metric_engine)

    @cached_property
    def goals(self) -> GoalsService:
        from socialpulse.adapters.store.goals_repo import GoalsRepository
        from socialpulse.catalogue.goals import goal_catalogue
        from socialpulse.services.goals import GoalsService

        return GoalsService(self.metrics, self.store, GoalsRepository(self.store),
                            goal_catalogue())

    @cached_property
    def overview(self) -> OverviewService:
        from socialpulse.services.overview import OverviewService

        return OverviewService(self.metrics, self.store)

    @cached_property
    def funnel(self) -> FunnelService:
        from socialpulse.services.funnel import FunnelService

        return FunnelService(self.metrics, self.store)

    @cached_property
    def audit(self) -> AuditService:
        from socialpulse.adapters.lake_audit import LakeAuditReads
        from socialpulse.adapters.store.maturity_tables import MaturityRepo
        from socialpulse.services.audit import AuditService

        return AuditService(self.metrics, self.store, LakeAuditReads(self.lake),
                            MaturityRepo(self.store))

    @cached_property
    def maturity(self) -> MaturityService:
        from socialpulse.adapters.store.maturity_tables import MaturityRepo
        from socialpulse.services.maturity import MaturityService

        return MaturityService(self.metrics, lambda ws: self.store.accounts(ws.id),
                               MaturityRepo(self.store))

    @cached_property
    def imports(self) -> ImportService:
        from socialpulse.adapters.importers import Importers
        from socialpulse.adapters.lake_imports import LakeImportTables
        from socialpulse.services.imports import ImportService

        return ImportService(self.store, self.lake, Importers(), LakeImportTables(self.lake))

    @cached_property
    def batches(self) -> BatchService:
        from socialpulse.services.batches import BatchService

        return BatchService(self.store, self.lake)

    @cached_property
    def listening(self) -> ListeningService:
        from socialpulse.adapters.connectors import open_source
        from socialpulse.adapters.mention_queries import IbisMentionQueries
        from socialpulse.adapters.mention_writes import LakeMentionWriter
        from socialpulse.adapters.nlp.pipeline import Nlp
        from socialpulse.adapters.store.listening_tables import ListeningRepo
        from socialpulse.services.listening import ListeningService

        return ListeningService(self.store, IbisMentionQueries(self.engine),
                                LakeMentionWriter(self.lake), ListeningRepo(self.store), Nlp(),
                                open_source, self.catalogue)

    @cached_property
    def listening_live(self) -> LiveListening:
        from socialpulse.adapters.listening_sources import LiveSources
        from socialpulse.adapters.store.alert_rules_tables import LiveListeningRepo
        from socialpulse.services.listening_live import LiveListening

        return LiveListening(LiveListeningRepo(self.store), LiveSources(), self.listening,
                             self.alert_rules, self.jobs, self.workspaces.list)

    @cached_property
    def alert_rules(self) -> AlertRules:
        from socialpulse.adapters.mail import Mailer
        from socialpulse.adapters.store.alert_rules_tables import LiveListeningRepo
        from socialpulse.adapters.webhook import WebhookPoster
        from socialpulse.services.alert_rules import AlertRules

        base = os.environ.get("SOCIALPULSE_BASE_URL") or (
            f"http://{self.settings.host}:{self.settings.port}")
        return AlertRules(LiveListeningRepo(self.store), self.listening, self.jobs,
                          self.workspaces.list, Mailer.from_env(os.environ), WebhookPoster(),
                          base)

    @cached_property
    def branding(self) -> BrandingService:
        from socialpulse.adapters.store.reports_tables import ReportsRepo
        from socialpulse.services.report_branding import BrandingService

        return BrandingService(ReportsRepo(self.store))

    @cached_property
    def reports(self) -> ReportService:
        from socialpulse.services.reports import ReportService, ReportSources

        return ReportService(ReportSources(
            metrics=self.metrics, overview=self.overview, posts=self.posts,
            audience=self.audience, compare=self.compare, goals=self.goals, audit=self.audit,
            maturity=self.maturity, listening=self.listening, branding=self.branding))

    @cached_property
    def jobs(self) -> JobService:
        from socialpulse.adapters.store.jobs_repo import JobsRepo
        from socialpulse.services.job_kinds import job_kinds
        from socialpulse.services.jobs import JobService, job_lease

        return JobService(JobsRepo(self.store), job_kinds(), lease=job_lease(os.environ))

    @cached_property
    def secrets(self) -> SecretBox:
        """Credentials encrypted at rest (key: $SOCIALPULSE_SECRET_KEY or HOME/secret.key)."""
        from socialpulse.adapters.secrets import SecretBox

        return SecretBox(self.settings.home, os.environ)

    def signing_key(self, purpose: str) -> bytes:
        """A key for ``purpose`` shared by every process of this home (`SecretBox.derived_key`):
        CSRF tokens signed by one server process verify in another."""
        return self.secrets.derived_key(purpose)

    @cached_property
    def connections(self) -> ConnectionsService:
        from socialpulse.adapters.connectors.registry import ConnectorRegistry
        from socialpulse.adapters.lake_imports import LakeImportTables
        from socialpulse.adapters.store.connections_repo import ConnectionsRepo
        from socialpulse.services.connections import ConnectionsService
        from socialpulse.services.sync import SyncService, utc_now

        repo, registry = ConnectionsRepo(self.store), ConnectorRegistry()
        sync = SyncService(repo, registry, self.secrets, self.store, self.lake,
                           LakeImportTables(self.lake), self.jobs, utc_now)
        return ConnectionsService(repo, registry, self.secrets, self.store, sync)

    @cached_property
    def inbox(self) -> InboxService:
        from socialpulse.adapters.store.inbox_repo import InboxRepo
        from socialpulse.services.inbox import InboxService

        return InboxService(InboxRepo(self.store))

    @cached_property
    def publishing(self) -> PublishingService:
        """Drafts, approvals and schedules (issue 17)."""
        from socialpulse.adapters.store.connections_repo import ConnectionsRepo
        from socialpulse.adapters.store.publishing_repo import PublishingRepo
        from socialpulse.services.publishing import PublishingService

        return PublishingService(PublishingRepo(self.store), ConnectionsRepo(self.store),
                                 self.jobs)

    @cached_property
    def outbox(self) -> Outbox:
        """The ``publish.send`` jobs' runner (`services/publishing_outbox.py`)."""
        from socialpulse.adapters.connectors.registry import ConnectorRegistry
        from socialpulse.adapters.lake_imports import LakeImportTables
        from socialpulse.adapters.store.connections_repo import ConnectionsRepo
        from socialpulse.adapters.store.publishing_repo import PublishingRepo
        from socialpulse.services.jobs import job_lease
        from socialpulse.services.publishing_outbox import Outbox

        # a send's follow-up looks after three leases: by then a dead worker's job has ended
        return Outbox(PublishingRepo(self.store), ConnectionsRepo(self.store),
                      ConnectorRegistry(), self.secrets, self.store, self.lake,
                      LakeImportTables(self.lake), self.jobs,
                      follow_after=3 * job_lease(os.environ))

    @cached_property
    def report_schedules(self) -> ReportSchedules:
        from socialpulse.adapters.store.reports_tables import ReportsRepo
        from socialpulse.services.report_schedules import ReportSchedules, SmtpConfig

        return ReportSchedules(ReportsRepo(self.store), self.reports,
                               self.workspaces.list, self.jobs,
                               SmtpConfig.from_env(os.environ), self)

    @cached_property
    def demo(self) -> DemoService:
        from socialpulse.adapters.store.maturity_tables import MaturityRepo
        from socialpulse.services import maturity_demo
        from socialpulse.services.demo import DemoParts, DemoService
        from socialpulse.services.demo_goals import load_demo_goals
        from socialpulse.services.demo_mentions import load_demo_mentions

        parts = DemoParts(
            maturity=lambda actor, ws, until: maturity_demo.load_demo(
                MaturityRepo(self.store), ws, until),
            mentions=lambda actor, ws, until: load_demo_mentions(self.listening, actor, ws,
                                                                 until),
            goals=lambda actor, ws, until: load_demo_goals(
                self.goals, self.report_schedules, self.settings.home / "reports", actor, ws,
                until),
        )
        return DemoService(self.workspaces, self.store, self.lake, parts)

    @cached_property
    def identity(self) -> IdentityService:
        from datetime import UTC, datetime

        from socialpulse.adapters.mail import Mailer
        from socialpulse.adapters.passwords import Argon2Passwords
        from socialpulse.adapters.store.identity_repo import IdentityRepo
        from socialpulse.services.identity import IdentityService

        return IdentityService(IdentityRepo(self.store), Argon2Passwords(),
                               lambda: datetime.now(UTC), lambda: Mailer.from_env(os.environ))

    @cached_property
    def oidc(self) -> OidcSignIn | None:
        """Single sign-on, when $SOCIALPULSE_OIDC_ISSUER names a provider (else None)."""
        from socialpulse.services.oidc_signin import OidcConfig, OidcSignIn

        config = OidcConfig.from_env(os.environ)
        if config is None:
            return None
        from socialpulse.adapters.oidc import OidcClient
        from socialpulse.adapters.store.oidc_tables import OidcLinksRepo

        provider = OidcClient(config.issuer, config.client_id, config.client_secret)
        return OidcSignIn(config, provider, OidcLinksRepo(self.store), self.identity)

    def workspace(self, slug: str | None) -> Workspace:
        """The named workspace, or the only/first one when none is named."""
        return self.workspaces.default(slug)


def open_home(settings: Settings, create: bool = False) -> App:
    """Open (or create) a data home, migrating its database to the latest schema."""
    if settings.query_engine not in QUERY_ENGINES:
        raise InvalidInput(
            f"query engine: unknown engine {settings.query_engine!r}; use one of "
            f"{', '.join(QUERY_ENGINES)} (--engine or SOCIALPULSE_QUERY_ENGINE)"
        )
    home = settings.home
    if not settings.marker.exists():
        if not create:
            raise NotFound(
                f"no socialpulse data home at {home}; create one with `socialpulse init` "
                "or `socialpulse demo --no-serve`, or point --home / SOCIALPULSE_HOME at one"
            )
        home.mkdir(parents=True, exist_ok=True)
        settings.lake_dir.mkdir(parents=True, exist_ok=True)
        settings.marker.write_text(MARKER_TEXT, encoding="utf-8")
    app = App(settings)
    app.store.migrate()
    return app
