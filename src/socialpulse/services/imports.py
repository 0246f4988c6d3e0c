"""Import platform exports into a workspace: detect, parse, preview, then write one batch.

All files of one import become one lake batch (one ``Lake.ingest`` call): a crash at any point
leaves nothing half-imported, and running the same import again completes it (same content,
same hash). Re-importing the same or overlapping files adds no duplicates: the lake keeps one
row per post and day, and the newest snapshot of each post wins.

Accounts are created only when the batch is written (never on a dry run). Each file reports
where its account handle and its observation time came from, so the user can check them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import NETWORK_LABELS, Account, Network, Workspace, parse_enum
from socialpulse.domain.periods import implausible_data_date
from socialpulse.domain.platforms import FORMAT_IDS
from socialpulse.services.import_model import Context, Limits, Parsed, clean_handle, end_of_day
from socialpulse.services.ports import DataLake, ImportFormats, ImportLake, WorkspaceRepository

Progress = Callable[[str, int, int], None]
PREVIEW_ROWS = 5


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class ImportOptions:
    """What the user can say about an import (CLI options, upload form fields)."""

    fmt: str = "auto"
    account: str | None = None
    year: int | None = None
    encoding: str | None = None
    source_tz: str | None = None
    mapping: Path | None = None
    observed_at: datetime | date | None = None  # a day means its end, workspace time
    limits: Limits = field(default_factory=Limits)


@dataclass
class FileReport:
    name: str
    format: str
    network: str
    account: str
    handle_origin: str
    observed_at: datetime | None
    observed_origin: str
    first_day: date | None
    last_day: date | None
    rows_read: int
    rows_used: int
    skipped: dict[str, int]
    warnings: list[str]
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["observed_at"] = self.observed_at.isoformat() if self.observed_at else None
        d["first_day"] = self.first_day.isoformat() if self.first_day else None
        d["last_day"] = self.last_day.isoformat() if self.last_day else None
        return d


@dataclass
class ImportPlan:
    """Everything parsed and mapped, nothing written yet."""

    workspace: Workspace
    files: list[FileReport]
    parsed: list[Parsed]
    accounts: list[tuple[Network, str]]
    rows: dict[str, int]
    preview: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.slug,
            "files": [f.as_dict() for f in self.files],
            "accounts": [f"{NETWORK_LABELS[n]} {h}" for n, h in self.accounts],
            "rows": self.rows,
            "preview": self.preview,
        }


@dataclass
class ImportResult:
    plan: ImportPlan
    batch_id: int | None
    rows: dict[str, int]
    already_imported: bool
    resumed: bool
    accounts_created: list[str]

    def as_dict(self) -> dict[str, Any]:
        d = self.plan.as_dict()
        d.update(batch_id=self.batch_id, written=self.rows, already_imported=self.already_imported,
                 resumed=self.resumed, accounts_created=self.accounts_created)
        return d


class ImportService:
    """Use case: files in, one atomic batch out."""

    def __init__(self, store: WorkspaceRepository, lake: DataLake, formats: ImportFormats,
                 tables: ImportLake) -> None:
        self.store = store
        self.lake = lake
        self.formats = formats  # the parsers (adapters/importers)
        self.tables = tables  # parsed files as lake tables (adapters/lake_imports.py)

    def format_ids(self) -> list[str]:
        """What ``--format`` accepts besides auto, in detection order."""
        return [f.id for f in self.formats.formats()]

    def plan(
        self,
        workspace: Workspace,
        files: Sequence[tuple[Path, str]],
        options: ImportOptions | None = None,
        progress: Progress = _no_progress,
        now: datetime | None = None,
    ) -> ImportPlan:
        """Parse and map every file; raise one clear error for the first bad file."""
        opts = options or ImportOptions()
        if not files:
            raise InvalidInput("no files to import")
        now = now or datetime.now(UTC)
        _check_tz(opts.source_tz)
        _check_observed(opts.observed_at, now.date())
        ctx = Context(tz=workspace.timezone, today=now.date(), now=now, account=opts.account,
                      year=opts.year, encoding=opts.encoding, source_tz=opts.source_tz,
                      mapping=opts.mapping, limits=opts.limits)
        forced = None if opts.fmt in ("", "auto") else opts.fmt
        if forced is not None and forced not in self.format_ids():
            raise InvalidInput(f"--format: unknown format {forced!r}; use auto or one of "
                               f"{', '.join(self.format_ids())}")
        if forced is None and opts.mapping is not None:  # a mapping file says how to read it
            forced = "generic"
        parsed: list[Parsed] = []
        for i, (path, name) in enumerate(files):
            progress(f"reading {name}", i, len(files))
            p = self.formats.read(Path(path), name or Path(path).name, ctx, forced)
            if p.network is None:  # pragma: no cover - parsers always set it
                raise InvalidInput(f"{name}: the format did not say which network")
            parsed.extend(by_network(p, self.store.accounts(workspace.id), ctx.account))
        progress("mapping", len(files), len(files))
        self._resolve_handles(parsed, ctx)
        self._resolve_observed(parsed, ctx, opts.observed_at)
        reports = [_report(p) for p in parsed]
        accounts = sorted({(p.network, h) for p in parsed for h in _handles(p)},
                          key=lambda a: (a[0].value, a[1]))
        rows = {
            "posts": sum(len(p.posts) for p in parsed if p.posts is not None),
            "post_snapshots": sum(len(p.snapshots) for p in parsed if p.snapshots is not None),
            "account_daily": sum(len(p.daily) for p in parsed if p.daily is not None),
            "audience": sum(len(p.audience) for p in parsed if p.audience is not None),
        }
        return ImportPlan(workspace, reports, parsed, accounts, rows, _preview(parsed))

    def commit(self, actor: Actor, plan: ImportPlan, source: str,
               progress: Progress = _no_progress) -> ImportResult:
        """Create missing accounts and write the whole import as one batch."""
        ws = plan.workspace
        authorize(actor, Action.DATA_IMPORT, ws.slug)
        known = {(a.network, a.handle) for a in self.store.accounts(ws.id)}
        ids: dict[tuple[Network, str], int] = {}
        created = []
        for network, handle in plan.accounts:
            acc = self.store.ensure_account(ws.id, network, handle)
            ids[(network, handle)] = acc.id
            if (network, handle) not in known:
                created.append(acc.label)
        progress("mapping rows", 0, 1)
        tables = self.tables.tables(plan.parsed, ids, ws.timezone)
        if "account_daily" in tables:
            tables["account_daily"] = self.tables.merge_daily(ws.id, tables["account_daily"])
        total = sum(plan.rows.values())
        progress("writing", 0, total)
        if not any(len(t) for t in tables.values()):
            progress("writing", total, total)
            return ImportResult(plan, None, {k: 0 for k in tables}, False, False, created)
        fmt = "+".join(sorted({_family(p.fmt) for p in plan.parsed}))
        res = self.lake.ingest(ws.id, source, fmt, tables)
        progress("writing", total, total)
        return ImportResult(plan, res.batch_id, res.rows, res.already_imported, res.resumed,
                            created)

    def run(self, actor: Actor, workspace: Workspace, files: Sequence[tuple[Path, str]],
            options: ImportOptions | None = None, progress: Progress = _no_progress,
            dry_run: bool = False) -> ImportResult | ImportPlan:
        """Plan, then (unless ``dry_run``) commit: the import as the CLI runs it."""
        plan = self.plan(workspace, files, options, progress)
        if dry_run:
            return plan
        return self.commit(actor, plan, ", ".join(name for _, name in files)[:500], progress)

    # --- resolution -----------------------------------------------------------------------

    def _resolve_handles(self, parsed: list[Parsed], ctx: Context) -> None:
        """--account wins; then the file's own handle; then another file of the same network
        in this import; then a file-name prefix ("NPLF_LinkedIn_Q1.xls" -> NPLF)."""
        by_network: dict[Network, str] = {}
        for p in parsed:
            if p.handle and p.network not in by_network:
                by_network[p.network] = p.handle
        for p in parsed:
            if ctx.account:
                p.handle, p.handle_origin = clean_handle(ctx.account), "--account"
                for t in TABLES:
                    tab = getattr(p, t)
                    if tab is not None and "handle" in tab.column_names:
                        setattr(p, t, tab.drop_columns(["handle"]))
                continue
            if not p.handle and p.network in by_network:
                p.handle = by_network[p.network]
                p.handle_origin = "another file of this import"
            if not p.handle:
                prefix = Path(p.name).stem.split("_")[0].strip()
                if "_" in Path(p.name).stem and prefix:
                    p.handle, p.handle_origin = prefix, "the file name (prefix before '_')"
            if not p.handle:
                raise InvalidInput(f"{p.name}: the file does not say which account it belongs "
                                   "to; pass --account HANDLE")
            p.handle = clean_handle(p.handle)

    def _resolve_observed(self, parsed: list[Parsed], ctx: Context,
                          forced: datetime | date | None) -> None:
        """The file's own export date; else another file of the same account in this import;
        else the import time. Every file says which it used."""
        ctx_obs: dict[tuple[Network, str], tuple[datetime, str]] = {}
        for p in parsed:
            if p.observed_at is not None and p.handle:
                key = (p.network, p.handle)
                if key not in ctx_obs or p.observed_at > ctx_obs[key][0]:
                    ctx_obs[key] = (p.observed_at, p.name)
        for p in parsed:
            if isinstance(forced, datetime):
                p.observed_at, p.observed_origin = forced.astimezone(UTC), "--observed-at"
            elif forced is not None:
                p.observed_at, p.observed_origin = end_of_day(forced, ctx.tz), "--observed-at"
            elif p.observed_at is None and p.handle and (p.network, p.handle) in ctx_obs:
                obs, other = ctx_obs[(p.network, p.handle)]
                p.observed_at, p.observed_origin = obs, f"the export date of {other}"
            elif p.observed_at is None:
                p.observed_at = ctx.now
                p.observed_origin = ("import time: the file has no export date; pass "
                                     "--observed-at to set it")
                if p.snapshots is not None and len(p.snapshots) and p.last_day is not None:
                    p.warnings.append(
                        "counts observed at import time: metrics for periods that end before "
                        f"{ctx.now.date()} do not see them; pass --observed-at with the day "
                        "of the export")


#: The tables of a parsed file (see ``Parsed``).
TABLES = ("posts", "snapshots", "daily", "audience")


def by_network(p: Parsed, accounts: Sequence[Account], account: str | None) -> list[Parsed]:
    """A file whose rows name their network (a generic mapping with ``network_column``, GA4
    traffic by social source) as one part per network, so that each part's rows go to an
    account of that network. A part with no handle of its own takes ``account`` (--account),
    else the workspace's only account on that network."""
    split = [t for t in TABLES
             if getattr(p, t) is not None and "network" in getattr(p, t).column_names]
    if not split:
        return [p]
    networks = sorted({n for t in split for n in getattr(p, t)["network"].to_pylist() if n})
    parts: list[Parsed] = []
    for i, name in enumerate(networks):
        network = parse_enum(Network, name, f"{p.name}: network")
        part = replace(p, network=network, skipped=Counter(p.skipped) if i == 0 else Counter(),
                       warnings=list(p.warnings) if i == 0 else [],
                       notes=list(p.notes) if i == 0 else [])
        used = 0
        import pyarrow.compute as pc  # here, not at the top: `socialpulse --help` imports us

        for t in split:
            table = getattr(p, t)
            rows = table.filter(pc.equal(table["network"], name)).drop_columns(["network"])
            setattr(part, t, rows)
            used = max(used, len(rows))
        part.rows_read = part.rows_used = used
        named = sorted({h for t in split if "handle" in getattr(part, t).column_names
                        for h in getattr(part, t)["handle"].to_pylist() if h})
        if named and not account:  # the part's own rows name accounts: the first is its own
            part.handle = named[0]
        elif not part.handle and not account:
            part.handle, part.handle_origin = _only_account(p.name, network, accounts)
        parts.append(part)
    return parts


