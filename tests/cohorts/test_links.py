"""Completions know the cohort they were earned in: set on every path, backfilled only when one
cohort matches, ambiguous ones listed, and certificates name the linked cohort."""

import importlib.util
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, text

from lms.assessments import services as assessments
from lms.certificates.services import live_certificate
from lms.cohorts import links, services
from lms.cohorts.models import CohortMember
from lms.courses.models import Completion, Enrolment, Lesson, LessonProgress
from lms.courses.services import check_completion, record_completion
from lms.reports.records import import_records


def _lessons_done(db, course, member):
    """Give the course one lesson and mark it done in the member's enrolment."""
    lesson = Lesson(course=course, slug="bai-1", title="Bài 1", position=0)
    db.session.add(lesson)
    db.session.flush()
    db.session.add(LessonProgress(enrolment_id=member.enrolment_id, lesson_id=lesson.id))
    db.session.commit()


def _completion(db, person_id) -> Completion:
    return db.session.scalar(select(Completion).where(Completion.person_id == person_id))


def test_closing_links_the_cohort(db, make_cohort, fill, sessions, mark):
    """A completion recorded by closing a cohort names that cohort."""
    cohort = make_cohort(final=False)
    member, = fill(cohort, 1)
    mark(sessions(cohort, 1)[0])
    services.close_cohort(cohort, by=cohort.trainers[0])
    db.session.commit()
    assert _completion(db, member.person_id).cohort_id == cohort.id


def test_paper_score_completion_links_the_cohort_that_entered_it(db, make_cohort, fill):
    """A passing paper score entered by the trainer completes the course within that cohort,
    even when entered after the cohort's end date."""
    cohort = make_cohort(final=True, ends_on=date.today() - timedelta(days=5))
    member, = fill(cohort, 1)
    _lessons_done(db, cohort.course, member)
    assessments.apply_paper_scores(cohort, [{"person_id": member.person_id, "post_score": 90}],
                                   by=cohort.trainers[0])
    db.session.commit()
    completion = _completion(db, member.person_id)
    assert completion.source == "online" and completion.cohort_id == cohort.id


def test_online_completion_of_a_member_links_the_running_cohort(db, make_cohort, fill):
    """Finishing online during the one cohort the person is in links it; outside its dates,
    nothing is linked."""
    running = make_cohort(final=False, starts_on=date.today() - timedelta(days=1),
                          ends_on=date.today() + timedelta(days=1))
    member, = fill(running, 1)
    _lessons_done(db, running.course, member)
    assert check_completion(db.session.get(Enrolment, member.enrolment_id))
    assert _completion(db, member.person_id).cohort_id == running.id

    past = make_cohort(final=False, ends_on=date.today() - timedelta(days=3))
    other, = fill(past, 1)
    _lessons_done(db, past.course, other)
    assert check_completion(db.session.get(Enrolment, other.enrolment_id))
    assert _completion(db, other.person_id).cohort_id is None


def test_import_links_the_cohort_it_names(db, make_cohort, fill):
    """A records row naming a cohort (ma_lop) links it; a cohort of another course is refused."""
    cohort = make_cohort(final=False)
    member, = fill(cohort, 1)
    staff_id, slug = member.person.staff_id, cohort.course.slug
    day = cohort.ends_on.strftime("%d/%m/%Y")
    csv = f"ma_nhan_su,ma_khoa_hoc,ngay_hoan_thanh,ma_lop\n{staff_id},{slug},{day},{cohort.id}\n"
    import_records(csv.encode(), "records.csv")
    db.session.commit()
    assert _completion(db, member.person_id).cohort_id == cohort.id

    other = make_cohort(final=False, name="Lớp khác")
    csv = f"ma_nhan_su,ma_khoa_hoc,ngay_hoan_thanh,ma_lop\n{staff_id},{slug},{day},{other.id}\n"
    try:
        import_records(csv.encode(), "records.csv")
    except Exception as exc:  # noqa: BLE001 - ImportFailed carries the row errors
        assert "khóa học khác" in str(exc.errors)
    else:
        raise AssertionError("a cohort of another course was accepted")


def _two_overlapping(db, make_cohort, fill):
    """A person in two overlapping cohorts of one course, another in one only; a completion
    each within both cohorts' dates, recorded without a cohort."""
    end = date.today() - timedelta(days=1)
    first = make_cohort(final=False, ends_on=end)
    second = make_cohort(course=first.course, ends_on=end, name="Lớp Hạ Long 2")
    both, = fill(first, 1)
    db.session.add(CohortMember(cohort_id=second.id, person_id=both.person_id))
    only, = fill(second, 1)
    for member in (both, only):
        record_completion(member.person, first.course, end, "cohort")
    db.session.commit()
    return first, second, both, only


def test_backfill_links_the_unique_match_and_lists_the_ambiguous(db, make_cohort, fill, runner):
    """`completions unlinked --link` links the one-cohort completion, leaves the two-cohort one
    unlinked, lists it as ambiguous and exits 1."""
    first, second, both, only = _two_overlapping(db, make_cohort, fill)
    result = runner.invoke(args=["lms", "completions", "unlinked", "--link"])
    assert result.exit_code == 1
    assert "linked 1 completion(s)" in result.output
    ambiguous = [line for line in result.output.splitlines() if line.startswith("ambiguous")]
    assert len(ambiguous) == 1 and both.person.staff_id in ambiguous[0]
    assert f"cohorts {first.id}, {second.id}" in ambiguous[0]
    db.session.expire_all()
    assert _completion(db, only.person_id).cohort_id == second.id
    assert _completion(db, both.person_id).cohort_id is None
    assert [u.completion_id for u in links.unlinked()] == [
        _completion(db, both.person_id).id]


def _migration():
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0013_completion_cohort.py"
    spec = importlib.util.spec_from_file_location("migration_0013", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_backfill_refuses_to_guess(db, make_cohort, fill, caplog):
    """Migration 0013's backfill links the unique match, leaves the ambiguous one and logs the
    count."""
    _first, second, both, only = _two_overlapping(db, make_cohort, fill)
    with caplog.at_level("INFO", logger="alembic.runtime.migration"):
        assert _migration().backfill(db.session.connection()) == (1, 1)
    db.session.commit()
    rows = dict(db.session.execute(text("SELECT person_id, cohort_id FROM completions")).all())
    assert rows == {only.person_id: second.id, both.person_id: None}
    assert "ambiguous, left unlinked: 1" in caplog.text


def test_certificate_names_the_linked_cohort(db, make_cohort, fill, sessions, mark):
    """The certificate's cohort is the completion's, not another cohort of the same course
    ending the same day."""
    end = date.today() - timedelta(days=1)
    cohort = make_cohort(final=False, ends_on=end)
    member, = fill(cohort, 1)
    mark(sessions(cohort, 1)[0])
    later = make_cohort(course=cohort.course, name="Lớp sau", ends_on=end)
    db.session.add(CohortMember(cohort_id=later.id, person_id=member.person_id))
    services.close_cohort(cohort, by=cohort.trainers[0])
    db.session.commit()
    cert = live_certificate(_completion(db, member.person_id))
    assert cert.cohort_id == cohort.id and cert.cohort_name == cohort.name
