"""Listening, part 2: mentions in (ingest and enrichment) and people's sentiment labels.

Mentions are stored in the lake's ``mentions`` dataset, one row per mention and brand it
matches, written only as whole batches (atomic and content-hashed: re-ingesting the same file
adds nothing; the same mention in a later file replaces the earlier row, natural key
(mention_id, brand_id), latest batch wins).

Label corrections: the ``mention_corrections`` table is the source of truth (it keeps the
text and the model's label for retraining). A correction is also written to the lake at once,
as a small batch with the corrected rows, because the catalogue metrics (social_sentiment...)
read the lake; and every later ingest applies stored corrections to what the model says, so
re-ingesting a mention never undoes a person's label.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from socialpulse.domain.actor import Action, Actor, authorize
from socialpulse.domain.errors import InvalidInput, NotFound
from socialpulse.domain.listening.mention import RawMention
from socialpulse.domain.listening.query import Document, Query, prepare
from socialpulse.domain.listening.selection import check_sentiment
from socialpulse.domain.models import Brand, Workspace
from socialpulse.services.listening_brands import BrandQueries
from socialpulse.services.ports import MentionEnricher, MentionSource

INGEST_CHUNK = 20_000
#: the sentiment mode when none is asked for: the better model (nlp's ``accurate``); ``auto``
#: switches to the fast one above a volume, ``fast`` is for backfills (docs/listening.md)
DEFAULT_MODE = "accurate"
#: the label of a mention whose language the model cannot read (stored, never counted as rated)
UNKNOWN_SENTIMENT = "unknown"
#: the lake columns an ingest writes, in order
MENTION_COLUMNS = ("mention_id", "network", "brand_id", "is_own_brand", "published_at",
                   "author", "author_followers", "text", "lang", "sentiment", "sentiment_score",
                   "has_sentiment", "tagged", "url", "sentiment_source")


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


Matched = tuple[RawMention, str, list[tuple[Brand, bool]]]


class MentionIngest(BrandQueries):
    """Reading sources, matching brand queries, enriching, writing; corrections."""

    def ingest_file(self, actor: Actor, ws: Workspace, path: Path, fmt: str | None = None,
                    network: str | None = None, mode: str = DEFAULT_MODE,
                    model_path: str | None = None, source_name: str | None = None
                    ) -> IngestSummary:
        """Ingest a mentions file (JSONL, CSV, Mastodon, Bluesky; ``fmt`` None: detected)."""
        source = self.open_source(path, fmt, network)
        return self.ingest(actor, ws, source, mode, model_path, source_name)

    def ingest(self, actor: Actor, ws: Workspace, source: MentionSource | Iterable[RawMention],
               mode: str = DEFAULT_MODE, model_path: str | None = None,
               source_name: str | None = None, chunk: int = INGEST_CHUNK,
               fmt: str = "mentions") -> IngestSummary:
        """Read a source, keep what matches a brand query, enrich it, write it to the lake.

        Works the same for a file and for a live stream: every ``chunk`` mentions become one
        atomic lake batch, so an interrupted stream keeps what it committed. A file
        (``replayable``) is read through once first: a bad record anywhere in it refuses the
        whole file before any chunk is written.
        """
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        if getattr(source, "replayable", False):
            for _ in source:
                pass
        queries = self.compiled_queries(ws)
        # the workspace's corrections adapt the model to it (a few-shot update of its head)
        taught = [(c.text, c.lang, c.sentiment) for c in self.repo.corrections(ws.id).values()
                  if c.text]
        enricher = self.nlp.enricher(ws.languages or ("en",), mode, model_path, taught)
        name = str(source_name or getattr(source, "name", None) or "mentions")
        summary = IngestSummary(source=name)
        buf: list[RawMention] = []
        for raw in source:
            summary.read += 1
            buf.append(raw)
            if len(buf) >= chunk:
                self._ingest_chunk(ws, buf, queries, enricher, fmt, summary)
                buf = []
        if buf:
            self._ingest_chunk(ws, buf, queries, enricher, fmt, summary)
        if summary.read == 0:
            raise InvalidInput(f"{name}: no mentions in the source")
        return summary

    def _ingest_chunk(self, ws: Workspace, raws: list[RawMention],
                      queries: list[tuple[Brand, Query]], enricher: MentionEnricher,
                      fmt: str, summary: IngestSummary) -> None:
        cols = self.enrich_rows(ws, raws, queries, enricher)
        summary.rows += len(cols["mention_id"])
        ids = set(cols["mention_id"])
        summary.matched += len(ids)
        summary.unmatched += len({r.mention_id for r in raws} - ids)
        brand_names = {b.id: b.name for b, _ in queries}
        for bid, n in Counter(cols["brand_id"]).items():
            summary.by_brand[brand_names[bid]] = summary.by_brand.get(brand_names[bid], 0) + n
        if not ids:
            return
        already = self.writer.write(ws.id, summary.source, fmt, cols)
        summary.batches += 1
        if already:
            summary.already_imported += 1

    def enrich_rows(self, ws: Workspace, raws: Sequence[RawMention],
                    queries: list[tuple[Brand, Query]], enricher: MentionEnricher
                    ) -> dict[str, list[Any]]:
        """Rows for the lake, as columns: language first (``lang:`` filters need it), then the
        brand match, then sentiment for matched mentions only; stored corrections win."""
        matched = _match(raws, queries, enricher)
        cols: dict[str, list[Any]] = {k: [] for k in (*MENTION_COLUMNS, "local_date")}
        if not matched:
            return cols
        enriched = enricher.sentiment([m[0].text for m in matched], [m[1] for m in matched])
        corrections = self.repo.corrections(ws.id, [m[0].mention_id for m in matched])
        for (r, lang, hits), e in zip(matched, enriched, strict=True):
            corr = corrections.get(r.mention_id)
            label = corr.sentiment if corr else e.sentiment
            values = (r.mention_id, r.network, None, None, r.published_at, r.author,
                      r.author_followers, r.text, lang, label,
                      corrected_score(label) if corr else e.score,
                      bool(corr) or e.sentiment != UNKNOWN_SENTIMENT, None, r.url,
                      "user" if corr else f"model:{e.model}")
            for brand, tagged in hits:
                for k, v in zip(MENTION_COLUMNS, values, strict=True):
                    cols[k].append(v)
                cols["brand_id"][-1], cols["is_own_brand"][-1] = brand.id, brand.is_own
                cols["tagged"][-1] = tagged
        cols["local_date"] = _local_dates(cols["published_at"], ws.timezone)
        return cols

    def correct(self, actor: Actor, ws: Workspace, mention_id: str, sentiment: str
                ) -> dict[str, Any]:
        """A person's label: stored for retraining, and written to the lake so metrics use it."""
        authorize(actor, Action.LISTENING_EDIT, ws.slug)
        label = check_sentiment(sentiment.strip().lower())
        rows = self.queries.mention_rows(ws.id, mention_id)
        if not rows:
            raise NotFound(f"mention {mention_id!r} not found in workspace {ws.slug!r}")
        first = rows[0]
        previous = first["sentiment"] if first["sentiment_source"] != "user" else None
        corr = self.repo.correct(ws.id, mention_id, label, previous, first["text"] or "",
                                 first["lang"] or "")
        for r in rows:
            r.update(sentiment=label, sentiment_score=corrected_score(label),
                     has_sentiment=True, sentiment_source="user")
        cols = {k: [r[k] for r in rows] for k in rows[0]}
        stamp = corr.corrected_at.isoformat()
        self.writer.write(ws.id, f"correction {mention_id} -> {label} at {stamp}",
                          "mentions-correction", cols)
        return {"mention_id": mention_id, "sentiment": label,
                "model_sentiment": corr.model_sentiment, "corrected_at": stamp}

    def corrections(self, ws: Workspace) -> list[dict[str, Any]]:
        """Corrections with their texts: the retraining set (``listen corrections --export``)."""
        return [asdict(c) for c in sorted(self.repo.corrections(ws.id).values(),
                                          key=lambda c: c.corrected_at)]

    def classifier(self, languages: str | Sequence[str], mode: str = DEFAULT_MODE,
                   model_path: str | None = None, where: str = "--languages"
                   ) -> MentionEnricher:
        """Language and sentiment for any texts (`listen classify`, the classify API);
        ``languages`` is checked against what the detector knows, errors name ``where``."""
        return self.nlp.enricher(self.nlp.parse_languages(languages, where), mode, model_path)


