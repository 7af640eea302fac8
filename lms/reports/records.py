"""Historical training records (hồ sơ tập huấn cũ): import completions from CSV/XLSX.

Each row is one completion of a course named by its code or its title (any case, diacritics
optional); rows are read by the same reader as the roster (`lms.core.tabular`). Each row is
one completion (source `import`); the same (staff id, course, date) twice, in the
file or already in the database, is one completion. An optional `ma_lop` names the cohort (its
number, as in the cohort's address) the completion was earned in. All rows are checked first;
any error and nothing is written.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select, tuple_

from lms.accounts import audit
from lms.accounts.permissions import scope_unit
from lms.cohorts.models import Cohort
from lms.core.tabular import (
    Column,
    ImportFailed,
    RowError,
    TemplateColumn,
    normalise_id,
    parse_date_cell,
    read_table,
    write_template,
)
from lms.core.text import clean
from lms.core.timeutil import today
from lms.courses.models import Completion, Course
from lms.courses.services import record_completion
from lms.extensions import db
from lms.units.ethnicities import vocab_key
from lms.units.models import Person, Unit
from lms.units.services import RECORDS_START

RECORD_COLUMNS = [
    Column("staff_id", ("ma_nhan_su", "Mã NS", "Mã cán bộ", "staff_id"), True),
    Column("course", ("ma_khoa_hoc", "Khóa học", "Tên khóa học", "Khóa tập huấn", "course",
                      "course_title"), True),
    Column("completed_on", ("ngay_hoan_thanh", "Ngày", "Ngày tập huấn", "Ngày hoàn tất",
                            "completed_on", "date"), True),
    Column("note", ("ghi_chu", "note")),
    Column("cohort", ("ma_lop", "Mã lớp", "cohort", "cohort_id")),
]
NOTE_MAX = 500


@dataclass
class RecordsResult:
    """What a records import did."""

    new: int = 0
    duplicates: int = 0   # rows repeating a row above, or a completion already recorded
    notes: list[RowError] = field(default_factory=list)   # rows skipped by the reader
    ignored: list[str] = field(default_factory=list)      # headers of columns not imported

    @property
    def total(self) -> int:
        return self.new + self.duplicates


AMBIGUOUS = -1


def course_lookup() -> dict[str, int]:
    """{code: id} and {folded title: id} for every course (AMBIGUOUS where titles collide)."""
    courses: dict[str, int] = {}
    rows = db.session.execute(select(Course.id, Course.slug, Course.title)).all()
    for cid, _slug, title in rows:
        key = vocab_key(title)
        courses[key] = AMBIGUOUS if key in courses and courses[key] != cid else cid
    courses.update((slug, cid) for cid, slug, _title in rows)
    return courses


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _cohort_cell(value, course_id: int | None, err) -> Cohort | None:
    """The cohort a row names (None for an empty cell); reports through `err` a cohort that
    does not exist or is of another course."""
    text = clean(str(value or ""))
    if not text:
        return None
    cohort = db.session.get(Cohort, int(text)) if text.isdigit() else None
    if cohort is None:
        err(_("không có lớp số '%(c)s'", c=text))
    elif course_id is not None and cohort.course_id != course_id:
        err(_("lớp số %(c)s thuộc khóa học khác", c=text))
        cohort = None
    return cohort


def import_records(data: bytes, filename: str, *, by=None) -> RecordsResult:
    """Check every row, then record one completion per distinct (staff id, course, date).

    :param data: CSV/XLSX bytes
    :param filename: the upload's name
    :param by: the acting user; an admin limited to a unit may only import people within it
    :raises ImportFailed: with every error, row by row; nothing is written
    """
    table = read_table(data, filename, RECORD_COLUMNS)
    headers = table.headers
    scope = scope_unit(by) if by is not None else None
    staff_ids = {normalise_id(clean(str(row["staff_id"]))) for _n, row in table.rows}
    people: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(sorted(s for s in staff_ids if s)):
        for pid, staff_id, path in db.session.execute(
                select(Person.id, Person.staff_id, Unit.path)
                .join(Unit, Person.commune_id == Unit.id).where(Person.staff_id.in_(chunk))):
            people[staff_id] = (pid, path)
    courses = course_lookup()
    latest = today()

    errors: list[RowError] = []
    wanted: dict[tuple[int, int, object], int] = {}   # key → first row number
    notes: dict[tuple[int, int, object], str | None] = {}
    cohorts: dict[tuple[int, int, object], Cohort] = {}
    duplicates = 0
    for number, row in table.rows:
        def err(key, reason, number=number):
            errors.append(RowError(number, headers.get(key, key), reason))

        staff_id = normalise_id(clean(str(row["staff_id"])))
        person = None
        if not staff_id:
            err("staff_id", _("thiếu mã nhân sự"))
        elif staff_id not in people:
            err("staff_id", _("mã nhân sự %(s)s không có trong danh sách nhân sự", s=staff_id))
        elif scope is not None and not people[staff_id][1].startswith(scope.path):
            err("staff_id", _("nhân sự %(s)s thuộc đơn vị ngoài phạm vi quản lý của bạn",
                              s=staff_id))
        else:
            person = people[staff_id][0]
        slug = clean(str(row["course"]))
        course = None
        if not slug:
            err("course", _("thiếu mã khóa học"))
        else:
            course = courses.get(slug, courses.get(vocab_key(slug)))
            if course is None:
                err("course", _("không có khóa học mã hoặc tên '%(c)s'; ghi mã khóa học hoặc "
                                "tên như trên trang Khóa học", c=slug))
            elif course == AMBIGUOUS:
                err("course", _("có nhiều khóa học tên '%(c)s'; hãy ghi mã khóa học", c=slug))
                course = None
        on = None
        if row["completed_on"] in ("", None):
            err("completed_on", _("thiếu ngày hoàn thành"))
        else:
            try:
                on = parse_date_cell(row["completed_on"])
            except ValueError:
                err("completed_on", _("ngày '%(v)s' không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd)",
                                      v=row["completed_on"]))
            else:
                if on > latest:
                    err("completed_on", _("ngày %(v)s ở tương lai", v=on.strftime("%d/%m/%Y")))
                    on = None
                elif on < RECORDS_START:
                    err("completed_on", _("ngày %(v)s trước %(a)s, không hợp lý",
                                          v=on.strftime("%d/%m/%Y"),
                                          a=RECORDS_START.strftime("%d/%m/%Y")))
                    on = None
        note = clean(str(row.get("note") or "")) or None
        if note and len(note) > NOTE_MAX:
            err("note", _("ghi chú dài quá %(n)s ký tự", n=NOTE_MAX))
        cohort = _cohort_cell(row.get("cohort"), course, lambda reason: err("cohort", reason))
        if person is None or course is None or on is None:
            continue
        key = (person, course, on)
        if key in wanted:
            duplicates += 1
        else:
            wanted[key] = number
            notes[key] = note
            if cohort is not None:
                cohorts[key] = cohort
    if not table.rows:
        errors.append(RowError(None, None, _("tệp không có dòng dữ liệu nào")))
    if errors:
        raise ImportFailed(errors)

    existing = set()
    keys = list(wanted)
    for chunk in _chunks(keys):
        existing.update(tuple(row) for row in db.session.execute(
            select(Completion.person_id, Completion.course_id, Completion.completed_on).where(
                tuple_(Completion.person_id, Completion.course_id).in_(
                    [(p, c) for p, c, _on in chunk]))).all())
    result = RecordsResult(duplicates=duplicates, notes=table.notes, ignored=table.ignored)
    new_keys = [key for key in keys if key not in existing]
    result.duplicates += len(keys) - len(new_keys)
    persons = {}
    for chunk in _chunks(sorted({person_id for person_id, _c, _o in new_keys})):
        persons.update((p.id, p) for p in db.session.scalars(
            select(Person).where(Person.id.in_(chunk))))
    course_objs = {c.id: c for c in db.session.scalars(select(Course))}
    for key in new_keys:
        person_id, course_id, on = key
        _completion, created = record_completion(persons[person_id], course_objs[course_id], on,
                                                 "import", by=by, note=notes[key],
                                                 cohort=cohorts.get(key))
        result.new += created
        result.duplicates += not created
    audit.record("records.import", actor=by, target=filename, new=result.new,
                 duplicates=result.duplicates)
    return result


def records_template() -> bytes:
    """A blank records workbook: staff id, a drop-down of course titles, the date, a note."""
    courses = db.session.execute(select(Course.slug, Course.title).order_by(Course.title)).all()
    columns = [
        TemplateColumn("Mã nhân sự", _("mã nhân sự như trong danh sách nhân sự"), True,
                       text=True, width=16),
        TemplateColumn("Khóa học", _("chọn tên khóa học trong danh sách, hoặc ghi mã khóa học"),
                       True, choices=tuple(title for _slug, title in courses), width=40),
        TemplateColumn("Ngày hoàn thành", _("dd/mm/yyyy, không ở tương lai"), True, date=True,
                       width=16),
        TemplateColumn("Ghi chú", _("không bắt buộc, tối đa %(n)s ký tự", n=NOTE_MAX),
                       width=40),
    ]
    instructions = [
        _("Mẫu hồ sơ tập huấn cũ"),
        _("Mỗi dòng là một lần hoàn thành khóa học; cùng người, cùng khóa, cùng ngày chỉ tính "
          "một lần. Mọi dòng được kiểm tra trước khi ghi; có lỗi thì không ghi gì."),
    ]
    reference = ([_("Mã khóa học"), _("Tên khóa học")], [list(row) for row in courses])
    return write_template("Hồ sơ", columns, instructions, reference=reference)
