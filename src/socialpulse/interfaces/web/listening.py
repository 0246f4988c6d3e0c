"""Listening on the web: JSON API, the Listening page, and the Overview's latest-alert panel.

The page shows, for a period (default: the last 90 days of mentions): mention volume and net
sentiment per brand over time, share of voice, spike alerts with the mentions that caused them,
top authors, trending terms and themes, and the mention list with filters and a form to correct
a mention's sentiment (the correction overrides the model and is kept for retraining).
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socialpulse.bootstrap import App
from socialpulse.domain.errors import InvalidInput, MissingData, SocialPulseError
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.services.charts import chart_spec
from socialpulse.services.listening import classified

from .common import (
    Acting,
    RowId,
    api_workspace,
    date_range_params,
    json_body,
    page_url,
    page_workspace,
    redirect_to,
    render,
    safe_filename,
    sp,
)
from .listening_live import live_context
from .registry import NavItem, OverviewPanel, register_nav, register_overview_panel

router = APIRouter()
register_nav(NavItem("Listening", "/listening", order=40))

MAX_UPLOAD_BYTES = 64 * 1024 * 1024
BRAND_COLORS = ["#2563eb", "#f59e0b", "#0d9488", "#db2777", "#7c3aed", "#64748b"]


def _period(app: App, ws: Workspace, q: dict[str, str], days: int = 90) -> DateRange:
    rng = date_range_params(q.get("from"), q.get("to"), q.get("period"))
    if rng is None:
        d = q.get("days")
        if d:
            if not (d.isascii() and d.isdigit()) or not 1 <= int(d) <= 3660:
                raise InvalidInput("days: a whole number of days from 1 to 3660")
            days = int(d)
        return app.listening.default_period(ws, days)
    return rng


def _int(q: dict[str, str], name: str, default: int, lo: int, hi: int) -> int:
    v = q.get(name)
    if v is None or v == "":
        return default
    try:
        n = int(v)
    except ValueError:
        raise InvalidInput(f"{name}: {v!r} is not a whole number") from None
    if not lo <= n <= hi:
        raise InvalidInput(f"{name}: must be between {lo} and {hi}")
    return n


def _bool(q: dict[str, str], name: str) -> bool | None:
    v = q.get(name)
    if v in (None, ""):
        return None
    if v.lower() in ("true", "1", "yes"):
        return True
    if v.lower() in ("false", "0", "no"):
        return False
    raise InvalidInput(f"{name}: use true or false")


def _brand_dict(bq: Any) -> dict[str, Any]:
    return {"id": bq.brand.id, "name": bq.brand.name, "own": bq.brand.is_own, "query": bq.query}


# --- JSON API ------------------------------------------------------------------------------


@router.get("/api/workspaces/{slug}/listening/brands", tags=["listening"])
def api_brands(request: Request, slug: str) -> list[dict[str, Any]]:
    """The brand and its competitors with their Boolean queries."""
    ws = api_workspace(request, slug)
    return [_brand_dict(b) for b in sp(request).listening.brands(ws)]


@router.post("/api/workspaces/{slug}/listening/brands", tags=["listening"], status_code=201)
async def api_add_brand(request: Request, slug: str, actor: Acting) -> dict[str, Any]:
    """Add a brand: ``{"name": ..., "own": false, "query": "..."}``."""
    ws = api_workspace(request, slug)
    body = await json_body(request)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("body: name: required (the brand's name)")
    query = body.get("query")
    if query is not None and not isinstance(query, str):
        raise InvalidInput("body: query: must be a string")
    return _brand_dict(sp(request).listening.add_brand(actor, ws, name, bool(body.get("own")),
                                                       query))


@router.put("/api/workspaces/{slug}/listening/brands/{brand}/query", tags=["listening"])
async def api_set_query(request: Request, slug: str, brand: str, actor: Acting
                        ) -> dict[str, Any]:
    """Set a brand's query: ``{"query": "..."}`` (400 naming the column if it does not parse)."""
    ws = api_workspace(request, slug)
    body = await json_body(request)
    query = body.get("query")
    if not isinstance(query, str):
        raise InvalidInput("body: query: required (a Boolean query string)")
    return _brand_dict(sp(request).listening.set_query(actor, ws, brand, query))


@router.post("/api/workspaces/{slug}/listening/query-test", tags=["listening"])
async def api_test_query(request: Request, slug: str) -> dict[str, Any]:
    """How many stored mentions a query would match, with examples: ``{"query": "..."}``."""
    ws = api_workspace(request, slug)
    body = await json_body(request)
    query = body.get("query")
    if not isinstance(query, str):
        raise InvalidInput("body: query: required")
    return sp(request).listening.test_query(ws, query)


