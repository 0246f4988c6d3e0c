"""The Workspace page: its settings (name, time zone, languages), its accounts and the history
of what was imported into it, where a bad import can be removed; and the batches API.

The settings form calls the same `WorkspaceService.update` as the CLI and the API, so a new
time zone re-derives the local day of every post and mention here too; the history and its
Remove buttons call the same `BatchService` as ``socialpulse lake batches|remove``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from socialpulse.domain.errors import SocialPulseError
from socialpulse.domain.models import NETWORK_LABELS, Function, Workspace
from socialpulse.services.batches import BatchRecord

from .api_core import ERRORS, ErrorResponse
from .common import Acting, RowId, api_workspace, page_workspace, redirect_to, render, sp
from .registry import NavItem, register_nav

router = APIRouter()
register_nav(NavItem("Workspace", "/workspace", order=95))

HISTORY_ROWS = 100
_ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


def _context(request: Request, ws: Workspace) -> dict[str, Any]:
    app = sp(request)
    accounts = [
        {"id": a.id, "network": NETWORK_LABELS[a.network], "handle": a.handle, "name": a.name,
         "url": a.url, "function": a.function.value, "brand": a.brand_name or "",
         "competitor": not a.is_own}
        for a in app.workspaces.accounts(ws)
    ]
    batches = app.batches.history(ws)
    return {"title": "Workspace", "accounts": accounts, "zones": _ZONES,
            "functions": [(f.value, f.value.replace("_", " ")) for f in Function],
            "batches": batches[:HISTORY_ROWS], "more_batches": max(0, len(batches) - HISTORY_ROWS)}


@router.get("/workspace", response_class=HTMLResponse, include_in_schema=False)
def workspace_page(request: Request) -> HTMLResponse:
    ws = page_workspace(request)
    q = request.query_params
    message = None
    removed = q.get("removed", "")
    if removed.isascii() and removed.isdigit():  # a number only: no text of the query shows
        message = (f"Removed batch {int(q['removed'])}: its rows no longer count, and its "
                   "files can be imported again.")
    elif q.get("saved"):
        # the counts come back as numbers only: no text of the query string reaches the page
        rows = {k[5:].replace("_", " "): int(v) for k, v in q.items()
                if k.startswith("rows_") and v.isascii() and v.isdigit()}
        message = "Saved." + (f" Local days re-derived in {ws.timezone}: "
                              + ", ".join(f"{n:,} {k}" for k, n in rows.items()) + "."
                              if rows else "")
    return render(request, "workspace.html",
                  {**_context(request, ws), "message": message}, workspace=ws)


@router.post("/workspace/settings", include_in_schema=False)
async def workspace_settings(request: Request, actor: Acting) -> Response:
    """Only changed fields are passed on: an unchanged time zone rewrites nothing."""
    ws = page_workspace(request)
    form = await request.form()
    name = str(form.get("name") or "")
    timezone = str(form.get("timezone") or "").strip()
    languages = str(form.get("languages") or "")
    changes: dict[str, Any] = {
        "name": name if name.strip() != ws.name else None,
        "timezone": timezone if timezone != ws.timezone else None,
        "languages": (languages.split(",") if languages.replace(" ", "") != ",".join(ws.languages)
                      else None),
    }
    if all(v is None for v in changes.values()):
        return redirect_to("/workspace", ws, saved="1")
    try:
        updated, rows = sp(request).workspaces.update(actor, ws, **changes)
    except SocialPulseError as exc:
        return render(request, "workspace.html", {
            **_context(request, ws), "form_error": exc.message,
            "form": {"name": name, "timezone": timezone, "languages": languages},
        }, workspace=ws, status_code=exc.status_code)
    return redirect_to("/workspace", updated, saved="1",
                       **{f"rows_{k}": n for k, n in rows.items()})


@router.post("/workspace/accounts/{account_id}", include_in_schema=False)
async def account_settings(request: Request, account_id: RowId, actor: Acting) -> Response:
    """One account row's form: function, brand and whether the brand is a competitor."""
    ws = page_workspace(request)
    form = await request.form()
    brand = str(form.get("brand") or "").strip()
    try:
        acc = sp(request).workspaces.update_account(
            actor, ws, account_id, function=str(form.get("function") or "") or None,
            brand=brand or None, competitor=form.get("competitor") == "1" if brand else None)
    except SocialPulseError as exc:
        return render(request, "workspace.html", {
            **_context(request, ws), "form_error": f"account {account_id}: {exc.message}",
        }, workspace=ws, status_code=exc.status_code)
    return redirect_to("/workspace", ws, saved="1", account=acc.id)


@router.post("/workspace/batches/{batch_id}/remove", include_in_schema=False)
async def remove_batch(request: Request, batch_id: RowId, actor: Acting) -> Response:
    """A Remove button of the import history (confirmed in the page first)."""
    ws = page_workspace(request)
    try:
        sp(request).batches.remove(actor, ws, batch_id)
    except SocialPulseError as exc:
        return render(request, "workspace.html", {
            **_context(request, ws), "form_error": exc.message,
        }, workspace=ws, status_code=exc.status_code)
    return redirect_to("/workspace", ws, removed=str(batch_id))


# --- API --------------------------------------------------------------------------------------


BATCH_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS, 409: {"model": ErrorResponse, "description": "The batch is still being imported,"
                    " or a compaction merged it into another batch."}}


class RemovedOut(BaseModel):
    batch: int
    removed: list[int]
    rows: dict[str, int]
    already_removed: bool
    message: str


@router.get("/api/workspaces/{slug}/batches", response_model=list[BatchRecord],
            responses=BATCH_ERRORS, tags=["import"])
def api_batches(request: Request, slug: str) -> list[BatchRecord]:
    """The workspace's imports, newest first: when, the files as uploaded, format, rows per
    dataset and state (``active``, ``merged`` into a compaction's batch, ``removed``,
    ``importing``)."""
    ws = api_workspace(request, slug)
    return sp(request).batches.history(ws)


@router.delete("/api/workspaces/{slug}/batches/{batch_id}", response_model=RemovedOut,
               responses=BATCH_ERRORS, tags=["import"])
def api_remove_batch(request: Request, slug: str, batch_id: RowId, actor: Acting
                     ) -> RemovedOut:
    """Undo one import: its rows stop counting at once and its files are deleted after a
    grace period; the same file can then be imported again. Removing it again changes
    nothing (``already_removed``). A batch a compaction merged answers 409."""
    ws = api_workspace(request, slug)
    return RemovedOut(**sp(request).batches.remove(actor, ws, batch_id).as_dict())
