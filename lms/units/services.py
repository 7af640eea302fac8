"""Unit loading and the roster import/export: the business rules, no request state."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import insert, select, update
from sqlalchemy import text as sql_text

from lms.accounts import audit
from lms.accounts.permissions import scope_unit
from lms.core.params import ID_MAX, int_arg
from lms.core.tabular import (
    Column,
    ImportFailed,
    RowError,
    TemplateColumn,
    normalise_id,
    read_table,
    write_csv,
    write_template,
)
from lms.core.text import clean, fold, format_date
from lms.core.timeutil import today, utcnow
from lms.extensions import db
from lms.units import values
from lms.units.ethnicities import NAMES, vocab_key
from lms.units.models import CURRENT, LEGACY, Person, PositionAlias, RosterPeriod, Unit
from lms.units.positions import (
    POSITIONS,
    VI_GENDERS,
    VI_LABELS,
    position_label,
    position_lookup,
)

ROOT_CODE = "VN"
PAD = {"province": 2, "district": 3, "commune": 5}


# --- administrative units -------------------------------------------------------------------

def _chunks(items: list, size: int = 1000):
    for start in range(0, len(items), size):
        yield items[start:start + size]



def pad_code(code, kind: str) -> str:
    """Zero-pad a numeric code to the statistics-office width of `kind` ("6652" → "06652")."""
    text = clean(str(code))
    if text.isdigit() and kind in PAD:
        return text.zfill(PAD[kind])
    return text


def lookup_unit(code, kind: str | None = None, system: str = CURRENT) -> Unit | None:
    """Find a unit by code; numeric codes match with or without zero-padding."""
    text = clean(str(code or ""))
    if not text:
        return None
    kinds = [kind] if kind else (["province", "commune"] if len(text) <= 2 else ["commune"])
    for k in kinds:
        unit = db.session.scalar(select(Unit).where(
            Unit.system == system, Unit.code == pad_code(text, k), Unit.kind == k))
        if unit is not None:
            return unit
    if kind is None:
        return db.session.scalar(select(Unit).where(Unit.system == system, Unit.code == text))
    return None


@dataclass
class UnitSpec:
    """A unit to upsert: code, name, kind, division label and parent code (same system)."""

    code: str
    name: str
    kind: str
    division: str | None
    parent_code: str | None


def upsert_units(system: str, specs: list[UnitSpec]) -> tuple[int, int]:
    """Insert or update units of one system, parents before children; returns (new, updated).

    New units are bulk-inserted level by level (a national load is ~14,000 rows); `path` is
    rebuilt from the parent chain, so moving a unit moves its subtree in scope checks.
    """
    rows = {code: (uid, name, kind, division, parent_id, path) for uid, code, name, kind,
            division, parent_id, path in db.session.execute(
                select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.division, Unit.parent_id,
                       Unit.path).where(Unit.system == system))}
    new = updated = 0
    pending = list(specs)
    while pending:
        # Parents come first in `specs`; each pass handles the units whose parent is known.
        ready = [s for s in pending if not s.parent_code or s.parent_code in rows]
        if not ready:
            raise ValueError(f"unknown parent codes: {sorted({s.parent_code for s in pending})}")
        taken = {id(s) for s in ready}
        pending = [s for s in pending if id(s) not in taken]
        inserts, changes = [], []
        for spec in ready:
            parent_id = rows[spec.parent_code][0] if spec.parent_code else None
            old = rows.get(spec.code)
            if old is None:
                inserts.append({"system": system, "code": spec.code, "name": spec.name,
                                "kind": spec.kind, "division": spec.division,
                                "parent_id": parent_id, "path": "/"})
            elif old[1:5] != (spec.name, spec.kind, spec.division, parent_id):
                changes.append({"id": old[0], "name": spec.name, "kind": spec.kind,
                                "division": spec.division, "parent_id": parent_id})
        for chunk in _chunks(inserts, 2000):
            db.session.execute(insert(Unit), chunk)
        for chunk in _chunks(changes, 2000):
            db.session.execute(update(Unit), chunk)
        new, updated = new + len(inserts), updated + len(changes)
        codes = [s.code for s in ready]
        for chunk in _chunks(codes, 2000):
            for uid, code, name, kind, division, parent_id, path in db.session.execute(
                    select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.division,
                           Unit.parent_id, Unit.path).where(Unit.system == system,
                                                             Unit.code.in_(chunk))):
                rows[code] = (uid, name, kind, division, parent_id, path)
        paths = []
        for spec in ready:
            uid, *_, path = rows[spec.code]
            parent_path = rows[spec.parent_code][5] if spec.parent_code else "/"
            wanted = f"{parent_path}{uid}/"
            if path != wanted:
                paths.append({"id": uid, "path": wanted})
                rows[spec.code] = (*rows[spec.code][:5], wanted)
        for chunk in _chunks(paths, 2000):
            db.session.execute(update(Unit), chunk)
    db.session.expire_all()
    return new, updated


def load_current_units() -> tuple[int, int]:
    """Load the country, 34 provinces and 3,321 communes from `vietnam-provinces` (idempotent)."""
    from vietnam_provinces import Province, Ward

    specs = [UnitSpec(ROOT_CODE, "Việt Nam", "country", None, None)]
    for p in Province.iter_all():
        specs.append(UnitSpec(pad_code(int(p.code), "province"), clean(p.name), "province",
                              str(p.division_type.value), ROOT_CODE))
    for w in Ward.iter_all():
        specs.append(UnitSpec(pad_code(int(w.code), "commune"), clean(w.name), "commune",
                              str(w.division_type.value),
                              pad_code(int(w.province_code), "province")))
    return upsert_units(CURRENT, specs)


def load_legacy_units() -> tuple[int, int]:
    """Load the pre-2025 units (63 provinces, 696 districts, 10,051 communes), for old records."""
    from vietnam_provinces import legacy

    specs = []
    for p in legacy.Province.iter_all():
        specs.append(UnitSpec(pad_code(int(p.code), "province"), clean(p.name), "province",
                              str(p.division_type.value), None))
    for d in legacy.District.iter_all():
        specs.append(UnitSpec(pad_code(int(d.code), "district"), clean(d.name), "district",
                              str(d.division_type.value),
                              pad_code(int(d.province_code), "province")))
    for w in legacy.Ward.iter_all():
        specs.append(UnitSpec(pad_code(int(w.code), "commune"), clean(w.name), "commune",
                              str(w.division_type.value),
                              pad_code(int(w.district_code), "district")))
    # District and commune codes share no namespace with provinces but may collide with each
    # other's padded forms; they are kept distinct by width (3 vs 5 digits).
    return upsert_units(LEGACY, specs)


UNIT_COLUMNS = [Column("code", ("code", "ma"), True), Column("name", ("name", "ten"), True),
                Column("kind", ("kind", "cap"), True),
                Column("parent_code", ("parent_code", "ma_cha"))]


def import_units(data: bytes, filename: str, system: str = "custom", by=None) -> tuple[int, int]:
    """Import a custom hierarchy from CSV/XLSX (`code,name,kind,parent_code`), all or nothing.

    :param system: the code system the units belong to (not `current`, which comes from the
        package)
    """
    if system == CURRENT:
        raise ImportFailed([RowError(None, None, _(
            "hệ mã 'current' chỉ được nạp từ gói vietnam-provinces"))])
    table = read_table(data, filename, UNIT_COLUMNS)
    known = set(db.session.scalars(select(Unit.code).where(Unit.system == system)))
    errors, specs, seen = [], [], {}
    for number, row in table.rows:
        code, name, kind = clean(row["code"]), clean(row["name"]), clean(row["kind"])
        parent = clean(row.get("parent_code", "")) or None
        if not code:
            errors.append(RowError(number, table.headers["code"], _("thiếu mã")))
        elif code in seen:
            errors.append(RowError(number, table.headers["code"],
                                   _("mã %(c)s trùng với dòng %(r)s", c=code, r=seen[code])))
        if not name:
            errors.append(RowError(number, table.headers["name"], _("thiếu tên")))
        if not kind:
            errors.append(RowError(number, table.headers["kind"], _("thiếu cấp")))
        if parent and parent not in seen and parent not in known:
            errors.append(RowError(number, table.headers.get("parent_code"), _(
                "mã đơn vị cha %(c)s chưa có (đơn vị cha phải đứng trước)", c=parent)))
        seen.setdefault(code, number)
        specs.append(UnitSpec(code, name, kind, None, parent))
    if errors:
        raise ImportFailed(errors)
    result = upsert_units(system, specs)
    audit.record("units.import", actor=by, target=filename, system=system, rows=len(specs))
    return result


# --- the roster -----------------------------------------------------------------------------

ROSTER_COLUMNS = [
    Column("staff_id", ("ma_nhan_su", "Mã NS", "Mã cán bộ", "Mã số cán bộ", "Mã nhân viên",
                        "staff_id", "employee_id"), True),
    Column("full_name", ("ho_ten", "Họ và tên", "Họ tên đầy đủ", "full_name", "name"), True),
    Column("gender", ("gioi_tinh", "Giới", "Phái", "gender", "sex")),
    Column("birth_year", ("nam_sinh", "Ngày sinh", "Ngày tháng năm sinh", "birth_year",
                          "year_of_birth", "date_of_birth")),
    Column("position", ("chuc_danh", "Chức vụ", "Chức danh, chức vụ", "Vị trí công tác",
                        "position", "job_title"), True),
    # a row may leave ma_xa empty when it gives the old code in ma_xa_cu
    Column("commune_code", ("ma_xa", "Mã xã, phường", "Mã xã/phường/đặc khu", "Mã đơn vị",
                            "commune_code"), True),
    Column("legacy_commune_code", ("ma_xa_cu", "Mã xã cũ", "legacy_commune_code")),
    Column("commune_name", ("ten_xa", "Tên xã, phường", "Tên xã/phường/đặc khu", "Xã, phường",
                            "Xã", "commune_name", "commune")),
    Column("phone", ("so_dien_thoai", "Điện thoại", "SĐT", "Số ĐT", "Điện thoại di động",
                     "phone", "phone_number", "mobile")),
    Column("ethnicity", ("dan_toc", "ethnicity", "ethnic_group")),
    Column("in_target", ("muc_tieu", "Tính vào mục tiêu", "in_target")),
    Column("started_on", ("ngay_bat_dau", "Ngày bắt đầu", "Ngày nhận nhiệm vụ", "started_on",
                          "start_date")),
    Column("left_on", ("ngay_nghi", "Ngày nghỉ việc", "Ngày thôi việc", "left_on")),
    # With --legacy-codes: the current commune, for an old commune split between several
    Column("current_commune_code", ("ma_xa_moi", "current_commune_code")),
]
EXPORT_HEADERS = ["ma_nhan_su", "ho_ten", "gioi_tinh", "nam_sinh", "chuc_danh", "ma_xa",
                  "so_dien_thoai", "dan_toc", "muc_tieu", "ngay_nghi"]
FIELDS = ("full_name", "gender", "birth_year", "position", "commune_id", "phone", "ethnicity",
          "in_target", "left_on")
# The file column that carries each field: a field whose column is absent is left as stored.
FIELD_COLUMNS = {"full_name": ("full_name",), "gender": ("gender",),
                 "birth_year": ("birth_year",), "position": ("position",),
                 "commune_id": ("commune_code", "legacy_commune_code"), "phone": ("phone",),
                 "ethnicity": ("ethnicity",), "in_target": ("in_target",),
                 "left_on": ("left_on",)}
STATE = ("commune_id", "position", "in_target")   # what roster periods keep
DEFAULTS = {"gender": None, "birth_year": None, "phone": None, "ethnicity": None,
            "in_target": True, "left_on": None}
MIN_BIRTH_YEAR = 1920
MIN_AGE = 15
RECORDS_START = date(2000, 1, 1)   # no roster date or completion lies before it
SHOWN = 200   # people listed per preview section (the counts are always complete)


@dataclass
class PersonChange:
    """One existing person an import changes: (column, old, new) per changed field."""

    staff_id: str
    full_name: str
    fields: list[tuple[str, str, str]]


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do), with the preview's details."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)   # rows skipped by the reader, and why
    ignored: list[str] = field(default_factory=list)      # headers of columns not imported
    as_of: date | None = None
    changes: list[PersonChange] = field(default_factory=list)
    added: list[tuple[str, str]] = field(default_factory=list)          # (staff id, name)
    missing: list[tuple[str, str, str]] = field(default_factory=list)   # (id, name, commune)
    left: int = 0                                          # of `missing`, marked as left
    warnings: list[str] = field(default_factory=list)      # possible duplicate people

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


# Pure and memoised: a roster repeats many names.
_fold = lru_cache(maxsize=65536)(fold)
PROGRESS_STEP = 500  # rows per progress callback: a bar redrawn per row costs seconds
ANALYZE_AFTER = 5000  # new rows after which PostgreSQL's statistics are refreshed at once


_text = values.text


@lru_cache(maxsize=16384)
def _legacy_matches(code: str) -> frozenset[str]:
    """The current commune codes (padded) that took over part of a pre-2025 commune."""
    from vietnam_provinces import Ward

    try:
        number = int_arg(code, min=1, max=ID_MAX)
    except ValueError:
        return frozenset()
    return frozenset(pad_code(int(m.ward.code), "commune")
                     for m in Ward.search_from_legacy(code=number))


@lru_cache(maxsize=1)
def _legacy_names() -> dict[str, str]:
    """Pre-2025 commune names by padded code (from `vietnam_provinces.legacy`)."""
    from vietnam_provinces import legacy

    return {pad_code(int(w.code), "commune"): clean(w.name) for w in legacy.Ward.iter_all()}


@dataclass
class _Context:
    """What every row of one import is checked against."""

    headers: dict[str, str]
    communes: dict[str, tuple]        # padded code → (id, path, name)
    scope_path: str | None
    legacy_codes: bool
    latest_birth: int
    vocab: "_Vocab"
    today: date


@dataclass
class _Vocab:
    """The lookups of one import: admins' position aliases, and memo tables per vocabulary."""

    positions: dict[str, str]
    caches: dict[str, dict] = field(default_factory=lambda: {
        "position": {}, "gender": {}, "ethnicity": {}, "flag": {}})