def _only_account(name: str, network: Network, accounts: Sequence[Account]) -> tuple[str, str]:
    """The workspace's one account on a network, for rows that only name the network."""
    label = NETWORK_LABELS[network]
    mine = [a for a in accounts if a.network is network]
    if len(mine) == 1:
        return mine[0].handle, f"the workspace's only {label} account"
    if not mine:
        raise InvalidInput(f"{name}: rows for {label}, but the workspace has no {label} "
                           "account; import its exports first or pass --account")
    raise InvalidInput(f"{name}: rows for {label}, and the workspace has {len(mine)} {label} "
                       f"accounts ({', '.join(sorted(a.handle for a in mine))}); pass --account")


def _family(fmt: str) -> str:
    """The ledger's format name: the registry's format id ("tiktok" for all TikTok Studio
    files, whose parsers name the sheets they read: tiktok-overview...), "x-tweets" as is."""
    head = fmt.split("-")[0]
    return head if head in FORMAT_IDS else fmt


def _check_observed(at: datetime | date | None, today: date) -> None:
    """A forced observation time follows the data's plausible range: counts observed in 2099
    would be hidden from every period."""
    if at is not None:
        why = implausible_data_date(at.date() if isinstance(at, datetime) else at, today)
        if why is not None:
            raise InvalidInput(f"--observed-at: date out of range: {why}")


