"""The unified inbox on the web: the JSON API and the Inbox page, over `InboxService`, the
same use cases as `socialpulse inbox`.

The page filters with the query string (so a filtered view is a link), and its forms (assign,
status, claim) redirect back to the same view; actions the actor may not take are hidden
(``can("inbox.manage")``), and the services refuse them anyway.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from socialpulse.domain.errors import InvalidInput, SocialPulseError
from socialpulse.domain.inbox import (
    InboxFilter,
    Status,
    parse_age,
    parse_cursor,
    parse_status,
)
from socialpulse.domain.models import MAX_ID, Workspace
from socialpulse.services.inbox import row_record, when_text

from .common import (
    Acting,
    RowId,
    api_workspace,
    body_fields,
    json_body,
    page_workspace,
    redirect_to,
    render,
    sp,
)

router = APIRouter()
# Not in the navigation yet: nothing brings conversations in for a user (syncing connected
# accounts' comments and mentions is the next step of issue 18), and a page that can only be
# empty is not one to offer. The page, API and CLI work on what the service is given (tested).

FILTERS = ("status", "network", "account", "sentiment", "language", "assignee", "tag",
           "unanswered", "older_than")


def _filter(params: dict[str, str], after: str | None) -> InboxFilter:
    """An `InboxFilter` from query parameters (blank ones ignored)."""
    p = {k: v.strip() for k, v in params.items() if k in FILTERS and v and v.strip()}
    now = datetime.now(UTC)
    return InboxFilter(
        network=p.get("network"), account=p.get("account"), sentiment=p.get("sentiment"),
        language=p.get("language"),
        status=parse_status(p["status"]) if "status" in p else None,
        assignee=p.get("assignee"), tag=p["tag"].lower() if "tag" in p else None,
        unanswered=p.get("unanswered", "") in ("1", "true", "on", "yes"),
        waiting_since=(now - timedelta(minutes=parse_age(p["older_than"]))
                       if "older_than" in p else None),
        after=parse_cursor(after) if after else None)


def _page(request: Request, ws: Workspace, limit: int) -> dict[str, Any]:
    q = dict(request.query_params)
    page = sp(request).inbox.page(ws, _filter(q, q.get("after")), limit)
    now = datetime.now(UTC)
    return {"rows": [row_record(r, now) for r in page.rows], "next": page.next_cursor}


def _ids(value: Any) -> list[int]:
    if not isinstance(value, list) or not value or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_ID for v in value):
        raise InvalidInput("ids: give a list of conversation ids")
    return list(value)


@router.get("/api/workspaces/{slug}/inbox", tags=["inbox"])
def api_inbox(request: Request, slug: str, limit: int = 50) -> dict[str, Any]:
    """One page of conversations, newest activity first. Filters (query): status, network,
    account, sentiment, language, assignee (a name or "none"), tag, unanswered, older_than
    (30m, 4h, 2d); ``after``: the ``next`` cursor of the previous page."""
    return _page(request, api_workspace(request, slug), limit)


@router.get("/api/workspaces/{slug}/inbox/{conversation}", tags=["inbox"])
def api_thread(request: Request, slug: str, conversation: RowId) -> dict[str, Any]:
    """A conversation: its messages, internal notes, priority with its reasons, SLA due."""
    t = sp(request).inbox.thread(api_workspace(request, slug), conversation)
    c = t.conversation
    return {"id": c.id, "status": c.status.value, "assignee": c.assignee,
            "claimed_by": c.claimed_by, "tags": list(c.tags), "due": when_text(t.due),
            "first_response": when_text(c.first_response_at),
            "priority": t.priority.as_dict(),
            "messages": [{"id": m.external_id, "author": m.author, "ours": m.ours,
                          "at": when_text(m.created_at), "text": m.text} for m in t.messages],
            "notes": [{"author": n.author, "at": when_text(n.created_at), "text": n.text}
                      for n in t.notes]}


@router.post("/api/workspaces/{slug}/inbox/assign", tags=["inbox"])
async def api_assign(request: Request, slug: str, actor: Acting) -> dict[str, Any]:
    """Assign conversations: ``{ids, to?, round_robin?}`` (``to`` null unassigns;
    ``round_robin``: agents in turn)."""
    ws = api_workspace(request, slug)
    body = body_fields(await json_body(request), {"ids": "list[int]", "to": "str",
                                                  "round_robin": "list[str]"})
    ids, svc = _ids(body.get("ids")), sp(request).inbox
    if body.get("round_robin"):
        done = svc.assign_round_robin(actor, ws, ids, body["round_robin"])
    else:
        done = svc.assign(actor, ws, ids, body.get("to"))
    return {"assigned": [{"id": c.id, "assignee": c.assignee} for c in done]}


@router.post("/api/workspaces/{slug}/inbox/status", tags=["inbox"])
async def api_status(request: Request, slug: str, actor: Acting) -> dict[str, Any]:
    """Set the status of conversations: ``{ids, status}`` (open, pending, closed)."""
    ws = api_workspace(request, slug)
    body = body_fields(await json_body(request), {"ids": "list[int]", "status": "str"})
    status = parse_status(str(body.get("status") or ""))
    done = sp(request).inbox.set_status(actor, ws, _ids(body.get("ids")), status)
    return {"changed": [{"id": c.id, "status": c.status.value} for c in done]}


@router.post("/api/workspaces/{slug}/inbox/{conversation}/note", tags=["inbox"])
async def api_note(request: Request, slug: str, conversation: RowId, actor: Acting
                   ) -> dict[str, Any]:
    """Add an internal note: ``{text}``."""
    ws = api_workspace(request, slug)
    body = body_fields(await json_body(request), {"text": "str"})
    n = sp(request).inbox.note(actor, ws, conversation, str(body.get("text") or ""))
    return {"id": n.id, "author": n.author, "text": n.text}


@router.post("/api/workspaces/{slug}/inbox/{conversation}/tag", tags=["inbox"])
async def api_tag(request: Request, slug: str, conversation: RowId, actor: Acting
                  ) -> dict[str, Any]:
    """Tag a conversation: ``{tag, remove?}``."""
    ws = api_workspace(request, slug)
    body = body_fields(await json_body(request), {"tag": "str", "remove": "bool"})
    c = sp(request).inbox.tag(actor, ws, conversation, str(body.get("tag") or ""),
                              on=not body.get("remove"))
    return {"id": c.id, "tags": list(c.tags)}


@router.post("/api/workspaces/{slug}/inbox/{conversation}/claim", tags=["inbox"])
def api_claim(request: Request, slug: str, conversation: RowId, actor: Acting
              ) -> dict[str, Any]:
    """Say you are on it; 409 naming the agent who is, if another one is."""
    c = sp(request).inbox.claim(actor, api_workspace(request, slug), conversation)
    return {"id": c.id, "claimed_by": c.claimed_by}


@router.post("/api/workspaces/{slug}/inbox/{conversation}/answered-elsewhere",
             tags=["inbox"])
def api_elsewhere(request: Request, slug: str, conversation: RowId, actor: Acting
                  ) -> dict[str, Any]:
    """Mark a conversation answered outside socialpulse (it counts as answered)."""
    c = sp(request).inbox.answered_elsewhere(actor, api_workspace(request, slug), conversation)
    return {"id": c.id, "first_response": when_text(c.first_response_at)}


@router.get("/inbox", response_class=HTMLResponse, include_in_schema=False)
def inbox_page(request: Request) -> HTMLResponse:
    ws = page_workspace(request)
    error = request.query_params.get("error") or ""
    try:
        data = _page(request, ws, 50)
    except SocialPulseError as exc:
        data, error = {"rows": [], "next": None}, exc.message
    params = {k: request.query_params.get(k, "") for k in FILTERS}
    return render(request, "inbox.html", {
        "title": "Inbox", "rows": data["rows"], "next": data["next"], "params": params,
        "statuses": [s.value for s in Status], "error": error,
        "back": str(request.url.query)}, workspace=ws)


@router.post("/inbox/act", include_in_schema=False)
def inbox_act(request: Request, actor: Acting,
              conversation: Annotated[int, Form(ge=1, le=MAX_ID)], action: Annotated[str, Form()],
              value: Annotated[str, Form()] = "", back: Annotated[str, Form()] = ""
              ) -> Response:
    """The page's row actions: assign (value: agent, blank unassigns), status, claim."""
    ws = page_workspace(request)
    svc = sp(request).inbox
    params = {k: v for k, v in parse_qsl(back) if k in FILTERS}
    try:
        if action == "assign":
            svc.assign(actor, ws, [conversation], value.strip() or None)
        elif action == "status":
            svc.set_status(actor, ws, [conversation], parse_status(value))
        elif action == "claim":
            svc.claim(actor, ws, conversation)
        else:
            raise InvalidInput(f"action: unknown inbox action {action[:20]!r}")
    except SocialPulseError as exc:
        return redirect_to("/inbox", ws, error=exc.message, **params)
    return redirect_to("/inbox", ws, **params)
