"""Legacy Word (.doc) and Excel (.xls) plans, converted with LibreOffice when it is installed.

An OLE file (the pre-2007 Office format) is converted by ``soffice --headless
--convert-to docx`` (or ``xlsx``) in a temporary folder, with a private LibreOffice
profile (``-env:UserInstallation=file:///tmp/...``, so a running LibreOffice or
another import never interferes), a timeout, and, where the system allows it,
without network (``unshare -rn``: an empty network namespace). The converted file
is then read like any .docx/.xlsx (zip-bomb check included), errors naming the original file. Without
LibreOffice the import stops with a message asking to save the file as .docx/.xlsx.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .model import NOT_A_PLAN, ImportFormatError

SOFFICE_TIMEOUT = 120
"""Seconds LibreOffice may take to convert one file."""

_WORD_STREAM = "WordDocument".encode("utf-16-le")
_EXCEL_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
LEGACY_UNSUPPORTED = (
    f"{NOT_A_PLAN}: định dạng Word/Excel cũ (.doc/.xls) chưa được hỗ trợ; "
    "hãy lưu lại thành .docx hoặc .xlsx (legacy .doc/.xls is not supported)")


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@functools.lru_cache(maxsize=1)
def _network_jail() -> list[str]:
    """``["unshare", "-rn"]`` when an empty network namespace can be made here, else ``[]``."""
    exe = shutil.which("unshare")
    if exe is None:
        return []
    try:
        ok = subprocess.run([exe, "-rn", "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [exe, "-rn"] if ok.returncode == 0 else []


def legacy_kind(data: bytes) -> str:
    """"xlsx" for an old Excel workbook, else "docx" (what to convert the OLE file to)."""
    head = data[: 1 << 20]
    if _WORD_STREAM not in head and any(name in head for name in _EXCEL_STREAMS):
        return "xlsx"
    return "docx"


def convert_legacy(data: bytes, source: str) -> bytes:
    """A .doc (or .xls) file converted to .docx (or .xlsx) by LibreOffice; raises when it cannot be."""
    target = legacy_kind(data)
    if soffice_path() is None:
        raise ImportFormatError(source, LEGACY_UNSUPPORTED)
    return convert_with_soffice(data, source, suffix=".doc" if target == "docx" else ".xls",
                                target=target)


def convert_with_soffice(data: bytes, source: str, *, suffix: str, target: str) -> bytes:
    """The bytes of ``data`` converted by LibreOffice to ``target`` ("docx", "xlsx", "pdf")."""
    exe = soffice_path()
    old = ".doc/.xls" if suffix in (".doc", ".xls") else suffix
    save_as = "hãy mở tệp bằng Word hoặc LibreOffice và lưu lại thành .docx hoặc .xlsx"
    if exe is None:
        raise ImportFormatError(source, LEGACY_UNSUPPORTED)
    with tempfile.TemporaryDirectory(prefix="dondoc-soffice-") as tmp:
        folder = Path(tmp)
        src = folder / f"plan{suffix}"
        out = folder / "out"
        src.write_bytes(data)
        out.mkdir()
        command = [*_network_jail(), exe, f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--headless", "--norestore", "--nologo", "--nolockcheck", "--nodefault",
                   "--convert-to", target, "--outdir", str(out), str(src)]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "LANG": "C.UTF-8",
               "TMPDIR": tmp}
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, cwd=tmp, env=env, start_new_session=True)
        except OSError as exc:
            raise ImportFormatError(source, f"{NOT_A_PLAN}: không chạy được LibreOffice "
                                    f"({exc.strerror or exc}); {save_as} ({old})") from None
        try:
            _, stderr = process.communicate(timeout=SOFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise ImportFormatError(
                source, f"{NOT_A_PLAN}: LibreOffice chuyển đổi tệp quá {SOFFICE_TIMEOUT} giây nên "
                f"đã dừng; {save_as} ({old})") from None
        results = list(out.glob(f"*.{target}"))
        if process.returncode != 0 or not results:
            lines = [x for x in stderr.decode("utf-8", "replace").splitlines() if "javaldx" not in x]
            detail = " ".join(" ".join(lines).split())[:160]
            raise ImportFormatError(
                source, f"{NOT_A_PLAN}: tệp định dạng cũ ({old}) bị hỏng hoặc LibreOffice không "
                f"chuyển được sang .{target}{f' ({detail})' if detail else ''}; {save_as}")
        return results[0].read_bytes()


def _kill(process: subprocess.Popen) -> None:
    """Stop LibreOffice and whatever it started (it runs in a session of its own)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()
