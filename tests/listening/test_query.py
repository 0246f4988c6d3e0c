"""The Boolean query language: parsing, errors that name the column, matching, tagging."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.listening.query import Document, parse_query

ACME = '("acme outdoor" OR acmeoutdoor OR @acmeoutdoor OR #acme*) NOT "acme corporation"'


@pytest.mark.parametrize(
    ("text", "expected", "tagged"),
    [
        ("I love my Acme Outdoor jacket", True, False),
        ("ACME   outdoor rocks", True, False),
        ("@AcmeOutdoor my order is late", True, True),
        ("#AcmeTents are great", True, True),
        ("acmeoutdoor.com has a sale", False, False),  # a different token
        ("Acme Corporation and Acme Outdoor", False, False),  # NOT wins
        ("acme and outdoor are words", False, False),  # not the phrase
    ],
)
def test_brand_query(text: str, expected: bool, tagged: bool) -> None:
    q = parse_query(ACME)
    d = Document(text)
    assert q.matches(d) is expected
    if expected:
        assert q.tagged(d) is tagged


def test_fields_wildcards_and_precedence() -> None:
    q = parse_query("(tent OR jacket) AND NOT (lang:de OR author:spam*) network:x")
    assert q.matches(Document("nice tent", "en", "@bob", "x"))
    assert not q.matches(Document("nice tent", "de", "@bob", "x"))
    assert not q.matches(Document("nice tent", "en", "@spammer1", "x"))
    assert not q.matches(Document("nice tent", "en", "@bob", "mastodon"))
    # AND binds tighter than OR: a OR (b AND c)
    q2 = parse_query("alpha OR beta gamma")
    assert q2.matches(Document("alpha"))
    assert not q2.matches(Document("beta"))
    assert q2.matches(Document("gamma beta"))
    # accents and case fold; ? is one character; -term is NOT
    assert parse_query("cafe").matches(Document("Un CAFÉ"))
    assert parse_query("hik?").matches(Document("a hike"))
    assert not parse_query("hik?").matches(Document("hiking"))
    assert not parse_query("acme -spam").matches(Document("acme spam"))


@pytest.mark.parametrize(
    ("query", "column", "what"),
    [
        ("acme OR", 6, "OR needs a term"),
        ("(acme OR trail", 1, "never closed"),
        ("acme)", 5, "no matching '('"),
        ('acme "outdoor', 6, "unterminated phrase"),
        ("colour:red", 1, "unknown field 'colour'"),
        ("acme network:myspace", 6, "unknown network"),
        ("acme lang:english", 6, "not a language code"),
        ("", 1, "empty query"),
        ("acme AND AND trail", 6, "AND needs a term"),
        ("acme NOT", 6, "NOT needs a term"),
        ("*", 1, "matches everything"),
        ("()", 1, "empty parentheses"),
    ],
)
def test_errors_name_the_column(query: str, column: int, what: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_query(query)
    assert f"at column {column}" in exc.value.message
    assert what in exc.value.message


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list('ab "()@#*:-') + ["AND ", "OR ", "NOT ", "lang:",
                                                         "network:x "]), max_size=20))
def test_any_input_parses_or_fails_cleanly(parts: list[str]) -> None:
    """Whatever a user types: a query, or InvalidInput with a column, never another error."""
    query = "".join(parts)
    try:
        q = parse_query(query)
    except InvalidInput as exc:
        assert "at column" in exc.message or "longer than" in exc.message
        return
    q.matches(Document("a b ab #a @b", "en", "@a", "x"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["acme", "trail", "tent", "boot"]), min_size=1, max_size=4),
       st.lists(st.sampled_from(["acme", "trail", "tent", "boot", "sun"]), max_size=6))
def test_or_and_match_like_sets(words: list[str], text: list[str]) -> None:
    doc = Document(" ".join(text))
    assert parse_query(" OR ".join(words)).matches(doc) == any(w in text for w in words)
    assert parse_query(" AND ".join(words)).matches(doc) == all(w in text for w in words)
    assert parse_query("NOT (" + " OR ".join(words) + ")").matches(doc) == (
        not any(w in text for w in words))
