"""The Import page and API: upload exports, see the preview, watch progress, read the result.

Flow (works with htmx; each step is also a plain form post):

1. ``POST /import`` saves the uploaded files under the data home (``uploads/``; an upload
   over the server's limit is refused while it streams in, see `upload_form`) and queues an
   ``import.preview`` job (`services/import_jobs.py`) that parses them.
2. The page polls ``GET /import/jobs/{id}`` (htmx, every 500 ms) for the progress fragment,
   read from the job's row in the database; once parsed it shows what was detected and the
   preview, with an Import button.
3. ``POST /import/jobs/{id}/commit`` queues the ``import.commit`` job (one per preview: its
   idempotency key) that writes the one batch; the same fragment then shows the counts,
   skipped rows with reasons, and warnings.

Any worker runs the jobs: the server's own runner thread, or `socialpulse worker` elsewhere,
so a restart or a dead worker loses nothing (the job's lease runs out and it is retried).
Uploads of previews never committed are deleted after an hour.

``POST /api/workspaces/{slug}/imports`` does the whole import in one request (``dry_run`` to
preview) and answers JSON.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message

from socialpulse.bootstrap import App
from socialpulse.domain.errors import InvalidInput, NotFound, TooLarge
from socialpulse.domain.formatting import format_size
from socialpulse.domain.jobs import Job, JobState
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.domain.platforms import IMPORT_FORMATS as FORMATS
from socialpulse.services.import_jobs import COMMIT, PREVIEW, import_payload
from socialpulse.services.import_model import Limits
from socialpulse.services.imports import ImportOptions

from .common import (
    acting,
    api_workspace,
    is_htmx,
    page_url,
    page_workspace,
    readable_workspace,
    redirect_to,
    render,
    sp,
)
from .jobs_runner import wake_jobs
from .registry import NavItem, OverviewPanel, register_nav, register_overview_panel

router = APIRouter()
register_nav(NavItem("Import", "/import", order=80))

MAX_FILES = 50
JOB_TTL_S = 3600
_CHUNK = 1 << 20
#: Room in an upload's body for its form fields and multipart boundaries, besides the files.
FORM_OVERHEAD = 1 << 20


@dataclass(frozen=True)
class JobView:
    """One upload as a page shows it, read from its jobs' rows: reading, previewed, writing,
    done or error, with the progress, the preview and the result."""

    id: int
    state: str
    stage: str
    percent: int
    error: str | None
    plan: dict[str, Any] | None
    result: dict[str, Any] | None


def _uploads(app: App) -> Path:
    return app.settings.home / "uploads"


def _forget_old(app: App) -> None:
    """Delete the uploads of previews nobody committed (older than an hour)."""
    root = _uploads(app)
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        try:
            old = now - folder.stat().st_mtime > JOB_TTL_S
        except OSError:
            continue
        if old:
            shutil.rmtree(folder, ignore_errors=True)


def _commit_key(preview: Job) -> str:
    return f"import-commit:{preview.id}"


def _preview_job(app: App, job_id: str) -> Job:
    job = app.jobs.queue.get(int(job_id)) if job_id.isascii() and job_id.isdigit() \
        and len(job_id) < 19 else None
    if job is None or job.kind != PREVIEW:
        raise NotFound(f"import job {job_id!r} not found; upload the files again")
    return job


def _plan_view(plan: dict[str, Any]) -> dict[str, Any]:
    """The stored preview with its times as datetimes again (the template formats them)."""
    files = [{**f, "observed_at": datetime.fromisoformat(f["observed_at"])
              if f.get("observed_at") else None} for f in plan["files"]]
    return {**plan, "files": files}


def _state(preview: Job, commit: Job | None) -> str:
    job = commit or preview
    if job.state in (JobState.FAILED, JobState.UNKNOWN):
        return "error"
    if job.state is JobState.DONE:
        return "done" if commit else "previewed"
    return "writing" if commit else "reading"


def _view(app: App, preview: Job) -> JobView:
    """A consistent picture for one page render, from the rows as read once."""
    commit = app.jobs.by_key(_commit_key(preview))
    job = commit or preview
    state = _state(preview, commit)
    progress = job.progress
    done, total = int(progress.get("done", 0)), max(int(progress.get("total", 1)), 1)
    stage = str(progress.get("stage") or ("writing" if commit else "starting"))
    plan = _plan_view(preview.result["plan"]) if preview.result else None
    result = None
    if commit is not None and commit.result is not None:
        r = commit.result
        result = {"rows": r.get("written", {}), "batch_id": r.get("batch_id"),
                  "already_imported": r.get("already_imported"), "resumed": r.get("resumed"),
                  "accounts_created": r.get("accounts_created", [])}
    return JobView(preview.id, state, stage, min(100, round(100 * done / total)),
                   job.error if state == "error" else None, plan, result)


def _text(form: Any, name: str) -> str | None:
    v = form.get(name)
    return str(v).strip() or None if isinstance(v, str) else None


def _options(form: Any) -> ImportOptions:
    fmt = _text(form, "format") or "auto"
    if fmt != "auto" and fmt not in {f.id for f in FORMATS}:
        raise InvalidInput(f"format: unknown format {fmt!r}")
    year_s = _text(form, "year")
    year = None
    if year_s:
        if not (year_s.isascii() and year_s.isdigit()) or not 1990 <= int(year_s) <= 2100:
            raise InvalidInput("year: a year such as 2026")
        year = int(year_s)
    return ImportOptions(fmt=fmt, account=_text(form, "account"), year=year,
                         encoding=_text(form, "encoding"), source_tz=_text(form, "source_tz"))


async def upload_form(request: Request) -> FormData:
    """The multipart form of an upload, refused (413, one line) as soon as its body passes
    the server's upload limit while it streams in: a declared length is checked before
    anything is read, and the bytes that arrive are counted, so an oversized upload is neither
    read to its end nor held in memory (file parts above 1 MB are spooled to disk)."""
    limit = sp(request).settings.max_upload_bytes
    refused = TooLarge(f"upload: over the limit of {format_size(limit)}; import bigger files "
                       "with the command line (socialpulse import)")
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise refused
    received = 0
    receive = request.receive

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit + FORM_OVERHEAD:
                raise refused
        return message

    return await Request(request.scope, counted).form(max_files=MAX_FILES + 1)


async def _save_uploads(form: Any, limits: Limits, under: Path | None = None
                        ) -> tuple[Path, list[tuple[Path, str]]]:
    """Save the uploaded files in a new folder (under ``under``, else a temp folder)."""
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not uploads:
        raise InvalidInput("files: choose at least one export file to upload")
    if len(uploads) > MAX_FILES:
        raise InvalidInput(f"files: at most {MAX_FILES} files per import")
    if under is not None:
        under.mkdir(parents=True, exist_ok=True)
        folder = under / uuid.uuid4().hex
        folder.mkdir(mode=0o700)
    else:
        folder = Path(tempfile.mkdtemp(prefix="socialpulse-import-"))
    saved: list[tuple[Path, str]] = []
    try:
        for i, up in enumerate(uploads):
            name = Path(up.filename or f"upload-{i}").name or f"upload-{i}"
            target = folder / f"{i:03d}"
            size = 0
            with open(target, "wb") as fh:
                while chunk := await up.read(_CHUNK):
                    size += len(chunk)
                    if size > limits.max_file_bytes:
                        raise InvalidInput(f"{name}: file is over the limit of "
                                           f"{format_size(limits.max_file_bytes)}")
                    fh.write(chunk)
            saved.append((target, name))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, saved


def _context(view: JobView, ws: Workspace) -> dict[str, Any]:
    plan = view.plan
    columns: list[str] = []
    if plan:
        for r in plan["preview"]:
            columns.extend(k for k in r if k not in columns and k != "file")
    return {"job": view, "plan": plan, "result": view.result, "columns": columns,
            "account_labels": plan["accounts"] if plan else [],
            "commit_url": page_url(f"/import/jobs/{view.id}/commit", ws)}


# --- pages ------------------------------------------------------------------------------------


@router.get("/import", response_class=HTMLResponse, include_in_schema=False)
def import_page(request: Request) -> Response:
    ws = page_workspace(request)
    accounts = sp(request).workspaces.accounts(ws)
    return render(request, "import.html", {"formats": FORMATS, "accounts": accounts,
                                           "title": "Import"}, workspace=ws)


@router.post("/import", include_in_schema=False)
async def import_upload(request: Request) -> Response:
    app = sp(request)
    ws = page_workspace(request)
    _forget_old(app)
    form = await upload_form(request)
    options = _options(form)
    folder, files = await _save_uploads(form, options.limits, _uploads(app))
    try:
        job = app.jobs.enqueue(acting(request), PREVIEW, import_payload(
            ws.slug, folder, files, options, datetime.now(UTC)), workspace=ws.slug)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    wake_jobs(request)
    if is_htmx(request):
        return render(request, "_import_job.html", _context(_view(app, job), ws), workspace=ws)
    return redirect_to(f"/import/jobs/{job.id}", ws)


@router.get("/import/jobs/{job_id}", include_in_schema=False)
def import_job(request: Request, job_id: str) -> Response:
    app = sp(request)
    preview = _preview_job(app, job_id)
    ws = readable_workspace(request, preview.payload["workspace"])  # none of another's
    ctx = _context(_view(app, preview), ws)
    if is_htmx(request):
        return render(request, "_import_job.html", ctx, workspace=ws)
    return render(request, "import_job.html", {**ctx, "title": "Import"}, workspace=ws)


@router.post("/import/jobs/{job_id}/commit", include_in_schema=False)
def import_commit(request: Request, job_id: str) -> Response:
    app = sp(request)
    preview = _preview_job(app, job_id)
    ws = readable_workspace(request, preview.payload["workspace"])  # none of another's
    state = _state(preview, app.jobs.by_key(_commit_key(preview)))
    if state != "previewed":
        raise InvalidInput(f"import job: cannot write in state {state!r}")
    app.jobs.enqueue(acting(request), COMMIT, preview.payload, key=_commit_key(preview),
                     workspace=ws.slug)
    wake_jobs(request)
    if is_htmx(request):
        return render(request, "_import_job.html", _context(_view(app, preview), ws),
                      workspace=ws)
    return redirect_to(f"/import/jobs/{preview.id}", ws)


# --- API --------------------------------------------------------------------------------------


@router.get("/api/import/formats", tags=["import"])
def api_formats() -> list[dict[str, Any]]:
    """The formats `--format` and the upload form accept, with what each reads."""
    return [{"id": f.id, "network": f.network.value if f.network else None, "label": f.label}
            for f in FORMATS]


@router.post("/api/workspaces/{slug}/imports", tags=["import"])
async def api_import(request: Request, slug: str) -> Response:
    """Upload exports (multipart field ``files``, repeated) and import them in one batch.

    Form fields: ``format``, ``account``, ``year``, ``encoding``, ``source_tz``, ``dry_run``
    (true: parse and preview only). Answers the per-file report, the preview and the rows
    written."""
    app = sp(request)
    ws = api_workspace(request, slug)
    form = await upload_form(request)
    options = _options(form)
    dry = (_text(form, "dry_run") or "").lower() in ("1", "true", "yes")
    folder, files = await _save_uploads(form, options.limits)
    try:
        plan = app.imports.plan(ws, files, options)
        if dry:
            return JSONResponse(_jsonable({**plan.as_dict(), "dry_run": True}))
        result = app.imports.commit(acting(request), plan, ", ".join(n for _, n in files)[:500])
        return JSONResponse(_jsonable({**result.as_dict(), "dry_run": False}))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _jsonable(v: Any) -> Any:
    import json

    return json.loads(json.dumps(v, default=str))


# --- Overview panel ---------------------------------------------------------------------------


def _latest_imports_panel(app: App, ws: Workspace, period: DateRange) -> dict[str, Any] | None:
    """The last imports of the workspace (what data the numbers stand on), or an invitation to
    import when there are none."""
    batches = [b for b in app.batches.history(ws)
               if b.state == "active" and b.format not in ("demo", "compact")]
    link = {"label": "Import exports", "href": page_url("/import", ws)}
    if not batches:
        return {"text": "No exports imported yet: bring your platforms' files.", "items": [],
                "link": link}
    latest = sorted(batches, key=lambda b: b.imported_at, reverse=True)[:3]
    return {
        "text": f"{len(batches)} import{'s' if len(batches) != 1 else ''} so far.",
        "items": [{"label": (b.source[:70] + ("…" if len(b.source) > 70 else "")),
                   "value": f"{sum(b.rows.values()):,} rows, "
                            f"{b.imported_at:%Y-%m-%d}"} for b in latest],
        "link": link,
    }


register_overview_panel(OverviewPanel("latest-imports", "Latest imports", _latest_imports_panel,
                                      order=90))
