"""``dondoc check``: before any message is due, who would receive nothing, and why.

For each unit with a plan it resolves every recipient the configuration can name
(each lead and cooperating office of an item, the escalation targets for each area,
the leaders' digest, the report recipients, the standing office, who hears of
undelivered messages) among the unit's people, and checks each person against the
unit's offices and areas and their channels against the settings. Every target that
reaches nobody is named (``tag:chu-tich``, ``area:V``, ``office:…``) with where its
messages go instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from dondoc.configuration import Person
from dondoc.configuration.people import spec_title
from dondoc.domain.offices import normalize_name
from dondoc.storage.models import Area, Item, ItemOffice, Office, Plan, Unit
from dondoc.usecases.context import Context
from dondoc.usecases.directory import Directory


@dataclass(frozen=True)
class Problem:
    unit: str | None  # None: a setting, for every unit
    text: str  # as the configuration writes recipients (tag:chu-tich, area:V): for the command line
    plain: str = ""  # as people name them (Chủ tịch UBND, Phó Chủ tịch … lĩnh vực V): for the pages

    @property
    def readable(self) -> str:
        return self.plain or self.text

    def __str__(self) -> str:
        return f"{self.unit}: {self.text}" if self.unit else self.text


def _channel_settings(ctx: Context) -> list[Problem]:
    from notifications.plugins.email import NotifySMTP

    s = ctx.settings
    problems = []
    if s.smtp_url:
        parsed = NotifySMTP.parse_url(s.smtp_url) if "://" in s.smtp_url else None
        if not parsed or not parsed.get("host"):
            problems.append(Problem(None, "DONDOC_SMTP_URL không hợp lệ: dùng smtp://user:mật-khẩu@máy-chủ:cổng"
                                          "?security=starttls|ssl|none."))
    if not s.smtp_url and not s.zalo_app_id:
        problems.append(Problem(None, "Chưa cấu hình kênh gửi nào (DONDOC_SMTP_URL, DONDOC_ZALO_APP_ID): mọi tin chỉ "
                                      "ghi vào thư mục outbox, trừ người có địa chỉ Apprise riêng."))
    if bool(s.zalo_app_id) != bool(s.zalo_secret_key):
        problems.append(Problem(None, "Zalo: cần cả DONDOC_ZALO_APP_ID và DONDOC_ZALO_SECRET_KEY (đang thiếu một)."))
    elif s.zalo_app_id and not s.zalo_token_path.is_file():
        problems.append(Problem(None, "Zalo: chưa có token của OA (chạy «dondoc zalo-tokens»): tin Zalo sẽ không gửi được."))
    return problems


def _usable(ctx: Context, person: Person, people) -> list[str]:
    s = ctx.settings
    zalo = bool(s.zalo_app_id and s.zalo_secret_key)
    have = {"email": bool(person.email and s.smtp_url), "zalo": bool(person.zalo_user_id and zalo),
            "zns": bool(person.phone and zalo and ctx.config.notifications.zns.templates), "apprise": bool(person.apprise)}
    return [c for c in people.channel_order(person) if have.get(c)]


def _targets(ctx: Context, offices: list[str], areas: list[str]) -> dict[str, str]:
    """Every recipient spec the configuration names for a unit, with what it is for."""
    policy, found = ctx.policy, {}
    for office in offices:
        found.setdefault(f"office:{office}", "nhắc hạn, cảnh báo cơ quan chủ trì")
    for level in [*policy.levels, policy.still_overdue]:
        purpose = f"cảnh báo cấp {level.level}" if hasattr(level, "level") else "nhắc việc quá hạn lâu"
        for target in level.targets:
            if "{lead_office}" in target:
                continue
            for area in (areas if "{area_code}" in target else [None]):
                found.setdefault(target.replace("{area_code}", area or ""), purpose)
    standing = policy.standing_office
    found.setdefault(f"office:{standing}", "cơ quan thường trực: báo cáo, nhiệm vụ chờ sự kiện")
    for spec in [*ctx.reporting.recipients.draft, *ctx.reporting.recipients.final]:
        found.setdefault(spec.replace("{standing_office}", standing), "báo cáo định kỳ")
    for spec in policy.undelivered_targets(escalations=True):
        found.setdefault(spec, "báo tin không gửi được")
    return found


def _titles(specs: list[str]) -> str:
    """Recipient specs as people name them, the areas together: "Phó Chủ tịch UBND phụ trách lĩnh vực I, II"."""
    areas = [s.partition(":")[2] for s in specs if s.startswith("area:")]
    names = [spec_title(s) for s in specs if not s.startswith("area:")]
    if areas:
        names.insert(0, spec_title("area:" + ", ".join(areas)))
    return "; ".join(names)


def check(ctx: Context) -> list[Problem]:
    """Every problem found, settings first, then unit by unit."""
    problems = _channel_settings(ctx)
    channels = bool(ctx.settings.smtp_url or ctx.settings.zalo_app_id)
    directory = Directory(ctx)
    with ctx.engine.connect() as conn:
        units = conn.execute(select(Unit.id, Unit.name).where(Unit.plans.any()).order_by(Unit.id)).all()
        offices = conn.execute(
            select(Office.unit_id, Office.name).join(ItemOffice, ItemOffice.office_id == Office.id)
            .join(Item, Item.id == ItemOffice.item_id).where(Item.removed_at.is_(None)).distinct()
            .order_by(Office.unit_id, Office.name)).all()
        all_offices = conn.execute(select(Office.unit_id, Office.name)).all()
        areas = conn.execute(
            select(Plan.unit_id, Area.code).join(Area, Area.plan_id == Plan.id)
            .where(Area.id.in_(select(Item.area_id).where(Item.removed_at.is_(None))))
            .order_by(Plan.unit_id, Area.position)).all()
    for unit_id, unit in units:
        people = directory.people(unit_id)
        used = [name for u, name in offices if u == unit_id]
        codes = list(dict.fromkeys(code for u, code in areas if u == unit_id))
        known = {normalize_name(name) for u, name in all_offices if u == unit_id}
        if not people.people:
            problems.append(Problem(unit, "chưa có người nhận nào (people.yaml hoặc «dondoc people import»): mọi tin "
                                          "sẽ chỉ ghi vào thư mục outbox."))
            continue
        standing = [p for p in people.resolve(f"office:{ctx.policy.standing_office}") if not p.placeholder]
        instead = (f"tin chuyển cho {ctx.policy.standing_office}" if standing
                   else "tin chỉ ghi vào thư mục outbox")
        nobody: dict[str, list[str]] = {}
        for spec, purpose in _targets(ctx, used, codes).items():
            if not [p for p in people.resolve(spec) if not p.placeholder]:
                nobody.setdefault(purpose, []).append(spec)
        for purpose, specs in nobody.items():
            tail = f"không ai nhận ({purpose}); {instead}."
            problems.append(Problem(unit, f"{', '.join(specs)}: {tail}",
                                    f"{_titles(specs)}: {tail}"))
        for person in people.people:
            if person.office and normalize_name(person.office) not in known:
                problems.append(Problem(unit, f"người «{person.id}» ({person.name}): cơ quan «{person.office}» "
                                              "không có trong kế hoạch của đơn vị."))
            for area in person.areas:
                if area not in codes:
                    problems.append(Problem(unit, f"người «{person.id}» ({person.name}): lĩnh vực «{area}» không có "
                                                  f"trong kế hoạch (có: {', '.join(codes) or 'không có'})."))
            if channels and not _usable(ctx, person, people):
                problems.append(Problem(unit, f"người «{person.id}» ({person.name}): không có kênh nào dùng được "
                                              f"({', '.join(people.channel_order(person))}): tin chỉ ghi vào outbox."))
    return problems
