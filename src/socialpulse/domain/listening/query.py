"""The Boolean query language of brand queries, parsed and matched without I/O.

Syntax (what listening tools accept, DOMAIN.md section 5)::

    "acme outdoor" OR acmeoutdoor OR @acmeoutdoor OR #acme*
    (tent OR jacket) AND NOT (lang:de OR author:spam*)
    acme -"acme corp" network:mastodon

* words match whole words, case- and accent-insensitively; ``*`` matches any run of characters
  and ``?`` one character inside a word (``hik*`` matches hike, hiking, hiker);
* ``"phrases"`` match consecutive words;
* ``@handle`` and ``#hashtag`` match that handle or tag; a mention matched through one of the
  query's handles or tags is *tagged*, otherwise *untagged*;
* ``AND``, ``OR``, ``NOT`` (upper case) and ``-term``; juxtaposed terms are ANDed; AND binds
  tighter than OR; parentheses group;
* field filters ``lang:CODE``, ``author:NAME`` (with or without @, wildcards allowed),
  ``network:NAME``.

Errors name the 1-based column where the query stops making sense, so a user can fix it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.platforms import Network

FIELDS = ("lang", "author", "network")
#: where a mention can come from: every platform of the registry, then sources that are not
#: social networks of ours (forums, the web, the press)
NETWORKS = (*(n.value for n in Network), "reddit", "web", "news", "other")
MAX_QUERY_LENGTH = 4000
_WORD = re.compile(r"[@#]?[\w*?][\w*?'’.-]*", re.UNICODE)
_TEXT_TOKEN = re.compile(r"[@#]?\w+(?:[’'.-]\w+)*", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents: 'Café' and 'cafe' are the same word to a query."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Document:
    """What a query looks at: the text and the fields a filter can name."""

    text: str
    lang: str = ""
    author: str = ""
    network: str = ""


@dataclass
class _Doc:
    words: list[str]
    tokens: set[str]
    lang: str
    author: str
    network: str


def tokenize_text(text: str) -> list[str]:
    """Folded words of a text; @handles and #tags keep their sigil ('@acme', '#acme')."""
    return _TEXT_TOKEN.findall(fold(text))


def _prepare(doc: Document) -> _Doc:
    words = tokenize_text(doc.text)
    tokens = set(words)
    # a hashtag or handle also counts as its bare word for plain-word terms (#acme -> acme)
    tokens.update(w[1:] for w in words if w[0] in "@#")
    return _Doc(words, tokens, fold(doc.lang), fold(doc.author).lstrip("@"), fold(doc.network))


# --- syntax tree ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    pos: int


@dataclass(frozen=True)
class Term(Node):
    value: str  # folded; may hold * and ?; may start with @ or #


@dataclass(frozen=True)
class Phrase(Node):
    words: tuple[str, ...]


@dataclass(frozen=True)
class FieldFilter(Node):
    name: str
    value: str


@dataclass(frozen=True)
class Not(Node):
    item: Node


