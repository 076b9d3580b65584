"""Plan shapes besides TAB text, .docx and .xlsx: pipe/Markdown tables, one cell per line (a PDF
viewer copy), HTML pages, legacy .doc (through LibreOffice) and text PDFs (through pdftotext).

Every shape is generated from the two seed appendices and must give the seed's items back; bad
input in every shape gives an ImportFormatError naming the file (and line, row or page).

PDF and one-cell-per-line text lose one thing the seed text has: a space written after a hyphen
inside a code ("Quyết định số 06/QĐ- TTg", item 18 of plan 001) cannot be told from a line
wrapped after "QĐ-", and such wraps are joined without a space ("06/QĐ-TTg", as in
"220/KH-UBND"). :func:`same_text` compares with that space removed on both sides.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from conftest import PLAN_001, PLAN_002, seed_path
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from typer.testing import CliRunner

from dondoc.importer import (
    ImportFormatError,
    ParsedPlan,
    legacy,
    parse_plan_file,
    pdf,
    write_docx,
    write_xlsx,
)
from dondoc.importer.detect import sniff
from dondoc.importer.model import NOT_A_PLAN
from dondoc.importer.shapes import text_shape
from dondoc.importer.wrapping import text_width

SEEDS = [PLAN_001, PLAN_002]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
needs_pdf_tools = pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None,
                                     reason="PDF tests need LibreOffice (soffice) and poppler (pdftotext)")
FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
HEADER = ["TT", "Nội dung thực hiện", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def seeds() -> dict[str, ParsedPlan]:
    return {name: parse_plan_file(seed_path(name)) for name in SEEDS}


def prose(name: str) -> list[str]:
    """The seed text before its appendix table (the metadata comes from it)."""
    lines = seed_path(name).read_text(encoding="utf-8").splitlines()
    return lines[:next(i for i, line in enumerate(lines) if "\t" in line)]


def item_facts(plan: ParsedPlan, norm=lambda text: text) -> list[tuple]:
    return [(i.number, i.area_code, norm(i.content), norm(i.lead), norm(i.cooperating), norm(i.deadline),
             None if i.product is None else norm(i.product)) for i in plan.items]


def metadata(plan: ParsedPlan) -> tuple:
    return (plan.title, plan.number, plan.issuer, plan.unit_name, plan.period_start, plan.period_end,
            plan.has_product_column)


def same_text(text: str) -> str:
    """Whitespace collapsed, and no space after a hyphen or slash glued to a word (see module doc)."""
    return re.sub(r"(?<=\w[-/]) ", "", " ".join(text.split()))


def assert_same_plan(parsed: ParsedPlan, seed: ParsedPlan, *, norm=lambda text: text) -> None:
    assert len(parsed.items) == len(seed.items)
    assert item_facts(parsed, norm) == item_facts(seed, norm)
    assert parsed.areas == seed.areas
    assert parsed.has_product_column == seed.has_product_column


def rows(plan: ParsedPlan):
    """("area", area) and ("item", item) in appendix order."""
    areas = {a.code: a for a in plan.areas}
    seen: set[str] = set()
    for item in plan.items:
        if item.area_code and item.area_code not in seen:
            seen.add(item.area_code)
            yield "area", areas[item.area_code]
        yield "item", item


def values(plan: ParsedPlan, item) -> list[str]:
    cells = [item.number, item.content, item.lead, item.cooperating, item.deadline]
    return cells + ([item.product or ""] if plan.has_product_column else [])


def header(plan: ParsedPlan) -> list[str]:
    return HEADER + (["Sản phẩm"] if plan.has_product_column else [])


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> ImportFormatError:
    with pytest.raises(ImportFormatError) as caught:
        parse_plan_file(path)
    assert path.name in str(caught.value)
    return caught.value


# ---------------------------------------------------------------- generators


def pipe_table(name: str, plan: ParsedPlan, *, bordered=True, separator=True, bold=True) -> str:
    def row(cells):
        body = " | ".join(c.replace("|", "\\|") for c in cells)
        return f"| {body} |" if bordered else body

    out = list(prose(name)) + ["", row(header(plan))]
    if separator:
        out.append(row(["---"] * len(header(plan))))
    for kind, entry in rows(plan):
        if kind == "area":
            title = f"**{entry.title}**" if bold else entry.title
            out.append(row([f"**{entry.code}**" if bold else entry.code, title]
                           + [""] * (len(header(plan)) - 2)))
        else:
            out.append(row(values(plan, entry)))
    return "\n".join(out) + "\n"


def html_page(name: str, plan: ParsedPlan, *, split=False, rowspan=False) -> str:
    width = len(header(plan))
    paragraphs = "\n".join(prose(name)).split("\n\n")  # a paragraph's lines joined with <br>
    body = [f"<p>{'<br>'.join(html.escape(x) for x in p.splitlines())}</p>" for p in paragraphs if p.strip()]
    body.append("<div><table border='1'><thead><tr>"
                + "".join(f"<th>{html.escape(h)}</th>" for h in header(plan)) + "</tr></thead><tbody>")
    entries = list(rows(plan))
    covered: set[int] = set()  # items whose lead cell is merged into the row above (rowspan)
    for index, (kind, entry) in enumerate(entries):
        if split and index == len(entries) // 2:
            body.append("</tbody></table><p>&nbsp;</p><table><tbody>")  # a table split per page
        if kind == "area":
            body.append(f"<tr><td><b>{entry.code}</b></td><td colspan='{width - 1}'><b>"
                        f"{html.escape(entry.title)}</b></td></tr>")
            continue
        cells = [f"<td>{html.escape(v)}</td>" for v in values(plan, entry)]
        following = entries[index + 1] if index + 1 < len(entries) else None
        if index in covered:
            cells[2] = ""
        elif rowspan and following and following[0] == "item" and following[1].lead == entry.lead:
            cells[2] = f"<td rowspan='2'>{html.escape(entry.lead)}</td>"
            covered.add(index + 1)
        body.append("<tr>" + "".join(cells) + "</tr>")
    body.append("</tbody></table></div><p>Nơi nhận:</p>")
    return ("<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Kế hoạch</title>"
            "<style>td { padding: 2px }</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def wrap(text: str, ems: float) -> list[str]:
    """Greedy line breaking with proportional widths, as a PDF viewer shows a narrow column."""
    lines, current = [], ""
    for word in text.split():
        if current and text_width(f"{current} {word}") > ems:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return lines + ([current] if current else [])


def one_cell_per_line(name: str, plan: ParsedPlan, widths: list[float], *, dotted: bool) -> str:
    out = list(prose(name)) + ["TT", "Nội dung", "thực hiện", "Cơ quan", "chủ trì", "Cơ quan", "phối hợp",
                               "Thời gian", "hoàn thành"] + (["Sản", "phẩm"] if plan.has_product_column else [])
    for kind, entry in rows(plan):
        if kind == "area":
            out += [entry.code, *wrap(entry.title, widths[0])] if dotted else [f"{entry.code}. {entry.title}"]
            continue
        out.append(entry.number + ("." if dotted else ""))
        for value, ems in zip(values(plan, entry)[1:], widths):
            out += wrap(value, ems)
    return "\n".join(out) + "\n"


def convert(files: list[Path], target: str, outdir: Path, profile: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", target, "--outdir", str(outdir), *map(str, files)],
                   capture_output=True, timeout=240, check=False)
    results = [outdir / f.with_suffix(f".{target}").name for f in files]
    assert all(p.is_file() for p in results), [p.name for p in results]
    return results


def decorated_docx(plan: ParsedPlan, path: Path) -> Path:
    """The plan as .docx with what real documents have around the table: the header row repeated
    on every page, a page number at the top of each page, and a signature block after the table."""
    write_docx(plan, path)
    document = docx.Document(str(path))
    tr_pr = document.tables[0].rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    number = document.sections[0].header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    number._p.append(field)
    document.add_paragraph("")
    document.add_paragraph("Nơi nhận:")
    document.add_paragraph("- Như trên;")
    for line in ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"):
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory, seeds) -> dict[str, Path]:
    """The seeds (and a few variants) written as .docx and printed to PDF by LibreOffice."""
    if SOFFICE is None or PDFTOTEXT is None:
        pytest.skip("PDF tests need LibreOffice (soffice) and poppler (pdftotext)")
    folder = tmp_path_factory.mktemp("printed")
    plan_001, plan_002 = seeds[PLAN_001], seeds[PLAN_002]
    files = {
        "001": write_docx(plan_001, folder / "ke-hoach-001.docx"),
        "002": write_docx(plan_002, folder / "ke-hoach-002.docx"),
        "decorated": decorated_docx(plan_001, folder / "trang-tri-001.docx"),
    }
    broken = parse_plan_file(seed_path(PLAN_002))
    broken.items[4].deadline = ""
    files["no-deadline"] = write_docx(broken, folder / "thieu-thoi-han.docx")
    gap = parse_plan_file(seed_path(PLAN_002))
    del gap.items[3]  # items 1, 2, 3, 5, ...: as if a row had not been read
    files["gap"] = write_docx(gap, folder / "thieu-muc.docx")
    prose_only = docx.Document()
    prose_only.add_paragraph("Kế hoạch cải cách hành chính xã A năm 2026")
    prose_only.add_paragraph("Văn bản này không có bảng phụ lục.")
    prose_only.save(str(folder / "khong-bang.docx"))
    files["no-table"] = folder / "khong-bang.docx"
    pdfs = convert(list(files.values()), "pdf", folder / "pdf", folder / "profile")
    return dict(zip(files, pdfs))


@pytest.fixture(scope="module")
def legacy_docs(tmp_path_factory, seeds) -> dict[str, Path]:
    """The seeds written as .docx and saved as Word 97 (.doc) by LibreOffice."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: .doc plans cannot be converted")
    folder = tmp_path_factory.mktemp("legacy")
    files = [write_docx(seeds[name], folder / f"{name[:3]}.docx") for name in SEEDS]
    # Through OpenDocument: LibreOffice 7.4 saves python-docx's tables to .doc as plain paragraphs.
    documents = convert(files, "odt", folder / "odt", folder / "profile")
    docs = convert(documents, "doc", folder / "doc", folder / "profile")
    return dict(zip(SEEDS, docs))