def _old_commune(old: str, name, mixed: bool, ctx: _Context) -> tuple[str | None, str | None]:
    """The current commune for a pre-2025 code: (padded code, None) or (None, reason).

    In a `--legacy-codes` file (`mixed`) a code may still be a current one: a code that is a
    current commune and an old one that went elsewhere is ambiguous, and only a commune name
    that matches one of the two settles it.
    """
    if not old.isdigit():
        return None, _("mã xã cũ '%(c)s' phải là số", c=old)
    padded = pad_code(old, "commune")
    matches = _legacy_matches(padded)
    current = ctx.communes.get(padded)
    if mixed and current is not None and matches != {padded}:
        old_name = _legacy_names().get(padded)
        if not matches:
            return padded, None
        key = values.commune_key(str(name)) if name else None
        if key and key == values.commune_key(current[2]):
            return padded, None
        if not key or old_name is None or key != values.commune_key(old_name):
            return None, _(
                "mã %(c)s vừa là xã hiện hành %(n)s vừa là xã cũ %(o)s (nay thuộc %(m)s): ghi "
                "cột Tên xã để chọn, hoặc ghi mã xã mới vào cột ma_xa_moi", c=padded,
                n=current[2], o=old_name or "?", m=", ".join(sorted(matches)))
    if not matches:
        return None, _("không có xã cũ mã %(c)s", c=old)
    if len(matches) > 1:
        target = "ma_xa_moi" if mixed else "ma_xa"
        return None, _("xã cũ %(c)s đã chia cho nhiều xã mới (%(n)s); hãy ghi mã xã mới "
                       "vào cột %(t)s", c=old, n=", ".join(sorted(matches)), t=target)
    return next(iter(matches)), None


