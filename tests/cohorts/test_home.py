"""The trainer's home page: today's and this week's sessions, attendance not taken, final
scores missing, cohorts ready to close; only the trainer's own cohorts, one link each."""

from datetime import datetime, time, timedelta

from lms.cohorts.home import trainer_home
from lms.cohorts.services import save_session
from lms.core.timeutil import today


def _now(day=None, clock=time(10, 0)):
    return datetime.combine(day or today(), clock)


def _session(db, cohort, day, start=None):
    made = save_session(cohort, by=cohort.trainers[0], day=day, start=start, topic="Buổi")
    db.session.commit()
    return made


def _running(make_cohort, **kw):
    day = today()
    return make_cohort(starts_on=kw.pop("starts_on", day - timedelta(days=1)),
                       ends_on=kw.pop("ends_on", day + timedelta(days=2)), **kw)


def test_session_today_without_attendance_shows(db, make_cohort, fill):
    """A session today that has started, with members and no attendance, is listed under
    today's sessions and under attendance not taken."""
    cohort = _running(make_cohort)
    fill(cohort, 2)
    session = _session(db, cohort, today(), "08:00")
    home = trainer_home(cohort.trainers[0], _now())
    assert home.today == [session] and home.no_attendance == [session]


def test_session_with_attendance_is_not_listed_as_missing(db, make_cohort, fill, mark):
    """Once attendance is taken, the session leaves the list (it stays under today)."""
    cohort = _running(make_cohort)
    fill(cohort, 2)
    session = _session(db, cohort, today(), "08:00")
    mark(session)
    home = trainer_home(cohort.trainers[0], _now())
    assert home.no_attendance == [] and home.today == [session]


def test_session_not_started_is_not_missing(db, make_cohort, fill):
    """A session later today (or tomorrow) needs no attendance yet."""
    cohort = _running(make_cohort)
    fill(cohort, 1)
    _session(db, cohort, today(), "14:00")
    _session(db, cohort, today() + timedelta(days=1))
    assert trainer_home(cohort.trainers[0], _now(clock=time(9, 0))).no_attendance == []


def test_week_lists_the_days_after_today_to_sunday(db, make_cohort):
    """This week's list holds the sessions after today up to Sunday, not next week's."""
    monday = today() - timedelta(days=today().weekday())
    cohort = make_cohort(starts_on=monday, ends_on=monday + timedelta(days=13))
    tuesday = _session(db, cohort, monday + timedelta(days=1))
    sunday = _session(db, cohort, monday + timedelta(days=6))
    _session(db, cohort, monday + timedelta(days=7))
    home = trainer_home(cohort.trainers[0], _now(monday))
    assert home.week == [tuesday, sunday] and home.today == []


def test_scores_missing_counts_members_without_a_final_score(db, make_cohort, fill, paper):
    """After the last session, members without a paper post-test score are counted; a course
    without a final test asks for none."""
    cohort = _running(make_cohort, starts_on=today() - timedelta(days=3))
    members = fill(cohort, 3)
    _session(db, cohort, today() - timedelta(days=1))
    paper(members[0], post=80)
    paper(members[1], pre=40)
    trainer = cohort.trainers[0]
    assert trainer_home(trainer, _now()).scores_missing == [(cohort, 2)]
    no_final = _running(make_cohort, trainer=trainer, final=False)
    fill(no_final, 2)
    _session(db, no_final, today() - timedelta(days=1))
    assert [c for c, _n in trainer_home(trainer, _now()).scores_missing] == [cohort]


def test_scores_not_due_before_the_last_session(db, make_cohort, fill):
    """While a session is still to come, no score is missing yet."""
    cohort = _running(make_cohort)
    fill(cohort, 2)
    _session(db, cohort, today() + timedelta(days=1))
    assert trainer_home(cohort.trainers[0], _now()).scores_missing == []


def test_ready_to_close_follows_the_close_rule(db, make_cohort, fill):
    """Ended with members: ready; not ended yet, or without members: not listed."""
    ended = make_cohort(name="Đã kết thúc")
    fill(ended, 1)
    trainer = ended.trainers[0]
    make_cohort(trainer=trainer, name="Không có học viên")
    fill(_running(make_cohort, trainer=trainer, name="Đang học"), 1)
    assert [c.id for c in trainer_home(trainer, _now()).ready_to_close] == [ended.id]
    # the home page's SQL and the service's rule (close_refusal) pick the same cohorts
    from lms.cohorts.models import Cohort
    from lms.cohorts.services import close_refusal

    own = [c for c in db.session.query(Cohort) if trainer in c.trainers]
    assert len(own) == 3
    assert {c.id for c in own if close_refusal(c, trainer) is None} == {ended.id}


