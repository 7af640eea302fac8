"""Destructive cohort actions go through a confirmation page that says what will happen; the
POST without `confirm=yes` (or without the reason the audit log needs) is refused and changes
nothing; with it, the action is done. (Revocation: tests/certificates/test_views.py;
anonymisation: tests/privacy/test_privacy.py; aliases: tests/units/test_roster_views.py.)"""

import pytest
from sqlalchemy import func, select

from lms.accounts.models import AuditLog
from lms.cohorts import services
from lms.cohorts.models import Attendance, CohortMember, CohortSession
from tests.conftest import post_form


@pytest.fixture
def cohort(db, make_cohort, fill, sessions, mark, login_as, units):
    """An ended cohort of the logged-in trainer: two members, one session with attendance."""
    trainer = login_as("trainer", unit=units("22"))
    made = make_cohort(trainer=trainer, min_attendance_pct=0, final=False)
    fill(made, 2)
    mark(sessions(made, 1)[0])
    return made


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("action", ["session_delete", "member_remove", "close"])
def test_cohort_actions_need_the_confirmation(client, db, cohort, action):
    """The page says what happens and has the confirm button; an unconfirmed POST is a 400 on
    that page and changes nothing; the confirmed one does it."""
    base = f"/cohorts/{cohort.id}"
    member = cohort.members[0]
    url, said, done = {
        "session_delete": (f"{base}/sessions/{cohort.sessions[0].id}/delete",
                           "2 dòng điểm danh",
                           lambda: _count(db, CohortSession) == 0 == _count(db, Attendance)),
        "member_remove": (f"{base}/members/{member.id}/remove",
                          "điểm danh của người này ở các buổi của lớp bị xóa",
                          lambda: _count(db, CohortMember) == 1),
        "close": (f"{base}/close", "Lớp chỉ xem được từ đó",
                  lambda: db.session.get(type(cohort), cohort.id).status == "closed"),
    }[action]
    assert url in client.get(base).get_data(as_text=True)
    html = client.get(url).get_data(as_text=True)
    assert said in html and 'name="confirm" value="yes"' in html and "csrf_token" in html
    refused = post_form(client, url, page=url)
    assert refused.status_code == 400 and "Chưa xác nhận" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert not done()
    response = post_form(client, url, {"confirm": "yes"}, page=url)
    assert response.status_code == 302
    db.session.expire_all()
    assert done()


def test_reopen_needs_the_confirmation_and_a_reason(client, db, cohort, login_as):
    """An admin's reopening says what it does; without confirmation or without a reason it is
    refused; with both the cohort runs again and the reason is in the audit log."""
    services.close_cohort(cohort, by=cohort.trainers[0])
    db.session.commit()
    login_as("admin")
    url = f"/cohorts/{cohort.id}/reopen"
    html = client.get(url).get_data(as_text=True)
    assert "giữ nguyên cho tới khi đóng lớp lần nữa" in html and 'name="reason"' in html
    for data, error in (({"reason": "sai điểm danh"}, "Chưa xác nhận"),
                        ({"confirm": "yes", "reason": "  "}, "Hãy ghi lý do")):
        response = post_form(client, url, data, page=url)
        assert response.status_code == 400 and error in response.get_data(as_text=True)
    db.session.expire_all()
    assert cohort.status == "closed"
    response = post_form(client, url, {"confirm": "yes", "reason": "sai điểm danh"}, page=url)
    assert response.status_code == 302
    db.session.expire_all()
    assert cohort.status == "running"
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "cohort.reopen")).one()
    assert entry.detail["reason"] == "sai điểm danh"


def test_the_confirmation_pages_are_scoped(client, db, cohort, login_as):
    """Another trainer cannot open a confirmation page of someone else's cohort."""
    login_as("trainer", unit="22")
    base = f"/cohorts/{cohort.id}"
    for url in (f"{base}/delete", f"{base}/close",
                f"{base}/sessions/{cohort.sessions[0].id}/delete",
                f"{base}/members/{cohort.members[0].id}/remove"):
        assert client.get(url).status_code == 404, url
