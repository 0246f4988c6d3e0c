"""Connected accounts: the JSON API and the Connections page (last sync, next sync, errors,
quota left), over `ConnectionsService`, the same use cases as `socialpulse connect` and
`socialpulse connections`.

Credentials go in (a JSON body field or a password form field) and never come back: answers
show "set" and a fingerprint. Syncs run as jobs; the page and the API queue them and wake this
process's runner.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from socialpulse.domain.connections import ConnectionKind, Secret
from socialpulse.domain.errors import InvalidInput, SocialPulseError
from socialpulse.domain.models import Network, parse_enum
from socialpulse.services.connections import ConnectRequest, connection_record

from .common import (
    Acting,
    api_workspace,
    body_fields,
    json_body,
    page_workspace,
    redirect_to,
    render,
    sp,
)
from .jobs_runner import wake_jobs
from .registry import NavItem, register_nav

router = APIRouter()
register_nav(NavItem("Connections", "/connections", order=92))

_FIELDS = {"network": "str", "kind": "str", "handle": "str", "server": "str", "secret": "str",
           "brand": "str"}


def _request(fields: dict[str, Any]) -> ConnectRequest:
    network = parse_enum(Network, str(fields.get("network") or ""), "network")
    kind = parse_enum(ConnectionKind, str(fields.get("kind") or "own"), "kind")
    secret = str(fields.get("secret") or "").strip()
    return ConnectRequest(network, kind, handle=str(fields.get("handle") or ""),
                          server=str(fields.get("server") or "") or None,
                          secret=Secret(secret) if secret else None,
                          brand=str(fields.get("brand") or "") or None)


@router.get("/api/workspaces/{slug}/connections", tags=["connections"])
def api_connections(request: Request, slug: str) -> dict[str, Any]:
    """Connected accounts: own or public data, state, last and next sync, posts synced, quota
    left, credentials ("set (fingerprint)" or "none") and the last error."""
    ws = api_workspace(request, slug)
    return {"workspace": ws.slug,
            "connections": [connection_record(c) for c in sp(request).connections.list(ws)]}


@router.post("/api/workspaces/{slug}/connections", tags=["connections"], status_code=201)
async def api_connect(request: Request, slug: str, actor: Acting) -> JSONResponse:
    """Connect an account after a test call: ``{network, kind?, handle?, server?, secret?,
    brand?}`` (kind "own", the default, needs ``secret``: a Mastodon access token or a
    Bluesky app password; kind "public" needs ``handle``). Queues its backfill."""
    ws = api_workspace(request, slug)
    req = _request(body_fields(await json_body(request), _FIELDS))
    conn, job = sp(request).connections.connect(actor, ws, req)
    wake_jobs(request)
    return JSONResponse({"connection": connection_record(conn), "job": job.id},
                        status_code=201)


@router.post("/api/workspaces/{slug}/connections/{ref}/sync", tags=["connections"])
def api_sync(request: Request, slug: str, ref: str, actor: Acting) -> dict[str, Any]:
    """Queue a sync of this connection now (id, handle or NETWORK:HANDLE)."""
    job = sp(request).connections.sync_now(actor, api_workspace(request, slug), ref)
    wake_jobs(request)
    return {"job": job.id, "state": job.state.words}


@router.post("/api/workspaces/{slug}/connections/{ref}/pause", tags=["connections"])
def api_pause(request: Request, slug: str, ref: str, actor: Acting) -> dict[str, Any]:
    """Stop syncing a connection (its data stays)."""
    return connection_record(sp(request).connections.pause(actor, api_workspace(request, slug),
                                                           ref))


@router.post("/api/workspaces/{slug}/connections/{ref}/resume", tags=["connections"])
def api_resume(request: Request, slug: str, ref: str, actor: Acting) -> dict[str, Any]:
    """Sync a paused connection again; a sync is queued now."""
    conn, job = sp(request).connections.resume(actor, api_workspace(request, slug), ref)
    wake_jobs(request)
    return {"connection": connection_record(conn), "job": job.id}


@router.delete("/api/workspaces/{slug}/connections/{ref}", tags=["connections"])
def api_remove(request: Request, slug: str, ref: str, actor: Acting) -> dict[str, Any]:
    """Disconnect: the connection and its credentials are deleted; synced data stays."""
    conn = sp(request).connections.remove(actor, api_workspace(request, slug), ref)
    return {"removed": connection_record(conn)}


@router.get("/connections", response_class=HTMLResponse, include_in_schema=False)
def connections_page(request: Request) -> HTMLResponse:
    ws = page_workspace(request)
    conns = [connection_record(c) for c in sp(request).connections.list(ws)]
    return render(request, "connections.html", {
        "title": "Connections", "connections": conns,
        "networks": [n.value for n in sp(request).connections.connectors.networks()],
        "saved": request.query_params.get("saved") or "",
        "error": request.query_params.get("error") or ""}, workspace=ws)


@router.post("/connections", include_in_schema=False)
def connect_form(
    request: Request, actor: Acting,
    network: Annotated[str, Form()] = "", kind: Annotated[str, Form()] = "own",
    handle: Annotated[str, Form()] = "", server: Annotated[str, Form()] = "",
    secret: Annotated[str, Form()] = "", brand: Annotated[str, Form()] = "",
) -> Response:
    ws = page_workspace(request)
    try:
        conn, _ = sp(request).connections.connect(actor, ws, _request(
            {"network": network, "kind": kind, "handle": handle, "server": server,
             "secret": secret, "brand": brand}))
    except SocialPulseError as exc:
        return redirect_to("/connections", ws, error=exc.message)
    wake_jobs(request)
    return redirect_to("/connections", ws, saved=f"Connected {conn.label}; its history is "
                       "being synced.")


@router.post("/connections/{ref}/{action}", include_in_schema=False)
def connection_action(request: Request, ref: str, action: str, actor: Acting) -> Response:
    ws = page_workspace(request)
    svc = sp(request).connections
    try:
        if action == "sync":
            svc.sync_now(actor, ws, ref)
            done = "Sync queued."
        elif action == "pause":
            done = f"Paused {svc.pause(actor, ws, ref).label}."
        elif action == "resume":
            done = f"Resumed {svc.resume(actor, ws, ref)[0].label}; a sync is queued."
        elif action == "remove":
            done = f"Removed {svc.remove(actor, ws, ref).label}; its data stays."
        else:
            raise InvalidInput(f"unknown action {action!r}; use sync, pause, resume or remove")
    except SocialPulseError as exc:
        return redirect_to("/connections", ws, error=exc.message)
    wake_jobs(request)
    return redirect_to("/connections", ws, saved=done)