def _commune(number: int, row: dict, ctx: _Context, errors: list) -> int | None:
    """The commune id of a row from `ma_xa` / `ma_xa_cu` / `ma_xa_moi`, checked against the
    user's scope and the commune name; problems are appended to `errors`."""
    headers = ctx.headers
    given = _text(str(row.get("commune_code") or ""))
    if ctx.legacy_codes:   # ma_xa holds old codes, ma_xa_moi the current one where needed
        old, code, column = given, clean(str(row.get("current_commune_code") or "")), \
            "current_commune_code"
    else:
        old, code, column = (_text(str(row.get("legacy_commune_code") or "")), given,
                             "commune_code")
    name = row.get("commune_name")
    if not code and not old:
        errors.append(RowError(number, headers.get("commune_code")
                               or headers.get("legacy_commune_code"), _("thiếu mã xã")))
        return None
    if code and old:
        matches = _legacy_matches(pad_code(old, "commune")) if old.isdigit() else set()
        if matches and pad_code(code, "commune") not in matches:
            errors.append(RowError(number, headers[column], _(
                "xã mới %(n)s không nhận phần nào của xã cũ %(c)s (%(m)s)", n=code, c=old,
                m=", ".join(sorted(matches)))))
            return None
    elif old:
        code, reason = _old_commune(old, name, ctx.legacy_codes, ctx)
        if reason:
            errors.append(RowError(number, headers.get("commune_code") if ctx.legacy_codes
                                   else headers["legacy_commune_code"], reason))
            return None
    padded = pad_code(code, "commune")
    unit = ctx.communes.get(padded)
    if unit is None:
        hint = ""
        if not ctx.legacy_codes and padded in _legacy_names():
            hint = _("; %(c)s là mã xã cũ (trước 01/7/2025) %(n)s: ghi vào cột ma_xa_cu hoặc "
                     "chọn \"mã cũ\"", c=padded, n=_legacy_names()[padded])
        errors.append(RowError(number, headers[column], _(
            "không có xã/phường/đặc khu mã %(c)s", c=code) + hint))
        return None
    if ctx.scope_path is not None and not unit[1].startswith(ctx.scope_path):
        errors.append(RowError(number, headers[column], _(
            "xã %(c)s nằm ngoài phạm vi quản lý của bạn", c=code)))
        return None
    if name:
        old_name = _legacy_names().get(pad_code(old, "commune")) if old else None
        if not (old_name and values.commune_key(str(name))
                == values.commune_key(old_name)):
            try:
                values.commune_name(name, padded, unit[2])
            except values.Refused as exc:
                errors.append(RowError(number, headers["commune_name"], str(exc)))
                return None
    return unit[0]


