"""Audit and maturity services on the real demo workspace (SQLite + Parquet)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from socialpulse.bootstrap import App, local_actor
from socialpulse.catalogue import read_yaml
from socialpulse.domain import maturity as mat
from socialpulse.domain.actor import Actor, ActorKind
from socialpulse.domain.errors import Forbidden, InvalidInput, NotFound
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import Breakdown
from socialpulse.services import maturity_demo
from socialpulse.services.workspaces import WorkspaceService

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "examples" / "maturity-answers.yaml"
#: Who the tests act as: the local user, as the CLI and pages do.
ACTOR = local_actor()
Q3 = DateRange(datetime(2026, 7, 1).date(), datetime(2026, 9, 30).date())


def test_audit_figures_come_from_the_metric_service(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    report = demo_app.audit.run(ws, Q3)
    own = {a.id: a for a in demo_app.store.accounts(ws.id) if a.is_own}
    assert {r["account_id"] for r in report.accounts} == set(own)
    assert sorted(r["rank"] for r in report.accounts) == list(range(1, len(own) + 1))
    table = demo_app.metrics.compute(ws, [("engagement_rate", None), ("posts", None)],
                                     Breakdown(entities=("account",)), Q3,
                                     account_ids=list(own))
    by_id = {r["account_id"]: r for r in table.rows}
    for r in report.accounts:
        assert r["engagement_rate"] == pytest.approx(by_id[r["account_id"]]["engagement_rate"],
                                                     abs=0.006)
        assert r["posts_per_week"] == pytest.approx(by_id[r["account_id"]]["posts"] / (92 / 7),
                                                    abs=0.006)
    # both @acmeoutdoor accounts (X and TikTok) are kept apart
    assert len([r for r in report.accounts if r["handle"] == "@acmeoutdoor"]) == 2
    codes = {r["account"]: r["flag_codes"] for r in report.accounts}
    assert "inconsistent_handle" in codes["Instagram @acme.outdoor"]
    assert "unanswered" in codes["X @acmecare"]
    assert {r["verdict"] for r in report.accounts} == {"working", "needs a new approach"}


def test_audit_saves_baselines_for_goals(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    assert demo_app.audit.baselines(ws) == []
    report = demo_app.audit.save(ACTOR, ws, Q3)
    found = demo_app.audit.baselines(ws)
    assert {b.run_id for b in found} == {report.run_id}
    whole = demo_app.audit.baseline(ws, "engagement_rate")
    assert whole is not None and whole.account_id is None
    assert whole.variant == "by_impressions" and whole.period_start == Q3.start
    own = [a.id for a in demo_app.store.accounts(ws.id) if a.is_own]
    direct = demo_app.metrics.compute(ws, [("engagement_rate", None)], period=Q3,
                                      account_ids=own).rows[0]["engagement_rate"]
    assert whole.value == pytest.approx(direct)
    assert "engagements / impressions" in whole.how and "own accounts" in whole.how
    care = next(a for a in demo_app.store.accounts(ws.id) if a.handle == "@acmecare")
    rr = demo_app.audit.baseline(ws, "response_rate", care.id)
    assert rr is not None and 50 < rr.value < 100
    not_saved = demo_app.audit.run(ws, Q3)
    assert not_saved.run_id is None and len(demo_app.audit.runs(ws)) == 1


def test_best_content_types_and_hours_by_hand(demo_app_ro: App) -> None:
    """Recompute one account's best post type and hour from the raw lake rows with pandas."""
    app = demo_app_ro
    ws = app.workspace("demo")
    report = app.audit.run(ws, Q3)
    acc = next(a for a in app.store.accounts(ws.id) if a.label == "Instagram @acme.outdoor")
    posts = app.lake.read(ws.id, "posts").to_pandas()
    snaps = app.lake.read(ws.id, "post_snapshots").to_pandas()
    end = datetime.combine(Q3.end_exclusive, time(), ZoneInfo(ws.timezone)).astimezone(UTC)
    posts = posts[(posts.account_id == acc.id) & (posts.local_date >= Q3.start)
                  & (posts.local_date <= Q3.end)]
    snaps = snaps[(snaps.account_id == acc.id) & (snaps.observed_at < end)]
    latest = snaps.sort_values("observed_at").groupby("post_id").tail(1)
    merged = posts.merge(latest[["post_id", "engagements"]], on="post_id")
    by_type = merged.groupby("post_type").engagements.agg(["mean", "count"])
    by_type = by_type[by_type["count"] >= 3].sort_values("mean", ascending=False)
    merged["hour"] = merged.published_at.dt.tz_convert(ws.timezone).dt.hour
    by_hour = merged.groupby("hour").engagements.agg(["mean", "count"])
    by_hour = by_hour[by_hour["count"] >= 3].sort_values("mean", ascending=False)
    row = next(r for r in report.accounts if r["account_id"] == acc.id)
    assert [t["type"] for t in row["best_content_types"]] == list(by_type.index[:3])
    assert row["best_content_types"][0]["engagements_per_post"] == pytest.approx(
        by_type["mean"].iloc[0], abs=0.06)
    assert [h["hour"] for h in row["best_hours"]] == list(by_hour.index[:3])