@router.post("/api/workspaces/{slug}/listening/ingest", tags=["listening"])
async def api_ingest(request: Request, slug: str, actor: Acting) -> dict[str, Any]:
    """Ingest a mentions file sent as the request body (JSONL, CSV, Mastodon, Bluesky).

    Query parameters: ``format`` (default: detected), ``network`` (for JSONL/CSV without a
    network column), ``mode`` (``auto`` here, so a large upload does not hold the request for
    minutes: accurate up to 1,000 distinct texts, fast above; or accurate, fast, transformer),
    ``filename``.
    """
    ws = api_workspace(request, slug)
    q = dict(request.query_params)
    data = await request.body()
    if not data:
        raise InvalidInput("body: empty; send the file's bytes as the request body")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"body: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    name = safe_filename(q.get("filename"), "filename")
    suffix = ".csv" if q.get("format") == "csv" or name.lower().endswith(".csv") else ".json"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (name if "." in name else name + suffix)
        path.write_bytes(data)
        summary = sp(request).listening.ingest_file(
            actor, ws, path, q.get("format"), q.get("network"), q.get("mode", "auto"),
            source_name=f"upload:{name}")
    return summary.as_dict()


@router.get("/api/workspaces/{slug}/listening/mentions", tags=["listening"])
def api_mentions(request: Request, slug: str) -> dict[str, Any]:
    """Mentions, newest first. Filters: brand, sentiment, lang, network, tagged, q (text),
    period or from/to; paging: limit (1-1000), offset."""
    ws = api_workspace(request, slug)
    q = dict(request.query_params)
    rng = date_range_params(q.get("from"), q.get("to"), q.get("period"))
    return sp(request).listening.mentions(
        ws, rng, q.get("brand") or None, q.get("sentiment") or None, q.get("lang") or None,
        q.get("network") or None, _bool(q, "tagged"), q.get("q") or None,
        _int(q, "limit", 50, 1, 1000), _int(q, "offset", 0, 0, 10_000_000))


@router.post("/api/workspaces/{slug}/listening/corrections", tags=["listening"])
async def api_correct(request: Request, slug: str, actor: Acting) -> dict[str, Any]:
    """Correct a mention's sentiment: ``{"mention_id": ..., "sentiment": "negative"}``."""
    ws = api_workspace(request, slug)
    body = await json_body(request)
    mid, label = body.get("mention_id"), body.get("sentiment")
    if not isinstance(mid, str) or not mid:
        raise InvalidInput("body: mention_id: required")
    if not isinstance(label, str):
        raise InvalidInput("body: sentiment: required (negative, neutral or positive)")
    return sp(request).listening.correct(actor, ws, mid, label)


@router.get("/api/workspaces/{slug}/listening/corrections", tags=["listening"])
def api_corrections(request: Request, slug: str) -> list[dict[str, Any]]:
    """Every correction with its text and the model's label (data for retraining)."""
    return sp(request).listening.corrections(api_workspace(request, slug))


@router.get("/api/workspaces/{slug}/listening/share-of-voice", tags=["listening"])
def api_sov(request: Request, slug: str) -> dict[str, Any]:
    """Share of voice per brand (also by sentiment) over a period (default: last 90 days)."""
    a, ws = sp(request), api_workspace(request, slug)
    return a.listening.share_of_voice(ws, _period(a, ws, dict(request.query_params)))


@router.get("/api/workspaces/{slug}/listening/volume", tags=["listening"])
def api_volume(request: Request, slug: str, grain: str = "week") -> list[dict[str, Any]]:
    """Mentions, positive share and net sentiment per brand and day/week/month."""
    a, ws = sp(request), api_workspace(request, slug)
    return a.listening.volume(ws, _period(a, ws, dict(request.query_params)), grain)


@router.get("/api/workspaces/{slug}/listening/explain/{figure}", tags=["listening"])
def api_explain(request: Request, slug: str, figure: str, grain: str = "week"
                ) -> dict[str, Any]:
    """How a listening figure (share_of_voice, positive_share, net_sentiment, volume) is
    computed: the catalogue formula it reads per brand, and the SQL the engine runs."""
    a, ws = sp(request), api_workspace(request, slug)
    rng = _period(a, ws, dict(request.query_params))
    return a.listening.explain(ws, figure, rng, grain).as_dict()


@router.get("/api/workspaces/{slug}/listening/authors", tags=["listening"])
def api_authors(request: Request, slug: str, brand: str | None = None) -> list[dict[str, Any]]:
    """Top authors by reach (followers)."""
    a, ws = sp(request), api_workspace(request, slug)
    q = dict(request.query_params)
    return a.listening.top_authors(ws, _period(a, ws, q), brand, _int(q, "limit", 10, 1, 100))


