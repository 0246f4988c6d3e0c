"""Language identification restricted to the workspace's languages (py3langid, offline).

URLs, @handles and #hashtags are stripped first: they are not in any language and pull short
posts towards English. Restricting the candidate set is what makes py3langid accurate on social
posts (DESIGN.md measured 97%); a text with no letters left gets ``und`` (undetermined).

One or two words carry little evidence ("muy bueno" is Spanish, "bom dia" could be several), so
``detect`` takes a prior over the languages: what the author usually writes and what the
workspace's mentions are mostly in (``history.py`` builds it). The detector's scores, tempered
(``TEMPERATURE``), and the prior's log are added: a long text's evidence outweighs any prior, a
two-word text's does not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from socialpulse.domain.errors import InvalidInput

_STRIP = re.compile(r"https?://\S+|www\.\S+|[@#][\w.]+", re.UNICODE)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
UNDETERMINED = "und"
#: py3langid's naive-Bayes scores treat overlapping character n-grams as independent, so they
#: are overconfident; with a prior they are divided by this (chosen on UMSAB train's short
#: texts, scripts/eval_language.py --tune)
TEMPERATURE = 8.0
#: writing systems of languages that do not use the Latin script (code point ranges)
_SCRIPTS: dict[str, tuple[tuple[int, int], ...]] = {
    "arabic": ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "cyrillic": ((0x0400, 0x052F),),
    "devanagari": ((0x0900, 0x097F),),
    "greek": ((0x0370, 0x03FF),),
    "hebrew": ((0x0590, 0x05FF),),
    "cjk": ((0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF)),
    "thai": ((0x0E00, 0x0E7F),),
}
_SCRIPT_OF_LANG = {
    "ar": "arabic", "fa": "arabic", "ur": "arabic", "ps": "arabic", "ku": "arabic",
    "ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic", "sr": "cyrillic", "mk": "cyrillic",
    "be": "cyrillic", "kk": "cyrillic", "mn": "cyrillic", "ky": "cyrillic",
    "hi": "devanagari", "mr": "devanagari", "ne": "devanagari",
    "el": "greek", "he": "hebrew", "zh": "cjk", "ja": "cjk", "ko": "cjk", "th": "thai",
}


def _script(text: str) -> str:
    """The dominant non-Latin script of a text's letters, or "latin"."""
    counts: dict[str, int] = {}
    latin = 0
    for ch in text:
        o = ord(ch)
        if o < 0x250:
            latin += ch.isalpha()
            continue
        for name, ranges in _SCRIPTS.items():
            if any(a <= o <= b for a, b in ranges):
                counts[name] = counts.get(name, 0) + 1
                break
    if not counts:
        return "latin"
    name, n = max(counts.items(), key=lambda kv: kv[1])
    return name if n > latin else "latin"


@lru_cache(maxsize=1)
def _base_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)


def supported_languages() -> list[str]:
    """ISO 639-1 codes py3langid knows (97 languages)."""
    return sorted(_base_identifier().nb_classes)


def parse_languages(value: str | Sequence[str], where: str = "--languages") -> tuple[str, ...]:
    """Parse ``en,es,de`` into codes, naming an unknown code and the option it came from."""
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = tuple(dict.fromkeys(c.strip().lower() for c in items if c.strip()))
    if not codes:
        raise InvalidInput(f"{where}: give at least one language code, e.g. en,es")
    known = set(supported_languages())
    for c in codes:
        if c not in known:
            raise InvalidInput(f"{where}: unknown language code {c!r} (use ISO 639-1, e.g. en, fa)")
    return codes


class LanguageDetector:
    """Detects one of a fixed set of languages; the set is the workspace's languages."""

    def __init__(self, languages: Sequence[str]) -> None:
        import copy

        self.languages = parse_languages(languages, "languages")
        ident = copy.copy(_base_identifier())
        if len(self.languages) > 1:
            ident.set_languages(list(self.languages))
        self._ident = ident
        self._scripts = {_SCRIPT_OF_LANG.get(lang, "latin") for lang in self.languages}

    def detect(self, text: str, prior: Mapping[str, float] | None = None) -> str:
        """The text's language among the workspace's; ``prior`` (language -> probability,
        missing languages ~0) weighs in where the text itself says little."""
        cleaned = _STRIP.sub(" ", text)
        if not _LETTER.search(cleaned):
            return UNDETERMINED
        if not cleaned.isascii() and _script(cleaned) not in self._scripts:
            # a Persian post in an en/es/de/fr workspace is not French: say "undetermined"
            return UNDETERMINED
        if len(self.languages) == 1:
            return self.languages[0]
        if not prior:
            lang: str = self._ident.classify(cleaned)[0]
            return lang
        ranked = self._ident.rank(cleaned)
        best = max(ranked, key=lambda kv: kv[1] / TEMPERATURE
                   + math.log(max(prior.get(kv[0], 0.0), 1e-6)))
        return str(best[0])

    def detect_many(self, texts: Sequence[str]) -> list[str]:
        return [self.detect(t) for t in texts]


def word_count(text: str) -> int:
    """Words with letters once URLs, handles and hashtags are gone (what evidence is left)."""
    return sum(1 for w in _STRIP.sub(" ", text).split() if _LETTER.search(w))
