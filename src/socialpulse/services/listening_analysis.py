"""Listening, part 3: what the mentions say. Volume, share of voice and sentiment per brand,
top authors, trending terms, themes, the mention list, and how a figure was computed.

Every count is a query of the `MentionQueries` port (the App's engine: DuckDB or PySpark);
share of voice, positive share and net sentiment are the catalogue's formulas read per brand
(`domain/listening/figures.py`), so listening and `metrics compute` cannot disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from socialpulse.domain.errors import InvalidInput, MissingData
from socialpulse.domain.listening.figures import FIGURES, brand_figures, describe
from socialpulse.domain.listening.query import tokenize_text
from socialpulse.domain.listening.selection import (
    MentionSelection,
    check_grain,
    check_sentiment,
)
from socialpulse.domain.listening.themes import STOPWORDS, themes_of
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.services.listening_brands import BrandQueries

#: the catalogue figures each question computes per brand
SOV_FIGURES = tuple(FIGURES)
VOLUME_FIGURES = ("positive_share", "net_sentiment")
#: the keys of a volume row and of a share-of-voice brand row, in output order
_COUNTS = ("mentions", "positive", "neutral", "negative", "rated")
VOLUME_KEYS = ("period", "brand_id", *_COUNTS, "brand", "is_own", *VOLUME_FIGURES)
SOV_KEYS = ("brand_id", *_COUNTS, "tagged", "reach", "brand", "is_own", "positive_share",
            "net_sentiment", "share_of_voice", "positive_share_of_voice",
            "negative_share_of_voice", "neutral_share_of_voice", "untagged")
#: figures `explain` can show, and the question that computes each
EXPLAINED = {"share_of_voice": "share_of_voice", "positive_share": "share_of_voice",
             "net_sentiment": "share_of_voice", "volume": "volume"}


@dataclass(frozen=True)
class FigureExplanation:
    """How a listening figure is computed: its definitions and the SQL the engine runs."""

    figure: str
    period: DateRange
    definitions: list[str]
    engine: str
    sql: str

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["period"] = {"start": self.period.start, "end": self.period.end}
        return d


class MentionAnalysis(BrandQueries):
    """Reads: never write, never take an actor."""

    def data_range(self, ws: Workspace) -> DateRange | None:
        first, last = self.queries.data_range(ws.id)
        return DateRange(first, last) if first is not None else None

    def default_period(self, ws: Workspace, days: int = 90) -> DateRange:
        r = self.data_range(ws)
        if r is None:
            raise MissingData(
                f"workspace {ws.slug!r} has no mentions yet; ingest some with "
                "`socialpulse listen ingest FILE`"
            )
        return DateRange(max(r.start, r.end - timedelta(days=days - 1)), r.end)

    def volume(self, ws: Workspace, period: DateRange, grain: str = "week"
               ) -> list[dict[str, Any]]:
        """Mentions and sentiment per brand and period bucket (day, week or month)."""
        figures = brand_figures(self.catalogue, VOLUME_FIGURES)
        rows = self.queries.volume(MentionSelection(ws.id, period), check_grain(grain), figures)
        return self._with_brands(ws, rows, VOLUME_KEYS)

    def _with_brands(self, ws: Workspace, rows: list[dict[str, Any]], keys: tuple[str, ...]
                     ) -> list[dict[str, Any]]:
        """Rows with their brand's name and kind, keys in the order outputs show them."""
        brands = {b.id: b for b in self.store.brands(ws.id)}
        out = []
        for r in rows:
            b = brands.get(r["brand_id"])
            r["brand"] = b.name if b else str(r["brand_id"])
            r["is_own"] = b.is_own if b else False
            out.append({k: r[k] for k in keys})
        return out

    def share_of_voice(self, ws: Workspace, period: DateRange) -> dict[str, Any]:
        """Each brand's mentions over all brands' mentions in the period, also by sentiment."""
        rows = self.queries.brands(MentionSelection(ws.id, period),
                                   brand_figures(self.catalogue, SOV_FIGURES))
        for r in rows:
            r["untagged"] = r["mentions"] - r["tagged"]
        rows = self._with_brands(ws, rows, SOV_KEYS)
        return {"period": {"start": period.start, "end": period.end},
                "total": sum(r["mentions"] for r in rows), "brands": rows}

    def explain(self, ws: Workspace, figure: str, period: DateRange,
                grain: str = "week") -> FigureExplanation:
        """The definitions behind a listening figure and the SQL the engine runs for it."""
        if figure not in EXPLAINED:
            raise InvalidInput(f"figure: unknown listening figure {figure!r}; use one of "
                               f"{', '.join(EXPLAINED)}")
        question = EXPLAINED[figure]
        keys = (figure,) if figure in FIGURES else VOLUME_FIGURES
        ran = SOV_FIGURES if question == "share_of_voice" else VOLUME_FIGURES
        sql = self.queries.sql(question, MentionSelection(ws.id, period),
                               brand_figures(self.catalogue, ran), check_grain(grain))
        how = (f"counts per brand and {grain}" if question == "volume"
               else "counts per brand over the period")
        definitions = [line for f in brand_figures(self.catalogue, keys) for line in describe(f)]
        definitions.append(f"{how}, from the latest row of each (mention, brand) in the lake's "
                           "mentions dataset whose local publication day is in the period")
        return FigureExplanation(figure, period, definitions, self.queries.engine_name(), sql)

    def top_authors(self, ws: Workspace, period: DateRange, brand: str | None = None,
                    limit: int = 10) -> list[dict[str, Any]]:
        """Authors by reach (their follower count), with how often and how they mention.

        An author is a handle on one network: the same handle elsewhere is another person as
        far as the data can tell (and grouping by handle alone picked a network at random)."""
        sel = MentionSelection(ws.id, period, self.brand_id(ws, brand))
        return self.queries.top_authors(sel, int(limit))

    def trending(self, ws: Workspace, period: DateRange, brand: str | None = None,
                 recent_days: int = 7, limit: int = 10) -> dict[str, Any]:
        """Terms and hashtags growing most in the last ``recent_days`` against the rest of the
        period (smoothed rate ratio, so a word seen twice does not outrank a real trend)."""
        rows = self.queries.texts(MentionSelection(ws.id, period, self.brand_id(ws, brand)))
        cut = period.end - timedelta(days=recent_days - 1)
        recent: Counter[str] = Counter()
        before: Counter[str] = Counter()
        brand_words = self._brand_words(ws)
        for r in rows:
            words = {w for w in set(tokenize_text(r["text"] or ""))
                     if len(w) > 2 and w not in STOPWORDS and w.lstrip("#") not in brand_words
                     and not w.startswith("@") and not w.isdigit()}
            (recent if r["local_date"] >= cut else before).update(words)
        n_recent = sum(1 for r in rows if r["local_date"] >= cut)
        n_before = len(rows) - n_recent
        scored = []
        for w, c in recent.items():
            if c < 3:
                continue
            lift = (c / max(n_recent, 1)) / ((before[w] + 1) / (n_before + 1))
            scored.append((lift, c, w))
        scored.sort(reverse=True)
        rank = [{"term": w, "mentions": c, "before": before[w], "lift": round(lift, 2)}
                for lift, c, w in scored]
        top_tags = Counter({w: c for w, c in (recent + before).items() if w.startswith("#")})
        return {"recent": {"start": cut, "end": period.end, "mentions": n_recent},
                "terms": [t for t in rank if not str(t["term"]).startswith("#")][:limit],
                "hashtags": [t for t in rank if str(t["term"]).startswith("#")][:limit],
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
        counts: dict[str, Counter[str]] = {}
        sel = MentionSelection(ws.id, period, self.brand_id(ws, brand))
        for r in self.queries.texts(sel):
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

    def mentions(self, ws: Workspace, period: DateRange | None = None,
                 brand: str | None = None, sentiment: str | None = None,
                 lang: str | None = None, network: str | None = None,
                 tagged: bool | None = None, search: str | None = None,
                 limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """Mentions, newest first, one row per mention with the brands it matched."""
        if sentiment:
            check_sentiment(sentiment)
        brand_id = self.brand_id(ws, brand)
        if not 1 <= limit <= 1000:
            raise InvalidInput("limit: must be between 1 and 1000")
        if offset < 0:
            raise InvalidInput("offset: must be 0 or more")
        sel = MentionSelection(
            ws.id, period, brand_id, sentiment or None,
            lang.strip().lower() if lang else None,
            network.strip().lower() if network else None, tagged,
            search.strip() if search else None)
        names = {b.id: b.name for b in self.store.brands(ws.id)}
        total, rows = self.queries.mentions(sel, limit, offset)
        for r in rows:
            r["brands"] = [names.get(b, str(b)) for b in r.pop("brand_ids")]
        return {"total": total, "limit": limit, "offset": offset, "mentions": rows}
