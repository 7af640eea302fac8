"""A trainer's journey on a phone: open a cohort in a Quảng Ninh commune, add its people,
two sessions with attendance, paper scores, close it, and batch-print the certificates."""

import io
import re
import zipfile
from datetime import timedelta

import pytest

pytestmark = pytest.mark.browser

COURSE = "tiep-nhan-sang-loc-chuyen-tuyen"
COMMUNE_INDEX = 10  # a commune of Quảng Ninh that no other journey uses
COHORT_NAME = "Lớp hành trình giảng viên"


def _setting(live_server) -> dict:
    """The course, the commune and today's date, read through the live app."""
    from sqlalchemy import select

    from lms.core.timeutil import today
    from lms.courses.models import Course
    from lms.extensions import db
    from lms.units.models import CURRENT, Unit
    from lms.units.services import lookup_unit

    with live_server.app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == COURSE))
        province = lookup_unit("22", "province")
        commune = db.session.scalars(select(Unit).where(
            Unit.system == CURRENT, Unit.parent_id == province.id)
            .order_by(Unit.code)).all()[COMMUNE_INDEX]
        found = {"course_title": course.title, "pass_mark": course.pass_mark,
                 "commune_code": commune.code, "commune_name": commune.name, "today": today()}
        db.session.remove()
    return found


def _stats(page) -> dict[str, str]:
    """The cohort dashboard's figures: label → value."""
    found = {}
    for item in page.locator("ul.stats li").all():
        value = item.locator("strong").inner_text().strip()
        found[item.inner_text().replace(value, "", 1).strip()] = value
    return found


