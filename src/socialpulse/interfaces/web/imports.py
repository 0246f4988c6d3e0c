"""The Import page and API: upload exports, see the preview, watch progress, read the result.

Flow (works with htmx; each step is also a plain form post):

1. ``POST /import`` saves the uploaded files to a private temp folder (an upload over the
   server's limit is refused while it streams in, see `upload_form`) and starts a background
   job that parses them (`ImportService.plan`).
2. The page polls ``GET /import/jobs/{id}`` (htmx, every 500 ms) for the progress fragment;
   once parsed it shows what was detected and the preview, with an Import button.
3. ``POST /import/jobs/{id}/commit`` writes the one batch in the background; the same
   fragment then shows the counts, skipped rows with reasons, and warnings.

``POST /api/workspaces/{slug}/imports`` does the whole import in one request (``dry_run`` to
preview) and answers JSON. Jobs live in this process's memory: a restart forgets unfinished
previews (nothing is written before commit, so nothing is lost but the upload).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message

from socialpulse.adapters.importers import FORMATS, Limits
from socialpulse.bootstrap import App
from socialpulse.domain.errors import InvalidInput, NotFound, SocialPulseError, TooLarge
from socialpulse.domain.formatting import format_size
from socialpulse.domain.models import Workspace
from socialpulse.domain.periods import DateRange
from socialpulse.services.imports import ImportOptions, ImportPlan, ImportResult

from .common import api_workspace, is_htmx, page_url, page_workspace, redirect_to, render, sp
from .registry import NavItem, OverviewPanel, register_nav, register_overview_panel

router = APIRouter()
register_nav(NavItem("Import", "/import", order=80))

MAX_FILES = 50
JOB_TTL_S = 3600
_CHUNK = 1 << 20
#: Room in an upload's body for its form fields and multipart boundaries, besides the files.
FORM_OVERHEAD = 1 << 20


@dataclass
class Job:
    """One upload: its files, where parsing/writing is, and the outcome."""

    id: str
    workspace: Workspace
    folder: Path
    files: list[tuple[Path, str]]
    options: ImportOptions
    state: str = "reading"  # reading, previewed, writing, done, error
    stage: str = "starting"
    done: int = 0
    total: int = 1
    plan: ImportPlan | None = None
    result: ImportResult | None = None
    error: str | None = None
    created: float = field(default_factory=time.monotonic)

    def progress(self, stage: str, done: int, total: int) -> None:
        self.stage, self.done, self.total = stage, done, max(total, 1)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total))

    def view(self) -> JobView:
        """A consistent picture for one page render: the worker thread may move the job on
        while the template runs, and a state read live with a plan read earlier crashed it."""
        with _LOCK:
            return JobView(self.id, self.state, self.stage, self.percent, self.error,
                           self.plan, self.result)


@dataclass(frozen=True)
class JobView:
    id: str
    state: str
    stage: str
    percent: int
    error: str | None
    plan: ImportPlan | None
    result: ImportResult | None


_JOBS: dict[str, Job] = {}
_LOCK = threading.Lock()


def _forget_old() -> None:
    now = time.monotonic()
    with _LOCK:
        for jid in [j for j, job in _JOBS.items() if now - job.created > JOB_TTL_S]:
            shutil.rmtree(_JOBS.pop(jid).folder, ignore_errors=True)


def _job(job_id: str) -> Job:
    with _LOCK:
        job = _JOBS.get(job_id)
    if job is None:
        raise NotFound(f"import job {job_id!r} not found (it expires after an hour or a "
                       "server restart; upload the files again)")
    return job


def _run(job: Job, app: App, step: str) -> None:
    try:
        if step == "plan":
            plan = app.imports.plan(job.workspace, job.files, job.options, job.progress)
            with _LOCK:
                job.plan, job.state = plan, "previewed"
        else:
            assert job.plan is not None
            result = app.imports.commit(job.plan, ", ".join(n for _, n in job.files)[:500],
                                        job.progress)
            with _LOCK:
                job.result, job.state = result, "done"
            shutil.rmtree(job.folder, ignore_errors=True)
    except SocialPulseError as exc:
        with _LOCK:
            job.error, job.state = exc.message, "error"
        shutil.rmtree(job.folder, ignore_errors=True)
    except Exception as exc:  # a bug, not the user's file: still one line, never a traceback
        with _LOCK:
            job.error = f"internal error ({type(exc).__name__}); see the server log"
            job.state = "error"
        shutil.rmtree(job.folder, ignore_errors=True)
        import logging

        logging.getLogger("socialpulse.web").error("import job failed", exc_info=exc)


def _start(job: Job, app: App, step: str) -> None:
    threading.Thread(target=_run, args=(job, app, step), daemon=True,
                     name=f"import-{job.id}-{step}").start()


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


async def _save_uploads(form: Any, limits: Limits) -> tuple[Path, list[tuple[Path, str]]]:
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not uploads:
        raise InvalidInput("files: choose at least one export file to upload")
    if len(uploads) > MAX_FILES:
        raise InvalidInput(f"files: at most {MAX_FILES} files per import")
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


def _context(job: Job) -> dict[str, Any]:
    view = job.view()
    plan = view.plan
    columns: list[str] = []
    if plan:
        for r in plan.preview:
            columns.extend(k for k in r if k not in columns and k != "file")
    return {"job": view, "plan": plan, "result": view.result, "columns": columns,
            "account_labels": plan.as_dict()["accounts"] if plan else [],
            "commit_url": page_url(f"/import/jobs/{job.id}/commit", job.workspace)}


# --- pages ------------------------------------------------------------------------------------


@router.get("/import", response_class=HTMLResponse, include_in_schema=False)
def import_page(request: Request) -> Response:
    ws = page_workspace(request)
    accounts = sp(request).store.accounts(ws.id)
    return render(request, "import.html", {"formats": FORMATS, "accounts": accounts,
                                           "title": "Import"}, workspace=ws)


@router.post("/import", include_in_schema=False)
async def import_upload(request: Request) -> Response:
    ws = page_workspace(request)
    _forget_old()
    form = await upload_form(request)
    options = _options(form)
    folder, files = await _save_uploads(form, options.limits)
    job = Job(uuid.uuid4().hex, ws, folder, files, options)
    with _LOCK:
        _JOBS[job.id] = job
    _start(job, sp(request), "plan")
    if is_htmx(request):
        return render(request, "_import_job.html", _context(job), workspace=ws)
    return redirect_to(f"/import/jobs/{job.id}", ws)


@router.get("/import/jobs/{job_id}", include_in_schema=False)
def import_job(request: Request, job_id: str) -> Response:
    job = _job(job_id)
    if is_htmx(request):
        return render(request, "_import_job.html", _context(job), workspace=job.workspace)
    return render(request, "import_job.html", {**_context(job), "title": "Import"},
                  workspace=job.workspace)


@router.post("/import/jobs/{job_id}/commit", include_in_schema=False)
def import_commit(request: Request, job_id: str) -> Response:
    job = _job(job_id)
    with _LOCK:
        if job.state != "previewed":
            raise InvalidInput(f"import job: cannot write in state {job.state!r}")
        job.state, job.stage, job.done = "writing", "writing", 0
    _start(job, sp(request), "commit")
    if is_htmx(request):
        return render(request, "_import_job.html", _context(job), workspace=job.workspace)
    return redirect_to(f"/import/jobs/{job.id}", job.workspace)


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
        result = app.imports.commit(plan, ", ".join(n for _, n in files)[:500])
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
    batches = [b for b in app.store.batches(ws.id, "committed")
               if b.format not in ("demo", "compact")]
    link = {"label": "Import exports", "href": page_url("/import", ws)}
    if not batches:
        return {"text": "No exports imported yet: bring your platforms' files.", "items": [],
                "link": link}
    latest = sorted(batches, key=lambda b: b.committed_at or b.created_at, reverse=True)[:3]
    return {
        "text": f"{len(batches)} import{'s' if len(batches) != 1 else ''} so far.",
        "items": [{"label": (b.source[:70] + ("…" if len(b.source) > 70 else "")),
                   "value": f"{sum(b.rows.values()):,} rows, "
                            f"{(b.committed_at or b.created_at):%Y-%m-%d}"} for b in latest],
        "link": link,
    }


register_overview_panel(OverviewPanel("latest-imports", "Latest imports", _latest_imports_panel,
                                      order=90))
