"""Enrichment of mention texts: language (restricted to the workspace's), then sentiment.

The enricher resolves ``auto`` per batch (accurate up to ``AUTO_ACCURATE_MAX`` distinct texts,
fast above), gives "sentiment not available for LANG in MODE mode" (label ``unknown``) where the
model cannot read a language instead of a guess, and adapts the model to the workspace's stored
corrections (a few-shot update of its head, ``adapt.py``) when it is given them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .base import UNKNOWN, unavailable
from .history import LONG_WORDS, LanguagePriors
from .language import UNDETERMINED, LanguageDetector, word_count
from .sentiment import (
    AUTO_ACCURATE_MAX,
    DEFAULT_MODE,
    SentimentClassifier,
    check_mode,
    classifier,
    to_predictions,
)

#: a workspace correction: (text, language, label)
Correction = tuple[str, str, str]


@dataclass(frozen=True)
class Enriched:
    lang: str
    sentiment: str
    score: float
    confidence: float
    #: the mode that labelled it ("fast", "accurate"...; for ``unknown``, the mode that could not)
    model: str = ""
    #: why there is no sentiment (``unknown`` only), e.g. "sentiment not available for fa in
    #: fast mode"
    note: str = ""


class Enricher:
    """Language and sentiment for batches of texts; one per workspace language set and mode."""

    def __init__(self, languages: Sequence[str], mode: str = DEFAULT_MODE,
                 model_path: str | None = None,
                 corrections: Sequence[Correction] = ()) -> None:
        self.detector = LanguageDetector(languages)
        self.mode = check_mode(mode)
        self.model_path = model_path
        self.corrections = list(corrections)
        self.priors = LanguagePriors(self.detector.languages)
        self._models: dict[str, SentimentClassifier] = {}
        if self.mode != "auto":
            self.model_for(1)  # a missing package or checkpoint is refused before any work

    def model_for(self, distinct_texts: int) -> SentimentClassifier:
        """The model for a batch of this many distinct texts (adapted once per mode)."""
        mode = self.mode
        if mode == "auto":
            mode = "accurate" if distinct_texts <= AUTO_ACCURATE_MAX else "fast"
        if mode not in self._models:
            model = classifier(mode, self.model_path)
            if self.corrections:
                texts, langs, labels = (list(c) for c in zip(*self.corrections, strict=True))
                model = model.adapted(texts, [_model_lang(x) for x in langs], labels)
            self._models[mode] = model
        return self._models[mode]

    def languages(self, texts: Sequence[str], hints: Sequence[str] | None = None,
                  authors: Sequence[str] | None = None) -> list[str]:
        """A declared language of the workspace's is kept (it comes from the author's client
        and beats a guess); a post of ``LONG_WORDS`` words or more is detected on its own;
        a shorter one with the prior of its author's other posts and the workspace's mix."""
        allowed = set(self.detector.languages)
        out: list[str | None] = [None] * len(texts)
        who = list(authors) if authors is not None else [""] * len(texts)
        for i, t in enumerate(texts):
            hint = hints[i] if hints is not None else ""
            if hint in allowed:
                out[i] = hint
            elif word_count(t) >= LONG_WORDS:
                out[i] = self.detector.detect(t)
            else:
                continue
            self.priors.observe(who[i], str(out[i]))
        return [lang if lang is not None else self.detector.detect(t, self.priors.prior(a))
                for lang, t, a in zip(out, texts, who, strict=True)]

    def enrich(self, texts: Sequence[str], hints: Sequence[str] | None = None,
               authors: Sequence[str] | None = None) -> list[Enriched]:
        return self.sentiment(texts, self.languages(texts, hints, authors))

    def sentiment(self, texts: Sequence[str], langs: Sequence[str]) -> list[Enriched]:
        model = self.model_for(len(set(texts)))
        model_langs = [_model_lang(lang) for lang in langs]
        ok = [i for i, (t, lang) in enumerate(zip(texts, model_langs, strict=True))
              if model.supports(lang, t)]
        out = [Enriched(lang, UNKNOWN, 0.0, 0.0, model.mode, unavailable(lang, model.mode))
               for lang in langs]
        if ok:
            proba = model.predict_proba([texts[i] for i in ok], [model_langs[i] for i in ok])
            for i, p in zip(ok, to_predictions(proba), strict=True):
                out[i] = Enriched(langs[i], p.label, p.score, p.confidence, model.mode)
        return out


def _model_lang(lang: str) -> str:
    return "" if lang == UNDETERMINED else lang


class Nlp:
    """The listening service's NLP port: enrichers per language set and mode, and language
    lists checked against what the detector knows."""

    def enricher(self, languages: Sequence[str], mode: str = DEFAULT_MODE,
                 model_path: str | None = None,
                 corrections: Sequence[Correction] = ()) -> Enricher:
        return Enricher(languages, mode, model_path, corrections)

    def parse_languages(self, value: str | Sequence[str], where: str) -> tuple[str, ...]:
        from .language import parse_languages

        return parse_languages(value, where)
