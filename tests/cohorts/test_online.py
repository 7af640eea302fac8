"""Online attempts count like paper ones in the closing rule and the means."""

from datetime import datetime

import pytest

from lms.assessments.models import Attempt
from lms.cohorts import services


@pytest.fixture
def attempts(db):
    """Add an online attempt (real `Attempt` rows) for a cohort member."""
    numbers: dict = {}

    def add(member, kind, score, passed, submitted=True):
        key = (member.person_id, kind)
        numbers[key] = numbers.get(key, 0) + 1
        cohort = member.cohort
        db.session.add(Attempt(person_id=member.person_id, course_id=cohort.course_id,
                               kind=kind, number=numbers[key],
                               status="submitted" if submitted else "in_progress",
                               score=score if submitted else None,
                               passed=passed if submitted else None,
                               submitted_at=datetime(2025, 7, 1) if submitted else None))
        db.session.commit()

    return add


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
