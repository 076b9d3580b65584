"""Opening Office files (.docx, .xlsx): one place turns every failure into an ImportFormatError."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from .model import NOT_A_PLAN, ImportFormatError, ParsedPlan

P = TypeVar("P")


def parse_package(
    path: Path | str | IO[bytes],
    source: str | None,
    *,
    extension: str,
    what: str,
    load: Callable[[IO[bytes]], P],
    parse: Callable[[P, str], ParsedPlan],
    close: Callable[[P], None] | None = None,
) -> ParsedPlan:
    """Load ``path`` with ``load`` and read it with ``parse``.

    ``what`` names the document in Vietnamese ("tài liệu Word", "bảng tính Excel"). A file
    that cannot be read, a broken package, or malformed content inside a valid one all
    become an :class:`ImportFormatError` naming the file.
    """
    if source is None:
        source = Path(path).name if isinstance(path, (str, Path)) else f"<{extension}>"
    try:
        if isinstance(path, (str, Path)):
            with open(path, "rb") as fh:
                stream: IO[bytes] = io.BytesIO(fh.read())
        else:
            stream = path
        package = load(stream)
    except OSError as exc:
        raise ImportFormatError(source, f"không đọc được tệp: {exc.strerror or exc} (cannot read file)") from None
    except Exception as exc:  # noqa: BLE001 - any failure here means a broken package
        raise ImportFormatError(
            source, f"{NOT_A_PLAN}: {what} (.{extension}) bị hỏng hoặc không đọc được "
            f"({type(exc).__name__}) (not a valid plan file: corrupt .{extension})") from None
    try:
        return parse(package, source)
    except ImportFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed content inside a valid zip
        raise ImportFormatError(
            source, f"{NOT_A_PLAN}: cấu trúc {what} không đọc được "
            f"({type(exc).__name__}: {str(exc)[:120]}) (unreadable .{extension} structure)") from None
    finally:
        if close is not None:
            close(package)
