"""Online attempts (when the assessments room provides an Attempt model) count like paper ones."""

import pytest
from sqlalchemy import Boolean, Column, DateTime, Float, Integer, String
from sqlalchemy.orm import registry

from lms.cohorts import services

_registry = registry()


@_registry.mapped
class FakeAttempt:
    """The shape the cohorts room expects of `lms.assessments.models.Attempt`."""

    __tablename__ = "cohort_test_attempts"

    id = Column(Integer, primary_key=True)
    enrolment_id = Column(Integer, nullable=False)
    kind = Column(String(10), nullable=False)
    score = Column(Float, nullable=True)
    passed = Column(Boolean, nullable=True)
    submitted_at = Column(DateTime, nullable=True)


@pytest.fixture
def attempts(db, monkeypatch):
    """A temporary attempts table, exposed as `lms.assessments.models.Attempt`."""
    from lms.assessments import models

    FakeAttempt.__table__.create(db.engine)
    monkeypatch.setattr(models, "Attempt", FakeAttempt, raising=False)

    def add(member, kind, score, passed, submitted=True):
        from datetime import datetime

        db.session.add(FakeAttempt(enrolment_id=member.enrolment_id, kind=kind, score=score,
                                   passed=passed, submitted_at=datetime(2025, 7, 1) if submitted
                                   else None))
        db.session.commit()

    yield add
    db.session.rollback()
    db.session.close()
    FakeAttempt.__table__.drop(db.engine)


def test_passed_online_final_satisfies_the_rule(db, attempts, make_cohort, fill, sessions,
                                                mark):
    """A passed, submitted online final completes; an unsubmitted or failed one does not."""
    cohort = make_cohort(final=True)
    online, unsubmitted, failed = fill(cohort, 3)
    mark(sessions(cohort, 1)[0])
    attempts(online, "final", 80, True)
    attempts(unsubmitted, "final", 90, True, submitted=False)
    attempts(failed, "final", 40, False)
    results = {r.member.id: r for r in services.member_results(cohort)}
    assert results[online.id].completes
    assert not results[unsubmitted.id].completes
    assert not results[failed.id].completes


def test_online_scores_fill_in_where_no_paper_score(db, attempts, make_cohort, fill, paper):
    """Means use the paper score when there is one, else the best online attempt."""
    cohort = make_cohort(final=True)
    on_paper, on_line = fill(cohort, 2)
    paper(on_paper, pre=40, post=80)
    attempts(on_paper, "final", 100, True)  # the paper score wins for this member
    attempts(on_line, "pretest", 50, None)
    attempts(on_line, "final", 60, False)
    attempts(on_line, "final", 90, True)
    stats = services.cohort_stats(cohort)
    assert (stats.pre_mean, stats.post_mean) == (45, 85)
    assert (stats.gain, stats.gain_n) == (40, 2)
