"""Listening's questions about mentions, compiled by Ibis for the App's backend.

Listening used to run hand-written DuckDB SQL on its own connection, so it ignored the Spark
setting and nothing could show how a figure was computed. Every question here is an Ibis
expression over the lake's ``mentions`` dataset, read through the metric engine's backend
(`IbisEngine.dataset`), so it runs on DuckDB or PySpark alike, and `explain` shows the SQL the
backend runs. Share of voice and sentiment are not written here: they are the catalogue's
formulas, planned per brand by `domain/listening/figures.py` and folded into the query.

Reads take the latest row per natural key (mention, brand): the batch written last wins (a
correction, or a later file holding the mention again).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import ibis
import ibis.expr.types as ir

from socialpulse.adapters.engine import IbisEngine
from socialpulse.adapters.engine_sql import binop, utc_instants
from socialpulse.domain import formula as fx
from socialpulse.domain.listening.figures import BrandFigure, BrandMeasure
from socialpulse.domain.listening.selection import MentionSelection

T = TypeVar("T")
FilesKey = tuple[tuple[str, int, int], ...]
_TRUNC = {"week": "W", "month": "M"}
#: answers kept per workspace and files (the Overview asks one per filter of its period)
ANSWERS_PER_WORKSPACE = 64


@dataclass
class _Held:
    """What one workspace's current mention files give: the latest rows, held by the
    backend, and the answers already computed from them."""

    key: FilesKey
    table: ir.Table
    answers: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict)

#: the plain counts every per-brand row carries beside its figures
_SENTIMENT_COUNTS = ("positive", "neutral", "negative")


class IbisMentionQueries:
    """The `MentionQueries` port on one Ibis backend (the metric engine's)."""

    def __init__(self, engine: IbisEngine) -> None:
        self.engine = engine
        # per workspace: the files read (with their sizes and times), the latest rows held by
        # the backend, and answers computed from them. A page asks ~10 questions: the files
        # are read and reduced once, not ten times; any commit (ingest, correction, rebuilt
        # demo) changes the key, which drops the table and its answers together.
        self._held: dict[int, _Held] = {}
        self._explaining = False

    # -- running ----------------------------------------------------------------------------

    def _rows(self, build: Callable[[], ir.Table]) -> list[dict[str, Any]]:
        with self.engine.lock:
            table = build().to_pyarrow()
        rows: list[dict[str, Any]] = utc_instants(table).to_pylist()
        return rows

    def _sql(self, build: Callable[[], ir.Table]) -> str:
        """The whole query as the backend would run it uncached: files to figures."""
        with self.engine.lock:
            self._explaining = True
            try:
                return str(ibis.to_sql(build(), dialect=str(self.engine.backend.name)))
            finally:
                self._explaining = False

    # -- building blocks --------------------------------------------------------------------

    def _latest(self, workspace_id: int) -> ir.Table:
        """The latest row per (mention, brand), held by the backend while the files stay the
        same (called holding the engine's lock)."""
        if self._explaining:
            return self._latest_rows(workspace_id)
        key = _files_key(self.engine.files(workspace_id, "mentions"))
        held = self._held.get(workspace_id)
        if held is not None and key is not None and held.key == key:
            return held.table
        if held is not None:
            del self._held[workspace_id]
            held.table.release()
        table = self._latest_rows(workspace_id)
        if key is None:
            return table
        table = table.cache()
        self._held[workspace_id] = _Held(key, table)
        return table

    def _answer(self, workspace_id: int, question: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``'s answer, kept beside the held latest rows of the same files: asked
        again before any commit changes the files, it is not run again. Answers live in
        memory only (a read writes nothing) and go with the table when the files change.
        Requests asking together wait on the engine's lock and find the first one's answer,
        so the lock is the single flight. Callers must not change what they get."""
        with self.engine.lock:
            table = self._latest(workspace_id)  # refreshes the held entry for today's files
            held = self._held.get(workspace_id)
            if held is None or held.table is not table:  # files moving: answer uncached
                return compute()
            if question in held.answers:
                held.answers.move_to_end(question)
                return held.answers[question]  # type: ignore[no-any-return]
            value = compute()
            held.answers[question] = value
            while len(held.answers) > ANSWERS_PER_WORKSPACE:
                held.answers.popitem(last=False)
            return value

    def _latest_rows(self, workspace_id: int) -> ir.Table:
        t = self.engine.dataset("mentions", workspace_id)
        t = t.filter(t.workspace_id == workspace_id)
        latest = ibis.row_number().over(group_by=[t.mention_id, t.brand_id],
                                        order_by=[t.batch_id.desc()])
        return t.mutate(_rn=latest).filter(lambda x: x._rn == 0).drop("_rn")

    def _select(self, sel: MentionSelection) -> ir.Table:
        t = self._latest(sel.workspace_id)
        if sel.period is not None:
            t = t.filter((t.local_date >= ibis.literal(sel.period.start))
                         & (t.local_date < ibis.literal(sel.period.end_exclusive)))
        for column, value in (("brand_id", sel.brand_id), ("sentiment", sel.sentiment),
                              ("lang", sel.lang), ("network", sel.network),
                              ("tagged", sel.tagged)):
            if value is not None:
                t = t.filter(t[column] == ibis.literal(value))
        if sel.search:
            t = t.filter(t.text.lower().contains(sel.search.lower()))
        if sel.with_author:
            t = t.filter(t.author != "")
        return t

    @staticmethod
    def _counts(t: ir.Table, figures: Sequence[BrandFigure]) -> dict[str, ir.Value]:
        """Mentions, the sentiment split, and every count the figures' formulas read."""
        out: dict[str, ir.Value] = {"mentions": t.count().cast("int64")}
        for label in _SENTIMENT_COUNTS:
            out[label] = _count_if(t.sentiment == label)
        out["rated"] = _count_if(t.has_sentiment == ibis.literal(True))
        for m in _measures(figures):
            out[_measure_col(m)] = (_count_if(_where(t, m)) if m.where
                                    else t.count().cast("int64"))
        return out

    @staticmethod
    def _figures(g: ir.Table, figures: Sequence[BrandFigure], partition: Sequence[str]
                 ) -> ir.Table:
        """The figures per brand row: a per-brand measure is the row's own count, any other
        the sum over all brands' rows of the same ``partition`` (the period, or a bucket)."""
        window = ibis.window(group_by=[g[c] for c in partition]) if partition else ibis.window()
        by_id = {m.id: m for f in figures for m in f.inputs}

        def column(name: str) -> ir.Value:
            m = by_id[name]
            col = g[_measure_col(m)].cast("float64")
            return col if m.per_brand else col.sum().over(window)

        values = {f.key: fx.fold(f.formula, lambda v: ibis.literal(v, "float64"), column,
                                 lambda a: -a, binop) for f in figures}
        return g.mutate(**values).drop(*[_measure_col(m) for m in _measures(figures)])

    # -- figures ----------------------------------------------------------------------------

    def _volume(self, sel: MentionSelection, grain: str, figures: Sequence[BrandFigure]
                ) -> ir.Table:
        t = self._select(sel)
        bucket = t.local_date if grain == "day" else t.local_date.truncate(_TRUNC[grain])
        g = t.group_by(period=bucket.cast("date"), brand_id=t.brand_id).aggregate(
            **self._counts(t, figures))
        return self._figures(g, figures, ["period"]).order_by(["period", "brand_id"])

    def volume(self, sel: MentionSelection, grain: str, figures: Sequence[BrandFigure]
               ) -> list[dict[str, Any]]:
        """Per bucket (day, week, month) and brand: mentions, the sentiment split, figures."""
        return self._rows(lambda: self._volume(sel, grain, figures))

    def _brands(self, sel: MentionSelection, figures: Sequence[BrandFigure]) -> ir.Table:
        t = self._select(sel)
        g = t.group_by("brand_id").aggregate(
            **self._counts(t, figures), tagged=_count_if(t.tagged == ibis.literal(True)),
            reach=ibis.coalesce(t.author_followers.sum(), 0).cast("int64"))
        g = self._figures(g, figures, [])
        total = ibis.window()
        g = g.mutate(**{f"{k}_share_of_voice": binop("/", g[k].cast("float64"),
                                                      g[k].sum().over(total).cast("float64"))
                        for k in _SENTIMENT_COUNTS})
        return g.order_by([g.mentions.desc(), g.brand_id.asc()])

    def brands(self, sel: MentionSelection, figures: Sequence[BrandFigure]
               ) -> list[dict[str, Any]]:
        """Per brand over the selection: counts, reach, figures and sentiment shares of voice
        (a brand's positive mentions over all brands' positive mentions...), most first."""
        return self._rows(lambda: self._brands(sel, figures))

    def _authors(self, sel: MentionSelection, limit: int) -> ir.Table:
        t = self._select(replace(sel, with_author=True))

        def distinct_if(cond: ir.BooleanValue) -> ir.Value:
            return cond.ifelse(t.mention_id, ibis.null("string")).nunique().cast("int64")

        g = t.group_by(["author", "network"]).aggregate(
            followers=t.author_followers.max(), mentions=t.mention_id.nunique().cast("int64"),
            negative=distinct_if(t.sentiment == "negative"),
            positive=distinct_if(t.sentiment == "positive"))
        return g.order_by([g.followers.isnull().asc(), g.followers.desc(), g.mentions.desc(),
                           g.author.asc(), g.network.asc()]).limit(limit)

    def top_authors(self, sel: MentionSelection, limit: int) -> list[dict[str, Any]]:
        """Authors (a handle on one network) by followers, then mentions, then name."""
        return self._rows(lambda: self._authors(sel, limit))

    def texts(self, sel: MentionSelection) -> list[dict[str, Any]]:
        """One row per mention: its text, local day and sentiment (for trends and themes)."""
        def build() -> ir.Table:
            t = self._select(sel)
            return t.group_by("mention_id").aggregate(
                text=t.text.max(), local_date=t.local_date.max(), sentiment=t.sentiment.max()
            ).order_by("mention_id")
        return self._rows(build)

    def day_counts(self, sel: MentionSelection) -> list[dict[str, Any]]:
        """Per brand and local day: mentions and negative mentions (spike detection)."""
        def build() -> ir.Table:
            t = self._select(sel)
            return t.group_by(["brand_id", "local_date"]).aggregate(
                volume=t.count().cast("int64"), negative=_count_if(t.sentiment == "negative")
            ).order_by(["brand_id", "local_date"])
        return self._rows(build)

    # -- mentions ---------------------------------------------------------------------------

    def _mention_list(self, sel: MentionSelection, end: int) -> ir.Table:
        t = self._select(sel)
        # one value per mention: every brand row of a mention carries the same
        latest = {c: t[c].max() for c in ("network", "published_at", "local_date", "author",
                                           "author_followers", "text", "lang", "sentiment")}
        g = t.group_by("mention_id").aggregate(
            **latest, score=t.sentiment_score.max(), sentiment_source=t.sentiment_source.max(),
            url=t.url.max(), tagged=t.tagged.any(), brand_ids=t.brand_id.collect())
        # how many match rides along as a window count: one scan, not a second query
        g = g.mutate(_total=g.mention_id.count().over(ibis.window()))
        return g.order_by([g.published_at.desc(), g.mention_id.asc()]).limit(end)

    def mentions(self, sel: MentionSelection, limit: int, offset: int
                 ) -> tuple[int, list[dict[str, Any]]]:
        """One row per mention (with the ids of the brands it matched), newest first, and how
        many match. The first limit+offset rows are sliced here (Ibis' OFFSET on PySpark leaks
        its row-number column; pages are small)."""
        rows = self._rows(lambda: self._mention_list(sel, limit + offset))
        total = int(rows[0]["_total"]) if rows else 0
        out = []
        for r in rows[offset:]:
            r.pop("_total")
            r["brand_ids"] = sorted(r["brand_ids"] or [])
            out.append(r)
        return total, out

    def alert_mentions(self, sels: Sequence[MentionSelection], limit: int
                       ) -> list[list[dict[str, Any]]]:
        """The mentions behind each alert (one selection each), most-followed authors first,
        at most ``limit`` each: one query for all alerts, not one per alert."""
        if not sels:
            return []
        # the Overview's alert panel asks this on every load: one run per files and question
        return self._answer(sels[0].workspace_id, ("alert_mentions", tuple(sels), limit),
                            lambda: self._alert_mentions(sels, limit))

    def _alert_mentions(self, sels: Sequence[MentionSelection], limit: int
                        ) -> list[list[dict[str, Any]]]:
        cols = ["mention_id", "published_at", "author", "author_followers", "network", "lang",
                "sentiment", "text", "url"]

        def build() -> ir.Table:
            parts = [self._select(sel).select(*cols).mutate(_alert=ibis.literal(i, "int64"))
                     for i, sel in enumerate(sels)]
            u = parts[0].union(*parts[1:], distinct=False) if len(parts) > 1 else parts[0]
            rank = ibis.row_number().over(group_by=u._alert, order_by=[
                u.author_followers.isnull().asc(), u.author_followers.desc(),
                u.published_at.asc(), u.mention_id.asc()])
            return (u.mutate(_rn=rank).filter(lambda x: x._rn < limit)
                    .order_by(["_alert", "_rn"]))
        out: list[list[dict[str, Any]]] = [[] for _ in sels]
        for r in self._rows(build):
            out[r.pop("_alert")].append(r)
            r.pop("_rn")
        return out

    def mention_rows(self, workspace_id: int, mention_id: str) -> list[dict[str, Any]]:
        """The stored rows of one mention (one per brand it matched), every column but the
        batch, by brand: what a correction rewrites."""
        def build() -> ir.Table:
            t = self._latest(workspace_id)
            t = t.filter(t.mention_id == mention_id).drop("batch_id")
            return t.order_by("brand_id")
        return self._rows(build)

    def scan(self, workspace_id: int) -> list[dict[str, Any]]:
        """Every mention once, newest first: what a query test matches against."""
        def build() -> ir.Table:
            t = self._latest(workspace_id)
            g = t.group_by("mention_id").aggregate(
                text=t.text.max(), lang=t.lang.max(), author=t.author.max(),
                network=t.network.max(), published_at=t.published_at.max())
            return g.order_by([g.published_at.desc(), g.mention_id.asc()])
        return self._rows(build)

    def data_range(self, workspace_id: int) -> tuple[Any, Any]:
        """The first and last local day with a mention (None, None without any)."""
        def build() -> ir.Table:
            t = self._latest(workspace_id)
            return t.aggregate(first=t.local_date.min(), last=t.local_date.max())
        row = self._rows(build)[0]
        return row["first"], row["last"]

    # -- explain ----------------------------------------------------------------------------

    def engine_name(self) -> str:
        """The backend the queries run on (duckdb, pyspark)."""
        return str(self.engine.backend.name)

    def sql(self, question: str, sel: MentionSelection, figures: Sequence[BrandFigure],
            grain: str = "week") -> str:
        """The SQL the backend runs for ``question`` (share_of_voice or volume)."""
        if question == "volume":
            return self._sql(lambda: self._volume(sel, grain, figures))
        if question == "share_of_voice":
            return self._sql(lambda: self._brands(sel, figures))
        raise ValueError(f"no SQL to show for {question!r}")


def _files_key(paths: Sequence[Path]) -> FilesKey | None:
    """What identifies the files' content: path, size and modification time (files are
    written once and renamed into place). None when one went away meanwhile (a compaction
    retired it): read uncached then."""
    try:
        return tuple((str(p), st.st_size, st.st_mtime_ns) for p in paths for st in [p.stat()])
    except OSError:
        return None


def _count_if(cond: ir.BooleanValue) -> ir.Value:
    return cond.ifelse(1, 0).sum().cast("int64")


def _where(t: ir.Table, m: BrandMeasure) -> ir.BooleanValue:
    conds = [t[column] == ibis.literal(value) for column, value in m.where]
    cond: ir.BooleanValue = conds[0]
    for c in conds[1:]:
        cond = cond & c
    return cond


def _measures(figures: Sequence[BrandFigure]) -> list[BrandMeasure]:
    seen: dict[str, BrandMeasure] = {}
    for f in figures:
        for m in f.inputs:
            seen.setdefault(m.id, m)
    return list(seen.values())


def _measure_col(m: BrandMeasure) -> str:
    return f"m__{m.id}"
