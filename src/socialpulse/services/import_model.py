"""The values an import passes between its parsers, the import service and the lake.

They live with the services (not in `adapters/importers`) because the import service works on
them between parsing and writing (handles, observation times, networks of mixed files), and
services do not import adapters: the parsers (`adapters/importers`) and the lake's import
tables (`adapters/lake_imports.py`) take and give these, behind the ports of
`services/ports.py` (`ImportFormats`, `ImportLake`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from socialpulse.domain.models import Network

if TYPE_CHECKING:  # annotations only: `socialpulse --help` must not import PyArrow
    import pyarrow as pa


@dataclass(frozen=True)
class Limits:
    """Size limits for untrusted files (configurable per import); the one set every file
    reader uses, platform exports and mention files alike."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_cell_bytes: int = 1024 * 1024
    max_rows: int = 20_000_000
    #: what an XLSX may unzip to (a zip bomb of repeated cells compresses 100-fold and more)
    max_inflated_bytes: int = 256 * 1024 * 1024
    #: cells read from one workbook (rows times columns): bounds memory and time per import
    max_cells: int = 2_000_000


#: The limits of listening's mention files (`adapters/connectors`): the same checks, with room
#: for bigger files, since a mentions file is read a line (a record) at a time, never as a
#: workbook; a line is bounded like a cell.
MENTION_LIMITS = Limits(max_file_bytes=512 * 1024 * 1024)


@dataclass(frozen=True)
class Context:
    """What an importer may use besides the file: options and the import's context."""

    tz: str = "UTC"  # the workspace's time zone: day boundaries
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    account: str | None = None  # --account
    year: int | None = None  # --year, for exports whose dates have no year (TikTok)
    encoding: str | None = None  # --encoding, when a CSV is not UTF-8/UTF-16
    source_tz: str | None = None  # --source-tz, for exports with naive local times
    mapping: Path | None = None  # --mapping, for generic CSV/XLSX
    limits: Limits = field(default_factory=Limits)


@dataclass
class Parsed:
    """One file, mapped to the lake's vocabulary but not yet to account ids.

    Tables carry a ``handle`` column (null: the file's handle). ``posts`` has post_id,
    published_at (UTC) and/or local_date (when the export gives only a day), post_type, text,
    url; ``snapshots`` has post_id, observed_at (null: the file's) and the counters it knows;
    ``daily`` has date and the daily fields it knows. Columns the export lacks are absent, so
    they stay null in the lake. A ``network`` column (files that mix networks) splits the file
    into one part per network before accounts are resolved.
    """

    name: str
    fmt: str
    network: Network
    handle: str | None = None
    handle_origin: str = ""
    posts: pa.Table | None = None
    snapshots: pa.Table | None = None
    daily: pa.Table | None = None
    #: audience breakdowns: date (the last day described), dimension, value, count, share
    audience: pa.Table | None = None
    observed_at: datetime | None = None
    observed_origin: str = ""
    first_day: date | None = None
    last_day: date | None = None  # last day the export covers (inclusive)
    rows_read: int = 0
    rows_used: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def end_of_day(d: date, tz: str) -> datetime:
    """The last second of a local day, in UTC: the observation time of an export ending on d.

    Metrics for a period take each post's latest snapshot observed before the period ends (in
    the workspace's time zone), so an export of a month must be observed within that month.
    """
    nxt = datetime.combine(d + timedelta(days=1), datetime.min.time(), ZoneInfo(tz))
    return (nxt - timedelta(seconds=1)).astimezone(UTC)


def clean_handle(handle: str) -> str:
    """An account handle as stored: no surrounding spaces, no leading @."""
    return handle.strip().lstrip("@").strip()
