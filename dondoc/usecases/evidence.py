"""Evidence files offices attach to a report: checked by extension and first bytes, streamed to
``<evidence_path>/<sha256>`` and stored with the report in one transaction.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dondoc.storage.models import Evidence

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


class UploadRefused(Exception):
    """An evidence file refused: wrong type, too big or empty; ``status_code`` is the HTTP answer."""

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


def receive_file(stream: BinaryIO, filename: str, directory: Path, max_bytes: int) -> ReceivedFile:
    """Stream an upload to a temporary file beside the store, refusing a wrong type or a file too big."""
    name = clean_filename(filename or "")
    ext = extension_of(name)
    if ext not in FILE_TYPES:
        raise UploadRefused(WRONG_TYPE, 415)
    directory.mkdir(parents=True, exist_ok=True)
    temp = directory / f".upload-{secrets.token_hex(8)}"
    digest, size = hashlib.sha256(), 0
    try:
        with open(temp, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused(
                        f"Tệp đính kèm quá lớn: tối đa {size_label(max_bytes)}. Hãy nén hoặc chia nhỏ tệp rồi gửi lại.", 413)
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


def keep_file(received: ReceivedFile, directory: Path) -> None:
    final = directory / received.sha256
    if final.exists():
        received.temp.unlink(missing_ok=True)
    else:
        os.replace(received.temp, final)


def attach(received: ReceivedFile, directory: Path) -> Callable:
    """What :func:`dondoc.usecases.updates.record_update` calls to store the file with the report, in
    its transaction (content-addressed: a failed commit leaves an unused copy at most)."""
    def add(session, update_id: int) -> None:
        keep_file(received, directory)
        session.add(Evidence(status_update_id=update_id, filename=received.filename,
                             content_type=received.content_type, size=received.size, sha256=received.sha256))
    return add


def size_label(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"
