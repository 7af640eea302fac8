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
from lms.core.tabular import (
    Column,
    ImportFailed,
    RowError,
    clean_text,
    parse_bool,
    read_table,
    write_csv,
)
from lms.core.text import clean, fold, format_date
from lms.core.timeutil import parse_date, today, utcnow
from lms.extensions import db
from lms.units.models import CURRENT, LEGACY, Person, Unit
from lms.units.positions import parse_gender, parse_position

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
    Column("staff_id", ("ma_nhan_su", "staff_id"), True),
    Column("full_name", ("ho_ten", "full_name"), True),
    Column("gender", ("gioi_tinh", "gender")),
    Column("birth_year", ("nam_sinh", "birth_year")),
    Column("position", ("chuc_danh", "position"), True),
    Column("commune_code", ("ma_xa", "commune_code"), True),
    Column("phone", ("so_dien_thoai", "phone")),
    Column("ethnicity", ("dan_toc", "ethnicity")),
    Column("in_target", ("muc_tieu", "in_target")),
    Column("left_on", ("ngay_nghi", "left_on")),
    # With --legacy-codes: the current commune, for an old commune split between several
    Column("current_commune_code", ("ma_xa_moi", "current_commune_code")),
]
EXPORT_HEADERS = ["ma_nhan_su", "ho_ten", "gioi_tinh", "nam_sinh", "chuc_danh", "ma_xa",
                  "so_dien_thoai", "dan_toc", "muc_tieu", "ngay_nghi"]
FIELDS = ("full_name", "gender", "birth_year", "position", "commune_id", "phone", "ethnicity",
          "in_target", "left_on")
MIN_BIRTH_YEAR = 1920
MIN_AGE = 15


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


# Pure lookups, memoised: a roster repeats the same positions, genders, flags and many names.
_position = lru_cache(maxsize=4096)(parse_position)
_gender = lru_cache(maxsize=1024)(parse_gender)
_flag = lru_cache(maxsize=1024)(parse_bool)
_fold = lru_cache(maxsize=65536)(fold)
PROGRESS_STEP = 500  # rows per progress callback: a bar redrawn per row costs seconds
ANALYZE_AFTER = 5000  # new rows after which PostgreSQL's statistics are refreshed at once


def _text(value) -> str:
    """`clean` for a cell value (strings take the fast path)."""
    return clean_text(value) if type(value) is str else clean(value)


def _legacy_matches(code: str) -> set[str]:
    """The current commune codes (padded) that took over part of a pre-2025 commune."""
    from vietnam_provinces import Ward

    if not code.isdigit() or int(code) == 0:
        return set()
    return {pad_code(int(m.ward.code), "commune") for m in Ward.search_from_legacy(code=int(code))}


def _legacy_commune(code: str) -> tuple[str | None, str | None]:
    """Map a pre-2025 commune code to its current commune: (code, None) or (None, reason)."""
    if not code.isdigit():
        return None, _("mã xã cũ phải là số")
    matches = _legacy_matches(code)
    if not matches:
        return None, _("không có xã cũ mã %(c)s", c=code)
    if len(matches) > 1:
        return None, _("xã cũ %(c)s đã chia cho nhiều xã mới (%(n)s); hãy ghi mã xã mới "
                       "vào cột ma_xa_moi", c=code, n=", ".join(sorted(matches)))
    return matches.pop(), None


