"""The cohort notice: the message to copy (schedule, place, links, join code), its page (readonly
text, scoped like the cohort) and the printable PDF in the official layout."""

import io
from datetime import date, timedelta

from pypdf import PdfReader

from lms.accounts import joining
from lms.cohorts.notice import notice_pdf, notice_text
from lms.cohorts.services import save_session
from tests.conftest import post_form

LOGIN = "https://taphuan.example.vn/accounts/login"


def _cohort(db, make_cohort):
    """A cohort with two timed sessions, starting on a Monday."""
    start = date(2026, 12, 14)  # a Monday
    cohort = make_cohort(venue="Hội trường UBND phường Hà Tu", starts_on=start,
                         ends_on=start + timedelta(days=2))
    by = cohort.trainers[0]
    save_session(cohort, by=by, day=start, start="08:00", end="11:30", topic="Nhận diện")
    save_session(cohort, by=by, day=start + timedelta(days=1), start="13:30", topic="Hỗ trợ")
    db.session.commit()
    return cohort


def _text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def test_message_holds_course_schedule_place_and_link(db, make_cohort):
    """Course, dates, every session with weekday, date and times, the venue and the sign-in
    link; no join code line while the cohort has none."""
    cohort = _cohort(db, make_cohort)
    text = notice_text(cohort, LOGIN)
    assert cohort.course.title in text and cohort.name in text
    assert "Thời gian: từ 14/12/2026 đến 16/12/2026" in text
    assert "- Buổi 1: Thứ Hai, 14/12/2026, 08:00–11:30 – Nhận diện" in text
    assert "- Buổi 2: Thứ Ba, 15/12/2026, 13:30 – Hỗ trợ" in text
    assert "Địa điểm: Hội trường UBND phường Hà Tu" in text
    assert f"Đăng nhập: {LOGIN}" in text
    assert "Mã tham gia" not in text
    assert "<" not in text and "*" not in text  # plain text for a messaging group


def test_message_gives_the_join_code_and_its_page(db, make_cohort):
    """A cohort with a join code: the code and the join page's address."""
    cohort = _cohort(db, make_cohort)
    code = joining.open_code(cohort, by=cohort.trainers[0])
    db.session.commit()
    text = notice_text(cohort, LOGIN, f"https://taphuan.example.vn/accounts/join/{code}")
    assert f"Mã tham gia lớp: {code} (mở https://taphuan.example.vn/accounts/join/{code}" in text


def test_message_without_sessions_or_venue(db, make_cohort):
    """No session yet: the schedule is announced later; no venue: the host unit is the place."""
    cohort = make_cohort()
    text = notice_text(cohort, LOGIN)
    assert "Lịch học: sẽ thông báo sau." in text
    assert f"Địa điểm: {cohort.host_unit.name}" in text


def test_page_shows_readonly_text_with_base_url_links(app, db, client, login_as, make_cohort):
    """The trainer's page: the message in a readonly textarea, links built on LMS_BASE_URL, a
    copy button hidden until JavaScript shows it, the PDF link; in Vietnamese in the English
    interface too."""
    app.config["BASE_URL"] = "https://taphuan.example.vn"
    cohort = _cohort(db, make_cohort)
    code = joining.open_code(cohort, by=cohort.trainers[0])
    db.session.commit()
    login_as(user=cohort.trainers[0])
    html = client.get(f"/cohorts/{cohort.id}/notice").get_data(as_text=True)
    assert 'readonly' in html and "<textarea" in html
    assert "https://taphuan.example.vn/accounts/login" in html
    assert f"https://taphuan.example.vn/accounts/join/{code}" in html
    assert "data-copy=\"notice-text\"" in html and " hidden>" in html
    assert f"/cohorts/{cohort.id}/notice.pdf" in html
    assert f"/cohorts/{cohort.id}/notice" in client.get(f"/cohorts/{cohort.id}").get_data(
        as_text=True)
    post_form(client, "/lang/en")
    english = client.get(f"/cohorts/{cohort.id}/notice").get_data(as_text=True)
    assert "Notice to the communes" in english
    assert "Thứ Hai, 14/12/2026" in english and "Địa điểm:" in english


def test_page_and_pdf_are_scoped_like_the_cohort(db, client, login_as, make_cohort, make_user):
    """A trainer of another province and a viewer outside the host unit get 404; a viewer of
    the province reads both; trainees are refused."""
    cohort = _cohort(db, make_cohort)
    for outsider in (make_user("trainer", unit="01"), make_user("viewer", unit="01")):
        login_as(user=outsider)
        assert client.get(f"/cohorts/{cohort.id}/notice").status_code == 404
        assert client.get(f"/cohorts/{cohort.id}/notice.pdf").status_code == 404
    login_as("viewer", unit="22")
    assert client.get(f"/cohorts/{cohort.id}/notice").status_code == 200
    assert client.get(f"/cohorts/{cohort.id}/notice.pdf").status_code == 200
    login_as("trainee")
    assert client.get(f"/cohorts/{cohort.id}/notice").status_code in (302, 403)


def test_pdf_notice_in_the_official_layout(app, db, make_cohort):
    """The PDF is A4 and carries the agency, "Số: ……/TB-SYT", the motto, the date line, the
    title, every session with its times, the place, the join code and the signature block."""
    cohort = _cohort(db, make_cohort)
    code = joining.open_code(cohort, by=cohort.trainers[0])
    db.session.commit()
    data = notice_pdf(cohort, LOGIN, f"https://taphuan.example.vn/accounts/join/{code}")
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = _text(data)
    for part in ("SỞ Y TẾ", "Số: ……/TB-SYT", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "THÔNG BÁO", cohort.course.title,
                 "Thứ Hai, 14/12/2026, 08:00–11:30", "Thứ Ba, 15/12/2026, 13:30",
                 "Hội trường UBND phường Hà Tu", code, "Nơi nhận:", "GIÁM ĐỐC", LOGIN):
        assert part in text, part
    assert "ngày" in text and "tháng" in text and "năm" in text