# ---------------------------------------------------------------- pipe / Markdown tables


@pytest.mark.parametrize("name", SEEDS)
def test_pipe_table_gives_the_seed(tmp_path, seeds, name):
    path = write(tmp_path, "ke-hoach.md", pipe_table(name, seeds[name]))
    parsed = parse_plan_file(path)
    assert_same_plan(parsed, seeds[name])
    assert metadata(parsed) == metadata(seeds[name])


@pytest.mark.parametrize("name", SEEDS)
def test_pipe_table_without_borders_or_separator(tmp_path, seeds, name):
    text = pipe_table(name, seeds[name], bordered=False, separator=False, bold=False)
    assert_same_plan(parse_plan_file(write(tmp_path, "dan-tu-web.txt", text)), seeds[name])


def test_pipe_cells_keep_escaped_pipes_and_br_line_breaks(tmp_path, seeds):
    plan = parse_plan_file(seed_path(PLAN_001))
    plan.items[0].content = "Rà soát văn bản | quy chế"
    text = pipe_table(PLAN_001, plan)
    text = text.replace("- Kế hoạch: hàng năm. - BC kết quả", "- Kế hoạch: hàng năm.<br>- BC kết quả")
    parsed = parse_plan_file(write(tmp_path, "ke-hoach.md", text))
    assert parsed.items[0].content == "Rà soát văn bản | quy chế"
    assert parsed.items[1].deadline == seeds[PLAN_001].items[1].deadline.replace(
        "hàng năm. - BC", "hàng năm.\n- BC")
    assert item_facts(parsed)[2:] == item_facts(seeds[PLAN_001])[2:]


