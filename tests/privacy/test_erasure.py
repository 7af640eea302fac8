"""Erasure that erases: after anonymisation no text column of the schema (read from the
metadata, so a new column is covered without touching this test) holds the person's name, any
earlier name, staff id, username or phone, in any case or accent form; the counts stay."""

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import JSON, LargeBinary, String, Text, select

from lms.accounts import audit, joining
from lms.accounts.models import AuditLog, JoinRequest, LoginAttempt, User
from lms.accounts.services import authenticate
from lms.assessments.models import Attempt, PaperScore
from lms.certificates.models import Certificate
from lms.certificates.services import reissue, revoke
from lms.cohorts.models import CohortMember
from lms.cohorts.services import CohortSpec, create_cohort, record_attendance, save_session
from lms.core.text import fold
from lms.courses.models import Course
from lms.courses.services import record_completion
from lms.extensions import db as _db
from lms.privacy.services import anonymise_person, export_person
from lms.reports.services import coverage
from lms.units.models import ImportJob, Person
from lms.units.services import export_roster
from tests.conftest import TEST_PASSWORD

OLD_NAME, NAME, STAFF_ID, PHONE = "Đinh Thị Lụa", "Đinh Thị Hồng Lụa", "QN77", "0912345678"


@pytest.fixture
def rich(db, make_person, make_user):
    """A leaver with data in every table: account, sign-ins (failed too), a cohort joined at a
    conference, attendance, quiz attempt, paper scores, a completion with a note, a certificate
    revoked and one re-issued after a name correction, audit entries about her; and a colleague
    whose data must stay."""
    admin = make_user("admin", username="qn-admin", unit="22")
    trainer = make_user("trainer", username="qn-trainer", unit="22")
    course = Course(slug="k1", title="Khóa 1", counts_toward_target=True, hours=8)
    db.session.add(course)
    person = make_person(full_name=OLD_NAME, staff_id=STAFF_ID, phone=PHONE, birth_year=1980,
                         ethnicity="Dao", gender="female")
    other = make_person(full_name="Trần Văn Bình", staff_id="QN78", phone="0987654321")
    end = date.today() - timedelta(days=1)
    cohort = create_cohort(CohortSpec(course_id=course.id, name="Lớp Hạ Long 1",
                                      host_unit_code="22", starts_on=end - timedelta(days=2),
                                      ends_on=end, trainer_ids=[trainer.id]), by=trainer)
    joining.open_code(cohort, by=trainer)
    with pytest.raises(joining.JoinError):
        joining.request_join(cohort, STAFF_ID, "1999", "10.0.0.9")  # wrong year: no match
    joining.decide(joining.request_join(cohort, STAFF_ID, "1980", "10.0.0.9"), True, by=trainer)
    user = db.session.scalar(select(User).where(User.person_id == person.id))
    user.set_password(TEST_PASSWORD)
    assert authenticate(user.username, "wrong", "10.0.0.9").user is None
    assert authenticate(user.username.upper(), TEST_PASSWORD, "10.0.0.9").user is not None
    day = save_session(cohort, by=trainer, day=cohort.starts_on, topic="Buổi 1")
    member = db.session.scalar(select(CohortMember).where(CohortMember.person_id == person.id))
    record_attendance(day, {member.id: "absent"}, by=trainer)
    member.outcome_reason = f"Chị {OLD_NAME} (ĐT {PHONE}) vắng buổi 1"
    db.session.add_all([
        Attempt(person_id=person.id, course_id=course.id, kind="final", number=1,
                status="submitted", score=80, passed=True, layout=[]),
        PaperScore(person_id=person.id, course_id=course.id, cohort_id=cohort.id,
                   pre_score=40, post_score=80)])
    completion, _ = record_completion(person, course, end, "online",
                                      note=f"Học bù, báo lại {fold(OLD_NAME).upper()}")
    cert = db.session.scalar(select(Certificate).where(Certificate.person_id == person.id))
    reissue(cert, by=admin, full_name=NAME)  # roster.name_correction keeps the old name
    other_completion, _ = record_completion(other, course, end, "online")
    revoke(db.session.scalar(select(Certificate).where(Certificate.person_id == person.id,
                                                       Certificate.status == "valid")),
           f"Cấp nhầm cho {NAME}", by=admin)
    export_person(person, by=admin)
    export_person(other, by=admin)
    audit.record("cohort.reopen", actor=admin, target=f"cohort {cohort.id}",
                 reason=f"mở lại để {NAME.upper()} thi lại")
    roster = export_roster(person.commune)  # a CSV upload holding her row
    db.session.add_all([
        ImportJob(filename="qn.csv", data=roster, created_by_id=admin.id, status="done",
                  options={"dry_run": True}, result={"changes": [[STAFF_ID, NAME, {
                      "phone": [PHONE, ""]}]], "added": [], "missing": []}),
        ImportJob(filename="qn-loi.csv", data=roster, created_by_id=admin.id, status="failed",
                  options={"dry_run": True}, errors=[f"dòng 2 ({STAFF_ID}): {OLD_NAME} trùng"])])
    person.left_on = date(2025, 6, 30)
    db.session.commit()
    return {"person": person, "other": other, "admin": admin, "username": user.username,
            "user_id": user.id, "course": course}


def _text_columns():
    """(table, column) for every String, Text, JSON or binary column of the schema."""
    return [(table, column) for table in _db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, (String, Text, JSON, LargeBinary))]


