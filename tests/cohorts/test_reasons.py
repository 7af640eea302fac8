"""Reasons the system writes are stored as codes and shown in the reader's language; migration
0011 turned the sentences stored before into those codes, leaving typed reasons as typed."""

import importlib.util
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask_babel import force_locale

from lms.certificates import services as certificates
from lms.certificates.models import REVOKED, Certificate
from lms.cohorts import services
from lms.core import reasons
from tests.conftest import post_form

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0011_reason_codes.py"


def _migration():
    spec = importlib.util.spec_from_file_location("reason_codes", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def closed(db, make_cohort, fill, sessions, mark):
    """A cohort closed with one member who missed a session (of two, 80% needed) and has no
    final test: two coded reasons."""
    cohort = make_cohort(final=True)
    (member,) = fill(cohort, 1)
    first, second = sessions(cohort, 2)
    mark(first)
    mark(second, {member: "absent"})
    services.close_cohort(cohort, by=cohort.trainers[0])
    db.session.commit()
    return cohort, member


def test_a_closed_cohort_stores_codes_shown_in_each_language(app, closed):
    """The stored outcome is codes with figures; Vietnamese and English readers each read it in
    their language."""
    _cohort, member = closed
    assert reasons.decode(member.outcome_reason) == [
        ["attendance_low", {"p": 1, "c": 2, "r": 50, "m": 80}], ["final_not_passed", {}]]
    with force_locale("vi"):
        assert reasons.render(member.outcome_reason) == (
            "dự 1/2 buổi (50%) < 80%; chưa đạt bài kiểm tra cuối")
    with force_locale("en"):
        assert reasons.render(member.outcome_reason) == (
            "attended 1/2 sessions (50%) < 80%; has not passed the final test")


def test_the_cohort_page_shows_the_outcome_in_english(client, login_as, closed, db):
    """The English interface shows the stored outcome in English, not the code."""
    cohort, _member = closed
    login_as(user=cohort.trainers[0])
    post_form(client, "/lang/en", {"next": "/"})
    html = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "has not passed the final test" in html
    assert "final_not_passed" not in html and "chưa đạt" not in html


def test_a_revocation_by_correction_keeps_the_typed_reason_inside_the_code(app, db, closed,
                                                                           make_user):
    """An admin's correction revokes the certificate with a coded sentence around the reason
    as typed; an admin's own revocation reason stays plain text."""
    cohort, member = closed
    admin = make_user("admin")
    services.correct_outcome(member, True, "Điểm giấy nhập nhầm", by=admin)
    db.session.commit()
    cert = db.session.query(Certificate).filter_by(person_id=member.person_id).one()
    services.correct_outcome(member, False, "Gian lận", by=admin)
    db.session.commit()
    db.session.refresh(cert)
    assert cert.status == REVOKED
    with force_locale("en"):
        assert reasons.render(cert.revoked_reason) == "Class result corrected: Gian lận"
    assert member.outcome_reason == "Gian lận"
    assert reasons.render("Học viên gian lận bài kiểm tra") == "Học viên gian lận bài kiểm tra"


def test_the_verification_page_reads_the_reason_in_its_language(client, app, db, closed,
                                                                make_user):
    """A re-closing that revokes shows the reason on the public page and API, per language."""
    cohort, member = closed
    admin = make_user("admin")
    services.correct_outcome(member, True, "nhầm", by=admin)
    db.session.commit()
    cert = db.session.query(Certificate).filter_by(person_id=member.person_id).one()
    services.reopen_cohort(cohort, "sửa điểm danh", by=admin)
    services.close_cohort(cohort, by=admin)
    db.session.commit()
    db.session.refresh(cert)
    assert reasons.decode(cert.revoked_reason)[0][0] == "cohort_reclosed"
    html = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "được đóng lại; người này không còn đạt: dự 1/2 buổi (50%) &lt; 80%" in html
    data = client.get(f"/api/v1/certificates/{cert.code}?lang=en").get_json()
    assert data["revoked_reason"] == (
        f"Class {cohort.name} was closed again; this person no longer completes: attended "
        "1/2 sessions (50%) < 80%; has not passed the final test")


def test_unknown_codes_and_junk_stay_as_typed(app):
    """Only a list of known codes is rendered; anything else is shown as it is."""
    for text in ('[["no_such_code",{}]]', "[[not json", "[]", "lý do [[x]]"):
        assert reasons.render(text) == text
    assert reasons.render(None) == ""
    with pytest.raises(KeyError):
        reasons.reason("no_such_code")


def test_the_migration_knows_the_messages_the_code_writes(app):
    """The sentences the migration recognises are the msgids and English texts of the codes
    (so an old Vietnamese or English outcome maps to the same code a new close writes)."""
    module = _migration()
    for code, (vietnamese, english) in {**module.OUTCOME, **module.REVOKED}.items():
        assert reasons.MESSAGES[code]._args[0] == vietnamese
        with force_locale("en"):
            assert str(reasons.MESSAGES[code]) == english


def test_the_migration_maps_stored_sentences_to_codes(app, db, closed):
    """Upgrade turns Vietnamese and English outcome and revocation sentences into codes, leaves
    typed reasons and codes alone; downgrade writes the Vietnamese back."""
    cohort, member = closed
    cert = certificates.issue_certificate(_completion(db, member))[0]
    old = "dự 1/3 buổi (33%) < 80% (1 buổi vắng có phép không tính); chưa đạt bài kiểm tra cuối"
    member.outcome_reason = old
    cert.revoked_reason = ("Class Lớp A; B was closed again; this person no longer completes: "
                           "attended no sessions")
    typed = _typed(db, cohort)
    db.session.commit()
    module = _migration()
    _run(db, module.upgrade)
    db.session.expire_all()
    assert reasons.decode(member.outcome_reason) == [
        ["attendance_low_excused", {"p": 1, "c": 3, "r": 33, "m": 80, "e": 1}],
        ["final_not_passed", {}]]
    assert reasons.decode(cert.revoked_reason) == [
        ["cohort_reclosed", {"c": "Lớp A; B", "r": [["absent_all", {}]]}]]
    assert typed.outcome_reason == "Vắng vì ốm; chưa đạt"
    coded = member.outcome_reason
    _run(db, module.upgrade)  # again: codes stay codes
    db.session.expire_all()
    assert member.outcome_reason == coded
    _run(db, module.downgrade)
    db.session.expire_all()
    assert member.outcome_reason == old
    assert cert.revoked_reason == ("Lớp Lớp A; B được đóng lại; người này không còn đạt: "
                                   "không dự buổi nào")


def _completion(db, member):
    from lms.courses.models import Completion

    completion = Completion(person_id=member.person_id, course_id=member.cohort.course_id,
                            completed_on=member.cohort.ends_on, source="import")
    db.session.add(completion)
    db.session.flush()
    return completion


def _typed(db, cohort):
    """A second member whose reason an admin typed (it has a "; " but is no known sentence)."""
    from lms.cohorts.models import CohortMember
    from lms.units.models import Person

    person = Person(staff_id="TYPED1", full_name="Lê Thị Gõ", name_search="le thi go",
                    position="can_bo_xa", commune_id=cohort.members[0].person.commune_id)
    db.session.add(person)
    db.session.flush()
    member = CohortMember(cohort_id=cohort.id, person_id=person.id, completed=False,
                          outcome_reason="Vắng vì ốm; chưa đạt")
    db.session.add(member)
    return member


def _run(db, step) -> None:
    with db.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        step()
