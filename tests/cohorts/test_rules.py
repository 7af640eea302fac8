"""Rules checked where they are entered: a cohort's dates contain its sessions, attendance only
for sessions that have started, "Đóng lớp" offered only when closing would be accepted."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from lms.cohorts import services
from lms.cohorts.models import Attendance
from tests.conftest import post_form


def _spec(cohort, **kw):
    values = {"course_id": cohort.course_id, "name": cohort.name, "host_unit_code": "22",
              "starts_on": cohort.starts_on, "ends_on": cohort.ends_on,
              "trainer_ids": [u.id for u in cohort.trainers], "status": cohort.status}
    return services.CohortSpec(**{**values, **kw})


def _form(cohort, **kw):
    values = {"course_id": cohort.course_id, "name": cohort.name, "host_unit_code": "22",
              "starts_on": cohort.starts_on.strftime("%d/%m/%Y"),
              "ends_on": cohort.ends_on.strftime("%d/%m/%Y"), "mode": "in_person",
              "status": "running", "min_attendance_pct": "80",
              "trainer_ids": [u.id for u in cohort.trainers]}
    return {**values, **kw}


# --- a cohort's dates contain its sessions ------------------------------------------------------

def test_new_dates_leaving_out_a_session_are_refused_naming_it(db, make_cohort):
    """Moving the start after a session, or the end before one, is refused with the session's
    number, date and topic, on the date field that excludes it; nothing changes."""
    cohort = make_cohort()
    by = cohort.trainers[0]
    services.save_session(cohort, by=by, day=cohort.starts_on, topic="Khai mạc")
    services.save_session(cohort, by=by, day=cohort.ends_on, topic="Tổng kết")
    db.session.commit()
    first, last = cohort.starts_on, cohort.ends_on
    with pytest.raises(services.CohortError) as later_start:
        services.update_cohort(cohort, _spec(cohort, starts_on=first + timedelta(days=1)),
                               by=by)
    assert later_start.value.field == "starts_on"
    assert f"Buổi 1 ({first:%d/%m/%Y}, Khai mạc)" in str(later_start.value)
    db.session.rollback()
    with pytest.raises(services.CohortError) as earlier_end:
        services.update_cohort(cohort, _spec(cohort, ends_on=last - timedelta(days=1)), by=by)
    assert earlier_end.value.field == "ends_on"
    assert f"Buổi 2 ({last:%d/%m/%Y}, Tổng kết)" in str(earlier_end.value)
    db.session.rollback()
    assert (cohort.starts_on, cohort.ends_on) == (first, last)
    services.update_cohort(cohort, _spec(cohort, starts_on=first - timedelta(days=5)), by=by)


def test_sessions_outside_the_dates_are_refused_on_the_date_field(db, make_cohort):
    """Adding or moving a session outside the cohort's dates names the dates, on `date`."""
    cohort = make_cohort()
    by = cohort.trainers[0]
    session = services.save_session(cohort, by=by, day=cohort.starts_on)
    for target in (None, session):
        with pytest.raises(services.CohortError, match="trong thời gian của lớp") as refused:
            services.save_session(cohort, by=by, day=cohort.ends_on + timedelta(days=1),
                                  session=target)
        assert refused.value.field == "date"


def test_the_edit_form_shows_the_error_beside_the_date(db, client, login_as, make_cohort,
                                                        units):
    """The cohort form re-shows with the session named under the end date; nothing saved."""
    trainer = login_as("trainer", unit=units("22"))
    cohort = make_cohort(trainer=trainer)
    services.save_session(cohort, by=trainer, day=cohort.ends_on, topic="Tổng kết")
    db.session.commit()
    url = f"/cohorts/{cohort.id}/edit"
    new_end = cohort.ends_on - timedelta(days=1)
    response = post_form(client, url, _form(cohort, ends_on=new_end.strftime("%d/%m/%Y")),
                         page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    field = html[html.index('name="ends_on"'):]
    field = field[:field.index("</div>")]
    assert 'class="error"' in field and "Buổi 1" in field and "Tổng kết" in field
    db.session.expire_all()
    assert cohort.ends_on == new_end + timedelta(days=1)


def test_the_session_form_shows_the_error_beside_the_date(db, client, login_as, make_cohort,
                                                          units):
    """A session dated after the cohort ends is refused under its date field."""
    trainer = login_as("trainer", unit=units("22"))
    cohort = make_cohort(trainer=trainer)
    url = f"/cohorts/{cohort.id}/sessions/new"
    day = (cohort.ends_on + timedelta(days=3)).strftime("%d/%m/%Y")
    html = post_form(client, url, {"date": day}, page=url).get_data(as_text=True)
    field = html[html.index('name="date"'):]
    assert "trong thời gian của lớp" in field[:field.index("</div>")]
    assert not cohort.sessions


# --- attendance only for sessions that have started ---------------------------------------------

def test_attendance_waits_for_the_session_to_start(db, make_cohort, fill):
    """A session on a later day, or today before its start time, refuses attendance with when
    it can be taken; once started it is accepted."""
    today = date.today()
    cohort = make_cohort(starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=3))
    (member,) = fill(cohort, 1)
    by = cohort.trainers[0]
    later = services.save_session(cohort, by=by, day=today + timedelta(days=2))
    with pytest.raises(services.CohortError, match="chưa diễn ra"):
        services.record_attendance(later, {member.id: "present"}, by=by)
    afternoon = services.save_session(cohort, by=by, day=today, start="14:00")
    morning = datetime.combine(today, time(8, 0))
    assert services.attendance_refusal(afternoon, now=morning) == (
        f"Buổi học bắt đầu lúc 14:00 ngày {today:%d/%m/%Y}; chỉ điểm danh được từ lúc đó.")
    assert services.session_started(afternoon, now=morning.replace(hour=14)) is True
    past = services.save_session(cohort, by=by, day=today - timedelta(days=1))
    assert services.record_attendance(past, {member.id: "present"}, by=by) == 1


