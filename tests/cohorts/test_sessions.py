"""Sessions: dates within the cohort, times, attendance input, deleting a cohort."""

import pytest
from sqlalchemy import func, select

from lms.cohorts import services
from lms.cohorts.models import Attendance, Cohort
from tests.conftest import post_form


def test_session_dates_and_times_are_checked(db, make_cohort):
    """A session outside the cohort's dates, a bad time or an end before the start is refused."""
    from datetime import timedelta

    cohort = make_cohort()
    by = cohort.trainers[0]
    with pytest.raises(services.CohortError, match="trong thời gian của lớp"):
        services.save_session(cohort, by=by, day=cohort.ends_on + timedelta(days=1))
    with pytest.raises(services.CohortError, match="hh:mm"):
        services.save_session(cohort, by=by, day=cohort.starts_on, start="25:00")
    with pytest.raises(services.CohortError, match="sau giờ bắt đầu"):
        services.save_session(cohort, by=by, day=cohort.starts_on, start="14:00", end="8h30")
    session = services.save_session(cohort, by=by, day=cohort.starts_on.strftime("%d/%m/%Y"),
                                    start="7h30", end="11:00", topic="  Khai  mạc ")
    assert (f"{session.start_time:%H:%M}", session.topic) == ("07:30", "Khai mạc")


def test_attendance_needs_every_member_and_valid_statuses(db, make_cohort, fill, sessions):
    """Every member must get present/absent/excused; the first attendance starts the class."""
    cohort = make_cohort(status="planned")
    a, b = fill(cohort, 2)
    session = sessions(cohort, 1)[0]
    by = cohort.trainers[0]
    with pytest.raises(services.CohortError, match="mọi học viên"):
        services.record_attendance(session, {a.id: "present"}, by=by)
    with pytest.raises(services.CohortError, match="không hợp lệ"):
        services.record_attendance(session, {a.id: "present", b.id: "late"}, by=by)
    assert services.record_attendance(session, {a.id: "present", b.id: "absent"}, by=by) == 2
    assert services.record_attendance(session, {a.id: "present", b.id: "excused"}, by=by) == 1
    assert cohort.status == "running"
    assert services.attendance_map(session) == {a.id: "present", b.id: "excused"}


def test_delete_cohort_needs_confirmation(db, client, login_as, make_cohort, fill, sessions,
                                          mark, units):
    """Deleting asks for confirmation on its own page (saying what goes), then removes the
    cohort and its attendance."""
    trainer = login_as("trainer", unit=units("22"))
    cohort = make_cohort(trainer=trainer)
    fill(cohort, 2)
    mark(sessions(cohort, 1)[0])
    url = f"/cohorts/{cohort.id}/delete"
    html = client.get(url).get_data(as_text=True)
    assert "2 học viên trong lớp, 1 buổi học" in html and 'name="confirm" value="yes"' in html
    response = post_form(client, url, page=f"/cohorts/{cohort.id}")
    assert response.status_code == 400 and "Chưa xác nhận" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Cohort)) == 1
    response = post_form(client, url, {"confirm": "yes"}, page=url)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Cohort)) == 0
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_cohort_with_paper_scores_cannot_be_deleted(db, make_cohort, fill, paper):
    """Paper scores entered for a cohort keep it from being deleted."""
    cohort = make_cohort()
    (member,) = fill(cohort, 1)
    paper(member, pre=50)
    with pytest.raises(services.CohortError, match="điểm bài kiểm tra giấy"):
        services.delete_cohort(cohort, by=cohort.trainers[0])