@dataclass(frozen=True)
class And(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or(Node):
    items: tuple[Node, ...]


# --- tokenizer --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE FIELD AND OR NOT MINUS LPAREN RPAREN END
    text: str
    pos: int  # 0-based offset into the query
    extra: str = ""


def _error(query: str, pos: int, message: str) -> InvalidInput:
    return InvalidInput(f"query: {message} at column {pos + 1}: {query!r}")


def _tokenize(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
            continue
        if c == "(":
            toks.append(_Tok("LPAREN", c, i))
            i += 1
            continue
        if c == ")":
            toks.append(_Tok("RPAREN", c, i))
            i += 1
            continue
        if c == '"' or c == "“" or c == "”":
            end = -1
            for j in range(i + 1, n):
                if q[j] in '"“”':
                    end = j
                    break
            if end < 0:
                raise _error(q, i, "unterminated phrase (missing closing \")")
            toks.append(_Tok("PHRASE", q[i + 1 : end], i))
            i = end + 1
            continue
        if c == "-" and i + 1 < n and not q[i + 1].isspace() and q[i + 1] != ")":
            toks.append(_Tok("MINUS", c, i))
            i += 1
            continue
        m = re.match(r"([A-Za-z]+):", q[i:])
        if m and i + len(m.group(0)) < n and not q[i + len(m.group(0))].isspace():
            name = m.group(1).lower()
            if name not in FIELDS:
                raise _error(q, i, f"unknown field {m.group(1)!r}: use one of "
                                   f"{', '.join(f + ':' for f in FIELDS)}")
            j = i + len(m.group(0))
            vm = _WORD.match(q, j)
            if vm is None:
                raise _error(q, j, f"{name}: needs a value")
            toks.append(_Tok("FIELD", vm.group(0), i, name))
            i = vm.end()
            continue
        m2 = _WORD.match(q, i)
        if m2 is None:
            raise _error(q, i, f"unexpected character {c!r}")
        word = m2.group(0).rstrip(".-'’")
        end = i + len(word)
        if word in ("AND", "OR", "NOT"):
            toks.append(_Tok(word, word, i))
        else:
            toks.append(_Tok("WORD", word, i))
        i = end if end > i else i + 1
    toks.append(_Tok("END", "", n))
    return toks


# --- parser -----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, query: str) -> None:
        self.q = query
        self.toks = _tokenize(query)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise _error(self.q, 0, "empty query")
        node = self.or_expr()
        t = self.peek()
        if t.kind == "RPAREN":
            raise _error(self.q, t.pos, "unexpected ')' with no matching '('")
        if t.kind != "END":
            raise _error(self.q, t.pos, f"unexpected {t.text!r}")
        return node

    def or_expr(self) -> Node:
        first = self.peek()
        items = [self.and_expr()]
        while self.peek().kind == "OR":
            op = self.take()
            if self.peek().kind in ("END", "RPAREN", "OR", "AND"):
                raise _error(self.q, op.pos, "OR needs a term on both sides")
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(first.pos, tuple(items))

    def and_expr(self) -> Node:
        first = self.peek()
        items = [self.unary()]
        while True:
            t = self.peek()
            if t.kind == "AND":
                self.take()
                if self.peek().kind in ("END", "RPAREN", "OR", "AND"):
                    raise _error(self.q, t.pos, "AND needs a term on both sides")
                items.append(self.unary())
            elif t.kind in ("WORD", "PHRASE", "FIELD", "NOT", "MINUS", "LPAREN"):
                items.append(self.unary())
            else:
                break
        return items[0] if len(items) == 1 else And(first.pos, tuple(items))

    def unary(self) -> Node:
        t = self.peek()
        if t.kind in ("NOT", "MINUS"):
            self.take()
            if self.peek().kind in ("END", "RPAREN", "OR", "AND"):
                raise _error(self.q, t.pos, f"{t.text} needs a term after it")
            return Not(t.pos, self.unary())
        return self.primary()

    def primary(self) -> Node:
        t = self.take()
        if t.kind == "LPAREN":
            if self.peek().kind == "RPAREN":
                raise _error(self.q, t.pos, "empty parentheses")
            node = self.or_expr()
            close = self.peek()
            if close.kind != "RPAREN":
                raise _error(self.q, t.pos, "'(' is never closed")
            self.take()
            return node
        if t.kind == "PHRASE":
            words = tuple(tokenize_text(t.text))
            if not words:
                raise _error(self.q, t.pos, "empty phrase")
            return Phrase(t.pos, words)
        if t.kind == "FIELD":
            value = fold(t.text)
            if t.extra == "author":
                value = value.lstrip("@")
            if t.extra == "network" and value not in NETWORKS:
                raise _error(self.q, t.pos, f"network: unknown network {t.text!r}; use one of "
                                            f"{', '.join(NETWORKS)}")
            if t.extra == "lang" and not re.fullmatch(r"[a-z]{2,3}", value):
                raise _error(self.q, t.pos, f"lang: {t.text!r} is not a language code (e.g. en)")
            return FieldFilter(t.pos, t.extra, value)
        if t.kind == "WORD":
            value = fold(t.text)
            if not value.strip("@#*?"):
                raise _error(self.q, t.pos, f"{t.text!r} matches everything; add letters")
            return Term(t.pos, value)
        if t.kind == "RPAREN":
            raise _error(self.q, t.pos, "unexpected ')'")
        if t.kind == "END":
            raise _error(self.q, t.pos, "query ends where a term was expected")
        raise _error(self.q, t.pos, f"{t.text} needs a term before it")


# --- matching ---------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile(
        "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
        + r"\Z"
    )


def _term_matches(value: str, doc: _Doc) -> bool:
    if "*" in value or "?" in value:
        rx = _wildcard(value)
        return any(rx.match(tok) for tok in doc.tokens)
    if "." in value or "-" in value or "'" in value:  # multi-part word: 'acme.outdoor'
        return value in doc.tokens or _phrase_in(tuple(tokenize_text(value)), doc.words)
    return value in doc.tokens


def _phrase_in(words: tuple[str, ...], seq: list[str]) -> bool:
    n = len(words)
    if n == 0:
        return False
    first = words[0]
    return any(w == first and tuple(seq[i : i + n]) == words for i, w in enumerate(seq))


def _field_matches(name: str, value: str, doc: _Doc) -> bool:
    target = {"lang": doc.lang, "author": doc.author, "network": doc.network}[name]
    if "*" in value or "?" in value:
        return _wildcard(value).match(target) is not None
    return target == value


def _compile(node: Node) -> Callable[[_Doc], bool]:
    if isinstance(node, Term):
        v = node.value
        return lambda d: _term_matches(v, d)
    if isinstance(node, Phrase):
        words = node.words
        return lambda d: _phrase_in(words, d.words)
    if isinstance(node, FieldFilter):
        name, fv = node.name, node.value
        return lambda d: _field_matches(name, fv, d)
    if isinstance(node, Not):
        inner = _compile(node.item)
        return lambda d: not inner(d)
    if isinstance(node, And):
        parts = [_compile(i) for i in node.items]
        return lambda d: all(p(d) for p in parts)
    if isinstance(node, Or):
        parts = [_compile(i) for i in node.items]
        return lambda d: any(p(d) for p in parts)
    raise TypeError(node)  # pragma: no cover


def _positive_tags(node: Node, negated: bool = False) -> list[str]:
    if isinstance(node, Term):
        return [node.value] if not negated and node.value[0] in "@#" else []
    if isinstance(node, Not):
        return _positive_tags(node.item, not negated)
    if isinstance(node, And | Or):
        return [t for i in node.items for t in _positive_tags(i, negated)]
    return []


@dataclass(frozen=True)
class Query:
    """A parsed query: ``matches`` tells whether a document is a mention, ``tagged`` how."""

    text: str
    root: Node
    tags: tuple[str, ...] = field(default=())
    _fn: Callable[[_Doc], bool] | None = field(default=None, compare=False, repr=False)

    def matches(self, doc: Document) -> bool:
        return self.match_prepared(_prepare(doc))

    def match_prepared(self, d: _Doc) -> bool:
        assert self._fn is not None
        return self._fn(d)

    def tagged_prepared(self, d: _Doc) -> bool:
        for tag in self.tags:
            if "*" in tag or "?" in tag:
                rx = _wildcard(tag)
                if any(rx.match(w) for w in d.words if w[0] == tag[0]):
                    return True
            elif tag in d.words:
                return True
        return False

    def tagged(self, doc: Document) -> bool:
        """Matched through one of the query's @handles or #hashtags (not only by name)."""
        return self.tagged_prepared(_prepare(doc))


def prepare(doc: Document) -> _Doc:
    """Tokenise a document once to match it against many queries."""
    return _prepare(doc)


def parse_query(text: str) -> Query:
    """Parse a query, raising InvalidInput that names the column of the first problem."""
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"query: longer than {MAX_QUERY_LENGTH} characters")
    root = _Parser(text).parse()
    return Query(text, root, tuple(dict.fromkeys(_positive_tags(root))), _compile(root))


def match_brands(doc: Document, queries: Sequence[tuple[int, Query]]) -> list[tuple[int, bool]]:
    """(brand id, tagged) for every brand whose query matches the document."""
    d = _prepare(doc)
    return [(bid, q.tagged_prepared(d)) for bid, q in queries if q.match_prepared(d)]
