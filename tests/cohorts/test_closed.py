"""Closed means closed at the service level: every service that writes a cohort's records goes
through `require_open`, so the CLI and any future view are refused like the web pages."""

import pytest
from sqlalchemy import func, select

from lms.accounts import joining
from lms.accounts.models import AuditLog, JoinRequest
from lms.assessments import services as assessments
from lms.assessments.models import PaperForm, PaperScore
from lms.cohorts import services
from lms.cohorts.services import CohortError, require_open

CLOSED = "Lớp đã đóng"


@pytest.fixture
def closed(db, make_cohort, fill, sessions, make_person):
    """A closed cohort (attendance not required) with two members and one session; a roster
    person outside it; a printed paper of its course."""
    cohort = make_cohort(min_attendance_pct=0, final=False)
    members = fill(cohort, 2)
    (session,) = sessions(cohort, 1)
    joining.open_code(cohort, by=cohort.trainers[0])
    form = PaperForm(course_id=cohort.course_id, kind="final", seed=1,
                     layout=[{"q": 1, "o": ["a", "b"]}])
    db.session.add(form)
    services.close_cohort(cohort, by=cohort.trainers[0])
    db.session.commit()
    return {"cohort": cohort, "members": members, "session": session, "form": form,
            "trainer": cohort.trainers[0], "outsider": make_person(staff_id="QN-OUT")}


def _writes(w):
    """(name, call) for every service that writes a cohort's records."""
    cohort, trainer, (member, other) = w["cohort"], w["trainer"], w["members"]
    session, form = w["session"], w["form"]
    scores = [{"person_id": member.person_id, "pre_score": 10.0, "post_score": 20.0}]
    spec = services.CohortSpec(course_id=cohort.course_id, name="x", host_unit_code="22",
                               starts_on=cohort.starts_on, ends_on=cohort.ends_on,
                               trainer_ids=[trainer.id])
    sheet = b"ma_nhan_su,diem_truoc,diem_sau\n" + member.person.staff_id.encode() + b",1,2\n"
    return [
        ("update_cohort", lambda: services.update_cohort(cohort, spec, by=trainer)),
        ("delete_cohort", lambda: services.delete_cohort(cohort, by=trainer)),
        ("add_members", lambda: services.add_members(cohort, [w["outsider"].id], by=trainer)),
        ("add_members_from_file", lambda: services.add_members_from_file(
            cohort, b"ma_nhan_su\nQN-OUT\n", "m.csv", by=trainer)),
        ("remove_member", lambda: services.remove_member(other, by=trainer)),
        ("save_session", lambda: services.save_session(cohort, by=trainer,
                                                       day=cohort.starts_on)),
        ("delete_session", lambda: services.delete_session(session, by=trainer)),
        ("record_attendance", lambda: services.record_attendance(
            session, {member.id: "absent", other.id: "absent"}, by=trainer)),
        ("close_cohort", lambda: services.close_cohort(cohort, by=trainer)),
        ("check_paper_rows", lambda: assessments.check_paper_rows(
            cohort, [(2, {"staff_id": member.person.staff_id, "post_score": "5"})],
            {"staff_id": "ma_nhan_su", "post_score": "diem_sau"})),
        ("apply_paper_scores", lambda: assessments.apply_paper_scores(cohort, scores,
                                                                       by=trainer)),
        ("import_paper_scores", lambda: assessments.import_paper_scores(
            cohort, sheet, "s.csv", by=trainer)),
        ("check_paper_answers", lambda: assessments.check_paper_answers(
            cohort, form, [(2, {"staff_id": member.person.staff_id, "c1": "A"})], {})),
        ("apply_paper_answers", lambda: assessments.apply_paper_answers(
            cohort, form, [{"person_id": member.person_id, "chosen": [["a"]]}], by=trainer)),
        ("import_paper_answers", lambda: assessments.import_paper_answers(
            cohort, form, b"ma_nhan_su,cau_1\n" + member.person.staff_id.encode() + b",A\n",
            "a.csv", by=trainer)),
    ]


