"""Who sees and edits which cohort; a closed cohort is read-only but for an audited admin
correction."""

import pytest
from sqlalchemy import func, select

from lms.accounts.models import AuditLog
from lms.accounts.permissions import (
    can_correct_cohort,
    can_edit_cohort,
    can_export_cohort,
    can_view_cohort,
)
from lms.cohorts import services
from lms.cohorts.models import Cohort
from lms.courses.models import Completion


@pytest.fixture
def two_trainers(make_user, make_cohort):
    """Two Quảng Ninh trainers, each running one cohort."""
    hoa, minh = make_user("trainer", unit="22"), make_user("trainer", unit="22")
    return hoa, minh, make_cohort(trainer=hoa, name="Lớp của Hoa"), make_cohort(
        trainer=minh, name="Lớp của Minh")


def _visible(db, user):
    return set(db.session.scalars(services.visible_cohorts(user).with_only_columns(Cohort.name)))


def test_trainer_sees_and_edits_only_own_cohorts(db, two_trainers):
    """A trainer reads and edits the cohorts they run, not a colleague's in the same province."""
    hoa, minh, hoa_cohort, minh_cohort = two_trainers
    assert can_view_cohort(hoa, hoa_cohort) and can_edit_cohort(hoa, hoa_cohort)
    assert not can_view_cohort(hoa, minh_cohort) and not can_edit_cohort(hoa, minh_cohort)
    assert _visible(db, hoa) == {"Lớp của Hoa"}
    with pytest.raises(services.CohortError):
        services.save_session(minh_cohort, by=hoa, day=minh_cohort.starts_on)


def test_co_trainer_may_edit(db, two_trainers, make_course):
    """A second trainer named on a cohort runs it too."""
    hoa, minh, hoa_cohort, _ = two_trainers
    spec = services.CohortSpec(course_id=hoa_cohort.course_id, name=hoa_cohort.name,
                               host_unit_code="22", starts_on=hoa_cohort.starts_on,
                               ends_on=hoa_cohort.ends_on, trainer_ids=[hoa.id, minh.id])
    services.update_cohort(hoa_cohort, spec, by=hoa)
    db.session.commit()
    assert can_edit_cohort(minh, hoa_cohort)
    assert _visible(db, minh) == {"Lớp của Hoa", "Lớp của Minh"}


def test_viewer_reads_only_within_scope(db, two_trainers, make_user):
    """A viewer of Quảng Ninh reads its cohorts, never edits; a Hà Nội viewer sees none."""
    _, _, hoa_cohort, _ = two_trainers
    qn, hn = make_user("viewer", unit="22"), make_user("viewer", unit="01")
    assert can_view_cohort(qn, hoa_cohort) and not can_edit_cohort(qn, hoa_cohort)
    assert not can_export_cohort(qn, hoa_cohort)
    assert not can_view_cohort(hn, hoa_cohort)
    assert _visible(db, qn) == {"Lớp của Hoa", "Lớp của Minh"}
    assert _visible(db, hn) == set()


def test_admin_scope(db, two_trainers, make_user):
    """A national admin edits every cohort; a Hà Nội admin none of Quảng Ninh's."""
    _, _, hoa_cohort, _ = two_trainers
    national, hanoi = make_user("admin"), make_user("admin", unit="01")
    assert can_edit_cohort(national, hoa_cohort)
    assert not can_view_cohort(hanoi, hoa_cohort)
    assert len(_visible(db, national)) == 2


def test_trainer_cannot_host_outside_scope(db, make_user, make_course):
    """A Quảng Ninh trainer cannot open a cohort hosted in Hà Nội."""
    trainer = make_user("trainer", unit="22")
    spec = services.CohortSpec(course_id=make_course().id, name="Lớp", host_unit_code="01",
                               starts_on="01/07/2025", ends_on="02/07/2025", trainer_ids=[])
    with pytest.raises(services.CohortError, match="ngoài phạm vi"):
        services.create_cohort(spec, by=trainer)


def test_spec_validation_messages(db, make_user, make_course):
    """Bad dates, reversed dates and non-trainers are refused with Vietnamese messages."""
    trainer, viewer = make_user("trainer", unit="22"), make_user("viewer", unit="22")
    course = make_course()

    def spec(**kw):
        base = {"course_id": course.id, "name": "Lớp", "host_unit_code": "6652",
                "starts_on": "01/07/2025", "ends_on": "2025-07-03", "trainer_ids": []}
        return services.CohortSpec(**(base | kw))

    cohort = services.create_cohort(spec(), by=trainer)
    assert cohort.host_unit.code == "06652" and cohort.trainers == [trainer]
    with pytest.raises(services.CohortError, match="không hợp lệ"):
        services.create_cohort(spec(starts_on="31/02/2025"), by=trainer)
    with pytest.raises(services.CohortError, match="sau hoặc bằng"):
        services.create_cohort(spec(ends_on="30/06/2025"), by=trainer)
    with pytest.raises(services.CohortError, match="không phải giảng viên"):
        services.create_cohort(spec(trainer_ids=[viewer.id]), by=trainer)


