from __future__ import annotations

import copy

import pytest

from socialpulse.catalogue import metric_catalogue, read_yaml
from socialpulse.domain.errors import CatalogueError
from socialpulse.domain.metrics import load_catalogue

# DOMAIN.md section 2, every row
DOMAIN_METRICS = [
    "engagements",
    "engagement_rate",
    "amplification_rate",
    "applause_rate",
    "conversation_rate",
    "virality_rate",
    "audience_growth_rate",
    "reach",
    "impressions",
    "brand_mentions",
    "share_of_voice",
    "social_sentiment",
    "click_through_rate",
    "bounce_rate",
    "conversion_rate",
    "social_conversion_rate",
    "cost_per_click",
    "cpm",
    "csat",
    "nps",
    "response_rate",
    "first_response_time",
    "video_view_rate",
    "likes",
    "comments",
    "shares",
    "clicks",
    "video_views",
    "followers",
]


def test_every_domain_metric_is_in_the_catalogue() -> None:
    c = metric_catalogue()
    missing = [m for m in DOMAIN_METRICS if m not in c.metrics]
    assert missing == []


def test_variants_documented_in_the_domain() -> None:
    c = metric_catalogue()
    assert set(c.metric("engagement_rate").variants) == {
        "by_impressions",
        "by_reach",
        "by_followers",
        "post_mean",
    }
    assert "per_post" in c.metric("amplification_rate").variants
    assert "by_end" in c.metric("audience_growth_rate").variants
    assert "net" in c.metric("social_sentiment").variants
    assert c.metric("engagement_rate").variant("post_mean").kind == "mean_of_post_ratios"
    assert c.metric("bounce_rate").direction == "lower"


def test_every_metric_serves_known_goal_types() -> None:
    c = metric_catalogue()
    for m in c.metrics.values():
        for gt in m.goal_types:
            assert gt in c.goal_types, (m.id, gt)
    assert len(c.goal_types) == 10


def _broken(mutate) -> str:
    doc = copy.deepcopy(read_yaml("metrics.yaml"))
    mutate(doc)
    with pytest.raises(CatalogueError) as err:
        load_catalogue(doc, read_yaml("goal_types.yaml"), "metrics.yaml")
    return str(err.value)


def test_validation_errors_name_file_and_entry() -> None:
    msg = _broken(lambda d: d["metrics"]["engagement_rate"].update(formula="engagements / nope"))
    assert "metrics.yaml: metric engagement_rate" in msg and "'nope'" in msg
    msg = _broken(lambda d: d["measures"]["likes"].update(dataset="tweets"))
    assert "measure likes" in msg and "tweets" in msg
    msg = _broken(lambda d: d["metrics"]["likes"].update(unit="furlongs"))
    assert "metric likes" in msg and "furlongs" in msg
    msg = _broken(lambda d: d["metrics"]["likes"].update(formula="likes +"))
    assert "metric likes" in msg and "the end" in msg
    msg = _broken(lambda d: d["metrics"]["likes"].update(goal_types=["fame"]))
    assert "unknown goal type 'fame'" in msg


