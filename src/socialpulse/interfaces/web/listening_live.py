"""Live listening on the web: sources and alert rules (JSON API), the Listening page's section
on them, and the page a message's acknowledgement link opens.

The link (``/alerts/ack/TOKEN``) opens a page that shows the alert and a button; only the
button's POST acknowledges, so a mail scanner or a link preview that fetches the address
changes nothing (reads never write).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialpulse.bootstrap import App
from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.listening.rules import DEFAULT_THRESHOLD, RULE_KINDS, RuleSpec, parse_clock
from socialpulse.domain.listening.rules_records import AlertEvent, LiveSource
from socialpulse.domain.models import Workspace
from socialpulse.services.alert_rules_messages import explanation_lines

from .common import (
    Acting,
    RowId,
    api_workspace,
    body_fields,
    json_body,
    page_url,
    page_workspace,
    redirect_to,
    render,
    sp,
)

router = APIRouter()


def _source_dict(s: LiveSource) -> dict[str, Any]:
    return {"id": s.id, "network": s.network, "kind": s.kind, "query": s.query,
            "instance": s.instance_url, "every_s": s.interval_s, "mentions": s.mentions,
            "last_read_at": s.last_polled_at, "last_error": s.last_error,
            "cursor": s.cursor}


def _event_dict(e: AlertEvent) -> dict[str, Any]:
    return {"id": e.id, "rule": e.rule_id, "title": e.title, "status": e.status,
            "fired_at": e.fired_at, "acknowledged_at": e.acknowledged_at,
            "explanation": explanation_lines(e.details), "details": e.details}


def _whole(body: dict[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    v = body.get(name, default)
    if v is None:
        return default
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise InvalidInput(f"body: {name}: a whole number from {lo} to {hi}")
    return v


# --- sources ----------------------------------------------------------------------------------


@router.get("/api/workspaces/{slug}/listening/sources", tags=["listening"])
def api_sources(request: Request, slug: str) -> list[dict[str, Any]]:
    """Live sources: network, kind, query, instance, mentions stored, last error."""
    ws = api_workspace(request, slug)
    return [_source_dict(s) for s in sp(request).listening_live.sources(ws)]


@router.post("/api/workspaces/{slug}/listening/sources", tags=["listening"], status_code=201)
async def api_add_source(request: Request, slug: str, actor: Acting) -> dict[str, Any]:
    """Listen to a live source: ``{network, kind?, query?, instance?, every?}`` (network
    mastodon, bluesky or jetstream; every: seconds between polls)."""
    ws = api_workspace(request, slug)
    body = await json_body(request)
    every = _whole(body, "every", 60, 10, 86_400)
    f = body_fields({k: v for k, v in body.items() if k != "every"},
                    {"network": "str", "kind": "str", "query": "str", "instance": "str"})
    if not f["network"]:
        raise InvalidInput("body: network: required (mastodon, bluesky or jetstream)")
    src = sp(request).listening_live.add_source(actor, ws, f["network"], f["kind"],
                                                f["query"] or "", f["instance"], every)
    return _source_dict(src)


@router.delete("/api/workspaces/{slug}/listening/sources/{source_id}", tags=["listening"])
def api_remove_source(request: Request, slug: str, source_id: RowId, actor: Acting
                      ) -> dict[str, Any]:
    """Stop listening to a source (its stored mentions stay)."""
    ws = api_workspace(request, slug)
    return _source_dict(sp(request).listening_live.remove_source(actor, ws, source_id))


# --- rules ------------------------------------------------------------------------------------


@router.get("/api/workspaces/{slug}/listening/rules", tags=["listening"])
def api_rules(request: Request, slug: str) -> list[dict[str, Any]]:
    """Alert rules per brand."""
    ws = api_workspace(request, slug)
    return [v.as_dict() for v in sp(request).alert_rules.rules(ws)]


def _spec(body: dict[str, Any]) -> tuple[str, RuleSpec]:
    nums = {k: body.pop(k, None) for k in ("threshold", "min_volume", "window", "cooldown")}
    f = body_fields(body, {"brand": "str", "kind": "str", "keyword": "str", "quiet": "str",
                           "emails": "list[str]", "webhook": "str"})
    if not f["brand"] or not f["kind"]:
        raise InvalidInput(f"body: brand and kind are required (kind: {', '.join(RULE_KINDS)})")
    kind = f["kind"].strip().lower()
    t = nums["threshold"]
    if t is None:
        t = DEFAULT_THRESHOLD.get(kind, 0.0)
    if isinstance(t, bool) or not isinstance(t, int | float):
        raise InvalidInput("body: threshold: a number")
    quiet = (f["quiet"] or "").strip()
    qs = qe = None
    if quiet:
        start, sep, end = quiet.partition("-")
        if not sep:
            raise InvalidInput("body: quiet: START-END such as 22:00-07:00")
        qs, qe = parse_clock(start, "body: quiet"), parse_clock(end, "body: quiet")
    spec = RuleSpec(kind, float(t), _whole(nums, "min_volume", 10, 1, 1_000_000),
                    _whole(nums, "window", 60, 1, 7 * 24 * 60), f["keyword"],
                    _whole(nums, "cooldown", 60, 0, 30 * 24 * 60), qs, qe,
                    tuple(f["emails"] or ()), f["webhook"])
    return f["brand"], spec


@router.post("/api/workspaces/{slug}/listening/rules", tags=["listening"], status_code=201)
async def api_add_rule(request: Request, slug: str, actor: Acting) -> dict[str, Any]:
    """Add an alert rule: ``{brand, kind, threshold?, keyword?, min_volume?, window?,
    cooldown?, quiet?, emails?, webhook?}`` (window and cooldown in minutes, quiet as
    22:00-07:00 in the workspace's time zone)."""
    ws = api_workspace(request, slug)
    brand, spec = _spec(await json_body(request))
    return sp(request).alert_rules.add_rule(actor, ws, brand, spec).as_dict()


@router.delete("/api/workspaces/{slug}/listening/rules/{rule_id}", tags=["listening"])
def api_remove_rule(request: Request, slug: str, rule_id: RowId, actor: Acting
                    ) -> dict[str, Any]:
    """Remove an alert rule and the alerts it fired."""
    ws = api_workspace(request, slug)
    return sp(request).alert_rules.remove_rule(actor, ws, rule_id).as_dict()


@router.get("/api/workspaces/{slug}/listening/rules/fired", tags=["listening"])
def api_fired(request: Request, slug: str) -> list[dict[str, Any]]:
    """The alerts the rules fired, newest first, each with what drives it."""
    ws = api_workspace(request, slug)
    return [_event_dict(e) for e in sp(request).alert_rules.events(ws)]


# --- the Listening page's section, and acknowledging -----------------------------------------


def live_context(a: App, ws: Workspace) -> dict[str, Any]:
    """What the Listening page's "Live sources and alert rules" section shows."""
    return {"sources": a.listening_live.sources(ws),
            "rules": [v.as_dict() for v in a.alert_rules.rules(ws)],
            "fired": [_event_dict(e) for e in a.alert_rules.events(ws, limit=10)]}


@router.post("/listening/fired/{event_id}/acknowledge", include_in_schema=False)
def fired_ack(request: Request, event_id: RowId, actor: Acting) -> Response:
    ws = page_workspace(request)
    sp(request).alert_rules.acknowledge_id(actor, ws, event_id)
    return redirect_to(page_url("/listening", ws) + "#live")


@router.get("/alerts/ack/{token}", response_class=HTMLResponse, include_in_schema=False)
def ack_page(request: Request, token: str) -> Response:
    """The page a message's link opens: the alert and a button (reading changes nothing)."""
    ws, event = sp(request).alert_rules.by_token(token)
    return render(request, "alert_ack.html", {"title": "Alert", "event": event,
                                              "lines": explanation_lines(event.details),
                                              "token": token}, workspace=ws)


@router.post("/alerts/ack/{token}", include_in_schema=False)
def ack_post(request: Request, token: str, actor: Acting) -> Response:
    ws, event = sp(request).alert_rules.by_token(token)
    sp(request).alert_rules.acknowledge(actor, token)
    return redirect_to(f"/alerts/ack/{token}")