@router.get("/api/workspaces/{slug}/listening/trending", tags=["listening"])
def api_trending(request: Request, slug: str, brand: str | None = None) -> dict[str, Any]:
    """Trending terms and hashtags (last ``recent_days`` against the rest), and themes."""
    a, ws = sp(request), api_workspace(request, slug)
    q = dict(request.query_params)
    rng = _period(a, ws, q)
    out = a.listening.trending(ws, rng, brand, _int(q, "recent_days", 7, 1, 365))
    out["themes"] = a.listening.themes(ws, rng, brand)
    return out


@router.get("/api/workspaces/{slug}/listening/alerts", tags=["listening"])
def api_alerts(request: Request, slug: str) -> list[dict[str, Any]]:
    """Spike alerts with their mentions (``brand`` filters). A read: detection stores alerts,
    so it is ``POST alerts/detect``; the older ``detect=true`` is refused with that advice
    rather than quietly ignored, so a script relying on it learns why nothing new appears."""
    a, ws = sp(request), api_workspace(request, slug)
    q = dict(request.query_params)
    if "detect" in q:
        raise InvalidInput(f"detect: detection stores alerts, so it is a POST to "
                           f"/api/workspaces/{slug}/listening/alerts/detect; GET alerts only "
                           "lists them")
    return [x.as_dict() for x in a.listening.alerts(ws, brand=q.get("brand") or None)]


@router.post("/api/workspaces/{slug}/listening/alerts/detect", tags=["listening"])
async def api_detect_alerts(request: Request, slug: str, actor: Acting) -> list[dict[str, Any]]:
    """Run spike detection and store what it finds (a write, so a POST; ``GET alerts`` only
    lists): ``{min_volume?, threshold?}`` (defaults 20 and 3.5). Answers the alerts."""
    a, ws = sp(request), api_workspace(request, slug)
    body = await json_body(request)
    min_volume = body.get("min_volume", 20)
    if isinstance(min_volume, bool) or not isinstance(min_volume, int) \
            or not 1 <= min_volume <= 1_000_000:
        raise InvalidInput("body: min_volume: a whole number from 1 to 1000000")
    threshold = body.get("threshold", 3.5)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) \
            or not 0 < threshold < 1000:
        raise InvalidInput("body: threshold: a number above 0 and below 1000")
    a.listening.detect_alerts(actor, ws, min_volume=min_volume, threshold=float(threshold))
    return [x.as_dict() for x in a.listening.alerts(ws)]


@router.post("/api/workspaces/{slug}/listening/alerts/{alert_id}/acknowledge",
             tags=["listening"])
def api_ack(request: Request, slug: str, alert_id: RowId, actor: Acting) -> dict[str, Any]:
    """Mark an alert as acknowledged (it stays listed, no longer open)."""
    sp(request).listening.acknowledge(actor, api_workspace(request, slug), alert_id)
    return {"id": alert_id, "status": "acknowledged"}


@router.post("/api/listening/classify", tags=["listening"])
async def api_classify(request: Request) -> list[dict[str, Any]]:
    """Language and sentiment of texts: ``{"texts": [...], "languages": ["en", "es"],
    "mode": "accurate"}`` (or fast, auto; at most 1,000 texts)."""
    body = await json_body(request)
    texts = body.get("texts")
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise InvalidInput("body: texts: required, a list of strings")
    if len(texts) > 1000:
        raise InvalidInput("body: texts: at most 1000 per request")
    langs = body.get("languages") or ["en", "es", "de", "fr", "pt", "it", "ar", "fa"]
    mode = body.get("mode") or "accurate"
    if mode == "transformer":
        raise InvalidInput("body: mode: transformer is available from the CLI only "
                           "(`socialpulse listen classify --mode transformer`)")
    enricher = sp(request).listening.classifier(langs, str(mode), where="body: languages")
    return classified(enricher, texts)


# --- page ----------------------------------------------------------------------------------


