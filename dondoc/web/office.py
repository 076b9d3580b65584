"""The office pages: ``/o/<token>`` lists the office's items (lead, then cooperating; what
needs attention first) with a form per item; ``/o/<token>/items/<id>`` shows one item with
its full history. A report is recorded by :func:`dondoc.updates.record_update`
(``source="web"``, reported by the office); an evidence file is checked by its extension
and its first bytes, streamed to ``<evidence_path>/<sha256>`` and only ever served back,
as an attachment, to the office that sent it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from dondoc import links
from dondoc.db import read_session
from dondoc.models import Evidence, Item, ItemOffice, Milestone, Office, Plan, StatusUpdate
from dondoc.plans import LookupFailed
from dondoc.status import STORED_LABELS, Shown, Stored
from dondoc.updates import InvalidUpdate, record_update
from dondoc.web.app import engine_of, page_link, render, today_of, work_calendar_of
from dondoc.web.pages import office_view
from dondoc.web.resync import schedule_resync
from dondoc.web.security import check_csrf

router = APIRouter()

MAX_NOTE = 2000
MAX_PRODUCT = 500
MAX_FILENAME = 150
CHUNK = 64 * 1024

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
# extension: (content type, magic prefixes, a zip member that must be there)
FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...], str | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",), None),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",), None),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",), None),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",), None),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,), "word/document.xml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,), "xl/workbook.xml"),
    "odt": ("application/vnd.oasis.opendocument.text", (ZIP,), "mimetype"),
    "doc": ("application/msword", (OLE,), None),
    "xls": ("application/vnd.ms-excel", (OLE,), None),
}
ACCEPT = ",".join(f".{ext}" for ext in FILE_TYPES)
WRONG_TYPE = "Chỉ nhận tệp PDF, ảnh JPG/PNG, văn bản Word (DOC, DOCX, ODT) hoặc bảng tính Excel (XLS, XLSX)."
STATUS_CHOICES = [(s.value, STORED_LABELS[s]) for s in Stored]
CONFIRMATIONS = {"saved": "Đã ghi nhận báo cáo. Cảm ơn anh/chị."}


class UploadRefused(Exception):
    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@dataclass
class ReceivedFile:
    temp: Path
    filename: str
    content_type: str
    size: int
    sha256: str


def clean_filename(name: str) -> str:
    """A file name safe to keep and to send back: no folders, no control or reserved characters.

    >>> clean_filename("C:\\\\Users\\\\a\\\\Báo cáo <1>.pdf")
    'Báo cáo 1.pdf'
    >>> clean_filename("../../etc/passwd")
    'passwd'
    """
    # browsers send quotes and line breaks in a multipart file name as %22, %0D, %0A
    for escaped in ("%22", "%0D", "%0A", "%0d", "%0a"):
        name = (name or "").replace(escaped, "")
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" and ch not in '<>:"/\\|?*;')
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_FILENAME - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:MAX_FILENAME]
    return name or "tep"


def extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _matches_type(path: Path, ext: str) -> bool:
    _, magics, member = FILE_TYPES[ext]
    with open(path, "rb") as handle:
        head = handle.read(16)
    if not any(head.startswith(m) for m in magics):
        return False
    if member is None:
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            if member not in archive.namelist():
                return False
            if ext == "odt":
                return archive.read("mimetype").strip() == FILE_TYPES["odt"][0].encode()
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    return True


def receive_file(upload: UploadFile, directory: Path, max_bytes: int) -> ReceivedFile:
    """Stream the upload to a temporary file beside the store, refusing a wrong type or a file too big."""
    name = clean_filename(upload.filename or "")
    ext = extension_of(name)
    if ext not in FILE_TYPES:
        raise UploadRefused(WRONG_TYPE, 415)
    directory.mkdir(parents=True, exist_ok=True)
    temp = directory / f".upload-{secrets.token_hex(8)}"
    digest, size = hashlib.sha256(), 0
    try:
        with open(temp, "wb") as out:
            while chunk := upload.file.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused(
                        f"Tệp đính kèm quá lớn: tối đa {_size_label(max_bytes)}. Hãy nén hoặc chia nhỏ tệp rồi gửi lại.", 413)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadRefused("Tệp đính kèm rỗng.", 422)
        if not _matches_type(temp, ext):
            raise UploadRefused(f"Nội dung tệp không đúng định dạng .{ext}. {WRONG_TYPE}", 415)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return ReceivedFile(temp, name, FILE_TYPES[ext][0], size, digest.hexdigest())


def _size_label(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def keep_file(received: ReceivedFile, directory: Path) -> None:
    final = directory / received.sha256
    if final.exists():
        received.temp.unlink(missing_ok=True)
    else:
        os.replace(received.temp, final)


# ------------------------------------------------------------------ pages


def _office_of(request: Request, token: str) -> tuple[links.AccessLink, Office]:
    with read_session(engine_of(request)) as session:
        link = page_link(session, token, links.OFFICE)
        office = session.get(Office, link.office_id)
        if office is None:
            raise HTTPException(404)
        return link, office


def _item_id(value: str) -> int:
    if not value.isdigit() or len(value) > 12:
        raise HTTPException(404)
    return int(value)


def _view(request: Request, office: Office, item_id: int | None = None, history_limit: int | None = 3):
    settings = request.app.state.settings
    return office_view(engine_of(request), office, today_of(request), work_calendar_of(request),
                       settings.due_soon_working_days, item_id=item_id, history_limit=history_limit)


def _context(request: Request, token: str, office: Office, view) -> dict:
    return {
        "office": office, "view": view, "today": today_of(request), "base": f"/o/{token}",
        "legend": list(Shown), "statuses": STATUS_CHOICES, "accept": ACCEPT, "max_note": MAX_NOTE, "max_product": MAX_PRODUCT,
        "max_upload": _size_label(request.app.state.settings.upload_max_bytes),
    }


@router.get("/o/{token}")
def office_page(request: Request, token: str):
    link, office = _office_of(request, token)
    view = _view(request, office)
    context = _context(request, token, office, view)
    context["confirmation"] = CONFIRMATIONS.get(request.query_params.get("ok", ""))
    saved = request.query_params.get("item", "")
    context["saved_item"] = int(saved) if saved.isdigit() and len(saved) <= 12 else None
    return render(request, "office.html", context, link=link)


def _item_page(request: Request, token: str, link, office: Office, item_id: int, *, errors=(),
               values: dict | None = None, status_code: int = 200):
    view = _view(request, office, item_id=item_id, history_limit=None)
    if not view.cards:
        raise HTTPException(404)
    context = _context(request, token, office, view)
    context.update(card=view.cards[0], errors=list(errors), values=values or {},
                   confirmation=CONFIRMATIONS.get(request.query_params.get("ok", "")) if not errors else None)
    return render(request, "office_item.html", context, status_code=status_code, link=link)


@router.get("/o/{token}/items/{item_id}")
def office_item_page(request: Request, token: str, item_id: str):
    link, office = _office_of(request, token)
    return _item_page(request, token, link, office, _item_id(item_id))


@router.post("/o/{token}/items/{item_id}")
async def office_item_report(request: Request, token: str, item_id: str, background_tasks: BackgroundTasks):
    form = await request.form(max_files=1, max_fields=20)
    try:
        return await run_in_threadpool(_report, request, token, item_id, form, background_tasks)
    finally:
        await form.close()


def _validate(form, milestones: int) -> tuple[dict, list[str]]:
    values = {key: str(form.get(key) or "") if not isinstance(form.get(key), UploadFile) else ""
              for key in ("status", "milestone", "note", "product")}
    errors = []
    if values["status"] not in {s.value for s in Stored}:
        errors.append("Hãy chọn một trạng thái: chưa thực hiện, đang thực hiện, hoàn thành hoặc vướng mắc.")
    if len(values["note"]) > MAX_NOTE:
        errors.append(f"Ghi chú tiến độ dài {len(values['note'])} ký tự, tối đa {MAX_NOTE} ký tự.")
    if len(values["product"]) > MAX_PRODUCT:
        errors.append(f"Sản phẩm dài {len(values['product'])} ký tự, tối đa {MAX_PRODUCT} ký tự.")
    if values["milestone"] and not (values["milestone"].isdigit() and 1 <= int(values["milestone"]) <= milestones):
        errors.append("Mốc thời gian đã chọn không có trong nhiệm vụ này.")
    if values["status"] == Stored.BLOCKED and not values["note"].strip():
        errors.append("Khi báo vướng mắc, hãy ghi rõ lý do vào phần ghi chú.")
    if values["status"] == Stored.DONE and not (values["product"].strip() or values["note"].strip()):
        errors.append("Khi báo hoàn thành, hãy ghi sản phẩm (số và tên văn bản, ví dụ «Kế hoạch số 12/KH-UBND») "
                      "hoặc kết quả thực hiện ở phần ghi chú.")
    return values, errors


def _report(request: Request, token: str, item_id_text: str, form, background_tasks: BackgroundTasks):
    link, office = _office_of(request, token)
    check_csrf(request, link.token_sha256, form.get("csrf") if isinstance(form.get("csrf"), str) else None)
    item_id = _item_id(item_id_text)
    engine = engine_of(request)
    with read_session(engine) as session:
        row = session.execute(
            select(Plan.code, Item.number)
            .join(Item, Item.plan_id == Plan.id)
            .join(ItemOffice, ItemOffice.item_id == Item.id)
            .where(Item.id == item_id, ItemOffice.office_id == office.id, Item.removed_at.is_(None),
                   Plan.unit_id == office.unit_id)
        ).first()
        if row is None:
            raise HTTPException(404)
        milestones = len(session.scalars(
            select(Milestone.id).where(Milestone.item_id == item_id, Milestone.active.is_(True))).all())
    values, errors = _validate(form, milestones)
    if errors:
        return _item_page(request, token, link, office, item_id, errors=errors, values=values, status_code=422)
    settings = request.app.state.settings
    upload = form.get("evidence")
    received = None
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            received = receive_file(upload, settings.evidence_path, settings.upload_max_bytes)
        except UploadRefused as refused:
            return _item_page(request, token, link, office, item_id, errors=[refused.message], values=values,
                              status_code=refused.status_code)
    def attach(session, update_id: int) -> None:
        keep_file(received, settings.evidence_path)  # content-addressed: a failed commit leaves an unused copy at most
        session.add(Evidence(status_update_id=update_id, filename=received.filename,
                             content_type=received.content_type, size=received.size, sha256=received.sha256))

    try:
        record_update(
            engine, f"{row.code}#{row.number}", values["status"], on=today_of(request),
            note=values["note"].strip() or None, product=values["product"].strip() or None,
            evidence=received.filename if received else None, by=office.name,
            milestone=values["milestone"] or None, source="web", attach=attach if received else None,
        )
    except (InvalidUpdate, LookupFailed) as exc:
        if received:
            received.temp.unlink(missing_ok=True)  # gone already if the file was kept
        return _item_page(request, token, link, office, item_id, errors=[str(exc)], values=values, status_code=422)
    schedule_resync(background_tasks, request, [item_id])  # a done item stops being chased
    if form.get("back") == "list":
        return RedirectResponse(f"/o/{token}?ok=saved&item={item_id}#item-{item_id}", status_code=303)
    return RedirectResponse(f"/o/{token}/items/{item_id}?ok=saved", status_code=303)


@router.get("/o/{token}/evidence/{evidence_id}")
def office_evidence(request: Request, token: str, evidence_id: str):
    link, office = _office_of(request, token)
    query = (evidence_of_unit(office.unit_id, _item_id(evidence_id))
             .join(ItemOffice, (ItemOffice.item_id == Item.id) & (ItemOffice.office_id == office.id))
             .where(StatusUpdate.reported_by == office.name))
    return evidence_response(request, query)


def evidence_of_unit(unit_id: int, evidence_id: int):
    """The query for one evidence file of a unit's items; callers narrow it further."""
    return (select(Evidence)
            .join(StatusUpdate, StatusUpdate.id == Evidence.status_update_id)
            .join(Item, Item.id == StatusUpdate.item_id)
            .join(Plan, Plan.id == Item.plan_id)
            .where(Evidence.id == evidence_id, Plan.unit_id == unit_id))


def evidence_response(request: Request, query) -> FileResponse:
    """The file the evidence ``query`` finds, as an attachment; 404 when none."""
    with read_session(engine_of(request)) as session:
        evidence = session.execute(query).scalars().first()
    if evidence is None:
        raise HTTPException(404)
    path = request.app.state.settings.evidence_path / evidence.sha256
    if len(evidence.sha256) != 64 or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type=evidence.content_type, filename=evidence.filename,
                        content_disposition_type="attachment")