def _check_row(number: int, row: dict, ctx: _Context, errors: list) -> dict | None:
    """Validate one roster row into Person fields, appending every problem to `errors`.

    Each cell goes through its function in `lms.units.values`, which normalises it or says why
    it is refused. Every field is returned; the caller keeps those whose column is present.
    """
    before = len(errors)

    def cell(key, check, *args):
        try:
            return check(row.get(key, ""), *args)
        except values.Refused as exc:
            errors.append(RowError(number, ctx.headers.get(key, key), str(exc)))
            return None

    caches = ctx.vocab.caches
    staff_id = cell("staff_id", values.staff_id)
    name = cell("full_name", values.full_name)
    gender = cell("gender", values.gender, caches["gender"])
    birth_year = cell("birth_year", values.birth_year, MIN_BIRTH_YEAR, ctx.latest_birth)
    position = cell("position", values.position, ctx.vocab.positions, caches["position"])
    commune_id = _commune(number, row, ctx, errors)
    phone = cell("phone", values.phone)
    ethnicity = cell("ethnicity", values.ethnicity, caches["ethnicity"])
    in_target = cell("in_target", values.flag, caches["flag"])
    started_on = cell("started_on", values.day_between, RECORDS_START, ctx.today)
    left_on = cell("left_on", values.day_between, RECORDS_START, ctx.today)
    _left_after_start(number, ctx.headers.get("left_on"), left_on, started_on, errors)
    if len(errors) > before:
        return None
    return {"staff_id": staff_id, "full_name": name, "name_search": _fold(name), "gender": gender,
            "birth_year": birth_year, "position": position, "commune_id": commune_id,
            "phone": phone, "ethnicity": ethnicity, "in_target": in_target, "left_on": left_on,
            "started_on": started_on}


