"""People of a unit: imported from a ``people.yaml``-shaped file or a spreadsheet, or edited one by one.

``dondoc people import FILE --unit U`` replaces the unit's people with those of the
file, all or nothing: a file with a problem is refused with one Vietnamese line per
problem (file, row, column) and nothing stored changes. A spreadsheet (.xlsx) has a
header row naming its columns (:data:`COLUMNS`, in Vietnamese or as the YAML keys),
one person per row; lists (areas, tags, channels) are separated by commas.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select

from dondoc.configuration import Person
from dondoc.configuration.files import ConfigError, explain, parse_yaml
from dondoc.importer import unpacks_too_large
from dondoc.storage.db import unit_of_work
from dondoc.storage.lookups import named_or_only_unit
from dondoc.storage.people import Changes, remove_person, replace_people, save_person
from dondoc.text import fold
from dondoc.usecases.context import Context

# (key, header as written in the spreadsheet, other headers accepted)
COLUMNS = (
    ("id", "Mã", ("ma", "ma so", "id")),
    ("name", "Họ và tên", ("ho ten", "ten", "name")),
    ("role", "Chức vụ", ("role",)),
    ("office", "Cơ quan", ("co quan", "don vi", "phong", "office")),
    ("head", "Trưởng cơ quan", ("truong", "head")),
    ("areas", "Lĩnh vực phụ trách", ("linh vuc", "areas")),
    ("tags", "Nhóm", ("tags", "nhan")),
    ("email", "Email", ("thu dien tu", "e-mail")),
    ("zalo_user_id", "Zalo user_id", ("zalo", "zalo id", "zalo_user_id")),
    ("phone", "Điện thoại", ("so dien thoai", "dien thoai", "phone", "sdt")),
    ("channels", "Kênh", ("kenh nhan tin", "channels")),
)
LISTS = ("areas", "tags", "channels")
MAX_PEOPLE = 2000
KEY = re.compile(r"^[^\s:]{1,100}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
YES = {"x", "co", "1", "true", "yes", "truong"}


class PeopleFileError(ValueError):
    """A people file that cannot be imported; one line per problem. Nothing was stored."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        head = f"Tệp {source}: không nhập được danh sách người nhận, chưa ghi gì (nothing stored)"
        super().__init__(head + (":\n" + "\n".join(f"  - {p}" for p in problems) if problems else "."))


@dataclass
class PeopleImport:
    unit: str
    count: int
    changes: Changes
    skipped: list[str] = field(default_factory=list)  # people of the file named for another unit


def read_people(path: Path) -> list[Person]:
    """The people of a .yaml/.yml (as ``people.yaml``) or an .xlsx file, checked."""
    source = path.name
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        people = _read_yaml(path)
    elif suffix == ".xlsx":
        people = _read_sheet(path)
    else:
        raise PeopleFileError(source, ["chỉ nhận tệp .yaml, .yml (như people.yaml) hoặc .xlsx (unsupported file type)."])
    problems = _duplicates(people)
    for number, person in enumerate(people, 1):
        if not KEY.match(person.id):
            problems.append(f"người thứ {number} ({person.name}): mã «{person.id[:40]}» không được có dấu cách "
                            "hoặc dấu hai chấm (invalid id).")
        if person.email and not EMAIL.match(person.email):
            problems.append(f"người thứ {number} ({person.name}): email «{person.email[:60]}» không hợp lệ.")
    if len(people) > MAX_PEOPLE:
        problems.append(f"có {len(people)} người, quá {MAX_PEOPLE} (too many).")
    if problems:
        raise PeopleFileError(source, problems)
    return people


def _read_yaml(path: Path) -> list[Person]:
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"), path.name)
    except (OSError, UnicodeDecodeError) as exc:
        raise PeopleFileError(path.name, [f"không đọc được tệp ({type(exc).__name__})."]) from None
    except ConfigError as exc:
        raise PeopleFileError(path.name, [str(exc)]) from None
    entries = data.get("people")
    unknown = sorted(set(data) - {"people", "default_channels"})
    if not isinstance(entries, list) or unknown:
        raise PeopleFileError(path.name, ["cần khóa «people:» là danh sách người (như people.yaml)"
                                          + (f"; khóa không nhận: {', '.join(unknown)}" if unknown else "") + "."])
    people, problems = [], []
    for number, entry in enumerate(entries, 1):
        name = entry.get("name") if isinstance(entry, dict) else None
        try:
            people.append(Person.model_validate(entry))
        except ValidationError as exc:
            for error in exc.errors():
                key = ".".join(str(k) for k in error.get("loc", ())) or "(người)"
                problems.append(f"người thứ {number}{f' ({name})' if name else ''}, khóa «{key}»: {explain(error)}.")
    if problems:
        raise PeopleFileError(path.name, problems + _duplicates(people))
    return people


def _duplicates(people: list[Person]) -> list[str]:
    seen: dict[str, int] = {}
    problems = []
    for number, person in enumerate(people, 1):
        if person.id in seen:
            problems.append(f"người thứ {number} ({person.name}): mã «{person.id}» trùng với người thứ "
                            f"{seen[person.id]} (duplicate id).")
        seen.setdefault(person.id, number)
    return problems


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _header_key(text: str) -> str | None:
    folded = fold(text).strip().lower()
    for key, header, aliases in COLUMNS:
        if folded in (fold(header).lower(), key, *aliases):
            return key
    return None


