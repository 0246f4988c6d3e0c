"""Listening: brand queries, mention ingest and enrichment, analysis and spike alerts.

Mentions are stored in the lake's ``mentions`` dataset, one row per mention and brand it
matches, written only through ``Lake.ingest`` (atomic and content-hashed: re-ingesting the
same file adds nothing; the same mention in a later file replaces the earlier row, natural
key (mention_id, brand_id), latest batch wins).

Label corrections: the ``mention_corrections`` table is the source of truth (it keeps the
text and the model's label for retraining). A correction is also written to the lake at once,
as a small batch with the corrected rows, because the catalogue metrics (social_sentiment...)
read the lake; and every later ingest applies stored corrections to what the model says, so
re-ingesting a mention never undoes a person's label.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa

from socialpulse.adapters.connectors.base import MentionSource
from socialpulse.adapters.lake import SCHEMAS, Lake
from socialpulse.adapters.nlp.pipeline import Enricher
from socialpulse.adapters.store import Store
from socialpulse.adapters.store.listening_tables import ListeningRepo, StoredAlert
from socialpulse.domain.errors import InvalidInput, MissingData, NotFound
from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.listening.query import (
    Document,
    Query,
    parse_query,
    prepare,
    tokenize_text,
)
from socialpulse.domain.listening.spikes import DayCount, detect_spikes
from socialpulse.domain.listening.themes import STOPWORDS, themes_of
from socialpulse.domain.models import Brand, Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.services.versioned import DataVersion, data_version

SENTIMENTS = ("negative", "neutral", "positive")
INGEST_CHUNK = 20_000
ALERT_KINDS = ("volume", "negative_share")


@dataclass(frozen=True)
class BrandQuery:
    brand: Brand
    query: str | None


@dataclass
class IngestSummary:
    source: str
    read: int = 0
    matched: int = 0
    rows: int = 0
    unmatched: int = 0
    batches: int = 0
    already_imported: int = 0
    by_brand: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AlertMention:
    mention_id: str
    published_at: datetime
    author: str
    author_followers: int | None
    network: str
    lang: str
    sentiment: str
    text: str
    url: str


@dataclass(frozen=True)
class Alert:
    id: int
    brand: str
    brand_id: int
    is_own: bool
    kind: str
    start: date
    end: date
    peak_day: date
    observed: float
    expected: float
    z: float
    volume: int
    status: str
    mentions: list[AlertMention]

    @property
    def title(self) -> str:
        if self.kind == "volume":
            return (f"{self.brand}: mention volume spike, {self.observed:.0f} mentions on "
                    f"{self.peak_day.isoformat()} (expected {self.expected:.0f})")
        return (f"{self.brand}: negative share spike, {self.observed:.0%} negative on "
                f"{self.peak_day.isoformat()} (usual {self.expected:.0%})")

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["title"] = self.title
        return d


def _local_dates(times: Sequence[datetime], tz: str) -> list[date]:
    zone = ZoneInfo(tz)
    return [t.astimezone(zone).date() for t in times]


class ListeningService:
    """Use cases of listening for one data home."""

    def __init__(self, store: Store, lake: Lake, repo: ListeningRepo) -> None:
        self.store = store
        self.lake = lake
        self.repo = repo
        # per workspace: (the committed files read, a DuckDB database holding their latest
        # rows); a page asks ~10 questions, so the lake is read once, not ten times
        self._snapshots: dict[int, tuple[DataVersion, duckdb.DuckDBPyConnection]] = {}
        self._lock = threading.Lock()

    # --- brands and queries ------------------------------------------------------------------

    def brands(self, ws: Workspace) -> list[BrandQuery]:
        queries = self.repo.queries(ws.id)
        return [BrandQuery(b, queries.get(b.id)) for b in self.store.brands(ws.id)]

    def brand(self, ws: Workspace, name: str) -> Brand:
        for b in self.store.brands(ws.id):
            if b.name.casefold() == name.strip().casefold():
                return b
        known = ", ".join(b.name for b in self.store.brands(ws.id)) or "none yet"
        raise NotFound(f"brand {name!r} not found in workspace {ws.slug!r} (brands: {known}); "
                       "add it with `socialpulse listen brands add NAME`")

    def add_brand(self, ws: Workspace, name: str, own: bool = False,
                  query: str | None = None) -> BrandQuery:
        name = name.strip()
        if not name:
            raise InvalidInput("brand: name is empty")
        if own and any(b.is_own and b.name != name for b in self.store.brands(ws.id)):
            raise InvalidInput(f"brand {name!r}: the workspace already has an own brand")
        if query is not None:
            parse_query(query)
        brand = self.store.ensure_brand(ws.id, name, own)
        if query is not None:
            self.repo.set_query(ws.id, brand.id, query)
        return BrandQuery(brand, self.repo.queries(ws.id).get(brand.id))

    def set_query(self, ws: Workspace, brand_name: str, query: str) -> BrandQuery:
        parse_query(query)  # refuse before storing: the error names the column
        brand = self.brand(ws, brand_name)
        self.repo.set_query(ws.id, brand.id, query)
        return BrandQuery(brand, query)

    def compiled_queries(self, ws: Workspace) -> list[tuple[Brand, Query]]:
        out = []
        for bq in self.brands(ws):
            if bq.query:
                try:
                    out.append((bq.brand, parse_query(bq.query)))
                except InvalidInput as exc:
                    raise InvalidInput(f"brand {bq.brand.name!r}: {exc.message}") from None
        if not out:
            raise MissingData(
                f"workspace {ws.slug!r} has no brand queries yet; set one with "
                "`socialpulse listen query BRAND '\"brand name\" OR @handle'`"
            )
        return out

    def test_query(self, ws: Workspace, query: str, limit: int = 20) -> dict[str, Any]:
        """How many stored mentions a query would match (and some examples), before saving."""
        q = parse_query(query)
        matched: list[dict[str, Any]] = []
        total = 0
        seen: set[str] = set()
        for row in self._scan(ws, ["mention_id", "text", "lang", "author", "network",
                                   "published_at"]):
            if row["mention_id"] in seen:
                continue
            seen.add(row["mention_id"])
            d = prepare(Document(row["text"] or "", row["lang"] or "", row["author"] or "",
                                 row["network"] or ""))
            if q.match_prepared(d):
                total += 1
                if len(matched) < limit:
                    matched.append({**row, "tagged": q.tagged_prepared(d)})
        return {"query": query, "tags": list(q.tags), "scanned": len(seen), "matched": total,
                "examples": matched}

    # --- ingest ------------------------------------------------------------------------------

    def ingest(self, ws: Workspace, source: MentionSource | Iterable[RawMention],
               mode: str = "default", model_path: str | None = None,
               source_name: str | None = None, chunk: int = INGEST_CHUNK,
               fmt: str = "mentions") -> IngestSummary:
        """Read a source, keep what matches a brand query, enrich it, write it to the lake.

        Works the same for a file and for a live stream: every ``chunk`` mentions become one
        atomic lake batch, so an interrupted stream keeps what it committed. A file
        (``replayable``) is read through once first: a bad record anywhere in it refuses the
        whole file before any chunk is written.
        """
        if getattr(source, "replayable", False):
            for _ in source:
                pass
        queries = self.compiled_queries(ws)
        enricher = Enricher(ws.languages or ("en",), mode, model_path)
        name = str(source_name or getattr(source, "name", None) or "mentions")
        summary = IngestSummary(source=name)
        buf: list[RawMention] = []
        for raw in source:
            summary.read += 1
            buf.append(raw)
            if len(buf) >= chunk:
                self._ingest_chunk(ws, buf, queries, enricher, name, fmt, summary)
                buf = []
        if buf:
            self._ingest_chunk(ws, buf, queries, enricher, name, fmt, summary)
        if summary.read == 0:
            raise InvalidInput(f"{name}: no mentions in the source")
        return summary

    def _ingest_chunk(self, ws: Workspace, raws: list[RawMention],
                      queries: list[tuple[Brand, Query]], enricher: Enricher, name: str,
                      fmt: str, summary: IngestSummary) -> None:
        table = self.enrich_table(ws, raws, queries, enricher)
        summary.rows += len(table)
        ids = set(table["mention_id"].to_pylist())
        summary.matched += len(ids)
        summary.unmatched += len({r.mention_id for r in raws} - ids)
        brand_names = {b.id: b.name for b, _ in queries}
        for bid, n in Counter(table["brand_id"].to_pylist()).items():
            summary.by_brand[brand_names[bid]] = summary.by_brand.get(brand_names[bid], 0) + n
        if len(table) == 0:
            return
        result = self.lake.ingest(ws.id, name, fmt, {"mentions": table})
        summary.batches += 1
        if result.already_imported:
            summary.already_imported += 1

    def enrich_table(self, ws: Workspace, raws: Sequence[RawMention],
                     queries: list[tuple[Brand, Query]], enricher: Enricher) -> pa.Table:
        """Rows for the lake: language first (``lang:`` filters need it), then the brand
        match, then sentiment for matched mentions only; stored corrections win."""
        uniq: dict[str, RawMention] = {}
        for r in raws:  # the same mention twice in one chunk: keep the last
            uniq[r.mention_id] = r
        items = list(uniq.values())
        langs = enricher.languages([r.text for r in items], [r.lang for r in items])
        matched: list[tuple[RawMention, str, list[tuple[Brand, bool]]]] = []
        for r, lang in zip(items, langs, strict=True):
            d = prepare(Document(r.text, lang, r.author, r.network))
            hits = [(b, q.tagged_prepared(d)) for b, q in queries if q.match_prepared(d)]
            if hits:
                matched.append((r, lang, hits))
        if not matched:
            return SCHEMAS["mentions"].empty_table()
        enriched = enricher.sentiment([m[0].text for m in matched], [m[1] for m in matched])
        corrections = self.repo.corrections(ws.id, [m[0].mention_id for m in matched])
        cols: dict[str, list[Any]] = {k: [] for k in (
            "mention_id", "network", "brand_id", "is_own_brand", "published_at", "author",
            "author_followers", "text", "lang", "sentiment", "sentiment_score", "has_sentiment",
            "tagged", "url", "sentiment_source")}
        for (r, lang, hits), e in zip(matched, enriched, strict=True):
            corr = corrections.get(r.mention_id)
            label = corr.sentiment if corr else e.sentiment
            score = _corrected_score(label) if corr else e.score
            for brand, tagged in hits:
                cols["mention_id"].append(r.mention_id)
                cols["network"].append(r.network)
                cols["brand_id"].append(brand.id)
                cols["is_own_brand"].append(brand.is_own)
                cols["published_at"].append(r.published_at)
                cols["author"].append(r.author)
                cols["author_followers"].append(r.author_followers)
                cols["text"].append(r.text)
                cols["lang"].append(lang)
                cols["sentiment"].append(label)
                cols["sentiment_score"].append(score)
                cols["has_sentiment"].append(True)
                cols["tagged"].append(tagged)
                cols["url"].append(r.url)
                cols["sentiment_source"].append("user" if corr else f"model:{enricher.mode}")
        cols["local_date"] = _local_dates(cols["published_at"], ws.timezone)
        schema = SCHEMAS["mentions"]
        arrays = {k: pa.array(v, type=schema.field(k).type) for k, v in cols.items()}
        return pa.table(arrays)

    # --- reading -----------------------------------------------------------------------------

    def _con(self, ws: Workspace) -> duckdb.DuckDBPyConnection | None:
        """A cursor on table ``m``: the latest row per (mention, brand), published_at as naive UTC.

        The snapshot is rebuilt when the data's version changes (an ingest or a correction
        commits a batch, a rebuilt demo reuses file names with new content; from any process),
        so readers never see stale or half-written data.
        """
        files = tuple(str(p) for p in self.lake.files(ws.id, "mentions"))
        if not files:
            return None
        version = (files, data_version(self.store, ws))
        with self._lock:
            cached = self._snapshots.get(ws.id)
            if cached is None or cached[0] != version:
                con = duckdb.connect()
                listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
                con.execute(
                    "CREATE TABLE m AS SELECT * "
                    "REPLACE (timezone('UTC', published_at) AS published_at) "
                    f"FROM read_parquet([{listing}], union_by_name = true) "
                    "QUALIFY row_number() OVER (PARTITION BY mention_id, brand_id "
                    "ORDER BY batch_id DESC) = 1"
                )
                # the previous database closes when its last cursor is gone
                self._snapshots[ws.id] = cached = (version, con)
            return cached[1].cursor()

    def _scan(self, ws: Workspace, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
        con = self._con(ws)
        if con is None:
            return
        try:
            cur = con.execute(f"SELECT {', '.join(columns)} FROM m ORDER BY published_at DESC")
            while batch := cur.fetchmany(5000):
                for row in batch:
                    yield {k: _utc(v) for k, v in zip(columns, row, strict=True)}
        finally:
            con.close()

    def _query(self, ws: Workspace, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        con = self._con(ws)
        if con is None:
            return []
        try:
            cur = con.execute(sql, list(params))
            names = [d[0] for d in cur.description]
            return [{k: _utc(v) for k, v in zip(names, r, strict=True)} for r in cur.fetchall()]
        finally:
            con.close()

    @staticmethod
    def _where(period: DateRange | None, brand_id: int | None = None,
               extra: Sequence[tuple[str, Any]] = ()) -> tuple[str, list[Any]]:
        conds: list[str] = ["TRUE"]
        params: list[Any] = []
        if period is not None:
            conds.append("local_date >= ? AND local_date <= ?")
            params += [period.start, period.end]
        if brand_id is not None:
            conds.append("brand_id = ?")
            params.append(brand_id)
        for sql, value in extra:
            conds.append(sql)
            params.append(value)
        return " AND ".join(conds), params

    def data_range(self, ws: Workspace) -> DateRange | None:
        rows = self._query(ws, "SELECT min(local_date) AS a, max(local_date) AS b FROM m")
        if not rows or rows[0]["a"] is None:
            return None
        return DateRange(rows[0]["a"], rows[0]["b"])

    def default_period(self, ws: Workspace, days: int = 90) -> DateRange:
        r = self.data_range(ws)
        if r is None:
            raise MissingData(
                f"workspace {ws.slug!r} has no mentions yet; ingest some with "
                "`socialpulse listen ingest FILE`"
            )
        return DateRange(max(r.start, r.end - timedelta(days=days - 1)), r.end)

    def mentions(self, ws: Workspace, period: DateRange | None = None,
                 brand: str | None = None, sentiment: str | None = None,
                 lang: str | None = None, network: str | None = None,
                 tagged: bool | None = None, search: str | None = None,
                 limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """Mentions, newest first, one row per mention with the brands it matched."""
        extra: list[tuple[str, Any]] = []
        if sentiment:
            if sentiment not in SENTIMENTS:
                raise InvalidInput(f"sentiment: unknown value {sentiment!r}; use one of "
                                   f"{', '.join(SENTIMENTS)}")
            extra.append(("sentiment = ?", sentiment))
        if lang:
            extra.append(("lang = ?", lang.strip().lower()))
        if network:
            extra.append(("network = ?", network.strip().lower()))
        if tagged is not None:
            extra.append(("tagged = ?", tagged))
        if search:
            extra.append(("lower(text) LIKE ?", f"%{search.strip().lower()}%"))
        brand_id = self.brand(ws, brand).id if brand else None
        if not 1 <= limit <= 1000:
            raise InvalidInput("limit: must be between 1 and 1000")
        if offset < 0:
            raise InvalidInput("offset: must be 0 or more")
        where, params = self._where(period, brand_id, extra)
        names = {b.id: b.name for b in self.store.brands(ws.id)}
        total_rows = self._query(ws, f"SELECT count(DISTINCT mention_id) AS n FROM m WHERE {where}",
                                 params)
        rows = self._query(
            ws,
            f"""SELECT mention_id, any_value(network) AS network,
                   any_value(published_at) AS published_at, any_value(local_date) AS local_date,
                   any_value(author) AS author, max(author_followers) AS author_followers,
                   any_value(text) AS text, any_value(lang) AS lang,
                   any_value(sentiment) AS sentiment, any_value(sentiment_score) AS score,
                   any_value(sentiment_source) AS sentiment_source, any_value(url) AS url,
                   bool_or(tagged) AS tagged, list(brand_id ORDER BY brand_id) AS brand_ids
               FROM m WHERE {where}
               GROUP BY mention_id ORDER BY any_value(published_at) DESC, mention_id
               LIMIT {int(limit)} OFFSET {int(offset)}""",
            params,
        )
        for r in rows:
            r["brands"] = [names.get(b, str(b)) for b in r.pop("brand_ids")]
        return {"total": total_rows[0]["n"] if total_rows else 0, "limit": limit,
                "offset": offset, "mentions": rows}

    def correct(self, ws: Workspace, mention_id: str, sentiment: str) -> dict[str, Any]:
        """A person's label: stored for retraining, and written to the lake so metrics use it."""
        label = sentiment.strip().lower()
        if label not in SENTIMENTS:
            raise InvalidInput(f"sentiment: unknown value {sentiment!r}; use one of "
                               f"{', '.join(SENTIMENTS)}")
        con = self._con(ws)
        if con is None:
            raise NotFound(f"mention {mention_id!r} not found (no mentions yet)")
        try:
            table = con.sql("SELECT * FROM m WHERE mention_id = $id",
                            params={"id": mention_id}).to_arrow_table()
        finally:
            con.close()
        if len(table) == 0:
            raise NotFound(f"mention {mention_id!r} not found in workspace {ws.slug!r}")
        first = table.slice(0, 1).to_pylist()[0]
        previous = first["sentiment"] if first["sentiment_source"] != "user" else None
        corr = self.repo.correct(ws.id, mention_id, label, previous, first["text"] or "",
                                 first["lang"] or "")
        n = len(table)
        table = table.drop_columns(["batch_id"]) if "batch_id" in table.column_names else table
        for col, values in (("sentiment", [label] * n),
                            ("sentiment_score", [_corrected_score(label)] * n),
                            ("has_sentiment", [True] * n),
                            ("sentiment_source", ["user"] * n)):
            table = table.set_column(table.schema.get_field_index(col), col,
                                     pa.array(values, SCHEMAS["mentions"].field(col).type))
        stamp = corr.corrected_at.isoformat()
        self.lake.ingest(ws.id, f"correction {mention_id} -> {label} at {stamp}",
                         "mentions-correction", {"mentions": table})
        return {"mention_id": mention_id, "sentiment": label,
                "model_sentiment": corr.model_sentiment, "corrected_at": stamp}

    def corrections(self, ws: Workspace) -> list[dict[str, Any]]:
        """Corrections with their texts: the retraining set (``listen corrections --export``)."""
        return [asdict(c) for c in sorted(self.repo.corrections(ws.id).values(),
                                          key=lambda c: c.corrected_at)]

    # --- analysis ----------------------------------------------------------------------------

    def volume(self, ws: Workspace, period: DateRange, grain: str = "week") -> list[dict[str, Any]]:
        """Mentions and sentiment per brand and period bucket (day, week or month)."""
        if grain not in ("day", "week", "month"):
            raise InvalidInput(f"--grain: unknown grain {grain!r}; use day, week or month")
        where, params = self._where(period)
        bucket = "local_date" if grain == "day" else f"date_trunc('{grain}', local_date)"
        rows = self._query(
            ws,
            f"""SELECT CAST({bucket} AS DATE) AS period, brand_id, count(*) AS mentions,
                   count(*) FILTER (WHERE sentiment = 'positive') AS positive,
                   count(*) FILTER (WHERE sentiment = 'neutral') AS neutral,
                   count(*) FILTER (WHERE sentiment = 'negative') AS negative,
                   count(*) FILTER (WHERE has_sentiment) AS rated
               FROM m WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2""",
            params,
        )
        return self._with_brands(ws, rows)

    def _with_brands(self, ws: Workspace, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        brands = {b.id: b for b in self.store.brands(ws.id)}
        for r in rows:
            b = brands.get(r["brand_id"])
            r["brand"] = b.name if b else str(r["brand_id"])
            r["is_own"] = b.is_own if b else False
            rated = r.get("rated") or 0
            r["positive_share"] = r["positive"] / rated if rated else None
            r["net_sentiment"] = (r["positive"] - r["negative"]) / rated if rated else None
        return rows

    def share_of_voice(self, ws: Workspace, period: DateRange) -> dict[str, Any]:
        """Each brand's mentions over all brands' mentions in the period, also by sentiment."""
        where, params = self._where(period)
        rows = self._query(
            ws,
            f"""SELECT brand_id, count(*) AS mentions,
                   count(*) FILTER (WHERE sentiment = 'positive') AS positive,
                   count(*) FILTER (WHERE sentiment = 'neutral') AS neutral,
                   count(*) FILTER (WHERE sentiment = 'negative') AS negative,
                   count(*) FILTER (WHERE has_sentiment) AS rated,
                   count(*) FILTER (WHERE tagged) AS tagged,
                   coalesce(sum(author_followers), 0) AS reach
               FROM m WHERE {where} GROUP BY 1 ORDER BY 2 DESC""",
            params,
        )
        rows = self._with_brands(ws, rows)
        totals = {k: sum(r[k] for r in rows) for k in ("mentions", "positive", "negative",
                                                        "neutral")}
        for r in rows:
            r["share_of_voice"] = r["mentions"] / totals["mentions"] if totals["mentions"] else None
            for k in ("positive", "negative", "neutral"):
                r[f"{k}_share_of_voice"] = r[k] / totals[k] if totals[k] else None
            r["untagged"] = r["mentions"] - r["tagged"]
        return {"period": {"start": period.start, "end": period.end}, "total": totals["mentions"],
                "brands": rows}

    def top_authors(self, ws: Workspace, period: DateRange, brand: str | None = None,
                    limit: int = 10) -> list[dict[str, Any]]:
        """Authors by reach (their follower count), with how often and how they mention.

        An author is a handle on one network: the same handle elsewhere is another person as
        far as the data can tell (and grouping by handle alone picked a network at random)."""
        brand_id = self.brand(ws, brand).id if brand else None
        where, params = self._where(period, brand_id, [("author <> ?", "")])
        return self._query(
            ws,
            f"""SELECT author, network,
                   max(author_followers) AS followers, count(DISTINCT mention_id) AS mentions,
                   count(DISTINCT mention_id) FILTER (WHERE sentiment = 'negative') AS negative,
                   count(DISTINCT mention_id) FILTER (WHERE sentiment = 'positive') AS positive
               FROM m WHERE {where} GROUP BY author, network
               ORDER BY followers DESC NULLS LAST, mentions DESC, author, network
               LIMIT {int(limit)}""",
            params,
        )

    def _texts(self, ws: Workspace, period: DateRange,
               brand_id: int | None) -> list[dict[str, Any]]:
        where, params = self._where(period, brand_id)
        return self._query(
            ws,
            f"""SELECT mention_id, any_value(text) AS text, any_value(local_date) AS local_date,
                   any_value(sentiment) AS sentiment FROM m WHERE {where} GROUP BY mention_id""",
            params,
        )

    def trending(self, ws: Workspace, period: DateRange, brand: str | None = None,
                 recent_days: int = 7, limit: int = 10) -> dict[str, Any]:
        """Terms and hashtags growing most in the last ``recent_days`` against the rest of the
        period (smoothed rate ratio, so a word seen twice does not outrank a real trend)."""
        brand_id = self.brand(ws, brand).id if brand else None
        rows = self._texts(ws, period, brand_id)
        cut = period.end - timedelta(days=recent_days - 1)
        recent: Counter[str] = Counter()
        before: Counter[str] = Counter()
        n_recent = n_before = 0
        brand_words = self._brand_words(ws)
        for r in rows:
            words = set(tokenize_text(r["text"] or ""))
            words = {w for w in words if len(w) > 2 and w not in STOPWORDS
                     and w.lstrip("#") not in brand_words and not w.startswith("@")
                     and not w.isdigit()}
            if r["local_date"] >= cut:
                recent.update(words)
                n_recent += 1
            else:
                before.update(words)
                n_before += 1
        scored = []
        for w, c in recent.items():
            if c < 3:
                continue
            rate_recent = c / max(n_recent, 1)
            rate_before = (before[w] + 1) / (n_before + 1)
            scored.append((rate_recent / rate_before, c, w))
        scored.sort(reverse=True)
        terms = [{"term": w, "mentions": c, "before": before[w], "lift": round(lift, 2)}
                 for lift, c, w in scored if not w.startswith("#")][:limit]
        tags = [{"term": w, "mentions": c, "before": before[w], "lift": round(lift, 2)}
                for lift, c, w in scored if w.startswith("#")][:limit]
        top_tags = Counter({w: c for w, c in (recent + before).items() if w.startswith("#")})
        return {"recent": {"start": cut, "end": period.end, "mentions": n_recent},
                "terms": terms, "hashtags": tags,
                "top_hashtags": [{"term": w, "mentions": c} for w, c in
                                 top_tags.most_common(limit)]}

    def _brand_words(self, ws: Workspace) -> set[str]:
        words: set[str] = set()
        for bq in self.brands(ws):
            words.update(tokenize_text(bq.brand.name))
            words.add("".join(tokenize_text(bq.brand.name)))
        return words

    def themes(self, ws: Workspace, period: DateRange,
               brand: str | None = None) -> list[dict[str, Any]]:
        """Mentions per theme with their sentiment (a mention can be in several themes)."""
        brand_id = self.brand(ws, brand).id if brand else None
        counts: dict[str, Counter[str]] = {}
        for r in self._texts(ws, period, brand_id):
            for theme in themes_of(tokenize_text(r["text"] or "")):
                counts.setdefault(theme, Counter())[r["sentiment"] or "unrated"] += 1
        out = []
        for theme, c in counts.items():
            total = sum(c.values())
            rated = c["positive"] + c["negative"] + c["neutral"]
            out.append({"theme": theme, "mentions": total, "positive": c["positive"],
                        "negative": c["negative"], "neutral": c["neutral"],
                        "net_sentiment": (c["positive"] - c["negative"]) / rated
                        if rated else None})
        return sorted(out, key=lambda t: -t["mentions"])

    # --- alerts ------------------------------------------------------------------------------

    def detect_alerts(self, ws: Workspace, period: DateRange | None = None,
                      min_volume: int = 20, threshold: float = 3.5,
                      weeks: int = 4) -> list[Alert]:
        """Detect volume and negative-share spikes per brand and store them (idempotent)."""
        rng = self.data_range(ws)
        if rng is None:
            return []
        period = period or rng
        # history before the period feeds the baseline
        hist_start = max(rng.start, period.start - timedelta(days=7 * weeks + 7))
        where, params = self._where(DateRange(hist_start, period.end))
        rows = self._query(
            ws,
            f"""SELECT brand_id, local_date, count(*) AS volume,
                   count(*) FILTER (WHERE sentiment = 'negative') AS negative
               FROM m WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2""",
            params,
        )
        by_brand: dict[int, dict[date, tuple[int, int]]] = {}
        for r in rows:
            by_brand.setdefault(r["brand_id"], {})[r["local_date"]] = (r["volume"], r["negative"])
        found: list[StoredAlert] = []
        for brand_id, days in by_brand.items():
            n = (period.end - hist_start).days + 1
            series = []
            for i in range(n):
                d = hist_start + timedelta(days=i)
                v, neg = days.get(d, (0, 0))
                series.append(DayCount(d, v, neg))
            for s in detect_spikes(series, weeks=weeks, threshold=threshold,
                                   min_volume=min_volume):
                if s.end < period.start:
                    continue
                found.append(StoredAlert(0, brand_id, s.kind, s.start, s.end, s.peak_day,
                                         s.observed, s.expected, s.z, s.volume, "open",
                                         datetime.now().astimezone()))
        self.repo.save_alerts(ws.id, found, (period.start, period.end))
        return self.alerts(ws, period)

    def alerts(self, ws: Workspace, period: DateRange | None = None,
               brand: str | None = None, mentions_per_alert: int = 10) -> list[Alert]:
        """Stored alerts, newest first, each with the mentions that caused it (by reach)."""
        brands = {b.id: b for b in self.store.brands(ws.id)}
        only = self.brand(ws, brand).id if brand else None
        out = []
        for a in self.repo.alerts(ws.id):
            if only is not None and a.brand_id != only:
                continue
            if period is not None and (a.end < period.start or a.start > period.end):
                continue
            b = brands.get(a.brand_id)
            out.append(Alert(a.id, b.name if b else str(a.brand_id), a.brand_id,
                             bool(b and b.is_own), a.kind, a.start, a.end, a.peak_day,
                             a.observed, a.expected, a.z, a.volume, a.status,
                             self._alert_mentions(ws, a, mentions_per_alert)))
        return out

    def _alert_mentions(self, ws: Workspace, a: StoredAlert, limit: int) -> list[AlertMention]:
        extra = [("sentiment = ?", "negative")] if a.kind == "negative_share" else []
        where, params = self._where(DateRange(a.start, a.end), a.brand_id, extra)
        rows = self._query(
            ws,
            f"""SELECT mention_id, published_at, author, author_followers, network, lang,
                   sentiment, text, url FROM m WHERE {where}
               ORDER BY author_followers DESC NULLS LAST, published_at LIMIT {int(limit)}""",
            params,
        )
        return [AlertMention(**{**r, "url": r["url"] or "", "author": r["author"] or ""})
                for r in rows]

    def acknowledge(self, ws: Workspace, alert_id: int) -> None:
        self.repo.set_alert_status(ws.id, alert_id, "acknowledged")

    def latest_alert(self, ws: Workspace) -> Alert | None:
        alerts = self.alerts(ws, mentions_per_alert=3)
        own = [a for a in alerts if a.is_own and a.status == "open"]
        pick = own or alerts
        return pick[0] if pick else None


def _utc(value: Any) -> Any:
    """The view holds published_at as naive UTC (DuckDB needs pytz to return aware times)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _corrected_score(label: str) -> float:
    return {"negative": -1.0, "neutral": 0.0, "positive": 1.0}[label]