def test_the_pages_do_not_offer_attendance_before_the_start(db, client, login_as, make_cohort,
                                                             fill, units):
    """The cohort page has no attendance link for a future session, its attendance page says
    when instead of a form, a hand-made POST is refused, and a new future session leads back
    to the cohort page instead of the attendance form."""
    trainer = login_as("trainer", unit=units("22"))
    today = date.today()
    cohort = make_cohort(trainer=trainer, starts_on=today - timedelta(days=1),
                         ends_on=today + timedelta(days=5))
    (member,) = fill(cohort, 1)
    base = f"/cohorts/{cohort.id}"
    response = post_form(client, f"{base}/sessions/new",
                         {"date": (today + timedelta(days=2)).strftime("%d/%m/%Y")},
                         page=f"{base}/sessions/new")
    assert response.headers["Location"].endswith(base)
    (future,) = cohort.sessions
    url = f"{base}/sessions/{future.id}/attendance"
    html = client.get(base).get_data(as_text=True)
    assert url not in html and "Chưa diễn ra" in html
    html = client.get(url).get_data(as_text=True)
    assert "chưa diễn ra" in html and 'name="m' not in html
    response = post_form(client, url, {f"m{member.id}": "present"}, page=base)
    assert response.status_code == 302
    assert "chưa diễn ra" in client.get(base).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


# --- closing offered only when allowed ----------------------------------------------------------

def test_close_refusal_is_the_rule_the_service_applies(db, make_cohort, fill, make_user):
    """One function answers "why not?": before the end date, without members, for a user who
    may not edit, once closed; `close_cohort` refuses with that same text."""
    today = date.today()
    running = make_cohort(starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=2))
    by = running.trainers[0]
    fill(running, 1)
    early = services.close_refusal(running, by)
    assert early.startswith(f"Lớp kết thúc ngày {running.ends_on:%d/%m/%Y}")
    with pytest.raises(services.CohortError) as refused:
        services.close_cohort(running, by=by)
    assert str(refused.value) == early
    db.session.rollback()

    empty = make_cohort()
    assert services.close_refusal(empty, empty.trainers[0]) == "Lớp chưa có học viên nào."
    ended = make_cohort()
    fill(ended, 1)
    outsider = make_user("trainer", unit="22")
    assert services.close_refusal(ended, outsider) == "Bạn không có quyền sửa lớp này."
    assert services.close_refusal(ended, ended.trainers[0]) is None
    services.close_cohort(ended, by=ended.trainers[0])
    assert services.close_refusal(ended, ended.trainers[0]).startswith("Lớp đã đóng")


def test_the_close_button_shows_only_when_closing_is_accepted(db, client, login_as,
                                                              make_cohort, fill, units):
    """Before the end date the cohort page shows why it cannot close, without the button; the
    close page shows the same reason and no confirm button; once ended both offer it."""
    trainer = login_as("trainer", unit=units("22"))
    today = date.today()
    cohort = make_cohort(trainer=trainer, starts_on=today, ends_on=today + timedelta(days=2))
    fill(cohort, 1)
    base = f"/cohorts/{cohort.id}"
    html = client.get(base).get_data(as_text=True)
    assert f'href="{base}/close"' not in html
    assert "Chưa đóng được lớp:" in html and "chỉ đóng lớp từ ngày đó" in html
    html = client.get(f"{base}/close").get_data(as_text=True)
    assert "chỉ đóng lớp từ ngày đó" in html and 'name="confirm"' not in html

    cohort.starts_on, cohort.ends_on = today - timedelta(days=2), today
    db.session.commit()
    html = client.get(base).get_data(as_text=True)
    assert f'href="{base}/close"' in html and "Chưa đóng được lớp:" not in html
    assert 'name="confirm" value="yes"' in client.get(f"{base}/close").get_data(as_text=True)