def _closed(db, make_cohort, fill, sessions, mark):
    cohort = make_cohort(final=False)
    done, missed = fill(cohort, 2)
    mark(sessions(cohort, 1)[0], {missed: "absent"})
    services.close_cohort(cohort, by=cohort.trainers[0])
    db.session.commit()
    return cohort, done, missed


def test_closed_cohort_is_read_only(db, make_cohort, fill, sessions, mark, make_person):
    """After closing, nobody adds members, sessions or attendance (trainer or admin)."""
    cohort, done, _ = _closed(db, make_cohort, fill, sessions, mark)
    trainer = cohort.trainers[0]
    assert not can_edit_cohort(trainer, cohort)
    with pytest.raises(services.CohortError, match="đã đóng"):
        services.add_members(cohort, [make_person().id], by=trainer)
    with pytest.raises(services.CohortError, match="đã đóng"):
        services.save_session(cohort, by=trainer, day=cohort.starts_on)
    with pytest.raises(services.CohortError, match="đã đóng"):
        services.record_attendance(cohort.sessions[0], {done.id: "absent"}, by=trainer)
    with pytest.raises(services.CohortError, match="đã đóng"):
        services.remove_member(done, by=trainer)
    assert not can_correct_cohort(trainer, cohort)


def test_admin_correction_is_audited_and_moves_the_completion(db, make_cohort, fill, sessions,
                                                              mark, make_user):
    """An admin flips outcomes both ways; completions follow and the audit log records it."""
    cohort, done, missed = _closed(db, make_cohort, fill, sessions, mark)
    admin = make_user("admin", unit="22")
    with pytest.raises(services.CohortError):
        services.correct_outcome(missed, True, "x", by=cohort.trainers[0])
    services.correct_outcome(missed, True, "Đã học bù buổi 1 ngày 05/07", by=admin)
    services.correct_outcome(done, False, "Ký thay, không có mặt", by=admin)
    db.session.commit()
    people = set(db.session.scalars(select(Completion.person_id)))
    assert people == {missed.person_id}
    entries = db.session.execute(select(AuditLog.action, AuditLog.detail).where(
        AuditLog.action == "cohort.outcome_correct").order_by(AuditLog.id)).all()
    assert [e.detail["new"] for e in entries] == [True, False]
    assert entries[0].detail["reason"] == "Đã học bù buổi 1 ngày 05/07"
    assert done.outcome_reason == "Ký thay, không có mặt"


def test_correction_revokes_the_certificate(db, make_cohort, fill, sessions, mark, make_user):
    """Withdrawing a completion revokes its certificate, which stays verifiable with the
    reason; the corrected member gets a new certificate."""
    from lms.certificates.models import Certificate

    cohort, done, missed = _closed(db, make_cohort, fill, sessions, mark)
    admin = make_user("admin")
    cert = db.session.scalar(select(Certificate).where(Certificate.person_id == done.person_id))
    assert cert is not None and cert.status == "valid"
    services.correct_outcome(done, False, "Ký thay, không có mặt", by=admin)
    services.correct_outcome(missed, True, "Đã học bù", by=admin)
    db.session.commit()
    db.session.refresh(cert)
    assert cert.status == "revoked" and "Ký thay, không có mặt" in cert.revoked_reason
    assert cert.completion_id is None
    assert db.session.scalar(select(Certificate.status).where(
        Certificate.person_id == missed.person_id)) == "valid"


def test_reopen_then_close_again(db, make_cohort, fill, sessions, mark, make_user):
    """An admin reopens (audited); after changed attendance, re-closing withdraws the cohort's
    completion of a member who no longer completes."""
    cohort, done, missed = _closed(db, make_cohort, fill, sessions, mark)
    admin = make_user("admin")
    with pytest.raises(services.CohortError, match="lý do"):
        services.reopen_cohort(cohort, "  ", by=admin)
    services.reopen_cohort(cohort, "Nhập nhầm điểm danh", by=admin)
    db.session.commit()
    assert cohort.status == "running" and can_edit_cohort(cohort.trainers[0], cohort)
    mark(cohort.sessions[0], {done: "absent"})
    services.close_cohort(cohort, by=admin)
    db.session.commit()
    assert set(db.session.scalars(select(Completion.person_id))) == {missed.person_id}
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "cohort.reopen")) == 1
