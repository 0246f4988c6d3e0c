"""The one registry of the lake's datasets: what is stored, how, and how it is measured.

Every reader of the vocabulary takes it from here: the lake builds its Parquet schemas from
``STORED`` (column order included: files are written with it), the engine picks each measured
dataset's level-1 rule from its ``level`` kind, and catalogue validation checks that a measure
names a measured dataset and one of its columns. Adding a dataset is one entry here plus its
parsers; the types are portable names so that this module stays pure (no pyarrow).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

#: Portable column types: the lake maps them to Arrow, the engine's Spark reader to DDL.
ColumnType = Literal["int64", "float64", "string", "bool", "date", "timestamp"]

#: How the engine's level 1 aggregates a measured dataset (docs/DESIGN-NOTES.md, "Two levels"):
#: ``post_snapshots``: the latest snapshot of each post as of the period's end, joined to the
#: post's attributes and filtered by its local publication day; ``daily_rows``: one row per
#: account and day, stocks read at the bucket's end and just before its start; ``events``: one
#: row per event (a mention), counted per network and local day.
LevelKind = Literal["post_snapshots", "daily_rows", "events"]

#: The datasets a catalogue measure may read (the catalogue's ``dataset:`` field).
Dataset = Literal["posts", "account_daily", "mentions"]

#: Lifetime counters of a post (post_snapshots) and, under the same names, an account's daily
#: totals of them (account_daily: TikTok Overview, LinkedIn aggregated update metrics,
#: Facebook page insights), used only for accounts without per-post data.
POST_COUNTERS: tuple[str, ...] = ("impressions", "reach", "engagements", "likes", "comments",
                                  "shares", "clicks", "video_views", "saves")
DAILY_TOTALS: tuple[str, ...] = POST_COUNTERS
#: What a post list can be sorted by besides its rate (highest first; published_at: newest).
POST_SORTS: tuple[str, ...] = ("published_at", *POST_COUNTERS)
_DAILY_INTS = ("followers", "profile_views", "social_sessions", "bounced_sessions",
               "conversions", "all_conversions", "ad_clicks", "ad_impressions",
               "messages_received", "messages_replied", "csat_ratings", "csat_satisfied",
               "nps_responses", "nps_promoters", "nps_detractors")
_DAILY_FLOATS = ("ad_spend", "first_response_seconds", "csat_score_total", "revenue")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType


@dataclass(frozen=True)
class StoredDataset:
    """A dataset as the lake stores it: Parquet files per workspace and month."""

    name: str
    description: str
    columns: tuple[Column, ...]
    #: reads keep the latest row per key (observation time, then batch)
    natural_key: tuple[str, ...]
    #: the date column the files are partitioned by (one folder per month)
    partition_by: str

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


@dataclass(frozen=True)
class MeasuredDataset:
    """A dataset as catalogue measures see it, and how the engine's level 1 reads it."""

    name: Dataset
    level: LevelKind
    #: stored datasets it reads; the first holds the measured columns
    reads: tuple[str, ...]
    #: the day a row belongs to (periods and time buckets)
    time_column: str
    #: what level 1 groups by besides time: an account, or a network (mentions have no account)
    entity: str
    #: breakdown dimensions it can be split by ("time" stands for day/week/month/quarter)
    dimensions: frozenset[str]


def _cols(*pairs: tuple[str, ColumnType]) -> tuple[Column, ...]:
    return tuple(Column(n, t) for n, t in pairs)


def _typed(names: tuple[str, ...], kind: ColumnType) -> tuple[tuple[str, ColumnType], ...]:
    return tuple((n, kind) for n in names)


_IDS: tuple[tuple[str, ColumnType], ...] = (("workspace_id", "int64"), ("account_id", "int64"))

