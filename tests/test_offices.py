"""Office names in plan cells resolve to canonical offices; unknown names are reported."""

import pytest

from dondoc.configuration import load_config
from dondoc.domain.offices import OfficeDirectory, OfficeRef, normalize_name, split_office_cell
from dondoc.usecases.importing import office_directory


@pytest.fixture
def directory() -> OfficeDirectory:
    return office_directory(load_config(None).offices, "commune")


@pytest.mark.parametrize(
    "written, canonical",
    [
        ("Văn phòng HĐND và UBND xã.", "Văn phòng HĐND và UBND xã"),
        ("Văn Phòng HĐND và UBND", "Văn phòng HĐND và UBND xã"),
        ("Văn phòng HĐND&UBND xã", "Văn phòng HĐND và UBND xã"),
        ("VĂN PHÒNG HĐND VÀ UBND XÃ", "Văn phòng HĐND và UBND xã"),
        ("van phong hdnd va ubnd xa", "Văn phòng HĐND và UBND xã"),
        ("Trung tâm Phục vụ HCC", "Trung tâm Phục vụ hành chính công"),
        ("Trung tâm PVHCC", "Trung tâm Phục vụ hành chính công"),
        ("Trung tâm phục vụ hành chính công", "Trung tâm Phục vụ hành chính công"),
        ("Phòng Văn hoá - Xã hội", "Phòng Văn hóa - Xã hội"),
        ("Phòng VH-XH", "Phòng Văn hóa - Xã hội"),
        ("- Phòng Kinh tế.", "Phòng Kinh tế"),
        ("Trung tâm Cung ứng dịch vụ công.", "Trung tâm Cung ứng dịch vụ công"),
        ("Các trạm Y tế", "Trạm Y tế"),
    ],
)
def test_spelling_variants_meet(directory, written, canonical):
    result = directory.resolve(written)
    assert [o.name for o in result.offices] == [canonical]
    assert result.unknown == []


def test_group_phrase_expands_to_unit_offices_less_the_lead(directory):
    lead = directory.resolve("Văn phòng HĐND và UBND xã.")
    coop = directory.resolve("Các phòng, ban, ngành, đơn vị cấp xã.", exclude=lead.offices)
    names = {o.name for o in coop.offices}
    assert "Văn phòng HĐND và UBND xã" not in names
    assert {"Phòng Văn hóa - Xã hội", "Phòng Kinh tế", "Trung tâm Phục vụ hành chính công", "Công an xã"} <= names
    assert "Trạm Y tế" not in names  # named explicitly when involved, not part of the group
    assert coop.groups == ["Các phòng, ban, ngành, đơn vị cấp xã."[:-1]]
    assert all(o.key in coop.via_group for o in coop.offices)


def test_several_offices_in_one_cell(directory):
    result = directory.resolve("Trung tâm Phục vụ HCC; Các phòng, ban, đơn vị cấp xã.")
    assert result.offices[0].name == "Trung tâm Phục vụ hành chính công"
    assert result.offices[0].key not in result.via_group  # named explicitly
    assert len(result.offices) >= 5
    two = directory.resolve("Tổ công tác Đề án 06; Công an xã.")
    assert [o.name for o in two.offices] == ["Tổ công tác Đề án 06", "Công an xã"]


def test_unknown_name_is_reported_not_dropped(directory):
    result = directory.resolve("Phòng Văn hóa - Xã hội; Ban Quản lý chợ xã")
    assert [o.name for o in result.offices] == ["Phòng Văn hóa - Xã hội"]
    assert result.unknown == ["Ban Quản lý chợ xã"]


def test_comma_list_accepted_only_when_every_part_matches(directory):
    ok = directory.resolve("Phòng Kinh tế, Công an xã")
    assert [o.name for o in ok.offices] == ["Phòng Kinh tế", "Công an xã"]
    bad = directory.resolve("Phòng Kinh tế, Hội Nông dân")
    assert bad.unknown == ["Phòng Kinh tế, Hội Nông dân"]


def test_normalize_and_split():
    assert normalize_name("Trung tâm Phục vụ HCC", {"hcc": "hành chính công"}) == "trung tam phuc vu hanh chinh cong"
    assert split_office_cell("") == []
    assert split_office_cell("Phòng Văn hóa - Xã hội") == ["Phòng Văn hóa - Xã hội"]
    directory = OfficeDirectory([(OfficeRef(1, "Sở Nội vụ"), ["SNV"])], ["Các sở, ban, ngành"])
    assert directory.resolve("SNV").offices[0].key == 1
    assert directory.resolve("Các sở, ban, ngành").offices == [OfficeRef(1, "Sở Nội vụ")]
