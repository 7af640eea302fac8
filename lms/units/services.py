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
from lms.units.models import CURRENT, LEGACY, Person, PositionAlias, Unit
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
    Column("commune_code", ("ma_xa", "Mã xã, phường", "Mã xã/phường/đặc khu", "Mã đơn vị",
                            "commune_code"), True),
    Column("commune_name", ("ten_xa", "Tên xã, phường", "Tên xã/phường/đặc khu", "Xã, phường",
                            "Xã", "commune_name", "commune")),
    Column("phone", ("so_dien_thoai", "Điện thoại", "SĐT", "Số ĐT", "Điện thoại di động",
                     "phone", "phone_number", "mobile")),
    Column("ethnicity", ("dan_toc", "ethnicity", "ethnic_group")),
    Column("in_target", ("muc_tieu", "Tính vào mục tiêu", "in_target")),
    Column("left_on", ("ngay_nghi", "Ngày nghỉ việc", "Ngày thôi việc", "left_on")),
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
    notes: list[RowError] = field(default_factory=list)   # rows skipped by the reader, and why
    ignored: list[str] = field(default_factory=list)      # headers of columns not imported

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


# Pure and memoised: a roster repeats many names.
_fold = lru_cache(maxsize=65536)(fold)
PROGRESS_STEP = 500  # rows per progress callback: a bar redrawn per row costs seconds
ANALYZE_AFTER = 5000  # new rows after which PostgreSQL's statistics are refreshed at once


_text = values.text


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


@dataclass
class _Vocab:
    """The lookups of one import: admins' position aliases, and memo tables per vocabulary."""

    positions: dict[str, str]
    caches: dict[str, dict] = field(default_factory=lambda: {
        "position": {}, "gender": {}, "ethnicity": {}, "flag": {}})


def _check_row(number: int, row: dict, headers: dict, communes: dict, scope_paths,
               legacy_codes: bool, errors: list, latest: int, vocab: _Vocab) -> dict | None:
    """Validate one roster row into Person fields, appending every problem to `errors`.

    `latest` is the latest acceptable birth year (this year − MIN_AGE). Each cell goes through
    its function in `lms.units.values`, which normalises it or says why it is refused.
    """
    before = len(errors)

    def cell(key, check, *args):
        try:
            return check(row.get(key, ""), *args)
        except values.Refused as exc:
            errors.append(RowError(number, headers.get(key, key), str(exc)))
            return None

    caches = vocab.caches
    staff_id = cell("staff_id", values.staff_id)
    name = cell("full_name", values.full_name)
    gender = cell("gender", values.gender, caches["gender"])
    birth_year = cell("birth_year", values.birth_year, MIN_BIRTH_YEAR, latest)
    position = cell("position", values.position, vocab.positions, caches["position"])
    commune_id = None
    code = _text(str(row["commune_code"]))
    if not code:
        errors.append(RowError(number, headers["commune_code"], _("thiếu mã xã")))
    else:
        current = clean(str(row.get("current_commune_code") or ""))
        if legacy_codes and current:
            # the file names the current commune itself: no guessing, but it must have
            # received (part of) the old commune when the old code is known
            matches = _legacy_matches(code)
            if matches and pad_code(current, "commune") not in matches:
                errors.append(RowError(number, headers["current_commune_code"], _(
                    "xã mới %(n)s không nhận phần nào của xã cũ %(c)s (%(m)s)", n=current,
                    c=code, m=", ".join(sorted(matches)))))
            code = current
        elif legacy_codes:
            mapped, reason = _legacy_commune(code)
            if reason:
                errors.append(RowError(number, headers["commune_code"], reason))
            code = mapped
        if code:
            unit = communes.get(pad_code(code, "commune"))
            if unit is None:
                errors.append(RowError(number, headers["commune_code"], _(
                    "không có xã/phường/đặc khu mã %(c)s", c=code)))
            elif scope_paths is not None and not unit[1].startswith(scope_paths):
                errors.append(RowError(number, headers["commune_code"], _(
                    "xã %(c)s nằm ngoài phạm vi quản lý của bạn", c=code)))
            else:
                commune_id = unit[0]
                if row.get("commune_name") and not legacy_codes:
                    cell("commune_name", values.commune_name, pad_code(code, "commune"), unit[2])
    phone = cell("phone", values.phone)
    ethnicity = cell("ethnicity", values.ethnicity, caches["ethnicity"])
    in_target = cell("in_target", values.flag, caches["flag"])
    left_on = cell("left_on", values.day)
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
    communes = {code: (uid, path, name) for uid, code, path, name in db.session.execute(
        select(Unit.id, Unit.code, Unit.path, Unit.name).where(Unit.system == CURRENT,
                                                               Unit.kind == "commune"))}
    vocab = _Vocab(position_lookup())
    errors: list[RowError] = []
    records: list[dict] = []
    first_row: dict[str, int] = {}
    latest = today().year - MIN_AGE
    pending = 0
    for number, row in table.rows:
        record = _check_row(number, row, table.headers, communes, scope_path, legacy_codes,
                            errors, latest, vocab)
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

    result = ImportResult(dry_run=dry_run, notes=table.notes, ignored=table.ignored)
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
