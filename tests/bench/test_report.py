"""bench/report.py's bare SQL computes the service's head-line figures (no timing)."""

import pytest

from bench import report
from lms.extensions import db
from lms.reports import services
from tests.reports.conftest import FROM, TO, make_course, world  # noqa: F401 - fixtures


@pytest.mark.parametrize("code, kind", [("22", "province"), ("06652", "commune"), ("", None)])
def test_bare_sql_matches_the_service_totals(world, units, code, kind):  # noqa: F811
    """The bare query's target, trained, person-times and people are the coverage totals."""
    assert (report.FROM, report.TO) == (FROM, TO)
    unit = units(code, kind) if code else services.root_unit()
    totals = services.coverage(unit, FROM, TO)["totals"]
    assert tuple(db.session.execute(report._bare(unit)).one()) == (
        totals["target"], totals["trained"], totals["person_times"], totals["people"])


def test_largest_province_has_the_most_people(app, world):  # noqa: F811
    """Quảng Ninh has 12 of the world's people, Hà Nội 1."""
    assert report.largest_province(app) == "22"
