"""Any CSV/XLSX with a mapping file that says which column holds what.

The mapping is YAML (see docs/importers.md)::

    network: facebook            # or network_column: Network
    account: acme                # or account_column: Page
    dataset: posts               # posts (with counters) or account_daily
    sheet: Posts                 # XLSX only; default: the first sheet
    header_row: 1                # where the header is (a note may come first)
    timezone: Europe/Madrid      # for times without an offset (default: the workspace's)
    columns:                     # socialpulse field: column header in the file
      post_id: ID
      published_at: Date
      impressions: Impressions

Every field name is checked, and every column named must exist in the file. The fields are
the lake's own columns (``Lake`` schemas), so every catalogue input can be imported and a new
dataset column is mappable without a second list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import yaml

from socialpulse.domain.datasets import MAPPING_FIELDS, POST_COUNTERS, STORED
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import Network, parse_enum

from .base import (
    TS,
    Context,
    Parsed,
    Sheet,
    cover_days,
    fail,
    int_column,
    read_time,
    to_utc,
)
from .readers import make_sheet
from .source import Source

#: Mappable fields per dataset (the dataset registry's), and the post counters among them.
FIELDS = MAPPING_FIELDS
POST_FIELDS = FIELDS["posts"]
COUNTERS = POST_COUNTERS
DAILY = FIELDS["account_daily"]
KEYS = {"network", "network_column", "account", "account_column", "dataset", "sheet",
        "header_row", "timezone", "columns"}


def detect(src: Source) -> bool:
    return src.kind in ("csv", "xlsx", "xls")


def load_mapping(path: Path) -> dict[str, Any]:
    name = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"--mapping: cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"{name}: invalid YAML{at}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{name}: a mapping file is a YAML object with 'columns'")
    unknown = set(data) - KEYS
    if unknown:
        raise InvalidInput(f"{name}: unknown key {sorted(unknown)[0]!r}; use "
                           f"{', '.join(sorted(KEYS))}")
    dataset = data.get("dataset", "posts")
    if dataset not in ("posts", "account_daily"):
        raise InvalidInput(f"{name}: dataset must be posts or account_daily, not {dataset!r}")
    cols = data.get("columns")
    if not isinstance(cols, dict) or not cols:
        raise InvalidInput(f"{name}: 'columns' must map socialpulse fields to column headers")
    allowed = FIELDS[dataset]
    for k, v in cols.items():
        if k not in allowed:
            raise InvalidInput(f"{name}: columns.{k}: unknown field for {dataset}; use "
                               f"{', '.join(allowed)}")
        if not isinstance(v, str | int) or not str(v).strip():
            raise InvalidInput(f"{name}: columns.{k}: give the column header as text")
    need = ("post_id",) if dataset == "posts" else ("date",)
    for k in need:
        if k not in cols:
            raise InvalidInput(f"{name}: columns.{k} is required for {dataset}")
    if dataset == "posts" and "published_at" not in cols:
        raise InvalidInput(f"{name}: columns.published_at is required for posts")
    if not data.get("network") and not data.get("network_column"):
        raise InvalidInput(f"{name}: say the network (network: x) or its column (network_column)")
    if data.get("network"):
        parse_enum(Network, str(data["network"]), f"{name}: network")
    return data


def _sheet(src: Source, m: dict[str, Any], ctx: Context) -> tuple[Sheet, str]:
    """The mapped sheet (a CSV, or the mapping's sheet of a workbook) and its label."""
    if src.kind == "csv":
        rows: list[list[Any]] = list(src.rows)
        label = src.name
    elif src.kind in ("xlsx", "xls"):
        sheets = src.sheets
        sname = str(m.get("sheet") or next(iter(sheets)))
        if sname not in sheets:
            raise fail(src.name, f"no sheet {sname!r} (sheets: {', '.join(sheets)})")
        rows, label = sheets[sname], f"{src.name} [{sname}]"
    else:
        raise fail(src.name, "the generic format reads CSV or XLSX files")
    hr = int(m.get("header_row", 1)) - 1
    if hr < 0 or hr >= len(rows):
        raise fail(src.name, f"header_row {hr + 1} is outside the file")
    return make_sheet(label, rows, hr, ctx.limits), label


class _Mapped:
    """The mapping's columns of one sheet, read as typed arrays."""

    def __init__(self, sheet: Sheet, cols: dict[str, str], label: str, ctx: Context,
                 tz: str) -> None:
        self.sheet, self.cols, self.label, self.ctx, self.tz = sheet, cols, label, ctx, tz
        self.idx = {k: sheet.col(v) for k, v in cols.items()}
        for k, i in self.idx.items():
            if i is None:
                raise fail(label, f"column {cols[k]!r} (for {k}, from the mapping) is missing")

    def times(self, field: str, as_date: bool) -> pa.Array:
        vals: list[Any] = []
        for i, v in enumerate(self.sheet.values(self.idx.get(field))):
            if v in (None, ""):
                vals.append(None)
                continue
            dt, _ = read_time(v, self.ctx.today, self.label, self.sheet.row_number(i),
                              self.cols[field], "a date" if as_date else "a date/time")
            vals.append(dt.date() if as_date else to_utc(dt, self.tz))
        return pa.array(vals, pa.date32() if as_date else TS)

    def text(self, field: str) -> pa.Array:
        return pa.array([str(v) if v not in (None, "") else None
                         for v in self.sheet.values(self.idx.get(field))], pa.string())


def parse(src: Source, ctx: Context) -> Parsed:
    if ctx.mapping is None:
        raise InvalidInput(f"{src.name}: the generic format needs a mapping file (--mapping)")
    m = load_mapping(ctx.mapping)
    sheet, label = _sheet(src, m, ctx)
    r = _Mapped(sheet, {k: str(v) for k, v in m["columns"].items()}, label, ctx,
                str(m.get("timezone") or ctx.source_tz or ctx.tz))
    net_col = sheet.col(str(m["network_column"])) if m.get("network_column") else None
    checked = (_row_networks(sheet, net_col, label)
               if net_col is not None and not m.get("network") else None)
    nets = sorted(set(checked.to_pylist())) if checked is not None else []
    network = parse_enum(Network, str(m.get("network") or (nets[0] if nets else "")),
                         "network")
    # several networks in one file: each row keeps its own, and the import gives each
    # network's rows to that network's account
    row_networks = checked if len(nets) > 1 else None
    out = Parsed(src.name, "generic", network)
    out.rows_read = out.rows_used = len(sheet.rows)
    acc_col = sheet.col(str(m["account_column"])) if m.get("account_column") else None
    if m.get("account"):
        out.handle, out.handle_origin = str(m["account"]), "the mapping file"
    handles = pa.array([str(v).strip() if v else None for v in sheet.values(acc_col)]
                       if acc_col is not None else [None] * len(sheet.rows), pa.string())
    named = sorted({h for h in handles.to_pylist() if h})
    if named and not out.handle:  # rows name their accounts: the file's own is the first
        out.handle, out.handle_origin = named[0], f"the column {m['account_column']!r}"
    if m.get("dataset", "posts") == "posts":
        _posts(out, r, handles, row_networks)
    else:
        _daily(out, r, handles, row_networks)
    return out


def _posts(out: Parsed, r: _Mapped, handles: pa.Array, row_networks: pa.Array | None) -> None:
    ids = r.text("post_id")
    if ids.null_count:
        raise fail(r.label, f"{ids.null_count} rows have no {r.cols['post_id']!r} (post_id)")
    post_cols: dict[str, pa.Array] = {"handle": handles, "post_id": ids,
                                      "published_at": r.times("published_at", False)}
    for f in ("post_type", "text", "url", "campaign"):
        if f in r.idx:
            post_cols[f] = r.text(f)
    out.posts = _with_networks(pa.table(post_cols), row_networks)
    snap: dict[str, pa.Array] = {"handle": handles, "post_id": ids}
    if "observed_at" in r.idx:
        snap["observed_at"] = r.times("observed_at", False)
    snap.update({c: int_column(r.sheet, r.idx[c]) for c in COUNTERS if c in r.idx})
    out.snapshots = _with_networks(pa.table(snap), row_networks)


#: Daily fields stored as decimals (the rest are counts).
_FLOATS = frozenset(c.name for c in STORED["account_daily"].columns if c.type == "float64")


def _daily(out: Parsed, r: _Mapped, handles: pa.Array, row_networks: pa.Array | None) -> None:
    days = r.times("date", True)
    out.daily = _with_networks(pa.table({
        "handle": handles, "date": days,
        **{f: (_floats(r.sheet, r.idx[f]) if f in _FLOATS else int_column(r.sheet, r.idx[f]))
           for f in DAILY[1:] if f in r.idx}}), row_networks)
    cover_days(out, [d for d in days.to_pylist() if d], r.ctx.tz, "the file's last day {}")


def _row_networks(sheet: Sheet, col: int | None, label: str) -> pa.Array:
    """Each row's network, checked (one bad cell names its row)."""
    out = []
    for i, v in enumerate(sheet.values(col)):
        try:
            out.append(parse_enum(Network, str(v or ""), "network").value)
        except InvalidInput as exc:
            raise fail(label, exc.message, sheet.row_number(i),
                       sheet.header[col] if col is not None else None) from None
    return pa.array(out, pa.string())


def _with_networks(table: pa.Table, networks: pa.Array | None) -> pa.Table:
    return table if networks is None else table.append_column("network", networks)


def _floats(sheet: Sheet, i: int | None) -> pa.Array:
    from .base import parse_number

    out = []
    for r, v in enumerate(sheet.values(i)):
        try:
            out.append(parse_number(v))
        except ValueError:
            raise fail(sheet.name, f"expected a number, found {str(v)[:40]!r}",
                       sheet.row_number(r), sheet.header[i] if i is not None else None) from None
    return pa.array(out, pa.float64())
