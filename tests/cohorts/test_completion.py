"""The completion rule and closing: attendance share, excused absences, final test, no sessions."""

import pytest
from sqlalchemy import select

from lms.cohorts import services
from lms.core import reasons
from lms.courses.models import Completion, Enrolment


def _by_member(cohort):
    return {r.member.id: r for r in services.member_results(cohort)}


def test_exactly_the_minimum_share_passes(make_cohort, fill, sessions, mark):
    """4 of 5 sessions (exactly 80%) completes; 3 of 5 does not, with the reason spelled out."""
    cohort = make_cohort(final=False, min_attendance_pct=80)
    a, b = fill(cohort, 2)
    s = sessions(cohort, 5)
    mark(s[0], {b: "absent"})
    mark(s[1], {a: "absent", b: "absent"})
    for session in s[2:]:
        mark(session)
    results = _by_member(cohort)
    assert results[a.id].completes and results[a.id].reason is None
    assert not results[b.id].completes
    assert results[b.id].reason == "dự 3/5 buổi (60%) < 80%"


def test_one_of_three_reason_matches_the_brief(make_cohort, fill, sessions, mark):
    """1 of 3 sessions reads "dự 1/3 buổi (33%) < 80%"."""
    cohort = make_cohort(final=False)
    (m,) = fill(cohort, 1)
    s = sessions(cohort, 3)
    mark(s[0])
    mark(s[1], {m: "absent"})
    mark(s[2], {m: "absent"})
    assert _by_member(cohort)[m.id].reason == "dự 1/3 buổi (33%) < 80%"


def test_excused_sessions_leave_the_denominator(make_cohort, fill, sessions, mark):
    """Present 4, excused 1 of 5: 4/4 = 100% completes; an unexcused absence instead fails."""
    cohort = make_cohort(final=False, min_attendance_pct=100)
    excused, absent = fill(cohort, 2)
    s = sessions(cohort, 5)
    mark(s[0], {excused: "excused", absent: "absent"})
    for session in s[1:]:
        mark(session)
    results = _by_member(cohort)
    assert results[excused.id].completes
    assert results[excused.id].attendance_pct == 100
    assert not results[absent.id].completes
    assert "4/5" in results[absent.id].reason


def test_all_excused_does_not_complete(make_cohort, fill, sessions, mark):
    """A member must attend at least one session: excused from all of them is not completion."""
    cohort = make_cohort(final=False, min_attendance_pct=50)
    (m,) = fill(cohort, 1)
    for session in sessions(cohort, 2):
        mark(session, {m: "excused"})
    result = _by_member(cohort)[m.id]
    assert not result.completes
    assert result.reason == "vắng có phép cả 2 buổi"


def test_missing_attendance_counts_as_absent(make_cohort, fill, sessions, mark):
    """A session without an attendance record for a member counts as an absence."""
    cohort = make_cohort(final=False, min_attendance_pct=100)
    (m,) = fill(cohort, 1)
    s = sessions(cohort, 2)
    mark(s[0])
    result = _by_member(cohort)[m.id]
    assert (result.present, result.sessions, result.completes) == (1, 2, False)


def test_no_sessions_completes_nobody_unless_attendance_is_not_required(make_cohort, fill):
    """With no session recorded a rule above 0% fails everyone; a 0% rule ignores attendance."""
    strict = make_cohort(final=False, min_attendance_pct=80)
    (m,) = fill(strict, 1)
    assert _by_member(strict)[m.id].reason == "lớp chưa có buổi học nào được ghi"
    lenient = make_cohort(final=False, min_attendance_pct=0, name="Lớp trực tuyến",
                          mode="online")
    (n,) = fill(lenient, 1)
    assert _by_member(lenient)[n.id].completes


def test_final_test_required_when_the_course_has_one(make_cohort, fill, sessions, mark, paper):
    """With a final test: post-score at the pass mark completes, below it or missing does not."""
    cohort = make_cohort(final=True, min_attendance_pct=50)
    at_mark, below, missing = fill(cohort, 3)
    mark(sessions(cohort, 1)[0])
    paper(at_mark, post=70, pre=40)
    paper(below, post=69.5, pre=50)
    results = _by_member(cohort)
    assert results[at_mark.id].completes
    assert results[below.id].reason == "chưa đạt bài kiểm tra cuối"
    assert results[missing.id].reason == "chưa đạt bài kiểm tra cuối"