def _read_sheet(path: Path) -> list[Person]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    source = path.name
    bomb = unpacks_too_large(path)
    if bomb:
        raise PeopleFileError(source, [bomb + "."])
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise PeopleFileError(source, [f"không đọc được bảng tính .xlsx ({type(exc).__name__})."]) from None
    people, problems = [], []
    try:
        rows = book.worksheets[0].iter_rows(values_only=True, max_row=MAX_PEOPLE + 2)
        header = next(rows, None) or ()
        columns = {i: _header_key(_text(h)) for i, h in enumerate(header) if _text(h)}
        missing = [h for k, h, _ in COLUMNS if k in ("id", "name") and k not in columns.values()]
        if missing:
            raise PeopleFileError(source, ["dòng 1: thiếu cột " + ", ".join(f"«{h}»" for h in missing)
                                           + " (required columns). Các cột nhận: "
                                           + ", ".join(h for _, h, _ in COLUMNS) + "."])
        unknown = [f"«{_text(header[i])}» (cột {get_column_letter(i + 1)})" for i, k in columns.items() if k is None]
        if unknown:
            problems.append("dòng 1: cột không nhận ra: " + ", ".join(unknown) + " (unknown columns).")
        for number, values in enumerate(rows, 2):
            cells = {k: _text(values[i]) for i, k in columns.items() if k and i < len(values)}
            if not any(cells.values()):
                continue
            fields = {k: v for k, v in cells.items() if v}
            for key in LISTS:
                if key in fields:
                    fields[key] = [part.strip() for part in re.split(r"[,;]", fields[key]) if part.strip()]
            if "head" in fields:
                fields["head"] = fold(fields["head"]).lower() in YES
            try:
                people.append(Person.model_validate(fields))
            except ValidationError as exc:
                for error in exc.errors():
                    key = str(error.get("loc", ("?",))[0])
                    index = next((i for i, k in columns.items() if k == key), None)
                    where = (f"cột {get_column_letter(index + 1)} ({_text(header[index])})" if index is not None
                             else f"cột «{dict((k, h) for k, h, _ in COLUMNS).get(key, key)}»")
                    problems.append(f"dòng {number}, {where}: {explain(error)}.")
    finally:
        book.close()
    if problems:
        raise PeopleFileError(source, problems)
    return people


def import_people(ctx: Context, path: Path, unit: str | None = None) -> PeopleImport:
    """Replace a unit's people with those of ``path`` (people named for another unit are left out)."""
    people = read_people(path)
    with unit_of_work(ctx.engine) as session:
        target = named_or_only_unit(session, unit, with_plans=False)
        names = {fold(target.name), fold(target.slug)}
        chosen = [p for p in people if p.unit is None or fold(p.unit) in names]
        skipped = [p.id for p in people if p not in chosen]
        changes = replace_people(session, target.id, [p.model_dump(exclude={"unit"}) for p in chosen])
        return PeopleImport(target.name, len(chosen), changes, skipped)


def _seed(ctx: Context, session, unit_id: int) -> None:
    """A unit that still uses ``people.yaml`` gets those people stored first, so that one change on the page
    keeps everyone else."""
    from dondoc.storage.models import PersonRow
    from dondoc.usecases.directory import Directory

    if session.scalar(select(PersonRow.id).where(PersonRow.unit_id == unit_id).limit(1)) is None:
        current = Directory(ctx).people(unit_id).people
        replace_people(session, unit_id, [p.model_dump(exclude={"unit"}) for p in current])
        session.flush()


def save_one(ctx: Context, unit_id: int, fields: dict) -> bool:
    """Add or change one person of a unit (the standing office's page); True when added.
    Raises :class:`PeopleFileError` for invalid fields."""
    try:
        person = Person.model_validate(fields)
    except ValidationError as exc:
        raise PeopleFileError("(biểu mẫu)", [f"{'.'.join(map(str, e.get('loc', ())))}: {explain(e)}"
                                             for e in exc.errors()]) from None
    problems = []
    if not KEY.match(person.id):
        problems.append(f"mã «{person.id[:40]}» không được có dấu cách hoặc dấu hai chấm.")
    if person.email and not EMAIL.match(person.email):
        problems.append(f"email «{person.email[:60]}» không hợp lệ.")
    if problems:
        raise PeopleFileError("(biểu mẫu)", problems)
    with unit_of_work(ctx.engine) as session:
        _seed(ctx, session, unit_id)
        return save_person(session, unit_id, person.model_dump(exclude={"unit"}))


def remove_one(ctx: Context, unit_id: int, key: str) -> bool:
    with unit_of_work(ctx.engine) as session:
        _seed(ctx, session, unit_id)
        return remove_person(session, unit_id, key)


def import_for_unit(ctx: Context, path: Path, unit_id: int) -> PeopleImport:
    """:func:`import_people` for a unit known by id (the standing office's page)."""
    from dondoc.storage.models import Unit

    with unit_of_work(ctx.engine) as session:
        name = session.get(Unit, unit_id).name
    return import_people(ctx, path, name)