def _left_after_start(number: int, column: str | None, left_on: date | None,
                      since: date | None, errors: list) -> None:
    """Refuse a leaving date on or before the day the person's state began."""
    if left_on is not None and since is not None and left_on <= since:
        errors.append(RowError(number, column, _(
            "ngày nghỉ %(l)s phải sau ngày bắt đầu %(s)s", l=format_date(left_on),
            s=format_date(since))))


def _show(field_name: str, value, commune_names: dict) -> str:
    """A stored value as the preview shows it."""
    if value is None:
        return "—"
    if field_name == "commune_id":
        return commune_names.get(value, str(value))
    if field_name == "position":
        return position_label(value)
    if field_name == "in_target":
        return _("có") if value else _("không")
    if field_name == "gender":
        return VI_GENDERS.get(value, value)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def _plan_update(number: int, record: dict, old, as_of: date, ctx: _Context,
                 errors: list) -> tuple[dict, dict | None]:
    """The new values of an existing person and the past period to close (or None).

    The current state (commune, position, target status) runs from `since` to `left_on`; a
    change on day E (the row's start date, else the import's "as of" date) closes it as a
    period ending on E, and so does clearing a leaving date (the gap in between belongs to no
    unit). A change dated before the current state began is refused.
    """
    new = {f: record.get(f, getattr(old, f)) for f in FIELDS} | {"since": old.since}
    moved = any(new[f] != getattr(old, f) for f in STATE)
    back = old.left_on is not None and new["left_on"] is None
    period = None
    column = ctx.headers.get("started_on")
    if moved or back:
        on = record.get("started_on") or as_of
        if old.since is not None and on < old.since:
            errors.append(RowError(number, column, _(
                "thay đổi ngày %(d)s trước ngày tình trạng hiện tại bắt đầu (%(s)s); nhập các "
                "danh sách theo thứ tự ngày", d=format_date(on), s=format_date(old.since))))
            return new, None
        if moved and not back and old.left_on is not None and old.left_on <= on:
            errors.append(RowError(number, ctx.headers.get("left_on"), _(
                "người này đã nghỉ từ %(d)s; muốn ghi vị trí mới hãy để trống Ngày nghỉ",
                d=format_date(old.left_on))))
            return new, None
        if old.since != on:
            end = min(old.left_on, on) if old.left_on else on
            period = {"person_id": old.id, "commune_id": old.commune_id,
                      "position": old.position, "in_target": old.in_target,
                      "valid_from": old.since, "valid_to": end}
        new["since"] = on
    _left_after_start(number, ctx.headers.get("left_on"), new["left_on"], new["since"], errors)
    return new, period


def _duplicates(added: list[dict], numbers: dict[str, int]) -> list[str]:
    """Warnings for new people who share a folded name and birth year with someone else (in
    the file or on the roster) under another staff id."""
    keyed = [r for r in added if r.get("birth_year")]
    warnings = []
    seen: dict[tuple, str] = {}
    for r in keyed:
        key = (r["name_search"], r["birth_year"])
        if key in seen:
            warnings.append(_(
                "dòng %(r)s: %(n)s (mã %(i)s, sinh %(y)s) có thể là cùng người với mã %(s)s ở "
                "dòng %(o)s", r=numbers[r["staff_id"]], n=r["full_name"], i=r["staff_id"],
                y=r["birth_year"], s=seen[key], o=numbers[seen[key]]))
        else:
            seen[key] = r["staff_id"]
    for chunk in _chunks(sorted({r["name_search"] for r in keyed})):
        for staff_id, name, year in db.session.execute(
                select(Person.staff_id, Person.full_name, Person.birth_year)
                .where(Person.name_search.in_(chunk), Person.birth_year.is_not(None))):
            other = seen.get((_fold(name), year))
            if other is not None and other != staff_id:
                warnings.append(_(
                    "dòng %(r)s: mã %(i)s có thể là cùng người với %(n)s (sinh %(y)s) đã có "
                    "mã %(s)s", r=numbers[other], i=other, n=name, y=year, s=staff_id))
    return warnings