def test_a_trainer_sees_only_their_own_cohorts(db, make_cohort, make_user, fill):
    """Another trainer's cohort, session and tasks stay off this trainer's home page."""
    other = _running(make_cohort, name="Lớp của người khác")
    fill(other, 1)
    _session(db, other, today(), "08:00")
    me = make_user("trainer", unit="22")
    home = trainer_home(me, _now())
    assert home.empty()
    assert trainer_home(other.trainers[0], _now()).no_attendance


def test_home_page_links_each_task(client, db, make_cohort, fill, login_as):
    """The trainer's home page links the attendance page, the paper scores and the close
    page of the cohorts concerned."""
    cohort = _running(make_cohort, starts_on=today() - timedelta(days=2))
    fill(cohort, 1)
    session = _session(db, cohort, today() - timedelta(days=1))
    ended = make_cohort(trainer=cohort.trainers[0], name="Lớp đã xong")
    fill(ended, 1)
    login_as(user=cohort.trainers[0])
    html = client.get("/").get_data(as_text=True)
    assert f'/cohorts/{cohort.id}/sessions/{session.id}/attendance"' in html
    assert f'/quizzes/cohorts/{cohort.id}/paper-scores"' in html
    assert f'/cohorts/{ended.id}/close"' in html


def test_home_page_of_a_trainer_without_tasks(client, login_as):
    """A trainer without cohorts reads that nothing waits."""
    login_as("trainer", unit="22")
    assert "không còn việc nào chờ" in client.get("/").get_data(as_text=True)




def test_queries_do_not_grow_with_the_lists(client, db, make_cohort, login_as):
    """The trainer's home page takes as many statements with today's sessions of three
    cohorts listed as with one (no query per listed row, in the lists or the page)."""
    from tests.conftest import server_statements

    def statements():
        with server_statements(db.engine) as seen:
            html = client.get("/").get_data(as_text=True)
        return seen.count("SELECT"), html.count('id="home-today"')

    first = _running(make_cohort)
    _session(db, first, today(), "23:59")
    trainer = login_as(user=first.trainers[0])
    before = statements()
    for n in range(2):
        _session(db, _running(make_cohort, trainer=trainer, name=f"Lớp {n}"), today(), "23:59")
    assert len(trainer_home(trainer).today) == 3
    assert statements() == before


def test_today_links_attendance_once_started(client, db, make_cohort, login_as):
    """Today's session links its attendance page once it has started, its cohort before."""
    cohort = _running(make_cohort)
    early = _session(db, cohort, today(), "00:00")
    late = _session(db, cohort, today(), "23:59")
    login_as(user=cohort.trainers[0])
    html = client.get("/").get_data(as_text=True)
    assert f"/sessions/{early.id}/attendance" in html
    assert f"/sessions/{late.id}/attendance" not in html
    assert f'href="/cohorts/{cohort.id}"' in html


def test_the_home_list_and_the_attendance_rule_agree_on_started(db, make_cohort):
    """The home page's SQL clause (`home.started`) and the attendance rule
    (`services.session_started`) call the same sessions started, at any clock time."""
    from sqlalchemy import select

    from lms.cohorts.home import started
    from lms.cohorts.models import CohortSession
    from lms.cohorts.services import session_started

    day = today()
    cohort = make_cohort(starts_on=day - timedelta(days=1), ends_on=day + timedelta(days=1))
    sessions = [_session(db, cohort, day - timedelta(days=1)), _session(db, cohort, day),
                _session(db, cohort, day, "08:00"), _session(db, cohort, day, "14:30"),
                _session(db, cohort, day + timedelta(days=1), "07:00")]
    for clock in (time(0, 0), time(8, 0), time(14, 29), time(14, 30), time(23, 59)):
        by_sql = set(db.session.scalars(select(CohortSession.id).where(
            CohortSession.cohort_id == cohort.id, started(day, clock))))
        by_rule = {s.id for s in sessions if session_started(s, _now(day, clock))}
        assert by_sql == by_rule, clock
    assert len(by_rule) == 4  # at 23:59 all but tomorrow's