def _check_row(number: int, row: dict, headers: dict, communes: dict, scope_paths,
               legacy_codes: bool, errors: list, latest: int) -> dict | None:
    """Validate one roster row into Person fields, appending every problem to `errors`.

    `latest` is the latest acceptable birth year (this year − MIN_AGE).
    """
    def err(key, reason):
        errors.append(RowError(number, headers.get(key, key), reason))

    before = len(errors)
    staff_id = _text(row["staff_id"])
    if not staff_id:
        err("staff_id", _("thiếu mã nhân sự"))
    elif len(staff_id) > 50:
        err("staff_id", _("mã nhân sự dài quá 50 ký tự"))
    name = _text(row["full_name"])
    if not name:
        err("full_name", _("thiếu họ tên"))
    elif len(name) > 200:
        err("full_name", _("họ tên dài quá 200 ký tự"))
    gender = None
    if row.get("gender"):
        gender = _gender(str(row["gender"]))
        if gender is None:
            err("gender", _("giới tính '%(v)s' không hợp lệ (Nam/Nữ/Khác)", v=row["gender"]))
    birth_year = None
    if row.get("birth_year"):
        text = str(row["birth_year"])
        if not (text.isascii() and text.isdigit()) or not MIN_BIRTH_YEAR <= int(text) <= latest:
            err("birth_year", _("năm sinh '%(v)s' không hợp lệ (từ %(a)s đến %(b)s)",
                                v=text, a=MIN_BIRTH_YEAR, b=latest))
        else:
            birth_year = int(text)
    position = None
    if not row["position"]:
        err("position", _("thiếu chức danh"))
    else:
        position = _position(str(row["position"]))
        if position is None:
            err("position", _("chức danh '%(v)s' không có trong danh mục", v=row["position"]))
    commune_id = None
    code = _text(str(row["commune_code"]))
    if not code:
        err("commune_code", _("thiếu mã xã"))
    else:
        current = clean(str(row.get("current_commune_code") or ""))
        if legacy_codes and current:
            # the file names the current commune itself: no guessing, but it must have
            # received (part of) the old commune when the old code is known
            matches = _legacy_matches(code)
            if matches and pad_code(current, "commune") not in matches:
                err("current_commune_code", _(
                    "xã mới %(n)s không nhận phần nào của xã cũ %(c)s (%(m)s)", n=current,
                    c=code, m=", ".join(sorted(matches))))
            code = current
        elif legacy_codes:
            mapped, reason = _legacy_commune(code)
            if reason:
                err("commune_code", reason)
            code = mapped
        if code:
            unit = communes.get(pad_code(code, "commune"))
            if unit is None:
                err("commune_code", _("không có xã/phường/đặc khu mã %(c)s", c=code))
            elif scope_paths is not None and not unit[1].startswith(scope_paths):
                err("commune_code", _("xã %(c)s nằm ngoài phạm vi quản lý của bạn", c=code))
            else:
                commune_id = unit[0]
    phone = _text(str(row.get("phone") or "")) or None
    if phone:
        digits = "".join(ch for ch in phone if ch.isdigit())
        if not 8 <= len(digits) <= 15 or any(ch not in "0123456789 +.-()" for ch in phone):
            err("phone", _("số điện thoại '%(v)s' không hợp lệ", v=phone))
    ethnicity = _text(str(row.get("ethnicity") or "")) or None
    if ethnicity and len(ethnicity) > 60:
        err("ethnicity", _("dân tộc dài quá 60 ký tự"))
    try:
        in_target = _flag(row.get("in_target"), default=True)
    except ValueError:
        in_target = True
        err("in_target", _("giá trị '%(v)s' không hợp lệ (có/không)", v=row.get("in_target")))
    left_on = None
    try:
        left_on = parse_date(row.get("left_on"))
    except ValueError:
        err("left_on", _("ngày '%(v)s' không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd)",
                         v=row.get("left_on")))
    if len(errors) > before:
        return None
    return {"staff_id": staff_id, "full_name": name, "name_search": _fold(name), "gender": gender,
            "birth_year": birth_year, "position": position, "commune_id": commune_id,
            "phone": phone, "ethnicity": ethnicity, "in_target": in_target, "left_on": left_on}


