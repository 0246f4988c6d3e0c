"""What every importer shares: limits, decoding, sheets, number and date parsing, errors.

Files from users are untrusted. Everything here fails with one :class:`InvalidInput` line that
names the file and, where it can, the row (as a spreadsheet shows it: the header is row 1) and
the column, so the user can open the file and fix it. Nothing is written until every file of an
import has parsed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from socialpulse.domain.datasets import POST_COUNTERS
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.periods import implausible_data_date
from socialpulse.services.import_model import Context as Context  # the parsers' shared values
from socialpulse.services.import_model import Limits as Limits
from socialpulse.services.import_model import Parsed as Parsed
from socialpulse.services.import_model import end_of_day as end_of_day

TS = pa.timestamp("us", tz="UTC")

#: Counters of a post snapshot (the registry's post counters) and daily account fields we fill.
COUNTERS = POST_COUNTERS
DAILY_FIELDS = ("followers", "profile_views", "ad_clicks", "ad_impressions", "ad_spend")

#: The largest count accepted: a trillion is beyond any post's or account's count (the most
#: viewed video has some 16 billion views) and small enough that sums over millions of rows
#: stay within 64 bits. A larger value is a corrupt cell, not data.
MAX_COUNT = 10**12

#: Cell values platforms use for "no value": kept as null, never 0.
NULL_TOKENS = frozenset({"", "-", "undefined", "null", "none", "n/a", "na", "--", "nan"})


def fail(name: str, message: str, row: int | None = None, column: str | None = None
         ) -> InvalidInput:
    """One line naming file, row and column."""
    where = name
    if row is not None:
        where += f": row {row}"
    if column is not None:
        where += f", column {column!r}" if row is not None else f": column {column!r}"
    return InvalidInput(" ".join(f"{where}: {message}".split()))  # always one line


# --- decoding -------------------------------------------------------------------------------


def read_bytes(path: Path, name: str, limits: Limits) -> bytes:
    """The file's bytes, refusing files over the size limit before reading them."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise fail(name, f"cannot read: {exc.strerror or exc}") from None
    if size > limits.max_file_bytes:
        raise fail(name, f"file is {size / 2**20:.1f} MB, over the limit of "
                   f"{limits.max_file_bytes / 2**20:.0f} MB (raise it with --max-file-mb)")
    if size == 0:
        raise fail(name, "file is empty")
    return path.read_bytes()


