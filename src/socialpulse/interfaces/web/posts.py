"""Posts: the JSON/CSV API and the Posts page (what was published, best first).

Both call `PostsService.list`, the same use case as `socialpulse posts`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from socialpulse.bootstrap import App
from socialpulse.domain.errors import InvalidInput, MissingData
from socialpulse.domain.formatting import format_value, one_line
from socialpulse.domain.models import Workspace, http_url
from socialpulse.domain.periods import DateRange
from socialpulse.domain.query import Scope
from socialpulse.services.metrics import network_label
from socialpulse.services.posts import COLUMNS, SORTS, PostPage

from .common import (
    api_workspace,
    date_range_params,
    page_url,
    page_workspace,
    parse_networks,
    render,
    sp,
)
from .download import csv_download
from .registry import NavItem, OverviewPanel, register_nav, register_overview_panel
from .scope import (
    BrandParam,
    ScopeParam,
    api_scope,
    page_scope,
    scope_choices,
    scope_query,
    scope_value,
)

router = APIRouter()
register_nav(NavItem("Posts", "/posts", order=25))

PAGE_SIZE = 25
SORT_LABELS = {"engagements": "engagements", "engagement_rate": "engagement rate",
               "impressions": "impressions", "reach": "reach", "likes": "likes",
               "comments": "comments", "shares": "shares", "clicks": "clicks",
               "video_views": "video views", "saves": "saves", "published_at": "newest"}


def _csv(page: PostPage, slug: str) -> Response:
    return csv_download([*COLUMNS, "scope"], page.records(with_scope=True),
                        f"socialpulse-{slug}-posts.csv")


@router.get("/api/workspaces/{slug}/posts", tags=["posts"],
            responses={200: {"content": {"text/csv": {}},
                             "description": "JSON page of posts, or CSV with format=csv."}})
def api_posts(
    request: Request,
    slug: str,
    sort: Annotated[str, Query(description=f"One of {', '.join(SORTS)} (highest first; "
                                           "published_at: newest first).")] = "engagements",
    from_: Annotated[str | None, Query(alias="from", description="First day, YYYY-MM-DD.")]
    = None,
    to: Annotated[str | None, Query(description="Last day (inclusive).")] = None,
    period: Annotated[str | None, Query(description="2026-Q3, 2026-09, 2026-W37 or A..B.")]
    = None,
    networks: Annotated[str | None, Query(description="Only these networks, e.g. x,tiktok.")]
    = None,
    accounts: Annotated[str | None, Query(description="Only these accounts: ids, handles or "
                                          "NETWORK:HANDLE, comma-separated.")] = None,
    scope: ScopeParam = None,
    brand: BrandParam = None,
    search: Annotated[str | None, Query(description="Text the post contains.")] = None,
    limit: Annotated[int, Query(description="1 to 500.")] = 50,
    offset: int = 0,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv.")]
    = "json",
) -> Any:
    """Posts with their counters as of the period's end and their engagement rate
    (engagements / impressions, in percent), sorted best first."""
    chosen = api_scope(scope, brand)
    ws = api_workspace(request, slug)
    page = sp(request).posts.list(
        ws, date_range_params(from_, to, period),
        [a for a in (accounts or "").split(",") if a.strip()], parse_networks(networks),
        chosen, sort, limit, offset, search)
    return _csv(page, ws.slug) if format == "csv" else page.as_dict()


@router.get("/posts", response_class=HTMLResponse, include_in_schema=False)
def posts_page(request: Request) -> HTMLResponse:
    app = sp(request)
    ws = page_workspace(request)
    q = request.query_params
    form = {k: q.get(k) or "" for k in ("period", "network", "search", "sort")}
    form["sort"] = form["sort"] or "engagements"
    error = None
    rng: DateRange | None = None
    try:
        offset = int(q.get("offset") or 0)
    except ValueError:
        offset = 0
    scope = Scope()
    try:
        scope = page_scope(request)
        # the Overview's periods: presets relative to the data (last 90 days by default)
        # or any period such as 2026-Q3
        if form["period"] or app.overview.data_range(ws) is not None:
            rng = app.overview.resolve_period(ws, form["period"] or None).range
        page = app.posts.list(ws, rng, (), parse_networks(form["network"]), scope,
                              form["sort"], PAGE_SIZE, max(0, offset), form["search"] or None)
    except (InvalidInput, MissingData) as exc:
        error = exc.message
        page = PostPage([], 0, 0, PAGE_SIZE, "engagements", rng)
    params = {**{k: v for k, v in form.items() if v}, "scope": scope_value(scope),
              "period": form["period"] or None}
    pager = {
        "prev": (page_url("/posts", ws, **params, offset=max(0, page.offset - PAGE_SIZE))
                 if page.offset > 0 else None),
        "next": (page_url("/posts", ws, **params, offset=page.offset + PAGE_SIZE)
                 if page.offset + len(page.rows) < page.total else None),
        "csv": page_url(f"/api/workspaces/{ws.slug}/posts", None, format="csv", limit=500,
                        sort=form["sort"], networks=form["network"] or None,
                        search=form["search"] or None,
                        **({"from": rng.start.isoformat(), "to": rng.end.isoformat()}
                           if rng else {})) + "&" + scope_query(scope),
    }
    networks = sorted({a.network.value for a in app.workspaces.accounts(ws)})
    return render(request, "posts.html", {
        "title": "Posts", "page": page, "form": form,
        "scope_choices": scope_choices(app, ws), "scope_value": scope_value(scope),
        "sorts": SORT_LABELS, "networks": networks, "pager": pager, "error": error,
    }, workspace=ws, status_code=400 if error else 200)


def _top_posts_panel(app: App, ws: Workspace, period: DateRange) -> dict[str, Any] | None:
    """The Overview's best three posts of the period by engagements (hidden without posts)."""
    page = app.posts.list(ws, period, sort="engagements", limit=3)
    if not page.rows:
        return None
    items = []
    for p in page.rows:
        rate = p["engagement_rate"]
        items.append({
            "label": f"{network_label(p['network'])} {p['account']}: "
                     + one_line(p["text"] or p["post_id"], 60),
            "value": f"{format_value(p['engagements'], 'count')} engagements"
                     + (f", {format_value(rate, 'percent')}" if rate is not None else ""),
            "href": http_url(p["url"]) or None,
        })
    return {"items": items, "link": {"label": f"All {page.total:,} posts of the period",
                                     "href": page_url("/posts", ws, period=period.label())}}


register_overview_panel(OverviewPanel("top-posts", "Top posts", _top_posts_panel, order=20))
