"""The Word reports convert to PDF with LibreOffice: pages, text, page numbers from page 2, page images.

Slow (LibreOffice starts once for both files), so SQLite only. Page images go to
test-artifacts/ for a look by eye.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest
from conftest import build_app, ARTIFACTS, PLAN_001, seed_path
from sqlalchemy import select

from dondoc.settings import get_settings
from dondoc.storage.db import read_session
from dondoc.storage.models import Unit
from dondoc.reports.build import build_report

D = date
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: .ci/run installs it")


def _pdf_pages(pdf) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


def _page_text(pdf, page: int) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def _convert(files, outdir, tmp_path):
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(outdir),
         *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    pdfs = [outdir / f.with_suffix(".pdf").name for f in files]
    assert all(p.is_file() for p in pdfs), (result.stdout, result.stderr)
    return pdfs


def _render(pdf, name):
    """Every page as PNG (80 dpi) into test-artifacts/, for a look by eye."""
    if not shutil.which("pdftoppm"):
        return []
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = ARTIFACTS / name
    for old in ARTIFACTS.glob(f"{name}-*.png"):  # pdftoppm pads page numbers to the page count's width
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(prefix)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


SIGNER = "Nguyễn Văn An"


def test_reports_convert_to_pdf(sqlite_engine, tmp_path, monkeypatch):
    engine = sqlite_engine
    config = tmp_path / "config"
    config.mkdir()
    (config / "reporting.yaml").write_text(f'signers:\n  "Xã Ngọc Liên": {{name: "{SIGNER}"}}\n', encoding="utf-8")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config))
    get_settings.cache_clear()
    calendar = build_app().calendar
    build_app().import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    build_app().record_update("43", "hoan_thanh", on=D(2026, 3, 10), product="Kế hoạch số 12/KH-UBND")
    build_app().record_update("37", "vuong_mac", on=D(2026, 2, 20), note="Chưa có hướng dẫn của Sở Nội vụ")
    build_app().build_demo(communes=3, seed=11, as_of=D(2026, 3, 31), province="Tỉnh Thanh Hóa")
    with read_session(engine) as s:
        commune = s.scalar(select(Unit).where(Unit.name == "Xã Ngọc Liên"))
        province = s.scalar(select(Unit).where(Unit.name == "Tỉnh Thanh Hóa"))
    period = build_app().parse_period("2026-Q1")
    built = [build_report(build_app(), unit, period, tmp_path / "docx", signed_on=D(2026, 3, 16))
             for unit in (commune, province)]
    commune_pdf, province_pdf = _convert([b.docx for b in built], tmp_path / "pdf", tmp_path)

    for pdf, name, issuer in ((commune_pdf, "bao-cao-xa", "ỦY BAN NHÂN DÂN XÃ NGỌC LIÊN"),
                              (province_pdf, "bao-cao-tinh", "ỦY BAN NHÂN DÂN TỈNH THANH HÓA")):
        pages = _pdf_pages(pdf)
        assert pages >= 2
        first = _page_text(pdf, 1)
        if first is None:  # no pdftotext: the file is at least a PDF with pages
            assert pdf.read_bytes().startswith(b"%PDF")
        else:
            # Reading order (no -layout): the two header columns come out one after the other.
            whole = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                            check=True).stdout.split())
            for text in (issuer, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO",
                         "ngày 16 tháng 3 năm 2026", "Hình 1. Tình hình thực hiện nhiệm vụ", "Nơi nhận:"):
                assert text in whole, text
            # Page numbers centred at the top from page 2: none on page 1, "2" heading page 2.
            assert first.strip().splitlines()[0].strip() != "1"
            assert _page_text(pdf, 2).strip().splitlines()[0].strip() == "2"
            if pages >= 3:
                assert _page_text(pdf, 3).strip().splitlines()[0].strip() == "3"
            if pdf is province_pdf:
                assert all(n in whole for n in ("Xã An Bình", "Xã Bình Minh", "Xã Cẩm Thủy", "Tổng cộng"))
            # The Quốc hiệu on one line (its column is wide enough), "ỦY" as Nghị định 30/2020 writes it.
            assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in first.splitlines())
            assert "UỶ" not in whole and "TM. ỦY BAN NHÂN DÂN" in whole
            # The last page holds the closing sentence with "Nơi nhận" and the whole signature block.
            last = " ".join(_page_text(pdf, pages).split())
            assert "Trên đây là báo cáo" in last and "Nơi nhận:" in last and "Lưu: VT" in last and "CHỦ TỊCH" in last
            if pdf is commune_pdf:
                assert SIGNER in last
                assert "I. Kết quả đạt được" in whole and "IV. Đề xuất, kiến nghị" in whole
                assert "xa-ngoc-lien" not in whole and not re.search(r"#\d", whole)  # "Mục 37", never the code
        images = _render(pdf, name)
        if images:
            assert len(images) == pages and all(p.read_bytes().startswith(b"\x89PNG") for p in images)

    # The annex prints on landscape A4 with its title, and the header row on every page (needs LibreOffice Calc).
    annex = built[0].xlsx
    outdir = tmp_path / "annex"
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(annex)], capture_output=True, timeout=300)
    annex_pdf = outdir / annex.with_suffix(".pdf").name
    if annex_pdf.is_file() and shutil.which("pdfinfo") and shutil.which("pdftotext"):
        info = subprocess.run(["pdfinfo", str(annex_pdf)], capture_output=True, text=True, check=True).stdout
        width, height = (float(x) for x in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert round(width) == 842 and round(height) == 595  # A4 landscape, in points
        pages = _pdf_pages(annex_pdf)
        assert "Phụ lục kèm theo Báo cáo số" in _page_text(annex_pdf, 1)
        assert all("Trạng thái" in _page_text(annex_pdf, n) for n in range(1, pages + 1))
        _render(annex_pdf, "phu-luc-xa")
