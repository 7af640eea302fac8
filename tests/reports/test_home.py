"""The official's home page: their unit's coverage from the report service, the units short
of the target lowest first, the trend; scoped to the official's unit."""

from datetime import date

from lms.reports import services
from lms.reports.home import glance, lagging, trend_start


def test_trend_starts_three_quarters_back():
    """Four quarters: the current one and the three before, across a year's turn."""
    assert trend_start(date(2026, 12, 8)) == date(2026, 1, 1)
    assert trend_start(date(2026, 2, 1)) == date(2025, 4, 1)


def test_lagging_lowest_first_without_units_at_target():
    """Units without a target or at it are left out; the lowest coverage comes first."""
    rows = [{"code": "1", "target": 4, "trained": 3, "coverage": 0.75},
            {"code": "2", "target": 2, "trained": 2, "coverage": 1.0},
            {"code": "3", "target": 0, "trained": 0, "coverage": None},
            {"code": "4", "target": 5, "trained": 1, "coverage": 0.2}]
    assert [r["code"] for r in lagging(rows)] == ["4", "1"]
    assert len(lagging(rows * 20, limit=3)) == 3


def test_glance_reuses_the_coverage_document(world, make_user, units):
    """The figures are the report service's own; commune A (5 of 6) lags, B (2/2) does not."""
    viewer = make_user("viewer", unit="22")
    seen = glance(viewer)
    assert seen.doc == services.coverage(units("22", "province"))
    assert [r["code"] for r in seen.lagging] == [world["units"]["A"].code]


def test_home_page_of_an_official(client, world, login_as):
    """The official's home shows their province's coverage, the lagging commune linked to its
    report, the trend chart and nothing of another province."""
    login_as("viewer", unit="22")
    html = client.get("/").get_data(as_text=True)
    a = world["units"]["A"]
    assert 'id="home-coverage"' in html and "Quảng Ninh" in html
    assert f'href="/reports/coverage?unit={a.code}"' in html
    assert world["units"]["B"].name not in html and world["units"]["H"].name not in html
    assert 'id="home-trend-t"' in html


def test_national_official_sees_provinces(client, world, login_as):
    """Without a unit the official sees the country, the provinces short of the target."""
    login_as("viewer")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/reports/coverage?unit=22"' in html
    assert 'href="/reports/coverage?unit=01"' not in html   # Hà Nội's one person is trained


def test_admin_and_trainer_have_no_coverage_section(client, world, login_as):
    """The coverage glance is the officials' section."""
    login_as("trainer", unit="22")
    assert 'id="home-coverage"' not in client.get("/").get_data(as_text=True)



def test_no_units_loaded_no_section(client, db):
    """Before any unit is loaded a national official's home page still opens, without the
    coverage section."""
    from lms.accounts.services import create_user
    from tests.conftest import TEST_PASSWORD, post_form

    create_user("quan-sat", "viewer", TEST_PASSWORD)
    db.session.commit()
    post_form(client, "/accounts/login", {"username": "quan-sat", "password": TEST_PASSWORD},
              page="/accounts/login")
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Xin chào" in html and 'id="home-coverage"' not in html
