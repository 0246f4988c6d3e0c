"""The pure maturity rules: questionnaire, answers, scoring, stages, benchmarks, evidence."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from socialpulse.catalogue import read_yaml
from socialpulse.catalogue.sources import sources
from socialpulse.domain import maturity as mat
from socialpulse.domain.errors import CatalogueError, InvalidInput

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
SEED_FILES = {"000_0aaa1aeabfd97b06.txt", "001_fabad86e4f5890d0.txt", "002_e54f1e942d85a436.txt",
              "003_4050e19c7053deb4.txt", "004_704ba943181f66cd.txt"}


@pytest.fixture(scope="module")
def doc() -> dict:
    return read_yaml("maturity.yaml")


@pytest.fixture(scope="module")
def q(doc: dict) -> mat.Questionnaire:
    return mat.load_questionnaire(doc)


def all_at(q: mat.Questionnaire, level: int) -> dict[str, int]:
    return {x.id: level for x in q.questions}


# --- questionnaire -------------------------------------------------------------------------------


def test_questionnaire_shape(q: mat.Questionnaire) -> None:
    assert q.version >= 1
    assert [d.id for d in q.dimensions] == [
        "listening", "engagement", "reach", "audiences", "measurement", "integration",
        "advocacy", "leadership"]
    assert 30 <= len(q.questions) <= 45
    assert len(set(q.question_ids)) == len(q.questions)
    for x in q.questions:
        assert len(x.anchors) == 5 and len(set(x.anchors)) == 5, x.id


def _cited_source(text: str) -> str | None:
    """The title of the registry source a citation starts with ('TITLE, idea'), or None."""
    for source in sources().values():
        if text.startswith(source.title + ", ") and len(text) >= len(source.title) + 10:
            return source.title
    return None


def test_every_question_cites_a_source_by_title_and_idea(q: mat.Questionnaire) -> None:
    for x in [*q.questions, *q.dimensions]:
        assert _cited_source(x.seed), f"{x.id}: seed {x.seed!r} must be 'SOURCE TITLE, idea'"
        assert ".txt" not in x.seed, x.id


def test_the_source_registry_names_the_seed_documents() -> None:
    registry = sources()
    assert {f for s in registry.values() for f in s.files} == SEED_FILES
    if SEEDS.is_dir():
        for s in registry.values():
            assert all((SEEDS / f).is_file() for f in s.files), s.id


def test_questionnaire_errors_name_file_and_entry(doc: dict) -> None:
    bad = copy.deepcopy(doc)
    bad["questions"]["engagement.response"]["anchors"] = bad["questions"][
        "engagement.response"]["anchors"][:4]
    with pytest.raises(CatalogueError, match=r"maturity.yaml: question engagement.response: "
                                             r"anchors must list exactly 5"):
        mat.load_questionnaire(bad)
    bad = copy.deepcopy(doc)
    bad["questions"]["reach.hr"]["dimension"] = "marketing"
    with pytest.raises(CatalogueError, match=r"question reach.hr: unknown dimension 'marketing'"):
        mat.load_questionnaire(bad)
    bad = copy.deepcopy(doc)
    bad["questions"]["engagement.response"]["evidence"]["source"] = "vibes"
    with pytest.raises(CatalogueError, match=r"engagement.response evidence: unknown source"):
        mat.load_questionnaire(bad)
    bad = copy.deepcopy(doc)
    for k in list(bad["questions"])[:10]:
        del bad["questions"][k]
    with pytest.raises(CatalogueError, match="needs 30 to 45 questions, found 25"):
        mat.load_questionnaire(bad)


def test_recommendations_link_to_known_goal_templates(q: mat.Questionnaire) -> None:
    goal_types = read_yaml("goal_types.yaml")["goal_types"]
    metrics = {k: v.get("metrics") or [] for k, v in goal_types.items()}
    recs = mat.load_recommendations(read_yaml("maturity_recommendations.yaml"), q, metrics)
    assert {r.dimension for r in recs} == {d.id for d in q.dimensions}
    templates = read_yaml("goal_templates.yaml")["templates"]
    for r in recs:
        assert r.goal_template in templates, f"{r.id}: {r.goal_template} has no goal template"
        assert _cited_source(r.seed), f"{r.id}: {r.seed!r} cites no known source"
    bad = read_yaml("maturity_recommendations.yaml")
    bad = copy.deepcopy(bad)
    bad["recommendations"]["engagement.reply"]["goal_template"] = "customer_service:reach"
    with pytest.raises(CatalogueError, match=r"recommendation engagement.reply: goal_template "
                                             r"'customer_service:reach': goal type "
                                             r"customer_service does not track 'reach'"):
        mat.load_recommendations(bad, q, metrics)


# --- answers ------------------------------------------------------------------------------------


def test_answers_file_errors_name_the_question_or_field(q: mat.Questionnaire) -> None:
    good = {"version": q.version, "answers": all_at(q, 3)}
    assert mat.parse_answers(good, q, "a.yaml").answers == all_at(q, 3)
    unknown = copy.deepcopy(good)
    unknown["answers"]["listening.telepathy"] = 2
    with pytest.raises(InvalidInput, match=r"^a.yaml: answers.listening.telepathy: unknown "):
        mat.parse_answers(unknown, q, "a.yaml")
    missing = copy.deepcopy(good)
    del missing["answers"]["leadership.crisis"]
    missing["answers"]["advocacy.access"] = None
    with pytest.raises(InvalidInput, match=r"answers: missing answer for advocacy.access, "
                                           r"leadership.crisis$"):
        mat.parse_answers(missing, q, "a.yaml")
    for value, msg in [(7, "7 is out of range; use 1 to 5"), (0, "0 is out of range"),
                       ("high", "'high' is not a level"), (True, "True is not a level"),
                       (2.5, "2.5 is not a level")]:
        bad = copy.deepcopy(good)
        bad["answers"]["reach.sales"] = value
        with pytest.raises(InvalidInput, match=r"answers.reach.sales: " + re.escape(msg)):
            mat.parse_answers(bad, q, "a.yaml")
    org = copy.deepcopy(good)
    org["organisation"] = {"industry": "mining", "size_band": "50-249", "region": "europe"}
    with pytest.raises(InvalidInput, match=r"organisation.industry: 'mining' is not one of "
                                           r"retail, "):
        mat.parse_answers(org, q, "a.yaml")
    org["organisation"]["industry"] = "Retail"
    org["organisation"]["size_band"] = "huge"
    with pytest.raises(InvalidInput, match=r"organisation.size_band: 'huge'"):
        mat.parse_answers(org, q, "a.yaml")
    with pytest.raises(InvalidInput, match=r"version: 99 does not match questionnaire version"):
        mat.parse_answers({**good, "version": 99}, q, "a.yaml")


def test_sample_answers_file_is_valid(q: mat.Questionnaire) -> None:
    path = Path(__file__).resolve().parents[2] / "docs" / "examples" / "maturity-answers.yaml"
    parsed = mat.parse_answers(yaml.safe_load(path.read_text()), q, str(path))
    assert parsed.profile == mat.Profile("retail", "250-999", "europe", "Acme Outdoor")


# --- scoring -------------------------------------------------------------------------------------


@given(st.integers(1, 5))
def test_answering_every_question_at_level_k_lands_on_stage_k(level: int) -> None:
    q = mat.load_questionnaire(read_yaml("maturity.yaml"))
    s = mat.score_answers(q, all_at(q, level))
    assert s.overall_score == (level - 1) * 25
    assert s.mean_stage == level and s.weakest_stage == level
    assert all(d.stage == level for d in s.dimensions)


def test_stage_boundaries() -> None:
    assert [mat.stage_for(x) for x in (0, 19.99, 20, 39.9, 40, 60, 79.99, 80, 100)] == [
        1, 1, 2, 2, 3, 4, 4, 5, 5]
    with pytest.raises(ValueError):
        mat.stage_for(101)


def test_weakest_link_and_mean_stage_differ(q: mat.Questionnaire) -> None:
    answers = all_at(q, 4)
    for x in q.questions_of("advocacy"):
        answers[x.id] = 1
    s = mat.score_answers(q, answers)
    by = {d.dimension: d for d in s.dimensions}
    assert by["advocacy"].score == 0 and by["advocacy"].stage == 1
    assert s.weakest_stage == 1 and s.weakest == ("advocacy",)
    # 7 dimensions at 75 and one at 0: mean 65.6 -> stage 4 (Integrate)
    assert s.overall_score == pytest.approx(75 * 7 / 8)
    assert s.mean_stage == 4


def test_dimension_score_is_the_mean_of_its_answers(q: mat.Questionnaire) -> None:
    answers = all_at(q, 1)
    reach = q.questions_of("reach")
    assert len(reach) == 5
    answers[reach[0].id] = 5  # 100 + 0 * 4 -> 20
    answers[reach[1].id] = 3  # + 50 -> 150 / 5 = 30
    s = mat.score_answers(q, answers)
    assert s.by_dimension()["reach"] == pytest.approx(30.0)


def test_progress_compares_dimensions() -> None:
    changes = mat.progress({"a": 10.0, "b": 50.0}, {"a": 35.0, "b": 40.0, "c": 1.0})
    assert [(c.dimension, c.delta) for c in changes] == [("a", 25.0), ("b", -10.0)]


# --- benchmarks ---------------------------------------------------------------------------------


def test_percentile_rank_needs_five_peers() -> None:
    assert mat.percentile_rank(50, [10, 20, 30, 40]) is None
    assert mat.percentile_rank(50, [10, 20, 30, 40, 60]) == 80.0
    assert mat.percentile_rank(30, [10, 20, 30, 40, 60]) == 50.0  # ties count half


@given(st.lists(st.floats(0, 100), min_size=5, max_size=60), st.floats(0, 100), st.floats(0, 100))
def test_percentile_from_quantiles_is_monotone_and_bounded(values, a, b) -> None:
    qs = mat.quantiles(values)
    lo, hi = sorted((a, b))
    pa, pb = mat.percentile_from_quantiles(lo, qs), mat.percentile_from_quantiles(hi, qs)
    assert 0 <= pa <= pb <= 100


def test_percentile_from_quantiles_hits_the_quantile_points() -> None:
    qs = {"p10": 20.0, "p25": 30.0, "p50": 40.0, "p75": 55.0, "p90": 70.0}
    assert mat.percentile_from_quantiles(40, qs) == 50
    assert mat.percentile_from_quantiles(62.5, qs) == pytest.approx(82.5)
    assert mat.percentile_from_quantiles(10, qs) == pytest.approx(5)


def test_quantiles_match_numpy_linear() -> None:
    import numpy as np

    values = [3.0, 91.0, 15.5, 42.0, 42.0, 60.0, 7.0]
    qs = mat.quantiles(values)
    for name, p in mat.QUANTILES:
        assert qs[name] == pytest.approx(np.quantile(values, p), abs=0.006)


def test_aggregate_never_keeps_a_group_of_fewer_than_five() -> None:
    orgs = [mat.OrgScores("retail", "50-249", {"listening": float(i * 10), mat.OVERALL: 50.0})
            for i in range(5)]
    orgs += [mat.OrgScores("retail", "5000+", {"listening": 90.0, mat.OVERALL: 90.0})
             for _ in range(2)]
    groups, suppressed = mat.aggregate(orgs, ["listening"])
    keys = {(g.industry, g.size_band, g.dimension): g for g in groups}
    assert ("retail", "5000+", "listening") not in keys
    assert suppressed == 2  # 5000+ x listening and 5000+ x overall
    assert keys[("retail", "50-249", "listening")].n == 5
    assert keys[("retail", "all", "listening")].n == 7
    assert all(g.n >= mat.MIN_GROUP for g in groups)


def _pack(groups: list[dict]) -> dict:
    return {"format": mat.PACK_FORMAT, "name": "p", "groups": groups}


def _group(**kw) -> dict:
    g = {"industry": "retail", "size_band": "50-249", "dimension": "listening", "n": 12,
         "quantiles": {"p10": 10, "p25": 20, "p50": 30, "p75": 40, "p90": 50}}
    g.update(kw)
    return g


def test_pack_validation_names_the_entry() -> None:
    dims = ["listening"]
    assert len(mat.parse_pack(_pack([_group()]), "p.yaml", dims).groups) == 1
    cases = [
        (_pack([_group(industry="mining")]), r"groups\[1\].industry: 'mining' is not one of"),
        (_pack([_group(), _group(n=0, size_band="1-49")]), r"groups\[2\].n: 0 must be"),
        (_pack([_group(quantiles={"p10": 5, "p25": 4, "p50": 3, "p75": 2, "p90": 1})]),
         r"groups\[1\].quantiles: must not decrease"),
        (_pack([_group(answers={"listening.monitoring": 3})]),
         r"groups\[1\].answers: not allowed \(aggregates only"),
        ({**_pack([_group()]), "organisations": [{"name": "x"}]},
         r"p.yaml: organisations: not allowed in a benchmark pack"),
        (_pack([_group(dimension="vibes")]), r"groups\[1\].dimension: 'vibes'"),
        (_pack([_group(), _group()]), r"groups\[2\]: duplicate group"),
        ({"format": "csv", "name": "p", "groups": []}, r"format: expected"),
    ]
    for doc, msg in cases:
        with pytest.raises(InvalidInput, match=msg):
            mat.parse_pack(doc, "p.yaml", dims)


def test_synthetic_pack_is_labelled_and_small_groups_never_exported() -> None:
    pack = mat.parse_pack({**_pack([_group(), _group(size_band="1-49", n=3)]),
                           "synthetic": True, "label": "Demo"}, "p.yaml", ["listening"])
    assert "synthetic" in pack.label.lower()
    out = mat.pack_document(pack, "2026-11-01")
    assert [g["n"] for g in out["groups"]] == [12]


def test_comparison_hides_small_groups_and_says_why() -> None:
    small = mat.BenchmarkGroup("retail", "1-49", "listening", 3, {})
    c = mat.compare_with_group("listening", 40, small, "pack: p", "Retail, 1-49")
    assert c.percentile is None and c.n == 3
    assert "only 3 organisations" in (c.hidden or "") and "at least 5" in (c.hidden or "")
    assert c.as_dict()["n"] is None  # the size of a hidden group is not shown either
    peers = mat.compare_with_peers("listening", 40, [10, 20, 30, 50], "Retail")
    assert peers.percentile is None and "only 4 organisations" in (peers.hidden or "")
    assert mat.compare_with_peers("listening", 40, [], "Retail").hidden


def test_find_group_falls_back_to_the_industry() -> None:
    exact = mat.BenchmarkGroup("retail", "1-49", "listening", 3, {})
    whole = mat.BenchmarkGroup("retail", "all", "listening", 40, {"p50": 30.0})
    g, label = mat.find_group([exact, whole], "retail", "1-49", "listening")
    assert g is whole and label.endswith("all sizes")
    g, _ = mat.find_group([exact], "retail", "1-49", "listening")
    assert g is exact  # still too small: the comparison will say why it is hidden


# --- evidence and recommendations ---------------------------------------------------------------


def test_evidence_flags_overstated_and_understated_answers(q: mat.Questionnaire) -> None:
    answers = all_at(q, 3)
    answers["engagement.response"] = 4  # "we reply to nearly all questions within hours"
    answers["reach.functions"] = 1
    facts = {
        "response_rate": mat.Evidence("response_rate", 12.0, "12.00%"),
        "functions_posting": mat.Evidence("functions_posting", 6.0, "6"),
    }
    by_q = {f.question: f for f in mat.check_evidence(q, answers, facts)}
    f = by_q["engagement.response"]
    assert f.status == "overstated" and f.supported_level == 1
    assert f.message.startswith("you answered 'We reply to nearly all questions")
    assert "the data shows 12.00% of audience messages answered" in f.message
    assert by_q["reach.functions"].status == "understated"
    assert by_q["measurement.attribution"].status == "no data"
    facts["response_rate"] = mat.Evidence("response_rate", 85.0, "85.00%")
    assert {x.question: x.status for x in mat.check_evidence(q, answers, facts)}[
        "engagement.response"] == "agrees"


def test_recommendations_target_the_weakest_dimensions(q: mat.Questionnaire) -> None:
    recs = mat.load_recommendations(
        read_yaml("maturity_recommendations.yaml"), q,
        {k: v.get("metrics") or [] for k, v in read_yaml("goal_types.yaml")["goal_types"].items()})
    answers = all_at(q, 5)
    for x in q.questions_of("advocacy"):
        answers[x.id] = 1
    for x in q.questions_of("leadership"):
        answers[x.id] = 2
    out = mat.recommend(mat.score_answers(q, answers), recs)
    assert [r.dimension for r in out] == ["advocacy", "advocacy", "leadership", "leadership"]
    assert mat.recommend(mat.score_answers(q, all_at(q, 5)), recs) == []
