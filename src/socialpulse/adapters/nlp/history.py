"""Priors for short posts' language: the author's other posts and the workspace's mix.

A post of one to three words is detected with a prior (``LanguageDetector.detect``): the
languages of the author's other posts, shrunk towards the workspace's mix of languages (a
Dirichlet prior of weight ``AUTHOR_WEIGHT`` centred on the mix), which itself starts uniform over
the workspace's languages (add-one). Only evidence that is strong on its own is counted: a
language the network declares (Mastodon ``language``, Bluesky ``langs``) and detections of posts
of at least ``LONG_WORDS`` words. The priors live as long as their enricher: one ingest, so a
backfill learns its authors as it goes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

#: a post with at least this many words is detected without a prior (and counts as evidence)
LONG_WORDS = 4
#: how many posts' worth the workspace's mix weighs against an author's own posts
AUTHOR_WEIGHT = 2.0


class LanguagePriors:
    """Counts of languages seen per author and over the workspace, as priors."""

    def __init__(self, languages: Sequence[str]) -> None:
        self.languages = tuple(languages)
        self.workspace: Counter[str] = Counter()
        self.authors: dict[str, Counter[str]] = {}

    def observe(self, author: str, lang: str) -> None:
        if lang not in self.languages:
            return
        self.workspace[lang] += 1
        if author:
            self.authors.setdefault(author.lower(), Counter())[lang] += 1

    def mix(self) -> dict[str, float]:
        total = sum(self.workspace.values()) + len(self.languages)
        return {lang: (1 + self.workspace[lang]) / total for lang in self.languages}

    def prior(self, author: str) -> dict[str, float]:
        """P(language) for a short post by ``author`` (the workspace mix for an unknown one)."""
        mix = self.mix()
        own = self.authors.get(author.lower(), Counter()) if author else Counter()
        n = sum(own.values())
        return {lang: (AUTHOR_WEIGHT * p + own[lang]) / (AUTHOR_WEIGHT + n)
                for lang, p in mix.items()}