def _check_tz(tz: str | None) -> None:
    if tz is None:
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"--source-tz: unknown time zone {tz!r}") from None


def _handles(p: Parsed) -> set[str]:
    import pyarrow.compute as pc  # here, not at the top: `socialpulse --help` imports us

    out = {p.handle} if p.handle else set()
    for t in (getattr(p, name) for name in TABLES):
        if t is not None and "handle" in t.column_names:
            out |= {clean_handle(h) for h in pc.unique(pc.drop_null(t["handle"])).to_pylist() if h}
    return out


def _report(p: Parsed) -> FileReport:
    return FileReport(
        name=p.name, format=p.fmt, network=p.network.value,
        account=f"{NETWORK_LABELS[p.network]} {p.handle}", handle_origin=p.handle_origin,
        observed_at=p.observed_at, observed_origin=p.observed_origin,
        first_day=p.first_day, last_day=p.last_day, rows_read=p.rows_read,
        rows_used=p.rows_used, skipped=dict(Counter(p.skipped)), warnings=list(p.warnings),
        notes=list(p.notes),
    )


def _preview(parsed: list[Parsed]) -> list[dict[str, Any]]:
    """The first rows of each file as they will be stored (posts with their counters, or
    daily rows)."""
    out: list[dict[str, Any]] = []
    for p in parsed:
        if p.posts is not None and len(p.posts):
            head = p.posts.slice(0, PREVIEW_ROWS).to_pylist()
            snaps: dict[str, dict[str, Any]] = {}
            if p.snapshots is not None:
                for r in p.snapshots.slice(0, 200).to_pylist():
                    snaps.setdefault(str(r["post_id"]), r)
            for r in head:
                row: dict[str, Any] = {"file": p.name, "account": p.handle,
                                       "post_id": r.get("post_id")}
                when = r.get("published_at") or r.get("local_date")
                row["published"] = when.isoformat() if when is not None else None
                text = r.get("text") or ""
                row["text"] = text[:60] + ("…" if len(text) > 60 else "")
                s = snaps.get(str(r.get("post_id")), {})
                for k, v in s.items():
                    if k not in ("handle", "post_id", "observed_at"):
                        row[k] = v
                out.append(row)
            continue
        for table in (p.daily, p.audience):  # daily rows, or an audience breakdown
            for r in (table.slice(0, PREVIEW_ROWS).to_pylist() if table is not None else []):
                row = {"file": p.name, "account": p.handle}
                row.update({k: (v.isoformat() if isinstance(v, date) else v)
                            for k, v in r.items() if k != "handle"})
                out.append(row)
    return out
