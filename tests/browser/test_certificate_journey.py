"""A trainee's certificate on a phone: download it, read its QR code, and verify it from a
browser that is not logged in."""

import pytest

from tests.browser.conftest import JOURNEY_PASSWORD, journey_trainee

pytestmark = pytest.mark.browser

COURSE = "giao-tiep-lay-nan-nhan-lam-trung-tam"
COMMUNE_INDEX = 20  # a commune of Quảng Ninh that no other journey uses
USERNAME = "hocvien-chungnhan"


def _completed_trainee(live_server) -> dict:
    """A trainee account for a roster person who finished COURSE online through the services:
    enrolled, every lesson done, the final test passed (which issues the certificate)."""
    from sqlalchemy import select

    from lms.assessments import services as quizzes
    from lms.assessments.models import Question
    from lms.certificates.models import Certificate
    from lms.courses import services as courses
    from lms.courses.models import Course
    from lms.extensions import db

    with live_server.app.app_context():
        person, user = journey_trainee(COMMUNE_INDEX, USERNAME)
        course = db.session.scalar(select(Course).where(Course.slug == COURSE))
        enrolment, _created = courses.enrol(person, course, by=user)
        for lesson in course.active_lessons:
            courses.mark_lesson_complete(enrolment, lesson, by=user)
        db.session.commit()
        if not quizzes.has_passed(person.id, course.id, "final"):
            attempt = quizzes.start_attempt(person, course, "final", by=user)
            for item in attempt.layout:
                question = db.session.get(Question, item["q"])
                quizzes.save_answer(attempt, question.id, sorted(quizzes.answer_keys(question)),
                                    by=user)
            assert quizzes.submit_attempt(attempt, by=user) and attempt.passed
            db.session.commit()
        cert = db.session.scalar(select(Certificate).where(
            Certificate.person_id == person.id, Certificate.course_id == course.id))
        assert cert is not None, "no certificate issued on completion"
        found = {"name": person.full_name, "course": course.title, "cert_id": cert.id,
                 "code": cert.code}
        db.session.remove()
    return found


def _qr_urls(data: bytes) -> list[str]:
    """The QR codes found on the first page of a PDF, rendered as a bitmap."""
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [b.text for b in zxingcpp.read_barcodes(image)
            if b.format == zxingcpp.BarcodeFormat.QRCode]


def test_trainee_phone_certificate_qr_verifies_anonymously(phone_page, open_page, live_server,
                                                           journal, login, loaded_courses):
    """A trainee who completed a course opens "Chứng nhận của tôi", downloads the PDF whose QR
    code holds the verify URL; a browser with no login opens it and sees "valid", the name and
    the course; an altered code is 404."""
    assert COURSE in loaded_courses
    holder = _completed_trainee(live_server)
    page = phone_page
    login(page, USERNAME, JOURNEY_PASSWORD)

    with page.expect_navigation():
        page.click("nav.nav a:has-text('Chứng nhận của tôi')")
    assert page.url.endswith("/certificates/mine")
    card = page.locator("li.cert-card", has_text=holder["course"])
    assert card.count() == 1, page.inner_text("main")
    assert "Còn hiệu lực" in card.locator(".badge").inner_text()
    href = card.locator("a.btn:has-text('Tải PDF')").get_attribute("href")
    assert href == f"/certificates/{holder['cert_id']}.pdf"
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert "no-store" in response.headers.get("cache-control", "")
    verify_url = f"{live_server.url}/verify/{holder['code']}"
    assert _qr_urls(response.body()) == [verify_url]

    # The details page shows the same verify address as a link.
    with page.expect_navigation():
        card.locator("a.btn:has-text('Chi tiết')").click()
    assert page.locator(f"main a[href='{verify_url}']").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Anyone holding the paper: a fresh browser with no session.
    stranger = open_page()  # a new context: no login
    answer = stranger.goto(verify_url)
    assert answer.status == 200
    assert stranger.locator("header a[href='/accounts/login']").count() == 1  # not logged in
    section = stranger.locator("section.verify")
    assert "verify-valid" in section.get_attribute("class")
    assert "Còn hiệu lực" in section.locator(".verify-status .badge").inner_text()
    facts = dict(zip(section.locator("dt").all_inner_texts(),
                     section.locator("dd").all_inner_texts(), strict=True))
    assert facts["Họ và tên"] == holder["name"]
    assert facts["Khóa học"] == holder["course"]
    api = stranger.request.get(f"{live_server.url}/api/v1/certificates/{holder['code']}")
    assert api.status == 200
    assert api.json()["status"] == "valid" and api.json()["holder_name"] == holder["name"]
    assert stranger.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    code = holder["code"]
    altered = code[:-1] + ("A" if code[-1] != "A" else "B")
    answer = stranger.goto(f"{live_server.url}/verify/{altered}")
    assert answer.status == 404
    assert holder["name"] not in stranger.inner_text("body")

    journal.assert_clean(allow=(rf"status of 404 .*/verify/{altered}",))
