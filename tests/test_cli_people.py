"""``dondoc check`` and ``dondoc people``: recipients that reach nobody are named before anything is due;
a people file is imported all or nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from conftest import PLAN_001, build_app, install_process_app, seed_path
from dondoc.cli import app as cli
from dondoc.settings import get_settings

HEADS = """
default_channels: [email]
people:
  - {id: vhxh, name: Trần Văn Cường, office: Phòng Văn hóa - Xã hội, head: true, email: vhxh@nl.test}
  - {id: kt, name: Hoàng Văn Em, office: Phòng Kinh tế, head: true, email: kt@nl.test}
  - {id: ct, name: Nguyễn Văn An, tags: [leadership], email: ct@nl.test}
"""


@pytest.fixture
def unit(sqlite_engine, tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "people.yaml").write_text(HEADS, encoding="utf-8")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config))
    monkeypatch.setenv("DONDOC_SMTP_URL", "smtp://127.0.0.1:2525?security=none")
    get_settings.cache_clear()
    app = build_app()
    app.import_file(seed_path(PLAN_001), unit_name="Xã Ngọc Liên")
    install_process_app(app)
    return config


def test_check_names_every_target_nobody_holds_and_exits_non_zero(unit):
    result = CliRunner().invoke(cli, ["check"], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    out = result.output
    assert "Xã Ngọc Liên" in out
    assert "tag:chu-tich" in out and "area:I, area:II" in out and "office:Công an xã" in out
    assert "chuyển cho Phòng Văn hóa - Xã hội" in out
    assert "Traceback" not in out


def test_check_passes_when_everyone_is_reached(unit):
    from dondoc.storage.models import Office

    app = build_app()
    with app.session() as session:
        offices = sorted({o.name for o in session.query(Office).all()})
    lines = [f"  - {{id: o{i}, name: Trưởng {i}, office: {name}, head: true, email: o{i}@nl.test}}"
             for i, name in enumerate(offices)]
    lines.append("  - {id: ct, name: Nguyễn Văn An, tags: [leadership, chu-tich], areas: [I, II, III, IV, V, VI], "
                 "email: ct@nl.test}")
    (unit / "people.yaml").write_text("people:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    get_settings.cache_clear()
    install_process_app(build_app())
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert "Không có vấn đề" in result.output


def test_a_bad_smtp_url_is_one_line_not_a_traceback(unit, monkeypatch):
    monkeypatch.setenv("DONDOC_SMTP_URL", "mail.example.vn")
    get_settings.cache_clear()
    install_process_app(build_app())
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 1 and "DONDOC_SMTP_URL không hợp lệ" in result.output
    assert "Traceback" not in result.output


def test_people_import_replaces_the_units_people_all_or_nothing(unit, tmp_path):
    good = tmp_path / "nguoi-nhan.yaml"
    good.write_text(HEADS.replace("tags: [leadership]", "tags: [leadership, chu-tich]"), encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(cli, ["people", "import", str(good), "--unit", "Xã Ngọc Liên"])
    assert done.exit_code == 0, done.output
    assert "Xã Ngọc Liên: 3 người nhận (thêm 3, sửa 0, bỏ 0)" in done.output
    listed = runner.invoke(cli, ["people", "list"], env={"COLUMNS": "120"})
    assert "Nguyễn Văn An" in listed.output and "Phòng Kinh tế (trưởng)" in listed.output

    bad = tmp_path / "sai.yaml"
    bad.write_text(HEADS.replace("email: kt@nl.test", "email: kt@nl.test, channels: [fax]")
                   .replace("id: ct", "id: vhxh"), encoding="utf-8")
    refused = runner.invoke(cli, ["people", "import", str(bad)])
    assert refused.exit_code == 2
    assert "sai.yaml" in refused.output and "chưa ghi gì" in refused.output
    assert "fax" in refused.output and "trùng" in refused.output
    assert [p.id for p in build_app().unit_people()[1].people] == ["vhxh", "kt", "ct"]  # unchanged

    odd = tmp_path / "nguoi.csv"
    odd.write_text("id,name\n", encoding="utf-8")
    assert runner.invoke(cli, ["people", "import", str(odd)]).exit_code == 2
