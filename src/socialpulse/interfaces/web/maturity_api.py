"""The maturity JSON API: the questionnaire, a workspace's organisation profile, assessments
(complete one from answers, list them, read a result) and the imported benchmark packs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from socialpulse.domain import maturity as mat

from .common import Acting, api_workspace, parse_id, sp

router = APIRouter()


def profile_choices() -> dict[str, Any]:
    """The allowed profile values, for the profile forms and the questionnaire API alike."""
    return {"industries": mat.INDUSTRIES, "size_bands": mat.SIZE_BANDS, "regions": mat.REGIONS}


class ProfileIn(BaseModel):
    industry: str = Field(description=f"One of {', '.join(mat.INDUSTRIES)}")
    size_band: str = Field(description=f"One of {', '.join(mat.SIZE_BANDS)}")
    region: str = Field(description=f"One of {', '.join(mat.REGIONS)}")
    name: str = ""


class AnswersIn(BaseModel):
    answers: dict[str, Any] = Field(description="Question id -> level 1-5, every question.")
    version: int | None = None
    organisation: ProfileIn | None = None


@router.get("/api/maturity/questionnaire", tags=["maturity"])
def api_questionnaire(request: Request) -> dict[str, Any]:
    """The questionnaire: dimensions, questions, anchored answers, seeds."""
    q = sp(request).maturity.questionnaire
    return {
        "id": q.id, "version": q.version, "title": q.title, "stages": list(mat.STAGES),
        **profile_choices(),
        "dimensions": [{"id": d.id, "name": d.name, "description": d.description,
                        "seed": d.seed} for d in q.dimensions],
        "questions": [{"id": x.id, "dimension": x.dimension, "text": x.text, "seed": x.seed,
                       "anchors": list(x.anchors),
                       "evidence": x.evidence.source if x.evidence else None}
                      for x in q.questions],
    }


def _profile_json(p: mat.Profile | None) -> dict[str, Any]:
    """``{"profile": ...}`` as GET and PUT answer it (null before a profile is set)."""
    if p is None:
        return {"profile": None}
    return {"profile": {"name": p.name, "industry": p.industry, "size_band": p.size_band,
                        "region": p.region}}


@router.get("/api/workspaces/{slug}/maturity/profile", tags=["maturity"])
def api_profile(request: Request, slug: str) -> dict[str, Any]:
    app = sp(request)
    ws = api_workspace(request, slug)
    return _profile_json(app.maturity.profile(ws))


@router.put("/api/workspaces/{slug}/maturity/profile", tags=["maturity"])
def api_set_profile(request: Request, slug: str, body: ProfileIn, actor: Acting
                    ) -> dict[str, Any]:
    app = sp(request)
    ws = api_workspace(request, slug)
    return _profile_json(app.maturity.set_profile(actor, ws, body.industry, body.size_band,
                                                  body.region, body.name))


@router.post("/api/workspaces/{slug}/maturity/assessments", tags=["maturity"], status_code=201)
def api_assess(request: Request, slug: str, body: AnswersIn, actor: Acting) -> dict[str, Any]:
    """Complete an assessment from answers (all questions, levels 1-5) and return the result."""
    app = sp(request)
    ws = api_workspace(request, slug)
    svc = app.maturity
    doc: dict[str, Any] = {"answers": body.answers,
                           "version": body.version or svc.questionnaire.version}
    if body.organisation is not None:
        doc["organisation"] = body.organisation.model_dump()
    parsed = mat.parse_answers(doc, svc.questionnaire, "body")
    if parsed.profile is not None:
        svc.set_profile(actor, ws, parsed.profile.industry, parsed.profile.size_band,
                        parsed.profile.region, parsed.profile.name)
    draft = svc.new_assessment(actor, ws, "api")
    svc.save_answers(actor, ws, draft.id, parsed.answers)
    return svc.complete(actor, ws, draft.id).as_dict(svc.questionnaire)


@router.get("/api/workspaces/{slug}/maturity/assessments", tags=["maturity"])
def api_assessments(request: Request, slug: str) -> list[dict[str, Any]]:
    app = sp(request)
    ws = api_workspace(request, slug)
    return [{"id": a.id, "status": a.status, "questionnaire_version": a.questionnaire_version,
             "answered": len(a.answers), "source": a.source,
             "completed_at": a.completed_at.isoformat() if a.completed_at else None,
             "overall_score": (a.scores or {}).get("overall_score")}
            for a in app.maturity.assessments(ws)]


@router.get("/api/workspaces/{slug}/maturity/assessments/{assessment}", tags=["maturity"])
def api_result(request: Request, slug: str, assessment: str) -> dict[str, Any]:
    """A completed assessment's result (``latest`` for the newest): scores, stage, progress,
    evidence, benchmarks and recommendations."""
    app = sp(request)
    ws = api_workspace(request, slug)
    aid = None if assessment == "latest" else parse_id(assessment, "assessment")
    return app.maturity.result(ws, aid).as_dict(app.maturity.questionnaire)


@router.get("/api/maturity/benchmarks", tags=["maturity"])
def api_packs(request: Request) -> list[dict[str, Any]]:
    """Imported benchmark packs (groups under 5 organisations are counted, never shown)."""
    return [{"name": sp_.pack.name, "label": sp_.pack.label, "synthetic": sp_.pack.synthetic,
             "description": sp_.pack.description, "groups": len(sp_.pack.groups),
             "hidden_groups": sum(1 for g in sp_.pack.groups if g.n < mat.MIN_GROUP)}
            for sp_ in sp(request).maturity.packs()]
