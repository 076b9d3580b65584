"""The rules a report, an extension, an acknowledgement or a trigger must follow, whoever enters it.

The command line, the office page, the standing office's page and the spreadsheet
all record through the same use cases, which check with these functions: the same
input gets the same answer, in the same words, whichever way a person reports.

>>> check_report("hoan_thanh", note=None, product=None)
['Khi báo hoàn thành, hãy ghi sản phẩm (số và tên văn bản, ví dụ «Kế hoạch số 12/KH-UBND») hoặc kết quả thực hiện ở phần ghi chú.']
>>> check_report("vuong_mac", note="Chưa có hướng dẫn", product=None)
[]
>>> check_text("Ghi chú", "a\\x00b", MAX_NOTE)
['Ghi chú có ký tự điều khiển không hợp lệ (control character); hãy gõ lại nội dung.']
"""

from __future__ import annotations

from dondoc.domain.status import STORED_LABELS, Stored

MAX_NOTE = 2000  # a progress note, a reason, an acknowledgement note, a trigger note
MAX_PRODUCT = 500  # "Kế hoạch số 12/KH-UBND ngày …"
MAX_NAME = 200  # who reports, grants or acknowledges
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


class InvalidUpdate(ValueError):
    """A change that cannot be recorded; ``problems`` says why, one sentence each."""

    def __init__(self, *problems: str) -> None:
        self.problems = [p for p in problems if p]
        super().__init__(" ".join(self.problems))


def check_text(label: str, value: str | None, limit: int) -> list[str]:
    """A free text: at most ``limit`` characters, no control characters (NUL and the like)."""
    if not value:
        return []
    problems = []
    if len(value) > limit:
        problems.append(f"{label} dài {len(value)} ký tự, tối đa {limit} ký tự.")
    if any(ord(ch) < 32 and ch not in _ALLOWED_CONTROLS or ord(ch) == 127 for ch in value):
        problems.append(f"{label} có ký tự điều khiển không hợp lệ (control character); hãy gõ lại nội dung.")
    return problems


def parse_status(status: str | None) -> Stored | None:
    """The stored status for a value (its code, e.g. ``hoan_thanh``); None when it is not one."""
    try:
        return Stored(status or "")
    except ValueError:
        return None


def check_report(status: str | None, *, note: str | None, product: str | None, by: str | None = None) -> list[str]:
    """Every problem with a status report, in the words shown to the person reporting."""
    problems: list[str] = []
    stored = parse_status(status)
    if stored is None:
        allowed = ", ".join(f"{STORED_LABELS[s]} ({s.value})" for s in Stored)
        given = f"Trạng thái «{status[:40]}» không hợp lệ. " if status else ""
        problems.append(f"{given}Hãy chọn một trạng thái: {allowed}.")
    problems += check_text("Ghi chú tiến độ", note, MAX_NOTE)
    problems += check_text("Sản phẩm", product, MAX_PRODUCT)
    problems += check_text("Người báo cáo", by, MAX_NAME)
    has_note, has_product = bool(note and note.strip()), bool(product and product.strip())
    if stored is Stored.BLOCKED and not has_note:
        problems.append("Khi báo vướng mắc, hãy ghi rõ lý do vào phần ghi chú.")
    if stored is Stored.DONE and not (has_product or has_note):
        problems.append("Khi báo hoàn thành, hãy ghi sản phẩm (số và tên văn bản, ví dụ «Kế hoạch số 12/KH-UBND») "
                        "hoặc kết quả thực hiện ở phần ghi chú.")
    return problems


def check_person(by: str | None, who: str) -> list[str]:
    """The person granting or acknowledging: required, at most :data:`MAX_NAME` characters."""
    if not by or not by.strip():
        return [f"Hãy ghi họ tên, chức vụ người {who}."]
    return check_text("Họ tên, chức vụ", by, MAX_NAME)