def import_roster(data: bytes, filename: str, *, by=None, dry_run: bool = False,
                  legacy_codes: bool = False, as_of: date | None = None, initial: bool = False,
                  mark_left: date | None = None,
                  progress: Callable[[int], None] | None = None,
                  started: Callable[[int], None] | None = None) -> ImportResult:
    """Check every row, then upsert the roster by staff id — or write nothing and raise.

    A column absent from the file leaves that field as stored; a present one is authoritative
    (an empty cell clears the value). Changes of commune, position or target status are dated
    and keep the earlier state as a `RosterPeriod`.

    :param data: CSV/XLSX bytes
    :param filename: the upload's name
    :param by: the acting user; an admin limited to a unit may only touch that subtree
    :param dry_run: compute the preview (changes, new and missing people) without writing
    :param legacy_codes: `ma_xa` holds pre-2025 commune codes, mapped to current communes
    :param as_of: the day the list describes (default today): new people and changes date
        from it unless the row has a start date
    :param initial: new people are present since the start of records, not since `as_of`
    :param mark_left: mark the people of the file's communes who are missing from it as left
        on this day
    :param progress: called with the number of rows just checked
    :param started: called with the number of data rows once the file is read
    :raises ImportFailed: with every error, row by row
    """
    table = read_table(data, filename, ROSTER_COLUMNS)
    if started:
        started(len(table.rows))
    day = today()
    as_of = as_of or day
    errors: list[RowError] = []
    if not RECORDS_START <= as_of <= day:
        errors.append(RowError(None, None, _(
            "ngày áp dụng %(d)s phải từ %(a)s đến hôm nay", d=format_date(as_of),
            a=format_date(RECORDS_START))))
    if mark_left is not None and not RECORDS_START <= mark_left <= day:
        errors.append(RowError(None, None, _(
            "ngày nghỉ %(d)s phải từ %(a)s đến hôm nay", d=format_date(mark_left),
            a=format_date(RECORDS_START))))
    if errors:
        raise ImportFailed(errors)
    scope = scope_unit(by) if by is not None else None
    communes = {code: (uid, path, name) for uid, code, path, name in db.session.execute(
        select(Unit.id, Unit.code, Unit.path, Unit.name).where(Unit.system == CURRENT,
                                                               Unit.kind == "commune"))}
    ctx = _Context(table.headers, communes, scope.path if scope is not None else None,
                   legacy_codes, day.year - MIN_AGE, _Vocab(position_lookup()), day)
    present = [f for f, keys in FIELD_COLUMNS.items() if any(k in table.headers for k in keys)]
    records: list[dict] = []
    first_row: dict[str, int] = {}
    pending = 0
    for number, row in table.rows:
        record = _check_row(number, row, ctx, errors)
        staff_id = (record["staff_id"] if record is not None
                    else normalise_id(_text(row["staff_id"])))
        if staff_id:
            if staff_id in first_row:
                errors.append(RowError(number, table.headers["staff_id"], _(
                    "mã nhân sự %(s)s trùng với dòng %(r)s", s=staff_id, r=first_row[staff_id])))
                record = None
            else:
                first_row[staff_id] = number
        if record is not None:
            records.append({k: record[k] for k in present}
                           | {k: record[k] for k in ("staff_id", "name_search", "started_on")})
        pending += 1
        if progress and pending == PROGRESS_STEP:
            progress(pending)
            pending = 0
    if progress and pending:
        progress(pending)
    if not table.rows:
        errors.append(RowError(None, None, _("tệp không có dòng dữ liệu nào")))

    existing: dict[str, tuple] = {}
    persons = Person.__table__  # Core rows: no ORM bookkeeping for 100,000 lookups
    lookup = select(persons.c.id, persons.c.staff_id, persons.c.since,
                    *[persons.c[f] for f in FIELDS])
    for chunk in _chunks([r["staff_id"] for r in records]):  # within every SQLite's limit
        for row in db.session.execute(lookup.where(persons.c.staff_id.in_(chunk))):
            existing[row.staff_id] = row
    if ctx.scope_path is not None and existing:
        paths = dict(db.session.execute(select(Unit.id, Unit.path).where(
            Unit.id.in_({row.commune_id for row in existing.values()}))).all())
        for staff_id, row in existing.items():
            if not paths[row.commune_id].startswith(ctx.scope_path):
                errors.append(RowError(first_row[staff_id], table.headers["staff_id"], _(
                    "nhân sự %(s)s thuộc đơn vị ngoài phạm vi quản lý của bạn", s=staff_id)))

    result = ImportResult(dry_run=dry_run, notes=table.notes, ignored=table.ignored, as_of=as_of)
    names = {uid: f"{code} {name}" for code, (uid, _path, name) in communes.items()}
    inserts, updates, periods = [], [], []
    for record in records:
        staff_id = record.pop("staff_id")
        started_on = record.pop("started_on")
        old = existing.get(staff_id)
        if old is None:
            row = DEFAULTS | record | {"staff_id": staff_id}
            # someone listed as having already left held the post from an unknown day: from
            # the start of records, like an initial roster
            past = row["left_on"] is not None and row["left_on"] <= as_of
            since = row["since"] = started_on or (None if initial or past else as_of)
            _left_after_start(first_row[staff_id], table.headers.get("left_on"), row["left_on"],
                              since, errors)
            inserts.append(row)
            result.added.append((staff_id, row["full_name"]))
            continue
        new, period = _plan_update(first_row[staff_id], record | {"started_on": started_on},
                                   old, as_of, ctx, errors)
        diff = [(table.headers[next(k for k in FIELD_COLUMNS[f] if k in table.headers)],
                 _show(f, getattr(old, f), names), _show(f, new[f], names))
                for f in FIELDS if new[f] != getattr(old, f)]
        if not diff:
            result.unchanged += 1
            continue
        result.changes.append(PersonChange(staff_id, old.full_name, diff))
        updates.append({"id": old.id, "name_search": _fold(new["full_name"])} | new)
        if period:
            periods.append(period)

    covered = {r["commune_id"] for r in records}
    listed = set(first_row)
    leavers = []
    for chunk in _chunks(sorted(covered)):
        for pid, staff_id, name, commune_id, since in db.session.execute(
                select(Person.id, Person.staff_id, Person.full_name, Person.commune_id,
                       Person.since)
                .where(Person.commune_id.in_(chunk),
                       Person.left_on.is_(None) | (Person.left_on > as_of))
                .order_by(Person.staff_id)):
            if staff_id in listed:
                continue
            result.missing.append((staff_id, name, names.get(commune_id, "")))
            if mark_left is not None:
                if since is not None and mark_left <= since:
                    errors.append(RowError(None, None, _(
                        "%(s)s: ngày nghỉ %(l)s phải sau ngày bắt đầu %(d)s", s=staff_id,
                        l=format_date(mark_left), d=format_date(since))))
                leavers.append({"id": pid, "left_on": mark_left})
    if errors:
        raise ImportFailed(errors)
    result.missing.sort()
    result.warnings = _duplicates(inserts, first_row)
    result.new, result.updated, result.left = len(inserts), len(updates), len(leavers)
    if dry_run:
        return result
    # One timestamp for the whole import, given explicitly: a Python default evaluated per row
    # would split the batch into many statements. Core insert = one executemany per chunk.
    now = utcnow()
    for chunk in _chunks(inserts, 5000):
        db.session.execute(insert(Person.__table__),
                           [r | {"created_at": now, "updated_at": now} for r in chunk])
    for chunk in _chunks(periods, 5000):
        db.session.execute(insert(RosterPeriod.__table__), chunk)
    for chunk in _chunks(updates + leavers, 5000):
        db.session.execute(update(Person), [r | {"updated_at": now} for r in chunk])
    if len(inserts) >= ANALYZE_AFTER and db.session.get_bind().dialect.name == "postgresql":
        # Until autovacuum catches up (a minute or more), the planner still thinks the table
        # is small and the next import's staff-id lookups take ten times longer.
        db.session.execute(sql_text(f"ANALYZE {Person.__tablename__}"))
    audit.record("roster.import", actor=by, target=filename, new=result.new,
                 updated=result.updated, unchanged=result.unchanged, left=result.left,
                 as_of=as_of.isoformat(), initial=initial)
    return result


