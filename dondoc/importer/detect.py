"""Pick the parser for a plan file by its content, not only its name.

.docx and .xlsx files are zip packages: the members decide which one it is
(``word/document.xml`` or ``xl/workbook.xml``). Anything else is read as a
text plan (.txt, .md, .tsv, ...), which must be UTF-8 (or UTF-16 with a BOM).
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

from .docx import parse_docx
from .htmltable import decode_html, looks_like_html, parse_html
from .legacy import LEGACY_UNSUPPORTED, convert_legacy
from .model import MAX_FILE_BYTES, NOT_A_PLAN, ImportFormatError, ParsedPlan
from .pdfgrid import parse_pdf
from .shapes import parse_text_plan
from .text import check_text_content
from .xlsx import parse_xlsx

# What a .docx or .xlsx plan may unpack to. Readers never unpack a member beyond its declared size,
# so checking the declared sizes bounds the memory an import can take.
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OFFICE_SUFFIXES = {".docx", ".docm", ".xlsx", ".xlsm"}


def _vn(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def unpacks_too_large(package) -> str | None:
    """Why a .docx/.xlsx (a path, a file or bytes) must not be opened: it unpacks beyond what a plan or a
    sheet can hold (a zip bomb); None when it may be opened (or is no zip at all: its reader says why)."""
    if isinstance(package, (bytes, bytearray)):
        package = io.BytesIO(package)
    try:
        with zipfile.ZipFile(package) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return None
    if unpacked <= MAX_UNPACKED_BYTES:
        return None
    return f"tệp nén giải ra tới {_vn(unpacked)} byte, quá {_vn(MAX_UNPACKED_BYTES)} byte cho phép (unpacks too large)"


def sniff(data: bytes, source: str) -> str:
    """Return "docx", "xlsx", "pdf", "legacy", "html" or "text" for the file's bytes, or raise.

    ``%PDF-`` in the first KB is a PDF (:mod:`.pdfgrid`); the OLE signature a legacy
    .doc/.xls (:mod:`.legacy`, converted with LibreOffice when installed); ``<!DOCTYPE
    html>``/``<html>``/``<table>`` at the start (or a .html/.htm name) a web page
    (:mod:`.htmltable`). Text plans come in several shapes (:mod:`.shapes`).

    >>> sniff("TT\\tNội dung".encode(), "a.txt")
    'text'
    """
    suffix = Path(source).suffix.lower()
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                unpacked = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            kind = {".xlsx": "Excel (.xlsx)", ".xlsm": "Excel (.xlsm)"}.get(
                suffix, "Word (.docx)" if suffix in {".docx", ".docm"} else "nén (zip)")
            raise ImportFormatError(
                source, f"{NOT_A_PLAN}: tệp {kind} bị hỏng, không giải nén được "
                "(not a valid plan file: corrupt zip package)") from None
        if unpacked > MAX_UNPACKED_BYTES:  # a zip bomb: refused before anything is unpacked
            raise ImportFormatError(
                source, f"{NOT_A_PLAN}: tệp nén giải ra tới {_vn(unpacked)} byte, quá {_vn(MAX_UNPACKED_BYTES)} byte "
                "một kế hoạch có thể có (not a valid plan file: unpacks too large)")
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise ImportFormatError(
            source, f"{NOT_A_PLAN}: tệp nén không phải tài liệu Word (.docx) hay bảng tính "
            "Excel (.xlsx) (not a valid plan file: zip is neither .docx nor .xlsx)")
    if data.startswith(_OLE_MAGIC):
        return "legacy"  # .doc/.xls: converted with LibreOffice, else LEGACY_UNSUPPORTED
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if suffix in _OFFICE_SUFFIXES:
        raise ImportFormatError(
            source, f"{NOT_A_PLAN}: tệp có đuôi {suffix} nhưng nội dung không phải định dạng "
            f"Office (not a valid plan file: content is not a {suffix} package)")
    if looks_like_html(data, suffix):
        return "html"
    return "text"


def decode_text(data: bytes, source: str) -> str:
    """Bytes of a text plan -> str: UTF-8 (BOM optional), or UTF-16 with a BOM."""
    if not data.strip():
        raise ImportFormatError(source, "tệp rỗng (empty file)")
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8):].decode("utf-8")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            source, f"{NOT_A_PLAN}: nội dung không phải văn bản UTF-8 (byte lỗi ở vị trí "
            f"{exc.start}); hãy lưu tệp dưới dạng UTF-8, .docx hoặc .xlsx (not a valid plan "
            "file: not UTF-8 text)") from None
    check_text_content(text, source)
    return text


def parse_plan_file(path: Path | str) -> ParsedPlan:
    """Parse a plan file of any supported format; only ImportFormatError on bad input."""
    path = Path(path)
    source = path.name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFormatError(
                source, f"tệp quá lớn ({size:,} byte, tối đa {MAX_FILE_BYTES:,}) "
                "(file too large)")
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(
            source, f"không đọc được tệp: {exc.strerror or exc} (cannot read file)") from None
    if not data.strip():
        raise ImportFormatError(source, "tệp rỗng (empty file)")
    kind = sniff(data, source)
    if kind == "legacy":  # converted to .docx/.xlsx, then read as one (zip checks included)
        data = convert_legacy(data, source)
        kind = sniff(data, source)
        if kind not in ("docx", "xlsx"):
            raise ImportFormatError(source, LEGACY_UNSUPPORTED)
    if kind == "docx":
        return parse_docx(io.BytesIO(data), source=source)
    if kind == "xlsx":
        return parse_xlsx(io.BytesIO(data), source=source)
    try:
        if kind == "pdf":
            return parse_pdf(data, source)
        if kind == "html":
            return parse_html(decode_html(data, source), source)
        return parse_text_plan(decode_text(data, source), source)
    except ImportFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser bug must still name the file, never a traceback
        raise ImportFormatError(
            source, f"{NOT_A_PLAN}: không dựng lại được bảng phụ lục ({type(exc).__name__}: "
            f"{str(exc)[:120]}) (cannot read the appendix)") from None
