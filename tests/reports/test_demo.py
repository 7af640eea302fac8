"""The demo's historical records: varied coverage, idempotent, skipped without courses."""

from sqlalchemy import func, select

from lms.courses.models import Completion
from lms.demo import create_demo, create_demo_records
from lms.reports import services


def test_demo_records_vary_and_are_idempotent(db, make_course, units):
    """Some communes fully trained, some partly, some not; a second run adds nothing."""
    create_demo()  # units of the fixture, roster, accounts; no course yet → no records
    assert db.session.scalar(select(func.count(Completion.id))) == 0
    make_course("co-ban")
    create_demo_records()
    db.session.commit()
    count = db.session.scalar(select(func.count(Completion.id)))
    create_demo_records()
    db.session.commit()
    assert db.session.scalar(select(func.count(Completion.id))) == count > 0
    from datetime import date

    doc = services.coverage(units("22", "province"), date(2025, 1, 1), date(2026, 12, 31))
    coverages = {r["coverage"] for r in doc["rows"]}
    assert 1.0 in coverages and 0.0 in coverages
    assert any(c is not None and 0 < c < 1 for c in coverages)
