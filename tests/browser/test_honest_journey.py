"""Honest pages on a phone: an imported completion is shown as such, without a certificate
link; "Học tiếp" opens the next unfinished lesson; an unknown verification code says so."""

from datetime import date

import pytest

from tests.browser.conftest import JOURNEY_PASSWORD, journey_trainee

pytestmark = pytest.mark.browser

COMMUNE_INDEX = 21  # a commune of Quảng Ninh that no other journey uses
USERNAME = "hocvien-trungthuc"


def _trainee(live_server, slugs: list[str]) -> dict:
    """A trainee with an imported completion of the first course and the first lesson of the
    second course done."""
    from sqlalchemy import select

    from lms.courses import services as courses
    from lms.courses.models import Course
    from lms.extensions import db

    with live_server.app.app_context():
        person, user = journey_trainee(COMMUNE_INDEX, USERNAME)
        imported, learning = (db.session.scalar(select(Course).where(Course.slug == s))
                              for s in slugs[:2])
        courses.record_completion(person, imported, date(2024, 5, 6), "import")
        enrolment, _created = courses.enrol(person, learning, by=user)
        first, second = learning.active_lessons[:2]
        courses.mark_lesson_complete(enrolment, first, by=user)
        db.session.commit()
        found = {"imported": imported.title, "learning": learning.slug,
                 "next_lesson": second.slug, "next_title": second.title}
        db.session.remove()
    return found


def test_honest_pages_on_a_phone(page, login, live_server, loaded_courses, journal):
    """The trainee's page marks the imported completion "(nhập từ hồ sơ)" and links no
    certificate for it; the course's "Học tiếp" goes to lesson 2, not the lesson already done;
    a stranger verifying a code that no certificate has reads that plainly (a 404 that says
    why)."""
    facts = _trainee(live_server, loaded_courses)
    login(page, USERNAME, JOURNEY_PASSWORD)
    page.goto(f"{live_server.url}/courses/me")
    item = page.locator("li", has_text=facts["imported"]).filter(has_text="nhập từ hồ sơ")
    assert item.count() == 1
    assert item.locator("a[href*='/certificates/']").count() == 0
    page.goto(f"{live_server.url}/courses/{facts['learning']}")
    resume = page.get_by_role("link", name="Học tiếp", exact=True)
    href = resume.get_attribute("href")
    assert href.endswith(f"/courses/{facts['learning']}/lessons/{facts['next_lesson']}"), href
    resume.click()
    assert facts["next_title"] in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.context.clear_cookies()
    answer = page.goto(f"{live_server.url}/verify/KHONGCOMA1234")
    assert answer.status == 404
    assert "Không có giấy chứng nhận nào mang mã này" in page.inner_text("main")
    journal.assert_clean(allow=(r"status of 404 .*/verify/KHONGCOMA1234",))