def test_both_reasons_are_listed(make_cohort, fill, sessions, mark):
    """A member who missed sessions and the test gets both reasons."""
    cohort = make_cohort(final=True)
    (m,) = fill(cohort, 1)
    s = sessions(cohort, 2)
    mark(s[0])
    mark(s[1], {m: "absent"})
    assert _by_member(cohort)[m.id].reason == ("dự 1/2 buổi (50%) < 80%; "
                                              "chưa đạt bài kiểm tra cuối")


def test_no_final_test_on_the_course_means_attendance_only(make_cohort, fill, sessions, mark):
    """A course without a final test (or a cohort not asking for it) completes on attendance."""
    cohort = make_cohort(final=False)
    (m,) = fill(cohort, 1)
    mark(sessions(cohort, 1)[0])
    assert not services.final_test_required(cohort)
    assert _by_member(cohort)[m.id].completes
    waived = make_cohort(final=True, require_final_test=False, name="Lớp miễn kiểm tra")
    (n,) = fill(waived, 1)
    mark(sessions(waived, 1)[0])
    assert _by_member(waived)[n.id].completes


def test_paper_score_of_another_cohort_does_not_count(db, make_cohort, fill, sessions, mark):
    """Only this cohort's paper post-test counts toward its final-test requirement."""
    from lms.assessments.models import PaperScore

    cohort = make_cohort(final=True)
    (m,) = fill(cohort, 1)
    mark(sessions(cohort, 1)[0])
    db.session.add(PaperScore(person_id=m.person_id, course_id=cohort.course_id, cohort_id=None,
                              post_score=95))
    db.session.commit()
    assert not _by_member(cohort)[m.id].completes


def test_close_records_outcomes_and_completions(db, make_cohort, fill, sessions, mark, paper):
    """Closing records every outcome, completions dated the end date for completers only, and
    marks the enrolment completed."""
    cohort = make_cohort(final=True)
    passed, failed = fill(cohort, 2)
    mark(sessions(cohort, 1)[0])
    paper(passed, post=90, pre=50)
    services.close_cohort(cohort, by=cohort.trainers[0])
    db.session.commit()
    assert cohort.status == "closed" and cohort.closed_at is not None
    assert (passed.completed, failed.completed) == (True, False)
    assert failed.outcome_reason == '[["final_not_passed",{}]]'  # a code (lms/core/reasons)
    assert reasons.render(failed.outcome_reason) == "chưa đạt bài kiểm tra cuối"
    rows = db.session.execute(select(Completion.person_id, Completion.completed_on,
                                     Completion.source)).all()
    assert rows == [(passed.person_id, cohort.ends_on, "cohort")]
    enrolment = db.session.get(Enrolment, passed.enrolment_id)
    assert (enrolment.status, enrolment.completed_on) == ("completed", cohort.ends_on)


def test_closing_twice_is_refused(db, make_cohort, fill, sessions, mark):
    """A second close (double submit) is refused and records nothing more."""
    cohort = make_cohort(final=False)
    fill(cohort, 1)
    mark(sessions(cohort, 1)[0])
    services.close_cohort(cohort, by=cohort.trainers[0])
    db.session.commit()
    with pytest.raises(services.CohortError):
        services.close_cohort(cohort, by=cohort.trainers[0])
    assert db.session.scalar(select(db.func.count()).select_from(Completion)) == 1


def test_close_before_end_date_is_refused(db, make_cohort, fill):
    """A cohort cannot close before its end date (completions would be dated in the future)."""
    from datetime import date, timedelta

    cohort = make_cohort(final=False, min_attendance_pct=0,
                         ends_on=date.today() + timedelta(days=5))
    fill(cohort, 1)
    with pytest.raises(services.CohortError, match="chỉ đóng lớp từ ngày"):
        services.close_cohort(cohort, by=cohort.trainers[0])


def test_completion_signal_fires_for_cohort_completions(db, make_cohort, fill, sessions, mark):
    """Certificates listen to completion_recorded: closing sends it once per completer."""
    from lms.courses.services import completion_recorded

    seen = []

    def listener(sender):
        seen.append(sender.person_id)

    completion_recorded.connect(listener)
    try:
        cohort = make_cohort(final=False)
        members = fill(cohort, 3)
        mark(sessions(cohort, 1)[0], {members[2]: "absent"})
        services.close_cohort(cohort, by=cohort.trainers[0])
    finally:
        completion_recorded.disconnect(listener)
    assert sorted(seen) == sorted(m.person_id for m in members[:2])