# ---------------------------------------------------------------- one cell per line (PDF viewer copy)


@pytest.mark.parametrize("name", SEEDS)
@pytest.mark.parametrize("widths", [[1000] * 5, [40, 16, 16, 14, 16], [24, 10, 10, 9, 10], [16, 8, 8, 7, 8]],
                         ids=["no-wraps", "wide", "narrow", "very-narrow"])
def test_one_cell_per_line_gives_the_seed(tmp_path, seeds, name, widths):
    text = one_cell_per_line(name, seeds[name], widths, dotted=name == PLAN_001)
    path = write(tmp_path, "sao-chep-tu-pdf.txt", text)
    parsed = parse_plan_file(path)
    assert_same_plan(parsed, seeds[name], norm=same_text)
    assert metadata(parsed) == metadata(seeds[name])


@pytest.mark.parametrize(("name", "fixture", "cut_words"), [
    (PLAN_001, "sao-chep-pdf-001.txt", []),
    (PLAN_002, "sao-chep-pdf-002.txt", ["23"]),
])
def test_real_pdf_viewer_copy(seeds, name, fixture, cut_words):
    """The seed printed by LibreOffice (narrow equal columns) as a PDF viewer copies it: every cell
    line by line, as wrapped on the page. A word too long for its column was broken mid-word in the
    PDF ("60/2021/N" + "Đ-CP", item 23 of plan 002); a copy cannot show that, so the joined text has
    a space there."""
    path = FIXTURES / fixture
    assert text_shape(path.read_text(encoding="utf-8")) == "cells"
    parsed, seed = parse_plan_file(path), seeds[name]
    assert item_facts(parsed, lambda t: "".join(t.split())) == item_facts(seed, lambda t: "".join(t.split()))
    assert parsed.areas == seed.areas
    differing = [a[0] for a, b in zip(item_facts(parsed, same_text), item_facts(seed, same_text)) if a != b]
    assert differing == cut_words