def import_roster(data: bytes, filename: str, *, by=None, dry_run: bool = False,
                  legacy_codes: bool = False,
                  progress: Callable[[int], None] | None = None) -> ImportResult:
    """Check every row, then upsert the roster by staff id — or write nothing and raise.

    :param data: CSV/XLSX bytes
    :param filename: the upload's name
    :param by: the acting user; an admin limited to a unit may only touch that subtree
    :param dry_run: count new/updated/unchanged without writing
    :param legacy_codes: `ma_xa` holds pre-2025 commune codes, mapped to current communes
    :param progress: called with the number of rows just checked
    :raises ImportFailed: with every error, row by row
    """
    table = read_table(data, filename, ROSTER_COLUMNS)
    scope = scope_unit(by) if by is not None else None
    scope_path = scope.path if scope is not None else None
    communes = {code: (uid, path) for uid, code, path in db.session.execute(
        select(Unit.id, Unit.code, Unit.path).where(Unit.system == CURRENT,
                                                    Unit.kind == "commune"))}
    errors: list[RowError] = []
    records: list[dict] = []
    first_row: dict[str, int] = {}
    latest = today().year - MIN_AGE
    pending = 0
    for number, row in table.rows:
        record = _check_row(number, row, table.headers, communes, scope_path, legacy_codes,
                            errors, latest)
        staff_id = record["staff_id"] if record is not None else _text(row["staff_id"])
        if staff_id:
            if staff_id in first_row:
                errors.append(RowError(number, table.headers["staff_id"], _(
                    "mã nhân sự %(s)s trùng với dòng %(r)s", s=staff_id, r=first_row[staff_id])))
                record = None
            else:
                first_row[staff_id] = number
        if record is not None:
            records.append(record)
        pending += 1
        if progress and pending == PROGRESS_STEP:
            progress(pending)
            pending = 0
    if progress and pending:
        progress(pending)
    if not table.rows:
        errors.append(RowError(None, None, _("tệp không có dòng dữ liệu nào")))

    existing: dict[str, tuple] = {}
    ids = [r["staff_id"] for r in records]
    persons = Person.__table__  # Core rows: no ORM bookkeeping for 100,000 lookups
    lookup = select(persons.c.id, persons.c.staff_id, *[persons.c[f] for f in FIELDS])
    for chunk in _chunks(ids):  # 1,000 parameters: within every SQLite build's limit
        for row in db.session.execute(lookup.where(persons.c.staff_id.in_(chunk))):
            existing[row.staff_id] = row
    if scope_path is not None and existing:
        paths = dict(db.session.execute(select(Unit.id, Unit.path).where(
            Unit.id.in_({row.commune_id for row in existing.values()}))).all())
        for staff_id, row in existing.items():
            if not paths[row.commune_id].startswith(scope_path):
                errors.append(RowError(first_row[staff_id], table.headers["staff_id"], _(
                    "nhân sự %(s)s thuộc đơn vị ngoài phạm vi quản lý của bạn", s=staff_id)))
    if errors:
        raise ImportFailed(errors)

    result = ImportResult(dry_run=dry_run)
    inserts, updates = [], []
    for record in records:
        old = existing.get(record["staff_id"])
        if old is None:
            inserts.append(record)
        elif tuple(old[2:]) != tuple(record[f] for f in FIELDS):  # old = (id, staff_id, *FIELDS)
            updates.append(record | {"id": old.id})
        else:
            result.unchanged += 1
    result.new, result.updated = len(inserts), len(updates)
    if dry_run:
        return result
    # One timestamp for the whole import, given explicitly: a Python default evaluated per row
    # would split the batch into many statements. Core insert = one executemany per chunk.
    now = utcnow()
    for chunk in _chunks(inserts, 5000):
        db.session.execute(insert(Person.__table__),
                           [r | {"created_at": now, "updated_at": now} for r in chunk])
    for chunk in _chunks(updates, 5000):
        db.session.execute(update(Person), [r | {"updated_at": now} for r in chunk])
    if len(inserts) >= ANALYZE_AFTER and db.session.get_bind().dialect.name == "postgresql":
        # Until autovacuum catches up (a minute or more), the planner still thinks the table
        # is small and the next import's staff-id lookups take ten times longer.
        db.session.execute(sql_text(f"ANALYZE {Person.__tablename__}"))
    audit.record("roster.import", actor=by, target=filename, new=result.new,
                 updated=result.updated, unchanged=result.unchanged)
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