STORED: dict[str, StoredDataset] = {d.name: d for d in (
    StoredDataset(
        "posts", "one row per post; later batches may correct text, type or campaign",
        _cols(*_IDS, ("post_id", "string"), ("published_at", "timestamp"),
              ("local_date", "date"), ("post_type", "string"), ("text", "string"),
              ("url", "string"), ("campaign", "string"), ("batch_id", "int64")),
        ("account_id", "post_id"), "local_date"),
    StoredDataset(
        "post_snapshots",
        "lifetime counters of a post as observed at a time (null: the export lacks it)",
        _cols(*_IDS, ("post_id", "string"), ("observed_at", "timestamp"),
              *_typed(POST_COUNTERS, "int64"), ("batch_id", "int64")),
        ("account_id", "post_id", "observed_at"), "observed_at"),
    StoredDataset(
        "account_daily", "one row per account and local day",
        _cols(*_IDS, ("date", "date"), *_typed(_DAILY_INTS, "int64"),
              *_typed(_DAILY_FLOATS, "float64"), *_typed(DAILY_TOTALS, "int64"),
              ("observed_at", "timestamp"), ("batch_id", "int64")),
        ("account_id", "date"), "date"),
    StoredDataset(
        "audience",
        "audience breakdowns (followers, visitors or viewers by gender, territory, job "
        "function, seniority, industry, company size, age...): one row per account, day (the "
        "last day the breakdown describes), dimension and value; a count, a share, or both",
        _cols(*_IDS, ("date", "date"), ("dimension", "string"), ("value", "string"),
              ("count", "int64"), ("share", "float64"), ("observed_at", "timestamp"),
              ("batch_id", "int64")),
        ("account_id", "date", "dimension", "value"), "date"),
    StoredDataset(
        "mentions",
        "one row per mention and brand it matches (listening); sentiment_source says who set "
        "the label (model:default, model:accurate, model:transformer or user)",
        _cols(("workspace_id", "int64"), ("mention_id", "string"), ("network", "string"),
              ("brand_id", "int64"), ("is_own_brand", "bool"), ("published_at", "timestamp"),
              ("local_date", "date"), ("author", "string"), ("author_followers", "int64"),
              ("text", "string"), ("lang", "string"), ("sentiment", "string"),
              ("sentiment_score", "float64"), ("has_sentiment", "bool"), ("tagged", "bool"),
              ("url", "string"), ("sentiment_source", "string"), ("batch_id", "int64")),
        ("mention_id", "brand_id"), "local_date"),
)}

MEASURED: dict[Dataset, MeasuredDataset] = {d.name: d for d in (
    MeasuredDataset("posts", "post_snapshots", ("post_snapshots", "posts"), "local_date",
                    "account_id", frozenset({"account", "network", "time"})),
    MeasuredDataset("account_daily", "daily_rows", ("account_daily",), "date",
                    "account_id", frozenset({"account", "network", "time"})),
    MeasuredDataset("mentions", "events", ("mentions",), "local_date",
                    "network", frozenset({"network", "time"})),
)}

#: The catalogue's dataset names, in the order the engine unions their levels.
DATASETS: tuple[Dataset, ...] = tuple(MEASURED)
#: Breakdown dimensions each measured dataset can be split by.
DATASET_DIMENSIONS: dict[Dataset, frozenset[str]] = {n: d.dimensions for n, d in MEASURED.items()}

if set(get_args(Dataset)) != set(MEASURED):  # the Literal exists for the type checker only
    raise RuntimeError("domain/datasets.py: Dataset and MEASURED name different datasets")


def measured_columns(dataset: str) -> frozenset[str]:
    """Columns a measure on ``dataset`` may aggregate or filter on (every stored dataset it
    reads); empty for a dataset that is not measured."""
    for spec in MEASURED.values():
        if spec.name == dataset:
            return frozenset(c for name in spec.reads for c in STORED[name].column_names)
    return frozenset()


#: Columns socialpulse fills itself (ids, the batch, the local day of a post's time).
_DERIVED = frozenset({"workspace_id", "account_id", "batch_id", "local_date"})


def _fields(*stored: str, leave_out: frozenset[str] = frozenset()) -> tuple[str, ...]:
    names = (c.name for s in stored for c in STORED[s].columns)
    return tuple(dict.fromkeys(n for n in names if n not in _DERIVED | leave_out))


#: What a generic mapping file (and an import template) may fill per dataset: the stored
#: columns (posts with their snapshot's counters), less what socialpulse derives.
MAPPING_FIELDS: dict[str, tuple[str, ...]] = {
    "posts": _fields("posts", "post_snapshots"),
    "account_daily": _fields("account_daily", leave_out=frozenset({"observed_at"})),
}