def _pdf_pages(data: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def _pdf_text(data: bytes) -> str:
    import pypdf

    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_trainer_phone_cohort_to_certificates(phone_page, live_server, journal, login,
                                              loaded_courses):
    """A trainer on a phone opens a cohort in a commune, adds the commune's people by filter,
    records two sessions (all present, then one absent), enters paper scores, closes the cohort
    after a preview that says who completes and why not, sees the completions, and downloads
    the cohort's certificates as a PDF (a page per completer) and a ZIP (a PDF each) and a
    session's sign-in sheet."""
    from lms.demo import DEMO_PASSWORD

    assert COURSE in loaded_courses
    setting = _setting(live_server)
    today = setting["today"]
    starts, ends = today - timedelta(days=2), today
    page = phone_page
    login(page, "trainer", DEMO_PASSWORD)

    # Open the cohort.
    page.goto(f"{live_server.url}/cohorts/")
    with page.expect_navigation():
        page.click("main a.btn:has-text('Mở lớp mới')")
    page.select_option("select[name=course_id]", label=setting["course_title"])
    page.fill("input[name=name]", COHORT_NAME)
    page.fill("input[name=host_unit_code]", setting["commune_code"])
    page.fill("input[name=venue]", f"Hội trường UBND {setting['commune_name']}")
    page.fill("input[name=starts_on]", f"{starts:%d/%m/%Y}")
    page.fill("input[name=ends_on]", f"{ends:%d/%m/%Y}")
    page.select_option("select[name=status]", "running")
    page.fill("input[name=min_attendance_pct]", "80")
    page.check("input[name=require_final_test]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    match = re.search(r"/cohorts/(\d+)$", page.url)
    assert match, page.inner_text("main")
    cohort_id = int(match.group(1))
    detail_url = page.url
    assert COHORT_NAME in page.inner_text("h1")
    facts = page.inner_text("dl.facts")
    assert setting["commune_code"] in facts and setting["course_title"] in facts
    assert "Giảng viên Trần Thu Hà" in facts  # whoever opens a cohort runs it

    # Add the commune's people by filter.
    with page.expect_navigation():
        page.click("main a.btn:has-text('Thêm học viên')")
    page.fill("input[name=unit]", setting["commune_code"])
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    picks = page.locator("ul.pick-list input[name=person_id]")
    members = picks.count()
    assert members >= 3, page.inner_text("main")
    assert all(setting["commune_name"] in t
               for t in page.locator("ul.pick-list small").all_inner_texts())
    with page.expect_navigation():
        page.click("form.pick button[type=submit]")
    assert page.url == detail_url
    assert f"{members}" in page.inner_text(".flash")
    assert page.locator("main table tbody tr").count() == members

    # Two sessions: each opens on its attendance screen; the first all present.
    # (Both before today: attendance waits for a session to start, and today's 08:00 may be
    # still to come when the journey runs.)
    for day, topic in ((starts, "Nhận diện dấu hiệu mua bán người"),
                       (starts + timedelta(days=1), "Tiếp nhận và chuyển tuyến")):
        page.goto(detail_url)
        with page.expect_navigation():
            page.click("main a.btn:has-text('Thêm buổi học')")
        page.fill("input[name=date]", f"{day:%d/%m/%Y}")
        page.fill("input[name=start_time]", "08:00")
        page.fill("input[name=end_time]", "11:30")
        page.fill("input[name=topic]", topic)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert "/attendance" in page.url, page.inner_text("main")
        assert page.locator("ol.attendance-list > li").count() == members
        with page.expect_navigation():
            page.click("button[name=all_present]")
        assert page.url == detail_url

    # The second session again: one member absent.
    attendance_links = page.locator("ul.session-list a.btn:has-text('Điểm danh')")
    assert attendance_links.count() == 2
    with page.expect_navigation():
        attendance_links.nth(1).click()
    assert page.locator("input[type=radio][value=present]:checked").count() == members
    absent = page.locator("ol.attendance-list > li").first
    absent_name = absent.locator("legend").evaluate("e => e.firstChild.textContent.trim()")
    absent.locator("label.choice-absent").click()
    with page.expect_navigation():
        page.click("form.attendance button.primary")
    assert page.url == detail_url
    stats = _stats(page)
    assert stats["buổi học"] == "2" and stats["học viên"] == str(members)
    assert stats["tỷ lệ dự"] == f"{(2 * members - 1) / (2 * members):.1%}".replace(".", ",")

    # Paper scores: everyone passes the final except one (not the absent member).
    with page.expect_navigation():
        page.click("main a.btn:has-text('Nhập điểm bài kiểm tra giấy')")
    assert f"/quizzes/cohorts/{cohort_id}/paper-scores" in page.url
    rows = page.locator("main form table tbody tr")
    assert rows.count() == members
    names = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(members)]
    assert absent_name in names
    failing = next(n for n in reversed(names) if n != absent_name)
    for i, name in enumerate(names):
        rows.nth(i).locator("input[name^=pre_]").fill(str(40 + i))
        post = setting["pass_mark"] - 20 if name == failing else setting["pass_mark"] + 10
        rows.nth(i).locator("input[name^=post_]").fill(str(post))
    with page.expect_navigation():
        page.click("main form.form button.primary")
    assert "Đã lưu điểm" in page.inner_text(".flash"), page.inner_text("main")

    # Close: the preview says who completes and why the others do not.
    page.goto(detail_url)
    with page.expect_navigation():
        page.click("main a.btn.primary:has-text('Đóng lớp')")
    completers = members - 2
    assert f"{completers}/{members} học viên sẽ hoàn thành" in page.inner_text("main")
    preview = page.locator("main table tbody tr")
    why_not = {preview.nth(i).locator("td").first.inner_text():
               preview.nth(i).locator("td").last.inner_text() for i in range(members)}
    assert sum("Không hoàn thành" in v for v in why_not.values()) == 2
    assert "dự 1/2 buổi" in why_not[absent_name]
    assert "chưa đạt bài kiểm tra cuối" in why_not[failing]
    with page.expect_navigation():
        page.click("main form button.primary")
    assert page.url == detail_url
    assert f"{completers}/{members}" in page.inner_text(".flash")

    # The dashboard shows the completions.
    assert "Đã đóng" in page.inner_text("main p .badge")
    assert _stats(page)["hoàn thành"] == str(completers)
    assert page.locator("main table tbody .badge.ok").count() == completers
    assert page.locator("main table tbody .badge.bad").count() == 2

    # Batch print from the closed cohort's page: one PDF, a page per completer.
    with page.expect_download() as info:
        page.click("main a.btn:has-text('In cả lớp')")
    with open(info.value.path(), "rb") as handle:
        batch = handle.read()
    assert info.value.suggested_filename == f"chung-nhan-lop-{cohort_id}.pdf"
    assert _pdf_pages(batch) == completers
    printed = _pdf_text(batch)
    assert all(name in printed for name in names if name not in (absent_name, failing))
    assert absent_name not in printed and failing not in printed

    # ... or from the certificates page, choosing the cohort: a ZIP with a PDF each.
    page.goto(f"{live_server.url}/certificates/")
    page.select_option("select[name=cohort]", str(cohort_id))
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert f"{completers} giấy chứng nhận" in page.inner_text("main")
    with page.expect_download() as info:
        page.click("main a.btn:has-text('Tải cả lớp')")
    with open(info.value.path(), "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    entries = archive.namelist()
    assert len(entries) == completers and all(e.endswith(".pdf") for e in entries)
    assert all(_pdf_pages(archive.read(e)) == 1 for e in entries)

    # The sign-in sheet of a session: a PDF with the cohort's members.
    page.goto(detail_url)
    sheet_url = page.locator("ul.session-list a:has-text('In danh sách ký tên')").first \
        .get_attribute("href")
    response = page.request.get(f"{live_server.url}{sheet_url}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = _pdf_text(response.body())
    assert all(name in text for name in names)

    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    journal.assert_clean()