def _row_col_of_offset(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, roughly) of a byte offset."""
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1


def to_utf8(data: bytes, name: str, encoding: str | None = None) -> bytes:
    """UTF-8 bytes without BOM: UTF-8 (BOM or not), UTF-16 with BOM, or a named encoding.

    We do not guess legacy encodings: a wrong guess silently corrupts text, so a file that is
    not UTF-8 gets an error that says where and how to name its encoding.
    """
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise fail(name, f"unknown encoding {encoding!r} (--encoding)") from None
        except UnicodeDecodeError as exc:
            line, col = _row_col_of_offset(data, exc.start)
            raise fail(name, f"not valid {encoding} at line {line}, character {col}") from None
        return text.lstrip("\ufeff").encode("utf-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").lstrip("\ufeff").encode("utf-8")
        except UnicodeDecodeError:
            raise fail(name, "starts with a UTF-16 mark but is not valid UTF-16") from None
    if b"\x00" in data[:4096]:
        raise fail(name, "binary data, not a text file (NUL bytes near the start)")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _row_col_of_offset(data, exc.start)
        raise fail(name, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, "
                   f"character {col}; re-save as UTF-8 or pass --encoding (e.g. cp1252)"
                   ) from None
    return data


# --- sheets ---------------------------------------------------------------------------------


@dataclass
class Sheet:
    """A grid of cells with a header row; ``first_row`` is the spreadsheet row of data[0]."""

    name: str  # file name, plus " [sheet]" for workbooks
    header: list[str]
    rows: list[list[Any]]
    first_row: int
    descriptions: list[str] = field(default_factory=list)
    numbers: list[int] | None = None  # spreadsheet row of each data row, when not contiguous

    def __post_init__(self) -> None:
        self._index: dict[str, list[int]] = {}
        for i, h in enumerate(self.header):
            self._index.setdefault(norm(h), []).append(i)

    def has(self, *names: str) -> bool:
        return any(norm(n) in self._index for n in names)

    def col(self, *names: str, required: bool = False) -> int | None:
        """Index of the first header matching any name (case/space-insensitive). A header the
        file repeats is refused: which of its columns holds the data cannot be known."""
        for n in names:
            idx = self._index.get(norm(n))
            if idx and len(idx) > 1:
                raise repeated_column(self.name, self.header[idx[0]], idx)
            if idx:
                return idx[0]
        if required:
            raise fail(self.name, f"required column {names[0]!r} is missing (columns: "
                       f"{', '.join(h for h in self.header if h)[:300]})")
        return None

    def values(self, idx: int | None) -> list[Any]:
        if idx is None:
            return [None] * len(self.rows)
        return [r[idx] if idx < len(r) else None for r in self.rows]

    def row_number(self, i: int) -> int:
        return self.numbers[i] if self.numbers is not None else self.first_row + i

    def subset(self, keep: Sequence[int]) -> Sheet:
        """The rows at ``keep`` as a sheet of their own that still knows each row's spreadsheet
        number, so that errors found after rows were dropped point at the row the user sees."""
        return Sheet(self.name, self.header, [self.rows[i] for i in keep], self.first_row,
                     self.descriptions, numbers=[self.row_number(i) for i in keep])


def repeated_column(name: str, column: str, positions: Sequence[int]) -> InvalidInput:
    """The error for a header row that names a column the importer reads more than once."""
    where = ", ".join(str(i + 1) for i in positions)
    return fail(name, f"the header names this column {len(positions)} times (columns {where}); "
                "keep one", column=column)


def norm(s: Any) -> str:
    return re.sub(r"\s+", " ", str(s or "")).strip().lower()


def cell_str(v: Any) -> str | None:
    """A cell as text; None for empty and null tokens."""
    if v is None:
        return None
    if isinstance(v, float):
        if math.isnan(v):
            return None
        s = repr(v)
    else:
        s = str(v)
    s = s.strip()
    return None if s.lower() in NULL_TOKENS else s


def check_cells(sheet: Sheet, limits: Limits) -> None:
    for i, r in enumerate(sheet.rows):
        for j, v in enumerate(r):
            if isinstance(v, str) and len(v) > limits.max_cell_bytes:
                col = sheet.header[j] if j < len(sheet.header) else f"#{j + 1}"
                raise fail(sheet.name, f"cell is {len(v):,} characters, over the limit of "
                           f"{limits.max_cell_bytes:,}", sheet.row_number(i), col)


# --- numbers --------------------------------------------------------------------------------

_NUM = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d*)?([eE][+-]?\d+)?$")


def parse_number(v: Any) -> float | None:
    """A count or rate as a platform writes it: 12, "12", "1777.0", "1,234", "3.5%"; None for
    null tokens. Raises ValueError for anything else."""
    if v is None or isinstance(v, bool):
        if isinstance(v, bool):
            raise ValueError("boolean")
        return None
    if isinstance(v, int | float):
        if isinstance(v, float) and math.isnan(v):
            return None
        return float(v)
    s = str(v).strip()
    if s.lower() in NULL_TOKENS:
        return None
    pct = s.endswith("%")
    if pct:
        s = s[:-1].strip()
    if not _NUM.match(s):
        raise ValueError(s)
    f = float(s.replace(",", ""))
    if not math.isfinite(f):
        raise ValueError(s)
    return f / 100 if pct else f


def count_problem(value: float, signed: bool = False) -> str | None:
    """Why a number cannot be a count (None when it can): a count is a whole number from 0
    (from -MAX_COUNT when ``signed``) to :data:`MAX_COUNT`. One rule for every importer and
    connector: 2.5 likes is a broken cell, not 2 likes, and 10^30 is not a count at all."""
    if value < 0 and not signed:
        return "a count cannot be negative"
    if abs(value) > MAX_COUNT:
        return f"count out of range (over {MAX_COUNT:,})"
    if value != int(value):
        return "a count is a whole number"
    return None


def int_column(sheet: Sheet, idx: int | None, rows: Sequence[int] | None = None,
               signed: bool = False) -> pa.Array:
    """A column of counts (int64, null where the export has no value); ``signed`` for daily
    net changes, which go below zero (TikTok's Overview writes -1 comments on a day when more
    comments were deleted than written)."""
    out: list[int | None] = []
    values = sheet.values(idx)
    picks = range(len(values)) if rows is None else rows
    column = sheet.header[idx] if idx is not None else None
    for i in picks:
        v = values[i]
        try:
            f = parse_number(v)
        except ValueError:
            raise fail(sheet.name, f"expected a count, found {str(v)[:40]!r}",
                       sheet.row_number(i), column) from None
        if f is not None and (why := count_problem(f, signed)) is not None:
            raise fail(sheet.name, f"{why}: {str(v)[:40]!r}", sheet.row_number(i), column)
        out.append(None if f is None else int(f))
    return pa.array(out, pa.int64())


def sum_columns(arrays: Iterable[pa.Array]) -> pa.Array:
    """Sum of counts where at least one is known (nulls count as 0 only beside a known value)."""
    arrays = list(arrays)
    total: pa.Array | None = None
    known: pa.Array | None = None
    for a in arrays:
        filled = pc.fill_null(a, 0)
        total = filled if total is None else pc.add(total, filled)
        valid = pc.is_valid(a)
        known = valid if known is None else pc.or_(known, valid)
    if total is None or known is None:
        raise ValueError("no columns")
    return pc.if_else(known, total, pa.scalar(None, pa.int64()))


# --- dates ----------------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d",
                 "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y")
_DT_FORMATS = ("%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z",
               "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
               "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p",
               "%m/%d/%y %I:%M %p", "%m/%d/%Y %H:%M:%S")


def excel_serial(v: float) -> datetime:
    if not 1 <= v < 2_958_466:  # 1900-01-01 .. 9999-12-31
        raise ValueError(v)
    return datetime.combine(_EXCEL_EPOCH, datetime.min.time()) + timedelta(days=v)


def parse_datetime(v: Any) -> tuple[datetime, bool]:
    """A date or time cell: (value, has_time). Aware values are converted to UTC; naive ones
    stay naive (the caller decides their zone). Raises ValueError, also for impossible days
    (2021-02-30 is refused, never rolled over to March) and times that leave the calendar
    when converted to UTC (9999-12-31 23:00 -0500)."""
    try:
        return _parse_datetime(v)
    except OverflowError:
        raise ValueError(v) from None


def check_day(d: date, today: date, name: str, row: int | None, column: str | None) -> None:
    """Refuse a day outside the plausible range, naming file, row and column. Every importer
    calls this for every date it stores; the range itself is :mod:`socialpulse.domain.periods`'
    (from 2004 to two days after the import's ``today``)."""
    why = implausible_data_date(d.date() if isinstance(d, datetime) else d, today)
    if why is not None:
        raise fail(name, f"date out of range: {why}", row, column)


def read_time(v: Any, today: date, name: str, row: int | None, column: str | None,
              expected: str) -> tuple[datetime, bool]:
    """:func:`parse_datetime` and :func:`check_day` in one: a cell that is not a date says
    what was ``expected`` (e.g. "a date like 04/01/2020"), one outside the range says why."""
    try:
        dt, has_time = parse_datetime(v)
    except ValueError:
        raise fail(name, f"expected {expected}, found {str(v)[:40]!r}", row, column) from None
    check_day(dt, today, name, row, column)
    return dt, has_time


def _parse_datetime(v: Any) -> tuple[datetime, bool]:
    if isinstance(v, datetime):
        return (v.astimezone(UTC) if v.tzinfo else v), True
    if isinstance(v, date):
        return datetime.combine(v, datetime.min.time()), False
    if isinstance(v, int | float) and not isinstance(v, bool):
        d = excel_serial(float(v))
        return d, d.time() != datetime.min.time()
    s = str(v or "").strip()
    if not s:
        raise ValueError("empty")
    if re.fullmatch(r"\d{5}(\.\d+)?", s):  # an Excel day number written as text (1927-2173)
        d = excel_serial(float(s))
        return d, d.time() != datetime.min.time()
    if s.endswith("Z"):
        s = s[:-1] + "+0000"
    for f in _DATE_FORMATS:
        try:
            return datetime.strptime(s, f), False
        except ValueError:
            pass
    for f in _DT_FORMATS:
        try:
            d = datetime.strptime(s, f)
        except ValueError:
            continue
        return (d.astimezone(UTC) if d.tzinfo else d), True
    try:
        d = datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(s) from None
    return (d.astimezone(UTC) if d.tzinfo else d), True


def date_column(sheet: Sheet, idx: int, today: date, like: str = "") -> list[date]:
    """The days of a date column, in file order.

    One bad or implausible cell stops the import with its row and column; ``like`` adds an
    example of the style the export writes (e.g. US 04/01/2020), where that helps the user
    fix the cell.
    """
    expected = f"a date like {like}" if like else "a date"
    return [read_time(v, today, sheet.name, sheet.row_number(i), sheet.header[idx],
                      expected)[0].date() for i, v in enumerate(sheet.values(idx))]


def to_utc(naive: datetime, tz: str) -> datetime:
    """A naive local time in ``tz`` as a UTC instant."""
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def month_day(s: str) -> tuple[int, int]:
    """"February 28" / "Feb 28" / "28 February" -> (2, 28). Raises ValueError."""
    parts = re.split(r"[\s,]+", s.strip().lower())
    if len(parts) != 2:
        raise ValueError(s)
    a, b = parts
    if a in _MONTHS and b.isdigit():
        m, d = _MONTHS[a], int(b)
    elif b in _MONTHS and a.isdigit():
        m, d = _MONTHS[b], int(a)
    else:
        raise ValueError(s)
    date(2000, m, d)  # validates (2000 is a leap year)
    return m, d


def assign_years(md: Sequence[tuple[int, int]], last_year: int) -> list[date]:
    """Dates in file order, the last in ``last_year``; walking back, a month that jumps forward
    (January -> December) means the previous year. Raises ValueError on an impossible date."""
    out: list[date] = []
    year = last_year
    prev: tuple[int, int] | None = None
    for m, d in reversed(md):
        if prev is not None and (m, d) > prev:
            year -= 1
        out.append(date(year, m, d))
        prev = (m, d)
    out.reverse()
    return out


def latest_year_not_after(m: int, d: int, today: date) -> int:
    """The year that puts month/day at or before today (an export cannot cover the future)."""
    year = today.year
    while True:
        try:
            if date(year, m, d) <= today:
                return year
        except ValueError:  # 29 February
            pass
        year -= 1


# --- tables ---------------------------------------------------------------------------------


def cover_days(out: Parsed, days: Sequence[date], tz: str,
               origin: str = "the export's last day {}") -> None:
    """Record the days a daily export covers, and observe it at the end of the last one.

    Daily rows carry no time of export, and an export cannot predate its last day; observing it
    then keeps it inside the period it describes (see :func:`end_of_day`). ``origin`` says where
    that day came from (``{}`` is the day), for the import report. No days: nothing is set.
    """
    if days:
        last = max(days)
        out.first_day, out.last_day = min(days), last
        out.observed_at = end_of_day(last, tz)
        out.observed_origin = origin.format(last)


def add_posts(out: Parsed, ids: Sequence[str], handles: Sequence[str | None],
              posts: dict[str, pa.Array], counters: dict[str, pa.Array], handle_origin: str
              ) -> None:
    """Store posts and their counters under the same (handle, post_id) keys, and take the
    file's handle from its rows (the first in sorted order), so that exports whose rows name
    the account need no --account. ``posts`` and ``counters`` are the other columns."""
    handle_col = pa.array(handles, pa.string())
    id_col = pa.array(ids, pa.string())
    out.posts = pa.table({"handle": handle_col, "post_id": id_col, **posts})
    out.snapshots = pa.table({"handle": handle_col, "post_id": id_col, **counters})
    out.rows_used = len(ids)
    named = sorted({h for h in handles if h})
    if named:
        out.handle, out.handle_origin = named[0], handle_origin


def table(columns: dict[str, pa.Array | list[Any]], types: dict[str, pa.DataType] | None = None
          ) -> pa.Table:
    arrays = {}
    for k, v in columns.items():
        t = (types or {}).get(k)
        arrays[k] = v if isinstance(v, pa.Array | pa.ChunkedArray) else pa.array(v, t)
    return pa.table(arrays)


def post_type_of(value: str | None, mapping: Callable[[str], str] | None = None) -> str | None:
    if value is None:
        return None
    v = value.strip().lower()
    return mapping(v) if mapping else v