def roster_query(unit: Unit | None = None):
    """A select of Person rows within `unit`'s subtree (everything for None), by staff id."""
    stmt = select(Person).join(Unit, Person.commune_id == Unit.id).order_by(Person.staff_id)
    if unit is not None:
        stmt = stmt.where(Unit.path.startswith(unit.path, autoescape=True))
    return stmt


def export_roster(unit: Unit | None = None, by=None) -> bytes:
    """The roster of `unit` as CSV in the import format, so a file round-trips."""
    gender_out = {"male": "Nam", "female": "Nữ", "other": "Khác"}
    rows = []
    for person, commune_code in db.session.execute(roster_query(unit).add_columns(Unit.code)):
        rows.append([person.staff_id, person.full_name, gender_out.get(person.gender, ""),
                     person.birth_year or "", person.position, commune_code,
                     person.phone or "", person.ethnicity or "",
                     "có" if person.in_target else "không", format_date(person.left_on)])
    audit.record("roster.export", actor=by, target=unit.code if unit else ROOT_CODE,
                 rows=len(rows))
    return write_csv(EXPORT_HEADERS, rows)


def in_post(person: Person, on: date) -> bool:
    """Still in post on `on` (no leaving date, or leaving after it)."""
    return person.left_on is None or person.left_on > on


