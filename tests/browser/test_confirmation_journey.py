"""Safe destructive actions and rules checked where they are entered, on a phone: a cohort that
cannot close yet says why, a future session offers no attendance, dates that leave out a
session are refused beside the field, and deleting a session, removing a member and revoking a
certificate each go through a page saying what will happen."""

from datetime import timedelta

import pytest

from tests.browser.conftest import journey_commune

pytestmark = pytest.mark.browser

COMMUNE_INDEX = 30  # a commune of Quảng Ninh that no other journey uses
COHORT_NAME = "Lớp hành trình xác nhận"


def _setting(live_server) -> dict:
    """Through the services: a running cohort of the demo trainer in the commune (ends in three
    days), two members, a past session with attendance and one the day after tomorrow; and a
    certificate of another person of the commune (an online completion)."""
    from sqlalchemy import select

    from lms.accounts.models import User
    from lms.certificates.models import Certificate
    from lms.cohorts import services as cohorts
    from lms.core.timeutil import today
    from lms.courses.models import Course
    from lms.courses.services import record_completion
    from lms.extensions import db

    with live_server.app.app_context():
        commune, people = journey_commune(COMMUNE_INDEX)
        assert len(people) >= 3, "the demo roster has too few people in the commune"
        trainer = db.session.scalar(select(User).where(User.username == "trainer"))
        course = db.session.scalar(select(Course).where(Course.active.is_(True))
                                   .order_by(Course.id))
        on = today()
        cohort = db.session.scalar(select(cohorts.Cohort).where(
            cohorts.Cohort.name == COHORT_NAME))
        if cohort is None:
            cohort = cohorts.create_cohort(cohorts.CohortSpec(
                course_id=course.id, name=COHORT_NAME, host_unit_code=commune.code,
                starts_on=on - timedelta(days=2), ends_on=on + timedelta(days=3),
                trainer_ids=[trainer.id], status="running"), by=trainer)
            cohorts.add_members(cohort, [p.id for p in people[:2]], by=trainer)
            past = cohorts.save_session(cohort, by=trainer, day=on - timedelta(days=1),
                                        topic="Nhận diện")
            cohorts.record_attendance(past, {m.id: "present" for m in cohort.members},
                                      by=trainer)
            cohorts.save_session(cohort, by=trainer, day=on + timedelta(days=2),
                                 topic="Chuyển tuyến")
            record_completion(people[2], course, on - timedelta(days=30), "online", by=trainer)
        db.session.commit()
        cert = db.session.scalar(select(Certificate).where(Certificate.person_id == people[2].id))
        found = {"cohort_id": cohort.id, "today": on, "cert_id": cert.id, "code": cert.code,
                 "holder": cert.holder_name}
        db.session.remove()
    return found


def test_phone_confirmations_and_rules(phone_page, open_page, live_server, journal, login,
                                       loaded_courses):
    """A trainer sees why the cohort cannot close and that a future session takes no attendance
    yet; moving the end date before a session is refused under the field, naming it; deleting
    that session can be cancelled, then is confirmed; removing a member is confirmed. An admin
    revokes a certificate through a page saying what will happen, with a reason, which the
    anonymous verification page then shows."""
    from lms.demo import DEMO_PASSWORD

    assert loaded_courses
    setting = _setting(live_server)
    page = phone_page
    detail_url = f"{live_server.url}/cohorts/{setting['cohort_id']}"
    login(page, "trainer", DEMO_PASSWORD)

    # Closing is not offered before the end date: the page says why.
    page.goto(detail_url)
    assert page.locator("main a.btn:has-text('Đóng lớp')").count() == 0
    assert "chỉ đóng lớp từ ngày đó" in page.inner_text("#close-refusal")
    sessions = page.locator("ul.session-list > li")
    assert sessions.count() == 2
    assert sessions.nth(0).locator("a.btn:has-text('Điểm danh')").count() == 1
    assert sessions.nth(1).locator("a.btn:has-text('Điểm danh')").count() == 0
    assert "Chưa diễn ra" in sessions.nth(1).inner_text()

    # The end date cannot leave out the second session: the error is under the field.
    with page.expect_navigation():
        page.click("main a.btn:has-text('Sửa lớp')")
    page.fill("input[name=ends_on]", f"{setting['today']:%d/%m/%Y}")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    error = page.locator(".field.has-error:has(input[name=ends_on]) small.error")
    assert "Buổi 2" in error.inner_text() and "Chuyển tuyến" in error.inner_text()

    # Deleting the future session: the page says what goes; "Hủy" leaves it; then confirmed.
    page.goto(detail_url)
    with page.expect_navigation():
        sessions.nth(1).locator("a.btn:has-text('Xóa buổi')").click()
    assert "Điều sẽ xảy ra" in page.inner_text("main")
    assert "0 dòng điểm danh" in page.inner_text("ul.effects")
    with page.expect_navigation():
        page.click("main a.btn:has-text('Hủy')")
    assert page.url == detail_url and sessions.count() == 2
    with page.expect_navigation():
        sessions.nth(1).locator("a.btn:has-text('Xóa buổi')").click()
    with page.expect_navigation():
        page.click("main button[name=confirm]")
    assert page.url == detail_url and "Đã xóa buổi học" in page.inner_text(".flash")
    assert sessions.count() == 1

    # Removing a member: confirmed on its own page.
    rows = page.locator("main table tbody tr")
    assert rows.count() == 2
    with page.expect_navigation():
        rows.first.locator("a:has-text('Bỏ khỏi lớp')").click()
    assert "điểm danh của người này" in page.inner_text("ul.effects")
    with page.expect_navigation():
        page.click("main button[name=confirm]")
    assert "Đã bỏ" in page.inner_text(".flash") and rows.count() == 1
    with page.expect_navigation():
        page.click("header form[action='/accounts/logout'] button")

    # An admin revokes a certificate: what will happen, a reason, then the verification page.
    login(page, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/certificates/{setting['cert_id']}")
    # (The long verification address wraps instead of widening the page past the phone.)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with page.expect_navigation():
        page.click("main a.btn:has-text('Thu hồi giấy chứng nhận')")
    effects = page.inner_text("ul.effects")
    assert "đã thu hồi" in effects and "vẫn giữ kết quả hoàn thành" in effects
    assert page.locator("textarea[name=reason][required]").count() == 1
    page.fill("textarea[name=reason]", "Cấp nhầm người")
    with page.expect_navigation():
        page.click("main button[name=confirm]")
    assert "Đã thu hồi" in page.inner_text(".flash")
    assert "Cấp nhầm người" in page.inner_text("dl.cert-facts")

    anonymous = open_page()
    anonymous.goto(f"{live_server.url}/verify/{setting['code']}")
    text = anonymous.inner_text("main")
    assert "đã bị thu hồi" in text and "Cấp nhầm người" in text
    journal.assert_clean()