def classified(enricher: MentionEnricher, texts: Sequence[str]) -> list[dict[str, Any]]:
    """What `listen classify` and the classify API answer per text."""
    out: list[dict[str, Any]] = []
    for t, e in zip(texts, enricher.enrich(texts), strict=True):
        out.append({"text": t, "lang": e.lang, "sentiment": e.sentiment, "score": e.score,
                    "confidence": e.confidence})
        if e.note:  # no sentiment for this language in this mode: say so, never guess
            out[-1]["note"] = e.note
    return out


def _match(raws: Sequence[RawMention], queries: list[tuple[Brand, Query]],
           enricher: MentionEnricher) -> list[Matched]:
    """The mentions some brand query matches (the last of one id in a chunk), with their
    language and, per brand, whether it was tagged."""
    uniq: dict[str, RawMention] = {}
    for r in raws:  # the same mention twice in one chunk: keep the last
        uniq[r.mention_id] = r
    items = list(uniq.values())
    langs = enricher.languages([r.text for r in items], [r.lang for r in items],
                               [r.author or "" for r in items])
    matched: list[Matched] = []
    for r, lang in zip(items, langs, strict=True):
        d = prepare(Document(r.text, lang, r.author, r.network))
        hits = [(b, q.tagged_prepared(d)) for b, q in queries if q.match_prepared(d)]
        if hits:
            matched.append((r, lang, hits))
    return matched


def _local_dates(times: Sequence[datetime], tz: str) -> list[Any]:
    zone = ZoneInfo(tz)
    return [t.astimezone(zone).date() for t in times]


def corrected_score(label: str) -> float:
    """A person's label as a score: certain, so -1, 0 or 1."""
    return {"negative": -1.0, "neutral": 0.0, "positive": 1.0}[label]