# --- position aliases -----------------------------------------------------------------------

class VocabularyError(ValueError):
    """A vocabulary change was refused; the message is shown to the user."""


def add_position_alias(label: str, position: str, *, by) -> PositionAlias:
    """Let files name `position` as `label` too (any case, diacritics optional).

    :param label: the name as offices write it ("Thôn đội trưởng")
    :param position: a position code
    :param by: the acting admin (audited)
    :raises VocabularyError: unknown position, empty label, or a name already taken
    """
    label = clean(label)
    key = vocab_key(label)
    if position not in POSITIONS:
        raise VocabularyError(_("không có chức danh mã '%(c)s'", c=position))
    if not key:
        raise VocabularyError(_("tên gọi phải có chữ hoặc số"))
    taken = position_lookup().get(key)
    if taken is not None:
        raise VocabularyError(_("'%(l)s' đã là tên của chức danh %(p)s", l=label,
                                p=position_label(taken)))
    alias = PositionAlias(key=key, label=label[:200], position=position,
                          created_by_id=getattr(by, "id", None))
    db.session.add(alias)
    db.session.flush()
    audit.record("position_alias.add", actor=by, target=label, position=position)
    return alias


def delete_position_alias(alias: PositionAlias, *, by) -> None:
    """Remove an admin's alias (built-in names cannot be removed); audited."""
    audit.record("position_alias.delete", actor=by, target=alias.label, position=alias.position)
    db.session.delete(alias)


# --- the blank template ---------------------------------------------------------------------

def roster_template(unit: Unit | None = None) -> bytes:
    """A blank roster workbook to fill in: the headers, drop-downs for positions, gender,
    ethnic groups and the communes within `unit`, and an instructions sheet.

    :param unit: the user's scope (`scope_unit`); None offers every current commune
    """
    scope = unit
    stmt = select(Unit.code, Unit.name).where(Unit.system == CURRENT, Unit.kind == "commune")
    if scope is not None:
        stmt = stmt.where(Unit.path.startswith(scope.path, autoescape=True))
    communes = db.session.execute(stmt.order_by(Unit.code)).all()
    columns = [
        TemplateColumn("Mã nhân sự", _("mã riêng của mỗi người, không trùng; giữ nguyên số 0 "
                                       "ở đầu"), True, text=True, width=16),
        TemplateColumn("Họ và tên", _("họ tên đầy đủ, có dấu"), True, width=28),
        TemplateColumn("Giới tính", _("chọn trong danh sách"), choices=tuple(VI_GENDERS.values()),
                       width=10),
        TemplateColumn("Năm sinh", _("năm (vd. 1985) hoặc ngày sinh dd/mm/yyyy"), width=10),
        TemplateColumn("Chức danh", _("chọn trong danh sách (hoặc một tên gọi khác ở trang "
                                      "Danh mục chức danh)"), True,
                       choices=tuple(VI_LABELS.values()), width=30),
        TemplateColumn("Mã xã", _("mã xã/phường/đặc khu hiện hành (5 chữ số, xem bảng dưới)"),
                       True, choices=tuple(code for code, _name in communes), text=True,
                       width=10),
        TemplateColumn("Tên xã", _("không bắt buộc; nếu ghi phải khớp với mã xã"),
                       choices=tuple(name for _code, name in communes), width=24),
        TemplateColumn("Số điện thoại", _("10 chữ số bắt đầu bằng 0"), text=True, width=14),
        TemplateColumn("Dân tộc", _("chọn một trong 54 dân tộc"), choices=tuple(NAMES),
                       width=14),
        TemplateColumn("Mục tiêu", _("có/không: người này có tính vào chỉ tiêu 100% không "
                                     "(để trống = có)"), choices=("có", "không"), width=10),
        TemplateColumn("Ngày nghỉ", _("ngày thôi giữ vị trí, dd/mm/yyyy (để trống nếu đang "
                                      "làm)"), date=True, width=12),
    ]
    instructions = [
        _("Mẫu danh sách nhân sự tập huấn"),
        _("Điền mỗi người một dòng ở trang \"Danh sách\", từ dòng 2. Có thể thêm dòng tiêu đề "
          "phía trên hoặc chữ ký phía dưới danh sách; trang hướng dẫn này và trang danh mục ẩn "
          "không được nhập."),
        _("Các cột tô màu là bắt buộc. Mọi dòng được kiểm tra trước khi ghi; có lỗi thì không "
          "ghi gì và mỗi lỗi nói rõ dòng, cột và cách sửa."),
    ]
    reference = ([_("Mã xã"), _("Tên xã")], [list(row) for row in communes])
    return write_template("Danh sách", columns, instructions, reference=reference)
