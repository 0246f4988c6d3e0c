"""Enrichment of mention texts: language (restricted to the workspace's), then sentiment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .language import UNDETERMINED, LanguageDetector
from .sentiment import SentimentClassifier, classifier, to_predictions


@dataclass(frozen=True)
class Enriched:
    lang: str
    sentiment: str
    score: float
    confidence: float


class Enricher:
    """Language and sentiment for a batch of texts; one per workspace language set and mode."""

    def __init__(self, languages: Sequence[str], mode: str = "default",
                 model_path: str | None = None) -> None:
        self.detector = LanguageDetector(languages)
        self.model: SentimentClassifier = classifier(mode, model_path)
        self.mode = self.model.mode

    def languages(self, texts: Sequence[str], hints: Sequence[str] | None = None) -> list[str]:
        """A source's declared language is kept when it is one of the workspace's languages
        (it comes from the author's client and beats a guess); otherwise it is detected."""
        allowed = set(self.detector.languages)
        out = []
        for i, t in enumerate(texts):
            hint = hints[i] if hints is not None else ""
            out.append(hint if hint in allowed else self.detector.detect(t))
        return out

    def enrich(self, texts: Sequence[str], hints: Sequence[str] | None = None) -> list[Enriched]:
        langs = self.languages(texts, hints)
        return self.sentiment(texts, langs)

    def sentiment(self, texts: Sequence[str], langs: Sequence[str]) -> list[Enriched]:
        model_langs = [lang if lang != UNDETERMINED else "" for lang in langs]
        preds = to_predictions(self.model.predict_proba(texts, model_langs))
        return [Enriched(lang, p.label, p.score, p.confidence)
                for lang, p in zip(langs, preds, strict=True)]


class Nlp:
    """The listening service's NLP port: enrichers per language set and mode, and language
    lists checked against what the detector knows."""

    def enricher(self, languages: Sequence[str], mode: str = "default",
                 model_path: str | None = None) -> Enricher:
        return Enricher(languages, mode, model_path)

    def parse_languages(self, value: str | Sequence[str], where: str) -> tuple[str, ...]:
        from .language import parse_languages

        return parse_languages(value, where)
