"""Audience: the JSON/CSV API and the Audience page (who follows, visits or watches).

Both call `AudienceService.audience`, the same use case as `socialpulse audience`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from socialpulse.domain.errors import InvalidInput, MissingData
from socialpulse.services.audience import COLUMNS, AccountAudience, records

from .common import api_workspace, page_workspace, render, sp
from .download import csv_download
from .registry import NavItem, register_nav

router = APIRouter()
register_nav(NavItem("Audience", "/audience", order=27))


@router.get("/api/workspaces/{slug}/audience", tags=["audience"],
            responses={200: {"content": {"text/csv": {}},
                             "description": "Breakdowns per account, or CSV with format=csv."}})
def api_audience(
    request: Request,
    slug: str,
    account: Annotated[str | None, Query(description="One account: id, handle or "
                                         "NETWORK:HANDLE (default: every account).")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv.")]
    = "json",
) -> Any:
    """Each account's latest audience breakdown per dimension (followers by gender, visitors
    by job function...): values with their count and share, the day they describe, and how
    the share was obtained."""
    ws = api_workspace(request, slug)
    found = sp(request).audience.audience(ws, account or None)
    if format == "csv":
        return csv_download(COLUMNS, records(found), f"socialpulse-{ws.slug}-audience.csv")
    return {"workspace": ws.slug, "accounts": [a.as_dict() for a in found]}


@router.get("/audience", response_class=HTMLResponse, include_in_schema=False)
def audience_page(request: Request) -> HTMLResponse:
    ws = page_workspace(request)
    account = request.query_params.get("account") or None
    error = None
    found: list[AccountAudience] = []
    try:
        found = sp(request).audience.audience(ws, account)
    except (InvalidInput, MissingData) as exc:
        error = exc.message
    return render(request, "audience.html", {"title": "Audience", "accounts": found,
                                             "error": error},
                  workspace=ws, status_code=400 if error else 200)
