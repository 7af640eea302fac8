"""Malformed and oversized uploads, generated with hypothesis: every import either succeeds or
fails with located errors (`ImportFailed`), never crashes, and a failure writes nothing."""

import io
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lms.assessments.models import PaperScore
from lms.assessments.services import import_paper_scores
from lms.cohorts.models import CohortMember
from lms.cohorts.services import CohortError, CohortSpec, add_members_from_file, create_cohort
from lms.core.tabular import ImportFailed
from lms.courses.models import Completion, Course
from lms.reports.records import import_records
from lms.units.models import Person
from lms.units.services import import_roster
from tests.conftest import csrf_token

HEADERS = {
    "roster": "ma_nhan_su,ho_ten,gioi_tinh,nam_sinh,chuc_danh,ma_xa,muc_tieu,ngay_nghi",
    "records": "ma_nhan_su,ma_khoa_hoc,ngay_hoan_thanh,ghi_chu",
    "members": "ma_nhan_su",
    "paper": "ma_nhan_su,diem_truoc,diem_sau",
}
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

cell = st.one_of(st.text(max_size=12), st.sampled_from(
    ["", "QN1", "06652", "6652", "99999", "khac", "Nữ", "1990", "1890", "có", "maybe",
     "31/12/2024", "2025-02-30", "c1", "101", "-5", "50", "=1+1", "'; DROP TABLE persons; --",
     "<script>alert(1)</script>", "\x00", "\ufeff", '"', ";", ","]))
rows = st.lists(st.lists(cell, min_size=0, max_size=9), min_size=0, max_size=6)
garbage = st.one_of(st.binary(max_size=400), st.just(b"PK\x03\x04" + b"\x00" * 40),
                    st.just("ma_nhan_su;ho_ten\nQN1;Nguy\xean".encode("latin-1")))


def _csv(header: str, body: list[list[str]]) -> bytes:
    out = io.StringIO()
    import csv

    writer = csv.writer(out)
    writer.writerow(header.split(","))
    writer.writerows(body)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def world(db, make_person, make_user, units):
    """A person QN1, a course c1, a trainer and a cohort with QN1 as member."""
    person = make_person(staff_id="QN1")
    course = Course(slug="c1", title="Khóa 1", counts_toward_target=True,
                    settings={"quiz": {"final": {"questions": 5}}})
    db.session.add(course)
    trainer = make_user("trainer", unit="22")
    db.session.commit()
    end = date.today() - timedelta(days=1)
    cohort = create_cohort(CohortSpec(course_id=course.id, name="Lớp 1", host_unit_code="22",
                                      starts_on=end, ends_on=end, trainer_ids=[trainer.id]),
                           by=trainer)
    db.session.add(CohortMember(cohort=cohort, person=person))
    db.session.commit()
    return {"person": person, "trainer": trainer, "cohort": cohort}


def _counts(db):
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Person, Completion, CohortMember, PaperScore))


def _attempt(db, call) -> None:
    """Run an import: it succeeds, or fails with located errors and leaves the data as it was."""
    before = _counts(db)
    try:
        call()
    except ImportFailed as exc:
        db.session.rollback()
        assert exc.errors and all(str(e) for e in exc.errors)
        assert _counts(db) == before
    except CohortError:
        db.session.rollback()
        assert _counts(db) == before
    else:
        db.session.rollback()  # keep every example independent


@SETTINGS
@given(body=rows)
def test_roster_import_survives_any_rows(db, world, body):
    """Random roster rows: located errors or a clean import, never a crash."""
    _attempt(db, lambda: import_roster(_csv(HEADERS["roster"], body), "r.csv"))


@SETTINGS
@given(data=garbage, name=st.sampled_from(["r.csv", "r.xlsx"]))
def test_every_import_survives_garbage_bytes(db, world, data, name):
    """Arbitrary bytes as CSV or XLSX give a clear error in every import."""
    cohort, trainer = world["cohort"], world["trainer"]
    for call in (lambda: import_roster(data, name),
                 lambda: import_records(data, name),
                 lambda: add_members_from_file(cohort, data, name, by=trainer),
                 lambda: import_paper_scores(cohort, data, name, by=trainer)):
        _attempt(db, call)


@SETTINGS
@given(body=rows)
def test_records_members_and_paper_imports_survive_any_rows(db, world, body):
    """Random rows for records, cohort members and paper scores: errors or success only."""
    cohort, trainer = world["cohort"], world["trainer"]
    _attempt(db, lambda: import_records(_csv(HEADERS["records"], body), "r.csv"))
    _attempt(db, lambda: add_members_from_file(cohort, _csv(HEADERS["members"], body), "m.csv",
                                               by=trainer))
    _attempt(db, lambda: import_paper_scores(cohort, _csv(HEADERS["paper"], body), "p.csv",
                                             by=trainer))


def test_oversized_upload_is_refused_with_a_page(client, login_as, app, db):
    """An upload over the size limit gets 413 and a clear page; nothing is written."""
    login_as("admin")
    token = csrf_token(client, "/units/import")
    big = b"ma_nhan_su,ho_ten,chuc_danh,ma_xa\n" + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    boundary = "lms-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + big + (
            f"\r\n--{boundary}--\r\n").encode()
    # Raw bytes, not a file tuple: the test client then keeps the body in memory.
    response = client.post("/units/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
