"""The publishing API: drafts, approvals, schedules and the outbox's results (issue 17).

Each write resolves the acting user (`Acting`) and is authorized by the service
(``publish.draft`` or ``publish.approve``); routes are classified in `access.py`. Bad input
is a one-line 400, a move the workflow does not allow a 409 naming the post's status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request

from socialpulse.domain.errors import InvalidInput
from socialpulse.domain.models import Network, parse_enum
from socialpulse.domain.publishing import PostStatus, Variant
from socialpulse.services.publishing import post_record

from .common import Acting, RowId, api_workspace, body_fields, json_body, sp
from .jobs_runner import wake_jobs

router = APIRouter()
_BASE = "/api/workspaces/{slug}/publishing/posts"
_DRAFT = {"text": "str", "networks": "list[str]", "links": "list[str]", "campaign": "str",
          "goal": "str", "accounts": "list[str]", "mastodon_text": "str",
          "bluesky_text": "str"}


@router.get(_BASE, tags=["publishing"])
def api_posts(request: Request, slug: str, status: str | None = None) -> dict[str, Any]:
    """Posts with their status, schedule (local time, zone, UTC) and, per network, the
    send's status, platform id, link and the network's words when it was refused."""
    ws = api_workspace(request, slug)
    states = [parse_enum(PostStatus, status, "status")] if status else None
    return {"workspace": ws.slug,
            "posts": [post_record(p) for p in sp(request).publishing.posts(ws, states)]}


@router.get(_BASE + "/{post_id}", tags=["publishing"])
def api_post(request: Request, slug: str, post_id: RowId) -> dict[str, Any]:
    """One post, as in the list."""
    ws = api_workspace(request, slug)
    return post_record(sp(request).publishing.get(ws, post_id))


@router.post(_BASE, tags=["publishing"], status_code=201)
async def api_draft(request: Request, slug: str, actor: Acting) -> dict[str, Any]:
    """Write a draft: ``{text, networks, links?, campaign?, goal?, accounts?, mastodon_text?,
    bluesky_text?}`` (a network's own text replaces ``text`` there); every limit problem of
    every network is listed in one 400."""
    ws = api_workspace(request, slug)
    f = body_fields(await json_body(request), _DRAFT)
    networks = [parse_enum(Network, n, "networks") for n in f.get("networks") or []]
    if not networks:
        raise InvalidInput("networks: name at least one network (mastodon, bluesky)")
    variants = [Variant(n, str(f.get(f"{n.value}_text") or f.get("text") or ""),
                        tuple(f.get("links") or ())) for n in networks]
    post = sp(request).publishing.draft(actor, ws, variants, campaign=f.get("campaign") or "",
                                        goal=f.get("goal") or "",
                                        accounts=f.get("accounts") or ())
    return post_record(post)


@router.post(_BASE + "/{post_id}/submit", tags=["publishing"])
def api_submit(request: Request, slug: str, post_id: RowId, actor: Acting) -> dict[str, Any]:
    """Ask for approval (a draft)."""
    ws = api_workspace(request, slug)
    return post_record(sp(request).publishing.submit(actor, ws, post_id))


@router.post(_BASE + "/{post_id}/approve", tags=["publishing"])
async def api_approve(request: Request, slug: str, post_id: RowId, actor: Acting
                      ) -> dict[str, Any]:
    """Approve a submitted post: ``{comment?}``."""
    ws = api_workspace(request, slug)
    f = body_fields(await json_body(request), {"comment": "str"})
    return post_record(sp(request).publishing.approve(actor, ws, post_id,
                                                      f.get("comment") or ""))


@router.post(_BASE + "/{post_id}/reject", tags=["publishing"])
async def api_reject(request: Request, slug: str, post_id: RowId, actor: Acting
                     ) -> dict[str, Any]:
    """Send a submitted post back: ``{comment}`` says why (required)."""
    ws = api_workspace(request, slug)
    f = body_fields(await json_body(request), {"comment": "str"})
    return post_record(sp(request).publishing.reject(actor, ws, post_id,
                                                     f.get("comment") or ""))


@router.post(_BASE + "/{post_id}/schedule", tags=["publishing"])
async def api_schedule(request: Request, slug: str, post_id: RowId, actor: Acting
                       ) -> dict[str, Any]:
    """Schedule an approved post: ``{at, zone?, later?}`` (``at`` a local time
    "YYYY-MM-DD HH:MM" in ``zone``, the workspace's by default; ``later``: the second
    occurrence of a time the autumn change repeats)."""
    ws = api_workspace(request, slug)
    f = body_fields(await json_body(request), {"at": "str", "zone": "str", "later": "bool"})
    text = str(f.get("at") or "").strip()
    try:
        local = datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidInput(f"at: {text[:40]!r} is not a local time such as "
                           '"2026-03-29 09:00"') from None
    post = sp(request).publishing.schedule(actor, ws, post_id, local,
                                           zone=f.get("zone"), later=bool(f.get("later")))
    wake_jobs(request)
    return post_record(post)


@router.post(_BASE + "/{post_id}/cancel", tags=["publishing"])
def api_cancel(request: Request, slug: str, post_id: RowId, actor: Acting) -> dict[str, Any]:
    """Cancel a post none of whose sends has started."""
    ws = api_workspace(request, slug)
    return post_record(sp(request).publishing.cancel(actor, ws, post_id))
