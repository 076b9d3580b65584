"""The text plan format: the prose of the document followed by the appendix table, one table
row per line with TAB-separated cells. The table goes to :class:`~dondoc.importer.table.TableAssembler`
(shared with .docx and .xlsx), the prose to :func:`~dondoc.importer.metadata.extract_metadata`.

>>> plan = parse_text("Kế hoạch cải cách hành chính xã A năm 2026\\n"
...                   "TT\\tNội dung\\tCơ quan chủ trì\\tCơ quan phối hợp\\tThời gian hoàn thành\\n"
...                   "I\\tCải cách thể chế\\t\\t\\t\\n"
...                   "1.\\tRà soát văn bản\\tVăn phòng\\t\\tQuý I/2026\\n")
>>> plan.items[0].number, plan.items[0].area_code, plan.items[0].deadline
('1', 'I', 'Quý I/2026')
>>> plan.unit_name, plan.period_start, plan.period_end
('Xã A', 2026, 2026)
"""

from __future__ import annotations

import re

from .metadata import PlanMetadata, extract_metadata
from .model import NOT_A_PLAN, ImportFormatError, ParsedPlan
from .table import TableAssembler

_BINARY_RE = re.compile("[\x00-\x08\x0e-\x1f]")


def build_plan(source: str, meta: PlanMetadata, table: TableAssembler,
               what: str = "") -> ParsedPlan:
    areas, items = table.finish(what)
    return ParsedPlan(
        source=source, title=meta.title, number=meta.number, issuer=meta.issuer,
        unit_name=meta.unit_name, period_start=meta.period_start, period_end=meta.period_end,
        areas=areas, items=items, has_product_column=table.has_product_column)


# ---------------------------------------------------------------- text format


def check_text_content(text: str, source: str) -> None:
    if not text.strip().lstrip("\ufeff").strip():
        raise ImportFormatError(source, "tệp rỗng (empty file)")
    sample = text[:100_000]
    bad = len(_BINARY_RE.findall(sample))
    if "\x00" in sample or bad > max(2, len(sample) // 100):
        raise ImportFormatError(
            source, f"{NOT_A_PLAN}: nội dung chứa ký tự nhị phân (not a valid plan file: "
            "binary content)")


def parse_text(text: str, source: str = "<text>") -> ParsedPlan:
    """Parse a text plan: prose, then TAB-separated appendix rows."""
    if not isinstance(text, str):
        raise ImportFormatError(source, f"{NOT_A_PLAN}: cần văn bản (expected text)")
    check_text_content(text, source)
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    table = TableAssembler(source)
    prose: list[str] = []
    for line_no, line in enumerate(lines, start=1):
        if "\t" in line:
            table.feed(line_no, line.split("\t"))
        elif not table.has_header:
            prose.append(line)
    return build_plan(source, extract_metadata(prose), table)