def test_metrics_doc_lists_the_current_catalogue() -> None:
    """docs/metrics.md is generated from the catalogue: run scripts/metrics_doc.py to refresh."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "metrics_doc.py"
    proc = subprocess.run([sys.executable, str(script), "--check"], check=False)
    assert proc.returncode == 0, "docs/metrics.md is out of date: python scripts/metrics_doc.py"


def test_validation_lists_every_issue_with_its_place() -> None:
    """A catalogue broken in six places reports all six, one line each, in file order;
    metrics using a broken measure are not reported again."""

    def breaks(d: dict) -> None:
        d["measures"]["likes"].update(dataset="tweets")
        d["measures"]["shares"].update(column="sharez")
        d["measures"]["comments"].update(where="comments > 3")
        d["metrics"]["engagement_rate"].update(formula="engagements / nope")
        d["metrics"]["reach"].update(unit="furlongs", direction="sideways")

    lines = _broken(breaks).splitlines()
    assert lines == [
        "metrics.yaml: measure likes: dataset: 'tweets' is not one of posts, account_daily, "
        "mentions",
        "metrics.yaml: measure comments: where: must be a mapping of column to value",
        "metrics.yaml: measure shares: column: dataset posts has no column 'sharez'",
        "metrics.yaml: metric reach: unit: 'furlongs' is not one of count, percent, ratio, "
        "currency, seconds, score",
        "metrics.yaml: metric reach: direction: 'sideways' is not one of higher, lower",
        "metrics.yaml: metric engagement_rate: formula: uses unknown measure 'nope'",
    ]


def test_a_measure_must_name_a_column_of_its_dataset() -> None:
    """The registry (domain/datasets.py) says which columns each dataset has: a measure of
    followers on posts, or a filter on a column mentions lack, is an issue."""
    msg = _broken(lambda d: d["measures"]["likes"].update(column="followers"))
    assert msg == "metrics.yaml: measure likes: column: dataset posts has no column 'followers'"
    broken_where = next(k for k, v in read_yaml("metrics.yaml")["measures"].items()
                        if v.get("where"))
    msg = _broken(lambda d: d["measures"][broken_where].update(where={"mood": "grim"}))
    assert msg.endswith("where: dataset mentions has no column 'mood'")


def test_goal_types_issues_name_their_file() -> None:
    doc = copy.deepcopy(read_yaml("goal_types.yaml"))
    first = next(iter(doc["goal_types"]))
    doc["goal_types"][first]["metrics"] = ["fame", "likes"]
    del doc["goal_types"][first]["name"]
    with pytest.raises(CatalogueError) as err:
        load_catalogue(read_yaml("metrics.yaml"), doc, "metrics.yaml")
    assert str(err.value).splitlines() == [
        f"goal_types.yaml: goal type {first}: name: missing required field",
        f"goal_types.yaml: goal type {first}: metrics: unknown metric 'fame'",
    ]


def test_cli_prints_one_line_per_issue(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`socialpulse metrics list` over a catalogue broken in two places: exit 2, one error
    line per issue (the package's metrics.yaml is swapped for a broken copy of itself)."""
    import socialpulse.catalogue as cat
    from socialpulse.interfaces.cli.main import main

    real = cat.read_yaml

    def broken(name: str) -> object:
        doc = copy.deepcopy(real(name))
        if name == "metrics.yaml":
            doc["measures"]["likes"]["column"] = "followers"
            doc["metrics"]["reach"]["unit"] = "furlongs"
        return doc

    monkeypatch.setattr(cat, "read_yaml", broken)
    cat.metric_catalogue.cache_clear()
    try:
        assert main(["metrics", "list"]) == 2
    finally:
        cat.metric_catalogue.cache_clear()
    assert capsys.readouterr().err.splitlines() == [
        "socialpulse: error: metrics.yaml: measure likes: column: dataset posts has no column "
        "'followers'",
        "socialpulse: error: metrics.yaml: metric reach: unit: 'furlongs' is not one of count, "
        "percent, ratio, currency, seconds, score",
    ]


def test_source_registry_and_citations_list_every_issue() -> None:
    """The source registry and the citations of a catalogue file report every issue at once,
    each with its entry (sources.yaml's id; the cited text's place in the file)."""
    from socialpulse.catalogue.sources import parse_sources, resolve_citations

    with pytest.raises(CatalogueError) as err:
        parse_sources({"sources": {"ok": {"title": "Fine"}, "No Title": {},
                                   "bad id": {"title": "T"}}})
    assert str(err.value).splitlines() == [
        "sources.yaml: source 'No Title': title: a title is required",
        "sources.yaml: source 'No Title': ids are lowercase words and dashes",
        "sources.yaml: source 'bad id': ids are lowercase words and dashes",
    ]
    registry = parse_sources({"sources": {"known": {"title": "A known source"}}})
    doc = {"questions": {"q1": {"evidence": "{source:nope}, p. 2"},
                         "q2": {"notes": ["{source:known}", "{source:gone} and {source:nope}"]}}}
    with pytest.raises(CatalogueError) as err:
        resolve_citations(doc, "maturity.yaml", registry)
    lines = str(err.value).splitlines()
    assert [line.split("; known:")[0] for line in lines] == [
        "maturity.yaml: questions.q1.evidence: cites unknown source 'nope'",
        "maturity.yaml: questions.q2.notes[1]: cites unknown source 'gone'",
        "maturity.yaml: questions.q2.notes[1]: cites unknown source 'nope'",
    ]
    ok = resolve_citations({"a": ["{source:known}, ch. 1"]}, "x.yaml", registry)
    assert ok == {"a": ["A known source, ch. 1"]}
