"""Text PDFs: the words and their positions, read with poppler's ``pdftotext -bbox``.

Neither pdfplumber nor pypdf is a dependency; poppler's ``pdftotext`` (package
poppler-utils) runs as a subprocess with a timeout, on a private copy of the file
in a temporary folder. ``-bbox`` gives every word with its box, which rebuilds the
appendix grid more reliably than the space-aligned ``-layout`` text: see
:mod:`dondoc.importer.pdfgrid`. A PDF without a text layer (a scan), a
password-protected or broken PDF (also one pdftotext reads past errors in: rows
could be missing), or a machine without pdftotext gives an
:class:`ImportFormatError` saying what to do instead.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .model import NOT_A_PLAN, ImportFormatError

PDFTOTEXT_TIMEOUT = 60
"""Seconds pdftotext may take on one file."""

_PAGE_RE = re.compile(r"<page\b[^>]*>(.*?)</page>", re.DOTALL)
_WORD_RE = re.compile(
    r'<word xMin="([-0-9.]+)" yMin="([-0-9.]+)" xMax="([-0-9.]+)" yMax="([-0-9.]+)">(.*?)</word>', re.DOTALL)
_SAVE_AS = "hãy dùng bản .docx, .xlsx hoặc văn bản của kế hoạch"


@dataclass(frozen=True)
class Word:
    """One word of a PDF page and its box (points, origin at the top left)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def yc(self) -> float:
        return (self.y0 + self.y1) / 2


def pdftotext_path() -> str | None:
    return shutil.which("pdftotext")


def pdf_words(data: bytes, source: str) -> list[list[Word]]:
    """The words of every page, in pdftotext's order; raises ImportFormatError."""
    exe = pdftotext_path()
    if exe is None:
        raise ImportFormatError(
            source, "không đọc được tệp PDF vì máy chưa cài pdftotext (gói poppler-utils); hãy cài "
            f"poppler-utils, hoặc {_SAVE_AS} (PDF needs poppler's pdftotext)")
    with tempfile.TemporaryDirectory(prefix="dondoc-pdf-") as tmp:
        src = Path(tmp) / "plan.pdf"
        out = Path(tmp) / "words.html"
        src.write_bytes(data)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "LANG": "C.UTF-8"}
        try:
            run = subprocess.run(
                [exe, "-bbox", "-enc", "UTF-8", str(src), str(out)], stdin=subprocess.DEVNULL,
                capture_output=True, timeout=PDFTOTEXT_TIMEOUT, env=env, cwd=tmp, check=False)
        except subprocess.TimeoutExpired:
            raise ImportFormatError(
                source, f"đọc tệp PDF quá {PDFTOTEXT_TIMEOUT} giây nên đã dừng; {_SAVE_AS} "
                "(PDF text extraction timed out)") from None
        except OSError as exc:
            raise ImportFormatError(
                source, f"không chạy được pdftotext ({exc.strerror or exc}); {_SAVE_AS} "
                "(cannot run pdftotext)") from None
        stderr = run.stderr.decode("utf-8", "replace")
        if run.returncode != 0 or not out.is_file():
            if run.returncode == 3 or "password" in stderr.lower():
                why = "tệp PDF có mật khẩu hoặc cấm sao chép chữ"
            else:
                why = "tệp PDF bị hỏng hoặc không đọc được"
            detail = " ".join(stderr.split())[:160]
            raise ImportFormatError(
                source, f"{NOT_A_PLAN}: {why}{f' (pdftotext: {detail})' if detail else ''}; "
                f"{_SAVE_AS} (unreadable PDF)")
        text = out.read_text(encoding="utf-8", errors="replace")
    damage = [line for line in stderr.splitlines() if "error" in line.lower()]
    if damage:  # pdftotext went on past a damaged part: words (whole rows) may be missing
        raise ImportFormatError(
            source, f"{NOT_A_PLAN}: tệp PDF có phần bị hỏng nên có thể thiếu chữ "
            f"(pdftotext: {' '.join(damage[0].split())[:120]}); {_SAVE_AS} (damaged PDF)")
    pages = [_page_words(number, body) for number, body in
             enumerate((m.group(1) for m in _PAGE_RE.finditer(text)), start=1)]
    if not any(pages):
        raise ImportFormatError(
            source, f"{NOT_A_PLAN}: tệp PDF không có lớp chữ (có thể là bản quét hoặc ảnh), không "
            f"đọc được bảng phụ lục; {_SAVE_AS} (PDF has no text layer)")
    return pages


def _page_words(page: int, body: str) -> list[Word]:
    words = []
    for m in _WORD_RE.finditer(body):
        text = unicodedata.normalize("NFC", html.unescape(m.group(5))).strip()
        if text:
            x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
            words.append(Word(page, x0, y0, x1, y1, text))
    return words