def test_demo_has_profile_pack_and_an_earlier_assessment(demo_app_ro: App) -> None:
    ws = demo_app_ro.workspace("demo")
    svc = demo_app_ro.maturity
    assert svc.profile(ws) == maturity_demo.DEMO_PROFILE
    packs = svc.packs()
    assert [p.pack.name for p in packs] == ["demo-synthetic"]
    assert packs[0].pack.synthetic and "synthetic demo data" in packs[0].pack.label
    done = [a for a in svc.assessments(ws) if a.status == "complete"]
    assert len(done) == 1 and done[0].completed_at.date().isoformat() == "2026-05-04"


def test_shipped_demo_pack_is_the_generators_output() -> None:
    assert read_yaml("maturity_benchmark_demo.yaml") == yaml.safe_load(maturity_demo.dump())


def test_assessment_from_file_gives_stage_progress_evidence_benchmark(demo_app: App) -> None:
    ws = demo_app.workspace("demo")
    r = demo_app.maturity.assess_file(ACTOR, ws, SAMPLE)
    d = r.as_dict(demo_app.maturity.questionnaire)
    assert d["scores"]["mean_stage_name"] == "Participate"
    assert d["scores"]["weakest_stage_name"] == "Listen"
    assert d["scores"]["weakest_dimensions"] == ["advocacy"]
    assert d["previous"] is not None
    changes = {p["dimension"]: p["change"] for p in d["progress"]}
    assert changes["engagement"] == pytest.approx(25.0)  # 2,2,2,1 -> 4,3,2,3 (x25 / 4)
    ev = {e["question"]: e for e in d["evidence"]}
    assert ev["reach.functions"]["status"] == "understated"
    assert ev["engagement.response"]["status"] == "agrees"
    assert "audience messages answered" in ev["engagement.response"]["message"]
    pack = next(b for b in d["benchmarks"] if b["source"] == "pack")
    overall = next(x for x in pack["rows"] if x["dimension"] == "overall")
    assert overall["group"] == "Retail and e-commerce, 250 to 999 employees"
    assert overall["n"] >= 5 and 0 < overall["percentile"] < 100
    peers = next(b for b in d["benchmarks"] if b["source"] == "installation")
    assert all(x["hidden"] for x in peers["rows"])
    recs = d["recommendations"]
    assert recs and recs[0]["dimension"] == "advocacy"
    assert all(":" in x["goal_template"] for x in recs)


def test_installation_peers_need_five_organisations(demo_app: App) -> None:
    svc = demo_app.maturity
    q = svc.questionnaire
    ws = demo_app.workspace("demo")
    mine = svc.assess_file(ACTOR, ws, SAMPLE).scores
    profile = svc.profile(ws)
    wss = WorkspaceService(demo_app.store, demo_app.lake)
    for i in range(5):
        other = wss.create(local_actor(), f"peer-{i}", f"Peer {i}")
        svc.set_profile(ACTOR, other, "retail", "250-999", "europe")
        answers = {x.id: 1 + (i + j) % 5 for j, x in enumerate(q.questions)}
        draft = svc.draft(ACTOR, other)
        svc.save_answers(ACTOR, other, draft.id, answers)
        demo_app.maturity.repo.complete(draft.id, {"overall_score": 0})
        rows = next(b for b in svc.compare(ws, mine, profile)
                    if b["source"] == "installation")["rows"]
        if i < 4:
            assert all(r["hidden"] and f"only {i + 1} organisation" in r["hidden"] for r in rows)
    assert all(r["percentile"] is not None and r["n"] == 5 for r in rows)
    doc, orgs, suppressed = svc.export_installation("here")
    assert orgs == 6
    assert {(g["industry"], g["size_band"]) for g in doc["groups"]} == {
        ("retail", "250-999"), ("retail", "all")}
    assert all(set(g) == {"industry", "size_band", "dimension", "n", "quantiles"}
               for g in doc["groups"])
    text = yaml.safe_dump(doc)
    assert "answers" not in text and "listening.monitoring" not in text and "peer-" not in text
    # the exported pack imports back and compares
    sp = svc.import_pack_document(ACTOR, doc, "export")
    assert sp.pack.name == "here" and len(sp.pack.groups) == len(doc["groups"])


