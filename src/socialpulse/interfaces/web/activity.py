"""The Activity log page and its JSON API: who changed what and when in a workspace.

Reading it needs ``audit.read`` in the workspace (owners and admins; the local user), checked by
`ChangeLogService.entries`; the entries come from the store's recorder, never from a route.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from socialpulse.domain.periods import parse_date
from socialpulse.services.change_log import DEFAULT_ENTRIES

from .common import Acting, api_workspace, page_workspace, parse_id, render, sp
from .registry import NavItem, register_nav

router = APIRouter()

register_nav(NavItem("Activity", "/activity", order=95))


def _since(text: str | None) -> date | None:
    return parse_date(text, "since", date.today()) if text else None


def _limit(text: str | None) -> int:
    return parse_id(text, "limit") if text else DEFAULT_ENTRIES


@router.get("/activity", response_class=HTMLResponse, include_in_schema=False)
def activity_page(request: Request, actor: Acting) -> HTMLResponse:
    """The workspace's newest changes: when, who, what (secrets show as hidden)."""
    ws = page_workspace(request)
    since = _since(request.query_params.get("since"))
    entries = sp(request).change_log.entries(actor, ws.slug, since, DEFAULT_ENTRIES)
    return render(request, "activity.html",
                  {"title": "Activity log", "entries": entries, "since": since},
                  workspace=ws)


@router.get("/api/workspaces/{slug}/activity")
def activity_api(request: Request, slug: str, actor: Acting, since: str | None = None,
                 limit: str | None = None) -> list[dict[str, Any]]:
    """The workspace's activity log, newest first: ``since`` (YYYY-MM-DD, UTC) and ``limit``
    (1 to 10000, default 200) narrow it. Each entry: when, who, the action allowed, what
    changed (``details``: created/removed rows' fields, changed fields' ``from`` and ``to``;
    secrets are ``(hidden)``)."""
    ws = api_workspace(request, slug)
    entries = sp(request).change_log.entries(actor, ws.slug, _since(since), _limit(limit))
    return [e.as_json() for e in entries]