def test_one_cell_per_line_stops_at_the_prose_after_the_table(tmp_path, seeds):
    text = one_cell_per_line(PLAN_002, seeds[PLAN_002], [40, 16, 16, 14, 16], dotted=False)
    text += "\nNơi nhận:\n- Như trên;\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n"
    assert_same_plan(parse_plan_file(write(tmp_path, "sao-chep.txt", text)), seeds[PLAN_002])


# ---------------------------------------------------------------- HTML pages


@pytest.mark.parametrize("name", SEEDS)
@pytest.mark.parametrize("variant", ["plain", "split", "rowspan"])
def test_html_page_gives_the_seed(tmp_path, seeds, name, variant):
    page = html_page(name, seeds[name], split=variant == "split", rowspan=variant == "rowspan")
    if variant == "rowspan":
        assert "rowspan" in page
    parsed = parse_plan_file(write(tmp_path, "ke-hoach.html", page))
    assert_same_plan(parsed, seeds[name])
    assert metadata(parsed) == metadata(seeds[name])


def test_html_table_in_a_layout_table_and_in_a_text_file(tmp_path, seeds):
    page = html_page(PLAN_002, seeds[PLAN_002])
    nested = page.replace("<body>", "<body><table><tr><td>").replace("</body>", "</td></tr></table></body>")
    assert_same_plan(parse_plan_file(write(tmp_path, "luu-trang.htm", nested)), seeds[PLAN_002])
    fragment = page[page.index("<div>"):page.index("</body>")]  # a bare <table> pasted into a .txt
    text = "\n".join(prose(PLAN_002)) + "\n" + fragment
    assert text_shape(text) == "html"
    assert_same_plan(parse_plan_file(write(tmp_path, "ke-hoach.txt", text)), seeds[PLAN_002])


# ---------------------------------------------------------------- legacy Word (.doc)


@needs_soffice
@pytest.mark.parametrize("name", SEEDS)
def test_legacy_doc_is_converted_with_libreoffice(legacy_docs, seeds, name):
    path = legacy_docs[name]
    assert path.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    assert sniff(path.read_bytes(), path.name) == "legacy"
    parsed = parse_plan_file(path)
    assert parsed.source == path.name
    assert_same_plan(parsed, seeds[name])
    assert metadata(parsed) == metadata(seeds[name])


