"""Building blocks of the official Word documents: fonts, paragraphs, borderless header tables,
the short rule under a heading line, page numbers, and tables written as XML (fast at province scale).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"


def _font(run, size=None, bold=None, italic=None):
    run.font.name = FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic
    return run


def _para(container, text="", *, size=14, bold=False, italic=False, align=None, space_after=0, indent_first=None):
    p = container.add_paragraph()
    if text:
        _font(p.add_run(text), size, bold, italic)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    if indent_first is not None:
        p.paragraph_format.first_line_indent = Mm(indent_first)
    return p


def _cell_text(cell, text, *, size=13, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.CENTER):
    """Write into a cell's first paragraph (a cell always has one)."""
    p = cell.paragraphs[0] if not cell.paragraphs[0].text and not cell.paragraphs[0].runs else cell.add_paragraph()
    if text:
        _font(p.add_run(text), size, bold, italic)
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    return p


def _no_borders(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _page_field(paragraph):
    run = _font(paragraph.add_run(), 13)
    for tag, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


_INVALID_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _run_xml(text: str, size: float, bold: bool = False) -> str:
    """A run in the tables' style (Times New Roman, ``size`` pt, not italic; bold in the header)."""
    parts = escape(_INVALID_XML.sub("", text)).replace("\r", "").split("\n")
    body_xml = '</w:t><w:br/><w:t xml:space="preserve">'.join(parts)
    fonts = " ".join(f'w:{a}="{FONT}"' for a in ("ascii", "hAnsi", "eastAsia", "cs"))
    return (f'<w:r><w:rPr><w:rFonts {fonts}/><w:b w:val="{int(bold)}"/><w:i w:val="0"/><w:sz w:val="{round(size * 2)}"/></w:rPr>'
            f'<w:t xml:space="preserve">{body_xml}</w:t></w:r>')


_FIGURE = re.compile(r"[\d\s/.,%:+–-]*")  # numbers, dates, rates: centred; names and texts: left


def _row_element(values, size: float, widths_mm, *, header: bool = False):
    """One body row as XML, parsed once: what _cell_text writes cell by cell, without its per-cell cost
    (a province report has tens of thousands of cells)."""
    cells = []
    for i, value in enumerate(values):
        text = "" if value is None else str(value)
        align = "left" if isinstance(value, str) and not header and not _FIGURE.fullmatch(text) else "center"
        width = (f'<w:tcPr><w:tcW w:w="{Mm(widths_mm[i]).twips}" w:type="dxa"/></w:tcPr>'
                 if widths_mm and i < len(widths_mm) else "")
        run = _run_xml(text, size, header) if text else ""
        cells.append(f'<w:tc>{width}<w:p><w:pPr><w:spacing w:after="0"/><w:jc w:val="{align}"/></w:pPr>{run}</w:p></w:tc>')
    # The header row repeats on every page the table spans; no row splits across a page break.
    repeat = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    return parse_xml(f'<w:tr {nsdecls("w")}>{repeat}{"".join(cells)}</w:tr>')


def _table(doc, header: list[str], rows: list[list], *, widths_mm: list[float] | None = None, size=12):
    table = doc.add_table(rows=0, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths_mm:
        table.autofit = False
        for col, w in zip(table._tbl.tblGrid.gridCol_lst, widths_mm):
            col.w = Mm(w)
    # Narrow cell margins (1 mm each side): status headings such as "Thường xuyên" fit a 14 mm column.
    table._tbl.tblPr.append(parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:left w:w="57" w:type="dxa"/>'
                                      f'<w:right w:w="57" w:type="dxa"/></w:tblCellMar>'))
    table._tbl.append(_row_element(header, size, widths_mm, header=True))
    for values in rows:
        table._tbl.append(_row_element(values, size, widths_mm))
    _para(doc, "", size=6)
    return table


def _short_rule(cell, length_mm: float, cell_mm: float, *, space_after: float = 0):
    """A short centred horizontal line under the previous paragraph of ``cell`` (the line under the
    issuing body and under the Tiêu ngữ): an empty 2 pt paragraph, indented to ``length_mm``, with a
    top border. Only the line is drawn, never an underline of the words."""
    p = cell.add_paragraph()
    _font(p.add_run(""), 2)
    indent = max((cell_mm - length_mm) / 2, 0)
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(indent)
    fmt.space_before = Pt(3)  # clear of the descenders and dots below ("NGỌC")
    fmt.space_after = Pt(space_after)
    fmt.line_spacing = Pt(2)
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        top.set(qn(k), v)
    bdr.append(top)
    # w:pBdr comes before w:spacing/w:ind/w:jc in a paragraph's properties.
    anchor = next((el for el in ppr if el.tag in (qn("w:spacing"), qn("w:ind"), qn("w:jc"))), None)
    if anchor is not None:
        anchor.addprevious(bdr)
    else:
        ppr.append(bdr)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _cell_margins(table, left_twips: int = 0, right_twips: int = 0) -> None:
    """Cell margins of a borderless layout table (the header: the Quốc hiệu needs the whole column)."""
    table._tbl.tblPr.append(parse_xml(f'<w:tblCellMar {nsdecls("w")}><w:left w:w="{left_twips}" w:type="dxa"/>'
                                      f'<w:right w:w="{right_twips}" w:type="dxa"/></w:tblCellMar>'))


def _fixed_widths(table, widths_mm) -> None:
    """Column widths that Word and LibreOffice both keep: a fixed layout, the grid and every cell."""
    table.autofit = False
    table._tbl.tblPr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    for col, w in zip(table._tbl.tblGrid.gridCol_lst, widths_mm):
        col.w = Mm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)


def _keep_together(table) -> None:
    """Rows never split across pages, and each row's paragraphs keep with the next: a short block
    (Nơi nhận and the signature) moves to the next page whole rather than leaving two lines behind."""
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
                p.paragraph_format.keep_together = True