WRITES = ["update_cohort", "delete_cohort", "add_members", "add_members_from_file",
          "remove_member", "save_session", "delete_session", "record_attendance",
          "close_cohort", "check_paper_rows", "apply_paper_scores", "import_paper_scores",
          "check_paper_answers", "apply_paper_answers", "import_paper_answers"]


def _state(db, cohort):
    from lms.cohorts.models import Attendance, CohortMember, CohortSession

    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (CohortMember, CohortSession, Attendance, PaperScore,
                               JoinRequest)) + (cohort.name, cohort.status)


@pytest.mark.parametrize("name", WRITES)
def test_every_write_service_refuses_a_closed_cohort(db, closed, name):
    """Each service that writes a cohort's records raises the closed CohortError and leaves
    the records as they were."""
    calls = dict(_writes(closed))
    assert sorted(calls) == sorted(WRITES)
    before = _state(db, closed["cohort"])
    with pytest.raises(CohortError, match=CLOSED):
        calls[name]()
    db.session.rollback()
    assert _state(db, closed["cohort"]) == before


def test_require_open_passes_an_open_cohort(db, make_cohort):
    """An open cohort is let through (the check refuses only closed ones)."""
    require_open(make_cohort())


def test_closing_ends_the_join_code_and_joining_is_refused(db, closed, make_person):
    """Closing clears the join code; opening one, filing or deciding a request on a closed
    cohort is refused with the closed message."""
    cohort, trainer = closed["cohort"], closed["trainer"]
    assert cohort.join_code is None
    person = make_person(staff_id="QN-J", birth_year=1990)
    join = JoinRequest(cohort_id=cohort.id, person_id=person.id, check_number="0001")
    db.session.add(join)
    db.session.commit()
    for call in (lambda: joining.open_code(cohort, by=trainer),
                 lambda: joining.close_code(cohort, by=trainer),
                 lambda: joining.request_join(cohort, "QN-J", "1990", None),
                 lambda: joining.decide(join, True, by=trainer)):
        with pytest.raises(joining.JoinError, match=CLOSED):
            call()
    assert join.status == "pending" and cohort.join_code is None


def test_corrections_need_a_reason_kept_in_the_audit_log(db, closed, make_user):
    """An admin's outcome correction and reopening are refused without a reason, and the
    reason is kept in the audit entry; a trainer may do neither."""
    cohort, (member, _other) = closed["cohort"], closed["members"]
    admin = make_user("admin", unit="22")
    with pytest.raises(CohortError):
        services.correct_outcome(member, False, "  ", by=admin)
    with pytest.raises(CohortError):
        services.correct_outcome(member, False, "sai", by=closed["trainer"])
    with pytest.raises(CohortError):
        services.reopen_cohort(cohort, "", by=admin)
    services.correct_outcome(member, False, "Không dự buổi cuối", by=admin)
    services.reopen_cohort(cohort, "Nhập lại điểm danh", by=admin)
    details = [e.detail["reason"] for e in db.session.scalars(
        select(AuditLog).where(AuditLog.action.in_(("cohort.outcome_correct",
                                                    "cohort.reopen"))).order_by(AuditLog.id))]
    assert details == ["Không dự buổi cuối", "Nhập lại điểm danh"]
    assert member.completed is False and cohort.status == "running"


def test_the_paper_cli_refuses_a_closed_cohort(db, closed, runner, tmp_path):
    """`flask lms quiz paper-scores` on a closed cohort exits non-zero with the message."""
    member = closed["members"][0]
    path = tmp_path / "s.csv"
    path.write_text(f"ma_nhan_su,diem_sau\n{member.person.staff_id},90\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "quiz", "paper-scores", str(closed["cohort"].id),
                                 str(path)])
    assert result.exit_code != 0 and CLOSED in result.output
    assert db.session.scalar(select(func.count()).select_from(PaperScore)) == 0
