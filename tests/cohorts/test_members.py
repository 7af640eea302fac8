"""Adding members: capacity, filters, search without diacritics, staff-id uploads."""

from datetime import date

import pytest
from sqlalchemy import func, select

from lms.cohorts import services
from lms.cohorts.models import CohortMember
from lms.core.tabular import ImportFailed, write_csv
from lms.courses.models import Completion, Enrolment


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_capacity_refuses_the_whole_batch_with_a_clear_message(db, make_cohort, fill,
                                                                make_person):
    """Beyond capacity nothing is added, and the message names the capacity and the excess."""
    cohort = make_cohort(capacity=3)
    fill(cohort, 2)
    extra = [make_person() for _ in range(3)]
    with pytest.raises(services.CohortError) as caught:
        services.add_members(cohort, [p.id for p in extra], by=cohort.trainers[0])
    message = str(caught.value)
    assert "tối đa 3 học viên" in message and "vượt 2 người" in message
    db.session.rollback()
    assert services.member_count(cohort) == 2
    services.add_members(cohort, [extra[0].id], by=cohort.trainers[0])
    assert services.member_count(cohort) == 3


def test_each_member_gets_one_enrolment_reused(db, make_cohort, make_person, make_course):
    """Adding creates an enrolment in the course; an existing enrolment is reused."""
    course = make_course()
    person = make_person()
    db.session.add(Enrolment(person_id=person.id, course_id=course.id))
    db.session.commit()
    cohort = make_cohort(course=course)
    other = make_person()
    services.add_members(cohort, [person.id, other.id], by=cohort.trainers[0])
    db.session.commit()
    assert _count(db, Enrolment) == 2
    member = db.session.scalar(select(CohortMember).where(CohortMember.person_id == person.id))
    assert db.session.get(Enrolment, member.enrolment_id).person_id == person.id


def test_candidates_filter_by_unit_position_and_untrained(db, make_cohort, make_person, units):
    """The filter keeps people of the unit and position who have not completed the course."""
    cohort = make_cohort()
    ha_tu = units("06652", "commune")
    other = next(u for u in ha_tu.parent.children if u.id != ha_tu.id)
    keep = make_person(commune=ha_tu, position="cong_an", full_name="Đặng Văn Giữ")
    make_person(commune=other, position="cong_an")
    make_person(commune=ha_tu, position="truong_thon")
    trained = make_person(commune=ha_tu, position="cong_an")
    db.session.add(Completion(person_id=trained.id, course_id=cohort.course_id,
                              completed_on=date(2025, 1, 2), source="import"))
    make_person(commune=ha_tu, position="cong_an", left_on=date(2024, 1, 1))
    db.session.commit()
    found = db.session.scalars(services.candidates(
        cohort, cohort.trainers[0], unit=ha_tu, position="cong_an", untrained=True)).all()
    assert found == [keep]


def test_name_search_ignores_diacritics(db, make_cohort, make_person):
    """"nguyen thi huong" finds "Nguyễn Thị Hường"."""
    cohort = make_cohort()
    target = make_person(full_name="Nguyễn Thị Hường")
    make_person(full_name="Trần Văn Nam")
    found = db.session.scalars(services.candidates(cohort, cohort.trainers[0],
                                                   q="nguyen thi huong")).all()
    assert found == [target]


def test_people_outside_scope_cannot_be_added(db, make_cohort, make_person, units):
    """A Quảng Ninh trainer cannot add a Hà Nội person (nothing added)."""
    cohort = make_cohort()
    hanoi = make_person(commune=units("01", "province").children.first())
    with pytest.raises(services.CohortError):
        services.add_members(cohort, [hanoi.id], by=cohort.trainers[0])
    db.session.rollback()
    assert services.member_count(cohort) == 0


def test_upload_adds_listed_staff_ids(db, make_cohort, make_person):
    """A CSV of staff ids adds those people; ones already in the cohort are skipped."""
    cohort = make_cohort()
    a, b = make_person(), make_person()
    services.add_members(cohort, [a.id], by=cohort.trainers[0])
    data = write_csv(["STT", "Mã nhân sự"], [[1, a.staff_id], [2, b.staff_id]])
    added, already = services.add_members_from_file(cohort, data, "ds.csv",
                                                    by=cohort.trainers[0])
    assert (added, already) == (1, 1)
    assert services.member_count(cohort) == 2


def test_upload_reports_every_bad_row_and_adds_nothing(db, make_cohort, make_person, units):
    """Unknown, duplicate, out-of-scope and departed staff ids are all reported by row."""
    cohort = make_cohort()
    good = make_person()
    hanoi = make_person(commune=units("01", "province").children.first())
    gone = make_person(left_on=date(2024, 5, 1))
    data = write_csv(["staff_id"], [[good.staff_id], ["KHONGCO"], [good.staff_id],
                                    [hanoi.staff_id], [gone.staff_id], [""]])
    with pytest.raises(ImportFailed) as caught:
        services.add_members_from_file(cohort, data, "ds.csv", by=cohort.trainers[0])
    errors = [str(e) for e in caught.value.errors]
    assert errors == [
        "row 3, column staff_id: không có mã nhân sự KHONGCO trong danh sách",
        "row 4, column staff_id: mã nhân sự T00001 trùng với dòng 2",
        "row 5, column staff_id: nhân sự T00002 thuộc đơn vị ngoài phạm vi quản lý của bạn",
        "row 6, column staff_id: nhân sự T00003 đã nghỉ từ 01/05/2024",
    ]
    db.session.rollback()
    assert services.member_count(cohort) == 0


def test_upload_without_the_column_fails_on_the_header(make_cohort):
    """A file without ma_nhan_su/staff_id fails on row 1."""
    cohort = make_cohort()
    with pytest.raises(ImportFailed) as caught:
        services.add_members_from_file(cohort, write_csv(["ho_ten"], [["A"]]), "x.csv",
                                       by=cohort.trainers[0])
    assert str(caught.value.errors[0]).startswith("row 1, column ma_nhan_su: thiếu cột")


def test_upload_xlsx(db, make_cohort, make_person):
    """An XLSX list is read the same way."""
    import io

    from openpyxl import Workbook

    cohort = make_cohort()
    person = make_person()
    book = Workbook()
    book.active.append(["ma_nhan_su"])
    book.active.append([person.staff_id])
    out = io.BytesIO()
    book.save(out)
    assert services.add_members_from_file(cohort, out.getvalue(), "ds.xlsx",
                                          by=cohort.trainers[0]) == (1, 0)


def test_upload_beyond_capacity_adds_nothing(db, make_cohort, make_person):
    """An upload that would exceed capacity is refused as a whole."""
    cohort = make_cohort(capacity=1)
    people = [make_person(), make_person()]
    with pytest.raises(services.CohortError, match="vượt 1 người"):
        services.add_members_from_file(cohort, write_csv(["ma_nhan_su"],
                                                         [[p.staff_id] for p in people]),
                                       "x.csv", by=cohort.trainers[0])


def test_remove_member_deletes_attendance(db, make_cohort, fill, sessions, mark):
    """Removing a member before closing drops them and their attendance."""
    from lms.cohorts.models import Attendance

    cohort = make_cohort()
    a, _b = fill(cohort, 2)
    mark(sessions(cohort, 1)[0])
    services.remove_member(a, by=cohort.trainers[0])
    db.session.commit()
    assert services.member_count(cohort) == 1
    assert _count(db, Attendance) == 1