@needs_soffice
def test_legacy_xls_is_converted_too(tmp_path, seeds):
    workbook = write_xlsx(seeds[PLAN_001], tmp_path / "ke-hoach.xlsx")
    try:
        (xls,) = convert([workbook], "xls", tmp_path / "xls", tmp_path / "profile")
    except AssertionError:
        pytest.skip("LibreOffice Calc is not installed (only Writer): no .xls can be made here")
    assert legacy.legacy_kind(xls.read_bytes()) == "xlsx"
    assert_same_plan(parse_plan_file(xls), seeds[PLAN_001])


def test_legacy_doc_without_libreoffice_asks_for_docx(tmp_path, monkeypatch):
    monkeypatch.setattr(legacy, "soffice_path", lambda: None)
    err = error_of(write(tmp_path, "cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)))
    assert NOT_A_PLAN in str(err) and ".doc/.xls" in str(err) and "lưu lại thành .docx" in str(err)


@needs_soffice
@pytest.mark.parametrize("tail", [bytes(512), "WordDocument".encode("utf-16-le") + bytes(4096)])
def test_broken_legacy_doc_is_a_clear_error(tmp_path, tail):
    err = error_of(write(tmp_path, "hong.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tail))
    # LibreOffice refuses the file, or opens it as an empty document: either way the message says so
    assert (NOT_A_PLAN in str(err) and ".doc/.xls" in str(err)) or "không tìm thấy dòng tiêu đề" in str(err)


# ---------------------------------------------------------------- text PDFs


@needs_pdf_tools
@pytest.mark.parametrize(("name", "key"), [(PLAN_001, "001"), (PLAN_002, "002")])
def test_printed_pdf_gives_the_seed(printed, seeds, name, key):
    path = printed[key]
    assert sniff(path.read_bytes(), path.name) == "pdf"
    parsed = parse_plan_file(path)
    seed = seeds[name]
    assert [i.number for i in parsed.items] == [str(n) for n in range(1, len(seed.items) + 1)]
    assert_same_plan(parsed, seed, norm=same_text)
    # Offices, deadlines and products are exact; content differs only where the seed has a space
    # after a hyphen that a line break hides (06/QĐ- TTg).
    exact = [(i.lead, i.cooperating, i.deadline, i.product) for i in parsed.items]
    assert exact == [(i.lead, i.cooperating, i.deadline, i.product) for i in seed.items]
    differing = [i.number for i, s in zip(parsed.items, seed.items) if i.content != s.content]
    assert differing == (["18"] if key == "001" else [])
    assert metadata(parsed) == metadata(seed)


@needs_pdf_tools
def test_pdf_with_repeated_headers_page_numbers_and_signature(printed, seeds):
    parsed = parse_plan_file(printed["decorated"])
    assert_same_plan(parsed, seeds[PLAN_001], norm=same_text)


@needs_pdf_tools
def test_pdf_row_without_deadline_names_page_row_and_column(printed):
    err = error_of(printed["no-deadline"])
    assert re.search(r"trang \d+, hàng \d+, cột 5 \(Thời gian hoàn thành\)", str(err)), str(err)
    assert "mục 5 thiếu thời hạn" in str(err)


@needs_pdf_tools
def test_pdf_with_a_gap_in_the_item_numbers(printed):
    err = error_of(printed["gap"])
    assert re.search(r"trang \d+, hàng \d+: thiếu mục 4 giữa các mục", str(err)), str(err)


@needs_pdf_tools
@pytest.mark.parametrize("stream", [2, 4, 6])
def test_damaged_pdf_is_refused_not_read_in_part(tmp_path, printed, stream):
    data = bytearray(printed["002"].read_bytes())
    start = [m.end() for m in re.finditer(rb"stream\r?\n", data)][stream] + 40
    data[start:start + 24] = bytes(b ^ 0x5A for b in data[start:start + 24])
    error_of(write(tmp_path, "hong.pdf", bytes(data)))


@needs_pdf_tools
def test_pdf_without_appendix(printed):
    assert "không tìm thấy dòng tiêu đề" in str(error_of(printed["no-table"]))


@pytest.mark.skipif(PDFTOTEXT is None, reason="poppler (pdftotext) is not installed")
@pytest.mark.parametrize(("content", "needle"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nthis is not a pdf body", "bị hỏng"),
    ((b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
     b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n"
     b"%%EOF\n"), "không có lớp chữ"),
])
def test_unreadable_pdfs(tmp_path, content, needle):
    err = error_of(write(tmp_path, "ke-hoach.pdf", content))
    assert NOT_A_PLAN in str(err) and needle in str(err)


def test_pdf_without_pdftotext_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "pdftotext_path", lambda: None)
    err = error_of(write(tmp_path, "ke-hoach.pdf", b"%PDF-1.7\n"))
    assert "poppler-utils" in str(err) and ".docx" in str(err)


# ---------------------------------------------------------------- detection by content


@pytest.mark.parametrize(("data", "name", "kind"), [
    (b"%PDF-1.7\n...", "plan.txt", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "plan.txt", "legacy"),
    (b"<!DOCTYPE html><html><body><table></table></body></html>", "plan.txt", "html"),
    ("\ufeff<?xml version='1.0'?><!-- saved --><html>".encode(), "plan", "html"),
    (b"<p>K\xe1\xba\xbf ho\xe1\xba\xa1ch</p>", "trang.htm", "html"),
    ("**ỦY BAN**\n<b>TT</b>\tNội dung".encode(), "plan.html", "text"),
    ("| TT | Nội dung |".encode(), "plan.pdf", "text"),
])
def test_sniff_by_content(data, name, kind):
    assert sniff(data, name) == kind


@pytest.mark.parametrize("name", SEEDS)
def test_text_shapes_are_told_apart(seeds, name):
    plan = seeds[name]
    assert text_shape(seed_path(name).read_text(encoding="utf-8")) == "tab"
    assert text_shape(pipe_table(name, plan)) == "pipes"
    assert text_shape(one_cell_per_line(name, plan, [30, 12, 12, 10, 12], dotted=True)) == "cells"
    assert text_shape(html_page(name, plan)) == "html"


# ---------------------------------------------------------------- malformed input, every shape


PIPE_HEADER = "| TT | Nội dung thực hiện | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |"


@pytest.mark.parametrize(("text", "needles"), [
    ((f"Kế hoạch\n{PIPE_HEADER}\n|---|---|---|---|---|\n| I | Cải cách thể chế | | | |\n"
     "| 1. | Rà soát | Văn phòng | | Quý I |\n| 2. | Kiểm tra | Phòng Kinh tế | | |\n"),
     ["dòng 6", "cột 5 (Thời gian hoàn thành)", "mục 2 thiếu thời hạn"]),
    (("| TT | Nội dung | Đơn giá | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |\n"
     "| 1. | Rà soát | 5 | Văn phòng | | Quý I |\n"), ["dòng 1", "cột 3", "Đơn giá", "không thuộc bảng phụ lục"]),
    (f"{PIPE_HEADER}\n| 1. | Rà soát | Văn phòng | | Quý I | thừa |\n",
     ["dòng 2", "ngoài 5 cột"]),
    (f"{PIPE_HEADER}\n| 1. | Rà soát | Văn phòng | | Quý I |\n| 1. | Lặp | Văn phòng | | Quý II |\n",
     ["dòng 3", "trùng số thứ tự 1"]),
])
def test_bad_pipe_tables(tmp_path, text, needles):
    message = str(error_of(write(tmp_path, "bang.md", text)))
    for needle in needles:
        assert needle in message, message


CELLS_HEADER = "TT\nNội dung thực hiện\nCơ quan chủ trì\nCơ quan phối hợp\nThời gian hoàn thành\n"


@pytest.mark.parametrize(("text", "needles"), [
    # three offices for two office columns, none of them known: no single reading
    (CELLS_HEADER + "1.\nRà soát văn bản\nPhòng Alpha\nPhòng Beta\nPhòng Gamma\nQuý I/2026\n",
     ["dòng 6", "không tách được chắc chắn các ô của mục 1", "Cơ quan"]),
    # item 2 missing: the "3." line with a capitalised line after it is out of sequence
    (CELLS_HEADER + "1.\nRà soát\nPhòng Kinh tế\nCông an xã\nQuý I\n3.\nKiểm tra\nPhòng Kinh tế\n"
     "Công an xã\nQuý II\n", ["dòng 11", "số thứ tự 3", "mục 2"]),
    # no office where the lead must be
    (CELLS_HEADER + "1.\nRà soát văn bản\nhàng năm\nQuý I\n", ["dòng 6", "không chia được 3 dòng của mục 1"]),
    (CELLS_HEADER + "Xem hướng dẫn bên dưới\n1.\nRà soát\nPhòng Kinh tế\nCông an xã\nQuý I\n",
     ["dòng 6", "nằm giữa dòng tiêu đề và mục đầu tiên"]),
    (CELLS_HEADER + "I\nCải cách thể chế\n1.\nRà soát\nPhòng Kinh tế\nCông an xã\nQuý I\nIII\n"
     "Cải cách công vụ\n2.\nKiểm tra\nPhòng Kinh tế\nCông an xã\nQuý II\n", ["dòng 13", "mục lớn III"]),
])
def test_bad_one_cell_per_line(tmp_path, text, needles):
    path = write(tmp_path, "sao-chep.txt", text)
    assert text_shape(text) == "cells"
    message = str(error_of(path))
    for needle in needles:
        assert needle in message, message


@pytest.mark.parametrize(("page", "needles"), [
    ("<html><body><p>Kế hoạch</p><table><tr><td>a</td><td>b</td></tr></table></body></html>",
     ["không tìm thấy dòng tiêu đề", "trang HTML"]),
    (("<html><body><table><tr><th>TT</th><th>Nội dung</th><th>Cơ quan chủ trì</th><th>Cơ quan phối hợp</th>"
     "<th>Thời gian hoàn thành</th></tr><tr><td>1.</td><td>Rà soát</td><td>Văn phòng</td><td></td>"
     "<td></td></tr></table></body></html>"), ["hàng 2", "cột 5 (Thời gian hoàn thành)"]),
    (("<html><body><table><tr><th>TT</th><th>Nội dung</th><th>Cơ quan chủ trì</th><th>Cơ quan phối hợp</th>"
     "<th>Thời gian hoàn thành</th></tr><tr><td>V</td><td colspan='4'>Mục</td></tr><tr><td>II</td>"
     "<td colspan='4'>Mục trước</td></tr></table>"), ["hàng 3", "mục lớn II đứng sau mục lớn V"]),
])
def test_bad_html_pages(tmp_path, page, needles):
    message = str(error_of(write(tmp_path, "trang.html", page)))
    for needle in needles:
        assert needle in message, message


def test_html_in_an_unknown_encoding(tmp_path):
    page = b"<html><head><meta charset='x-unknown-42'></head><body>\xff\xfe\xfa</body></html>"
    assert "bảng mã" in str(error_of(write(tmp_path, "trang.html", page)))


# ---------------------------------------------------------------- through the command line


runner = CliRunner()


@pytest.mark.parametrize("shape", ["pipes", "cells", "html"])
def test_cli_imports_each_shape_and_refuses_bad_ones(db_url, tmp_path, seeds, shape):
    from dondoc.cli import app

    plan = seeds[PLAN_002]
    good = {"pipes": ("ke-hoach.md", pipe_table(PLAN_002, plan)),
            "cells": ("sao-chep.txt", one_cell_per_line(PLAN_002, plan, [40, 16, 16, 14, 16], dotted=False)),
            "html": ("ke-hoach.html", html_page(PLAN_002, plan))}[shape]
    result = runner.invoke(app, ["import", str(write(tmp_path, *good)), "--unit", "Xã Trường Xuân"])
    assert result.exit_code == 0, result.output
    bad = {"pipes": good[1].replace("| Thường xuyên |", "|  |", 1),
           "cells": good[1].replace("\n2\n", "\n3\n", 1),
           "html": good[1].replace("<td>Thường xuyên</td>", "<td></td>", 1)}[shape]
    path = write(tmp_path, "hong-" + good[0], bad)
    result = runner.invoke(app, ["import", str(path), "--unit", "Xã Trường Xuân"])
    assert result.exit_code == 2, result.output
    assert path.name in " ".join(result.output.split()) and "Traceback" not in result.output