def _charts(a: App, ws: Workspace, rng: DateRange) -> dict[str, Any]:
    grain = "day" if rng.days <= 45 else "week"
    rows = a.listening.volume(ws, rng, grain)
    brands = sorted({r["brand"] for r in rows}, key=lambda b: (not any(
        r["is_own"] for r in rows if r["brand"] == b), b))
    scale = {"domain": brands, "range": BRAND_COLORS[: len(brands)]} if brands else None
    vol = chart_spec("line_trend", rows, x="period", y="mentions", series="brand",
                     y_title="Mentions", series_title="Brand", color_scale=scale,
                     description="Mentions per brand", y_format="~s", tooltip_format=",.0f")
    net = [{**r, "net_pct": round(r["net_sentiment"] * 100, 1)} for r in rows
           if r["net_sentiment"] is not None and r["rated"] >= 5]
    sent = chart_spec("line_trend", net, x="period", y="net_pct", series="brand",
                      y_title="Net sentiment (%)", series_title="Brand", color_scale=scale,
                      description="Net sentiment per brand", y_format=".0f",
                      tooltip_format=".1f")
    sov = a.listening.share_of_voice(ws, rng)
    sov_rows = [{"brand": b["brand"], "share": round(b["share_of_voice"] * 100, 1)}
                for b in sov["brands"] if b["share_of_voice"] is not None]
    sov_spec = chart_spec("bar_category", sov_rows, category="brand", value="share",
                          value_title="Share of voice (%)", description="Share of voice",
                          value_format=".0f", tooltip_format=".1f")
    return {"volume": vol, "sentiment": sent, "sov": sov_spec, "sov_table": sov["brands"],
            "total": sov["total"], "grain": grain}


@router.get("/listening", response_class=HTMLResponse, include_in_schema=False)
def listening_page(request: Request) -> Response:
    a = sp(request)
    ws = page_workspace(request)
    q = dict(request.query_params)
    ctx: dict[str, Any] = {"title": "Listening", "q": q}
    ctx["live"] = live_context(a, ws)
    try:
        rng = _period(a, ws, q)
    except MissingData as exc:
        ctx["empty"] = exc.message
        ctx["brands"] = a.listening.brands(ws)
        return render(request, "listening.html", ctx, workspace=ws)
    ctx["range"] = rng
    ctx.update(_charts(a, ws, rng))
    ctx["alerts"] = a.listening.alerts(ws, mentions_per_alert=8)
    ctx["authors"] = a.listening.top_authors(ws, rng, limit=8)
    ctx["trending"] = a.listening.trending(ws, rng, recent_days=7 if rng.days > 14 else 2)
    ctx["themes"] = a.listening.themes(ws, rng)
    ctx["brands"] = a.listening.brands(ws)
    filters = {k: q.get(k) or None for k in ("brand", "sentiment", "lang", "network", "search")}
    page = _int(q, "page", 1, 1, 100_000)
    try:
        ctx["mentions"] = a.listening.mentions(
            ws, rng, filters["brand"], filters["sentiment"], filters["lang"],
            filters["network"], None, filters["search"], 25, (page - 1) * 25)
    except SocialPulseError as exc:
        ctx["mentions"] = {"total": 0, "mentions": []}
        ctx["filter_error"] = exc.message
    ctx["filters"] = filters
    ctx["page"] = page
    ctx["days_options"] = [30, 90, 365]
    ctx["days"] = q.get("days") or ("" if q.get("period") or q.get("from") else "90")
    return render(request, "listening.html", ctx, workspace=ws)


@router.post("/listening/correct", include_in_schema=False)
async def listening_correct(request: Request, actor: Acting) -> Response:
    """The page's correction form (works without JavaScript: POST then redirect back)."""
    ws = page_workspace(request)
    form = await request.form()
    mid, label = str(form.get("mention_id") or ""), str(form.get("sentiment") or "")
    if not mid:
        raise InvalidInput("form: mention_id: required")
    sp(request).listening.correct(actor, ws, mid, label)
    back = str(form.get("back") or "")
    target = back if back.startswith("/listening") else page_url("/listening", ws)
    return redirect_to(target)


@router.post("/listening/alerts/{alert_id}/acknowledge", include_in_schema=False)
def listening_ack(request: Request, alert_id: RowId, actor: Acting) -> Response:
    ws = page_workspace(request)
    sp(request).listening.acknowledge(actor, ws, alert_id)
    return redirect_to(page_url("/listening", ws) + "#alerts")


# --- Overview panel ------------------------------------------------------------------------


def _latest_alert_panel(app: App, ws: Workspace, period: DateRange) -> dict[str, Any] | None:
    alert = app.listening.latest_alert(ws)
    if alert is None:
        return None
    recent = alert.end >= period.start - timedelta(days=180)
    return {
        "text": f"{alert.title} ({alert.start} to {alert.end}, {alert.status})"
        + ("" if recent else " - an older alert"),
        "items": [{"label": f"{m.author}: {m.text[:90]}", "value": m.sentiment,
                   "tone": "red" if m.sentiment == "negative" else None}
                  for m in alert.mentions[:3]],
        "link": {"label": "All alerts and mentions",
                 "href": page_url("/listening", ws) + "#alerts"},
    }


register_overview_panel(OverviewPanel("listening-alert", "Latest listening alert",
                                      _latest_alert_panel, order=40))