def test_draft_saves_resumes_and_refuses_to_complete_with_gaps(demo_app: App) -> None:
    svc = demo_app.maturity
    ws = demo_app.workspace("demo")
    d1 = svc.draft(ACTOR, ws)
    svc.save_answers(ACTOR, ws, d1.id, {"listening.monitoring": "3", "listening.scope": 2})
    assert svc.draft(ACTOR, ws).id == d1.id  # resume the same draft
    assert svc.draft(ACTOR, ws).answers == {"listening.monitoring": 3, "listening.scope": 2}
    with pytest.raises(InvalidInput, match=r"^answers: missing answer for listening.insight_use,"):
        svc.complete(ACTOR, ws, d1.id)
    with pytest.raises(InvalidInput, match=r"answers.listening.scope: 9 is out of range"):
        svc.save_answers(ACTOR, ws, d1.id, {"listening.scope": 9})
    assert svc.draft(ACTOR, ws).answers["listening.scope"] == 2  # nothing half-written


def test_writes_ask_the_actor_and_a_refused_one_changes_nothing(demo_app: App) -> None:
    """Every maturity write goes through `authorize`: an actor without the grant (a signed-in
    user before roles exist) is refused with one line naming who, what and where."""
    svc = demo_app.maturity
    ws = demo_app.workspace("demo")
    nobody = Actor("user:ann", "ann", ActorKind.USER)
    before = [a.id for a in svc.assessments(ws)]
    with pytest.raises(Forbidden, match=r"^ann \(user\) may not change maturity answers in "
                                        r"workspace 'demo'$"):
        svc.draft(nobody, ws)
    with pytest.raises(Forbidden):
        svc.set_profile(nobody, ws, "retail", "1-49", "europe")
    with pytest.raises(Forbidden):
        svc.assess_file(nobody, ws, SAMPLE)
    with pytest.raises(Forbidden, match=r"^ann \(user\) may not change maturity answers$"):
        svc.remove_pack(nobody, maturity_demo.PACK_NAME)
    assert [a.id for a in svc.assessments(ws)] == before
    assert svc.profile(ws) == maturity_demo.DEMO_PROFILE
    assert maturity_demo.PACK_NAME in [p.pack.name for p in svc.packs()]


def test_bad_files_give_one_line_errors(demo_app: App, tmp_path: Path) -> None:
    svc = demo_app.maturity
    ws = demo_app.workspace("demo")
    with pytest.raises(NotFound, match="nope.yaml: file not found"):
        svc.assess_file(ACTOR, ws, tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("answers: [1, 2\n")
    with pytest.raises(InvalidInput, match=r"broken.yaml: invalid YAML at line 2"):
        svc.assess_file(ACTOR, ws, broken)
    as_json = tmp_path / "a.json"
    as_json.write_text('{"answers": {"listening.monitoring": 3}, "version": 1}')
    with pytest.raises(InvalidInput, match=r"a.json: answers: missing answer for "
                                           r"listening.scope"):
        svc.assess_file(ACTOR, ws, as_json)
    before = len(svc.assessments(ws))
    bad_pack = tmp_path / "pack.yaml"
    bad_pack.write_text(yaml.safe_dump({"format": mat.PACK_FORMAT, "name": "x", "groups": [
        {"industry": "retail", "size_band": "1-49", "dimension": "listening", "n": 9,
         "quantiles": {"p10": 1, "p25": 2, "p50": 3, "p75": 4, "p90": 400}}]}))
    with pytest.raises(InvalidInput, match=r"groups\[1\].quantiles.p90: 400 must be a number"):
        svc.import_pack(ACTOR, bad_pack)
    assert len(svc.assessments(ws)) == before and [p.pack.name for p in svc.packs()] == [
        "demo-synthetic"]


def test_evidence_of_a_workspace_without_data_is_empty(empty_app: App) -> None:
    """No data at all: no facts, so every evidence rule reports no data (not a crash)."""
    ws = WorkspaceService(empty_app.store, empty_app.lake).create(local_actor(), "empty", "Empty")
    assert empty_app.maturity.evidence(ws) == {}