def _leaks(db, words: list[str]) -> list[str]:
    """Every (table.column: value) whose folded text holds one of the folded words."""
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(fold(w)) for w in words) + r")(?!\w)")
    found = []
    for table, column in _text_columns():
        for value in db.session.execute(select(column).where(column.is_not(None))).scalars():
            text = (value if isinstance(value, str)
                    else value.decode("utf-8", "ignore") if isinstance(value, bytes)
                    else json.dumps(value, ensure_ascii=False))
            if pattern.search(fold(text)):
                found.append(f"{table.name}.{column.name}: {text[:120]}")
    return found


def test_the_sweep_reads_every_table():
    """The sweep covers the tables that hold people's text (a guard against a silent no-op)."""
    names = {f"{t.name}.{c.name}" for t, c in _text_columns()}
    assert {"persons.full_name", "persons.name_search", "users.username", "login_attempts.username",
            "audit_log.detail", "audit_log.target", "audit_log.actor_name", "completions.note",
            "cohort_members.outcome_reason", "certificates.holder_name",
            "certificates.revoked_reason", "import_jobs.data", "import_jobs.result",
            "import_jobs.errors"} <= names


def test_anonymise_leaves_no_trace_in_any_text_column(db, rich):
    """Before: every identifier is found somewhere; after: none in any text column, while the
    colleague's data, every row count and the coverage figures stay."""
    person, words = rich["person"], [OLD_NAME, NAME, STAFF_ID, rich["username"], PHONE]
    before = _leaks(db, words)
    for where in ("persons.full_name", "persons.name_search", "users.username",
                  "login_attempts.username", "audit_log.detail", "audit_log.target",
                  "audit_log.actor_name", "completions.note", "cohort_members.outcome_reason",
                  "certificates.holder_name", "certificates.revoked_reason", "import_jobs.data",
                  "import_jobs.result", "import_jobs.errors"):
        assert any(leak.startswith(where + ":") for leak in before), where
    counts = {m.__name__: db.session.query(m).count() for m in (
        AuditLog, LoginAttempt, JoinRequest, Attempt, PaperScore, Certificate, CohortMember)}
    period = {"date_from": date(2025, 1, 1), "date_to": date.today()}
    def figures_of():
        # ethnicity is erased, so by_ethnicity moves the person to `unknown`; the rest stays
        return [{k: v for k, v in doc.items() if k != "by_ethnicity"} for doc in (
            coverage(None, **period), coverage(person.commune, **period),
            coverage(None, course=rich["course"], **period))]

    figures = figures_of()

    anonymise_person(person, by=rich["admin"])
    db.session.commit()

    assert _leaks(db, words) == []
    assert figures_of() == figures
    counts[AuditLog.__name__] += 1  # the anonymisation's own entry
    assert {m.__name__: db.session.query(m).count() for m in (
        AuditLog, LoginAttempt, JoinRequest, Attempt, PaperScore, Certificate,
        CohortMember)} == counts
    other = db.session.get(Person, rich["other"].id)
    assert (other.full_name, other.staff_id, other.phone) == ("Trần Văn Bình", "QN78",
                                                              "0987654321")
    assert db.session.query(AuditLog).filter_by(action="person.export", target="QN78").count() == 1
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "person.anonymise"))
    assert entry.target == person.staff_id and entry.actor_name == "qn-admin"


def test_the_account_cannot_sign_in_after(db, rich):
    """Neither the old username nor the token signs in; sessions are ended."""
    anonymise_person(rich["person"], by=rich["admin"])
    db.session.commit()
    user = db.session.get(User, rich["user_id"])
    assert not user.active and user.person_id is None and user.session_version > 1
    for name in (rich["username"], user.username):
        assert authenticate(name, TEST_PASSWORD, "10.0.0.9").user is None
    assert not user.check_password(TEST_PASSWORD)


def test_the_verify_page_no_longer_names_the_holder(client, db, rich):
    """The public verification page of the certificate shows the anonymous label."""
    anonymise_person(rich["person"], by=rich["admin"])
    db.session.commit()
    for cert in db.session.scalars(select(Certificate).where(
            Certificate.person_id == rich["person"].id)):
        html = client.get(f"/verify/{cert.code}").get_data(as_text=True)
        assert "ẩn danh" in html and "Lụa" not in html


def test_namesakes_and_first_names_of_others_stay(db, make_person, make_user):
    """A namesake's roster row and name correction, and another Lụa in a reason, are left
    alone when the account's name is a single word; entries naming the full name go."""
    leaver = make_person(full_name=OLD_NAME, staff_id="QN90", left_on=date(2025, 6, 30))
    make_user("trainee", username="lua90", person=leaver, full_name="Lụa")
    namesake = make_person(full_name=OLD_NAME, staff_id="QN91")
    audit.record("roster.name_correction", target="QN91", old="Đinh Lụa", new=OLD_NAME)
    audit.record("cohort.reopen", target="cohort 1", reason="cho chị Trần Thị Lụa thi lại")
    audit.record("cohort.reopen", target="cohort 2", reason=f"cho chị {OLD_NAME} thi lại")
    db.session.commit()
    anonymise_person(leaver)
    db.session.commit()
    assert db.session.get(Person, namesake.id).full_name == OLD_NAME
    details = [e.detail for e in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert {"old": "Đinh Lụa", "new": OLD_NAME} in details
    assert {"reason": "cho chị Trần Thị Lụa thi lại"} in details
    assert {"reason": f"cho chị ẩn danh #{leaver.id} thi lại"} in details
