"""Report download pages behind the leadership and standing-office links.

``/l/{token}/reports/{run_id}`` (and ``/s/...``) lists the files of one compiled report
of the link's unit; ``.../{filename}`` downloads one of them. Only files recorded in
that unit's ``report_runs`` row are served: another unit's run, a name not recorded,
a rotated link or a file gone from the disk all answer 404 alike.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from dondoc.domain.periods import PeriodError
from dondoc.storage.links import LEADERSHIP, STANDING
from dondoc.usecases import access
from dondoc.web.base import dondoc_of, number_in_path, render, scope_of

router = APIRouter()

STAGE_LABELS = {"draft": "Dự thảo", "final": "Bản chính thức"}
KIND_LABELS = {".docx": "Báo cáo (Word)", ".xlsx": "Phụ lục (Excel)", ".pdf": "Báo cáo (PDF)", ".md": "Tóm tắt (Markdown)",
               ".png": "Biểu đồ"}


def _run(request: Request, token: str, kind: str, run_id: str) -> tuple[access.CompiledReport, str]:
    scope = scope_of(request, token, kind)
    run = access.report_run(dondoc_of(request), scope, number_in_path(run_id))
    if run is None:
        raise HTTPException(404)
    return run, scope.unit_name


def _file(run: access.CompiledReport, filename: str) -> Path:
    if filename not in (run.files or []) or "/" in filename or "\\" in filename or filename in (".", ".."):
        raise HTTPException(404)
    directory = Path(run.directory).resolve()
    path = (directory / filename).resolve()
    if path.parent != directory or not path.is_file():
        raise HTTPException(404)
    return path


def _title(request: Request, run: access.CompiledReport) -> str:
    try:
        return dondoc_of(request).parse_period(run.period).title
    except PeriodError:
        return run.period


def _page(request: Request, token: str, kind: str, run_id: str) -> HTMLResponse:
    run, unit = _run(request, token, kind, run_id)
    files = [{"name": n, "label": KIND_LABELS.get(Path(n).suffix.lower(), "Tệp")} for n in run.files or []]
    return render(request, "report_run.html", {
        "unit": unit, "period": _title(request, run), "stage": STAGE_LABELS.get(run.stage, run.stage),
        "as_of": run.as_of, "files": files,
    })


def _download(request: Request, token: str, kind: str, run_id: str, filename: str) -> FileResponse:
    run, _unit = _run(request, token, kind, run_id)
    path = _file(run, filename)
    media = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media, filename=filename, content_disposition_type="attachment")


@router.get("/l/{token}/reports/{run_id}", response_class=HTMLResponse)
def leadership_report(request: Request, token: str, run_id: str):
    return _page(request, token, LEADERSHIP, run_id)


@router.get("/s/{token}/reports/{run_id}", response_class=HTMLResponse)
def standing_report(request: Request, token: str, run_id: str):
    return _page(request, token, STANDING, run_id)


@router.get("/l/{token}/reports/{run_id}/{filename}")
def leadership_report_file(request: Request, token: str, run_id: str, filename: str):
    return _download(request, token, LEADERSHIP, run_id, filename)


@router.get("/s/{token}/reports/{run_id}/{filename}")
def standing_report_file(request: Request, token: str, run_id: str, filename: str):
    return _download(request, token, STANDING, run_id, filename)
