"""The trainer's journey through the web pages on a phone, and the views' permission checks."""

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.accounts.models import AuditLog
from lms.cohorts.models import Cohort
from lms.core.tabular import write_csv
from lms.courses.models import Completion
from tests.conftest import post_form

PHONE = ("Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0 Mobile Safari/537.36")


@pytest.fixture
def phone(client):
    """The test client, sending a phone's user agent."""
    client.environ_base["HTTP_USER_AGENT"] = PHONE
    return client


def _clean_page(html: str) -> None:
    """No inline script or style (the CSP forbids them), and the viewport is set."""
    assert "<script>" not in html and " style=" not in html and " onclick=" not in html
    assert 'name="viewport"' in html


def test_trainer_journey_on_a_phone(db, phone, login_as, make_course, make_person, units):
    """Create → add members (search and upload) → sessions → attendance → sign-in sheet →
    close → completions shown."""
    from lms.assessments.models import PaperScore

    course = make_course(final=True, title="Nhận diện mua bán người")
    hường = make_person(full_name="Nguyễn Thị Hường")
    ước = make_person(full_name="Đặng Văn Ước")
    an = make_person(full_name="Lê Văn An")
    trainer = login_as("trainer", unit=units("22"), full_name="Trần Thu Hà")
    start = date.today() - timedelta(days=3)

    html = phone.get("/cohorts/new").get_data(as_text=True)
    _clean_page(html)
    assert "Nhận diện mua bán người" in html
    response = post_form(phone, "/cohorts/new", {
        "course_id": course.id, "name": "Lớp Hà Tu tháng 7", "host_unit_code": "6652",
        "venue": "Hội trường phường Hà Tu", "starts_on": start.strftime("%d/%m/%Y"),
        "ends_on": (start + timedelta(days=1)).isoformat(), "mode": "in_person",
        "capacity": "30", "status": "running", "min_attendance_pct": "80",
        "require_final_test": "y"}, page="/cohorts/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    cohort = db.session.scalar(select(Cohort))
    assert cohort.trainers == [trainer] and cohort.host_unit.code == "06652"
    base = f"/cohorts/{cohort.id}"

    html = phone.get(f"{base}/members?q=nguyen+thi+huong").get_data(as_text=True)
    _clean_page(html)
    assert "Nguyễn Thị Hường" in html and "Lê Văn An" not in html
    response = post_form(phone, f"{base}/members", {"person_id": [hường.id, ước.id]},
                         page=f"{base}/members")
    assert response.status_code == 302
    upload = {"file": (io.BytesIO(write_csv(["ma_nhan_su"], [[an.staff_id]])), "ds.csv")}
    response = post_form(phone, f"{base}/members/upload", upload, page=f"{base}/members",
                         content_type="multipart/form-data")
    assert response.status_code == 302

    session_ids = []
    for offset, topic in ((0, "Khái niệm"), (1, "Tiếp nhận, chuyển tuyến")):
        response = post_form(phone, f"{base}/sessions/new", {
            "date": (start + timedelta(days=offset)).strftime("%d/%m/%Y"),
            "start_time": "08:00", "end_time": "11:30", "topic": topic},
            page=f"{base}/sessions/new")
        assert response.status_code == 302
        session_ids.append(int(re.search(r"/sessions/(\d+)/attendance",
                                          response.headers["Location"]).group(1)))

    members = {m.person_id: m.id for m in cohort.members}
    first = f"{base}/sessions/{session_ids[0]}/attendance"
    html = phone.get(first).get_data(as_text=True)
    _clean_page(html)
    assert html.count('value="present" checked') == 3  # a new session starts "all present"
    response = post_form(phone, first, {"all_present": "1"}, page=first)
    assert response.status_code == 302
    second = f"{base}/sessions/{session_ids[1]}/attendance"
    response = post_form(phone, second, {f"m{members[hường.id]}": "present",
                                         f"m{members[ước.id]}": "absent",
                                         f"m{members[an.id]}": "excused"}, page=second)
    assert response.status_code == 302
    html = phone.get(second).get_data(as_text=True)
    assert f'name="m{members[ước.id]}" value="absent" checked' in html

    pdf = phone.get(f"{base}/sessions/{session_ids[0]}/sign-in.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    for person, post in ((hường, 90), (ước, 95), (an, 50)):  # entered by the assessments room
        db.session.add(PaperScore(person_id=person.id, course_id=course.id, cohort_id=cohort.id,
                                  pre_score=40, post_score=post))
    db.session.commit()

    html = phone.get(f"{base}/close").get_data(as_text=True)
    _clean_page(html)
    assert "1/3 học viên sẽ hoàn thành" in html
    assert "dự 1/2 buổi (50%) &lt; 80%" in html
    assert "chưa đạt bài kiểm tra cuối" in html
    response = post_form(phone, f"{base}/close", {"confirm": "yes"}, page=f"{base}/close")
    assert response.status_code == 302
    html = phone.get(base).get_data(as_text=True)
    _clean_page(html)
    assert "Hoàn thành" in html and "Lớp đã đóng: chỉ xem." in html
    assert f"{base}/edit" not in html
    assert db.session.scalars(select(Completion.person_id)).all() == [hường.id]
    assert phone.get(f"{base}/edit").status_code == 403
    assert post_form(phone, first, {"all_present": "1"}, page=base).status_code == 403
    html = phone.get("/cohorts/").get_data(as_text=True)
    assert "Lớp Hà Tu tháng 7" in html


def test_other_trainer_gets_404_and_viewer_reads_only(db, client, login_as, make_cohort,
                                                       make_user, fill):
    """Another trainer cannot open the cohort; a viewer of the province reads but cannot edit
    or export; a viewer of another province cannot read."""
    cohort = make_cohort()
    fill(cohort, 2)
    login_as("trainer", unit="22")
    assert client.get(f"/cohorts/{cohort.id}").status_code == 404
    assert "Lớp Hạ Long 1" not in client.get("/cohorts/").get_data(as_text=True)
    login_as("viewer", unit="22")
    html = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Lớp Hạ Long 1" in html and "Sửa lớp" not in html
    assert client.get(f"/cohorts/{cohort.id}/export.csv").status_code == 403
    assert client.get(f"/cohorts/{cohort.id}/members").status_code == 403
    login_as("viewer", unit="01")
    assert client.get(f"/cohorts/{cohort.id}").status_code == 404
    login_as("trainee")
    assert client.get("/cohorts/").status_code == 403


def test_capacity_message_in_the_page(db, client, login_as, make_cohort, make_person, units):
    """The capacity refusal reaches the trainer as a flash message; nothing is added."""
    trainer = login_as("trainer", unit=units("22"))
    cohort = make_cohort(trainer=trainer, capacity=1)
    people = [make_person(), make_person()]
    url = f"/cohorts/{cohort.id}/members"
    response = post_form(client, url, {"person_id": [p.id for p in people]}, page=url)
    html = response.get_data(as_text=True)
    assert "tối đa 1 học viên" in html and "vượt 1 người" in html
    assert cohort.members == []


def test_upload_errors_are_listed_in_the_page(db, client, login_as, make_cohort, units):
    """A bad upload lists `dòng N, cột X: …` and adds nobody."""
    trainer = login_as("trainer", unit=units("22"))
    cohort = make_cohort(trainer=trainer)
    url = f"/cohorts/{cohort.id}/members"
    upload = {"file": (io.BytesIO(write_csv(["staff_id"], [["KHONGCO"]])), "ds.csv")}
    response = post_form(client, f"{url}/upload", upload, page=url,
                         content_type="multipart/form-data")
    assert response.status_code == 400
    assert "dòng 2, cột staff_id: không có mã nhân sự KHONGCO" in response.get_data(as_text=True)


def test_exports_and_sheet_are_audited(db, client, login_as, make_cohort, fill, sessions,
                                       units):
    """CSV/XLSX exports and the sign-in sheet write the audit log."""
    trainer = login_as("trainer", unit=units("22"))
    cohort = make_cohort(trainer=trainer)
    fill(cohort, 1)
    session = sessions(cohort, 1)[0]
    assert client.get(f"/cohorts/{cohort.id}/export.csv").data.startswith(b"\xef\xbb\xbf")
    assert client.get(f"/cohorts/{cohort.id}/export.xlsx").data.startswith(b"PK")
    assert client.get(f"/cohorts/{cohort.id}/export.pdf").status_code == 404
    client.get(f"/cohorts/{cohort.id}/sessions/{session.id}/sign-in.pdf")
    actions = db.session.scalars(select(AuditLog.action).where(
        AuditLog.action.like("cohort.%")).order_by(AuditLog.id)).all()
    assert actions[-3:] == ["cohort.export", "cohort.export", "cohort.signin_sheet"]


def test_admin_corrects_an_outcome_through_the_page(db, client, login_as, make_cohort, fill,
                                                    sessions, mark):
    """An admin changes one member's outcome in a closed cohort with a reason."""
    from lms.cohorts import services

    cohort = make_cohort(final=False)
    (member,) = fill(cohort, 1)
    mark(sessions(cohort, 1)[0], {member: "absent"})
    services.close_cohort(cohort, by=cohort.trainers[0])
    db.session.commit()
    login_as("admin")
    url = f"/cohorts/{cohort.id}/members/{member.id}/outcome"
    response = post_form(client, url, {"completed": "1", "reason": "Học bù"}, page=url)
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.completed is True
    assert db.session.scalar(select(AuditLog.action).where(
        AuditLog.action == "cohort.outcome_correct")) is not None


def test_edit_form_round_trips_and_checks_capacity(db, client, login_as, make_cohort, fill,
                                                   units):
    """The edit form shows dd/mm/yyyy dates and the host code; capacity below the member count
    is refused."""
    trainer = login_as("trainer", unit=units("22"))
    cohort = make_cohort(trainer=trainer, host_unit_code="06652")
    fill(cohort, 2)
    url = f"/cohorts/{cohort.id}/edit"
    html = client.get(url).get_data(as_text=True)
    assert cohort.starts_on.strftime("%d/%m/%Y") in html and 'value="06652"' in html
    data = {"course_id": cohort.course_id, "name": "Lớp đổi tên", "host_unit_code": "22",
            "starts_on": cohort.starts_on.isoformat(), "ends_on": cohort.ends_on.isoformat(),
            "mode": "blended", "capacity": "1", "status": "running",
            "min_attendance_pct": "75", "trainer_ids": [trainer.id]}
    html = post_form(client, url, data, page=url).get_data(as_text=True)
    assert "Lớp đã có 2 học viên" in html
    data["capacity"] = "2"
    assert post_form(client, url, data, page=url).status_code == 302
    db.session.refresh(cohort)
    assert (cohort.name, cohort.mode, cohort.min_attendance_pct, cohort.require_final_test,
            cohort.host_unit.code) == ("Lớp đổi tên", "blended", 75, False, "22")
