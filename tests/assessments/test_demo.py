"""Demo paper scores."""

from sqlalchemy import func, select

from lms.assessments.models import PaperScore
from lms.demo import create_assessment_demo


def _count(db):
    return db.session.scalar(select(func.count()).select_from(PaperScore))


def test_demo_paper_scores_are_idempotent(db, make_course, make_person, make_cohort):
    """Without cohorts nothing is added; with one, up to five members get scores, once."""
    create_assessment_demo()
    assert _count(db) == 0
    cohort = make_cohort(make_course(), members=[make_person() for _ in range(7)])
    create_assessment_demo()
    create_assessment_demo()
    db.session.commit()
    assert _count(db) == 5
    for row in db.session.scalars(select(PaperScore)):
        assert row.cohort_id == cohort.id and 0 <= row.pre_score < row.post_score <= 100
