"""Closed means closed: every POST route whose URL names a cohort, member, session or join
request is tried against a closed cohort, as its trainer and as an admin in scope, with data
that would be accepted on an open cohort; each is refused (4xx, or the closed message flashed)
and no row of the cohort's records changes.

The walk is over the URL map, so a new route is covered (or must be given plausible data in
`PLAUSIBLE`) automatically. What stays possible on a closed cohort is listed in
`ALLOWED_ON_CLOSED` with why, and proven to need a reason that the audit log keeps.
"""

import io

import pytest
from sqlalchemy import select

from lms.accounts.models import AuditLog, JoinRequest
from lms.assessments import services as assessments
from lms.assessments.models import PaperScore, Question
from lms.cohorts import services
from lms.cohorts.models import Cohort
from lms.cohorts.services import save_session
from tests.cohorts.conftest import fill, make_cohort, make_course  # noqa: F401
from tests.conftest import csrf_token

CLOSED = "Lớp đã đóng: chỉ xem, không sửa được."

# The writes allowed on a closed cohort, with why. Each needs an admin in scope and a reason,
# which the audit log keeps (proven below); the trainer is refused them.
ALLOWED_ON_CLOSED = {
    "cohorts.reopen": "an admin reopens the class to correct it, with a reason (audited)",
    "cohorts.outcome": "an admin corrects one member's outcome, with a reason (audited)",
}
# Reads, which stay possible on a closed cohort (GET routes, so never in the POST walk):
# the cohort page and its attendance and paper-score pages (read-only), the CSV/XLSX export
# and the sign-in sheets (the class's record, audited), the batch print of its certificates.
READS_ON_CLOSED = ("cohorts.detail", "cohorts.attendance", "cohorts.export",
                   "cohorts.signin_sheet", "assessments.paper_scores",
                   "assessments.paper_answers", "certificates.cohort_pdf",
                   "certificates.cohort_zip")

# The tables that hold a cohort's records (a users subset: accounts made from the cohort).
TABLES = ("cohorts", "cohort_trainers", "cohort_members", "cohort_sessions", "attendance",
          "paper_scores", "paper_forms", "attempts", "attempt_answers", "completions",
          "enrolments", "join_requests", "certificates")
SCOPED_ARGS = ("cohort_id", "member_id", "session_id", "request_id")


@pytest.fixture
def closed(db, make_user, make_person, make_cohort, fill, units):  # noqa: F811
    """A closed Quảng Ninh cohort with two members, a session with attendance, paper scores,
    a graded printed paper and a pending join request; its trainer, an admin in scope, and a
    roster person who is not a member."""
    trainer = make_user("trainer", unit="22")
    admin = make_user("admin", unit="22")
    cohort = make_cohort(trainer=trainer, min_attendance_pct=0)
    first, second = fill(cohort, 2)
    session = save_session(cohort, by=trainer, day=cohort.starts_on)
    services.record_attendance(session, {first.id: "present", second.id: "absent"}, by=trainer)
    for n in range(10):
        db.session.add(Question(course_id=cohort.course_id, key=f"closed-{n}",
                                lesson_slug="bai-1", type="single", text=f"Câu {n}?",
                                answer=["a"], options=[{"key": k, "text": k} for k in "abcd"]))
    paper = assessments.paper_form(cohort.course, "final", 7)
    scores = assessments.check_paper_rows(
        cohort, [(2, {"staff_id": first.person.staff_id, "pre_score": "40",
                      "post_score": "90"})],
        {"staff_id": "ma_nhan_su", "pre_score": "diem_truoc", "post_score": "diem_sau"})
    assessments.apply_paper_scores(cohort, scores, by=trainer)
    answers = assessments.check_paper_answers(
        cohort, paper, [(2, {"staff_id": first.person.staff_id,
                             **{f"c{n}": "A" for n in range(1, 11)}})], {})
    assessments.apply_paper_answers(cohort, paper, answers, by=trainer)
    claimant = make_person(staff_id="QN-JOIN", birth_year=1990)
    join = JoinRequest(cohort_id=cohort.id, person_id=claimant.id, check_number="1234")
    db.session.add(join)
    db.session.commit()
    services.close_cohort(cohort, by=trainer)
    db.session.commit()
    outsider = make_person(staff_id="QN-NEW")
    return {"trainer": trainer, "admin": admin, "cohort": cohort, "member": first,
            "other": second, "session": session, "paper": paper, "request": join,
            "outsider": outsider}


def _sheet(header: str, row: str) -> dict:
    return {"file": (io.BytesIO(f"{header}\n{row}\n".encode()), "upload.csv")}


def _cohort_form(w) -> dict:
    cohort = w["cohort"]
    return {"course_id": cohort.course_id, "name": "Lớp đổi tên", "host_unit_code": "22",
            "starts_on": "01/01/2020", "ends_on": "02/01/2020", "mode": "in_person",
            "status": "running", "min_attendance_pct": "50",
            "trainer_ids": [w["trainer"].id]}


def _answers(w) -> dict:
    return {f"a_{w['member'].person_id}_{n}": "B" for n in range(1, 11)}


# endpoint → (query string, form data) that an open cohort would accept
PLAUSIBLE = {
    "accounts.from_cohort": lambda w: ("", {}),
    "accounts.join_code": lambda w: ("", {"action": "open"}),
    "accounts.join_decide": lambda w: ("", {}),
    "assessments.paper_answers": lambda w: (f"?form={w['paper'].id}", _answers(w)),
    "assessments.paper_answers_upload": lambda w: ("", {
        "form": str(w["paper"].id), **_sheet("ma_nhan_su," + ",".join(
            f"cau_{n}" for n in range(1, 11)), w["member"].person.staff_id + ",C" * 10)}),
    "assessments.paper_scores": lambda w: ("", {
        f"pre_{w['member'].person_id}": "10", f"post_{w['member'].person_id}": "20",
        f"pre_{w['other'].person_id}": "30", f"post_{w['other'].person_id}": "95"}),
    "assessments.paper_scores_upload": lambda w: ("", _sheet(
        "ma_nhan_su,diem_truoc,diem_sau", f"{w['other'].person.staff_id},30,95")),
    "cohorts.edit": lambda w: ("", _cohort_form(w)),
    "cohorts.delete": lambda w: ("", {"confirm": "yes"}),
    "cohorts.members": lambda w: ("", {"person_id": [w["outsider"].id]}),
    "cohorts.members_upload": lambda w: ("", _sheet("ma_nhan_su", "QN-NEW")),
    "cohorts.member_remove": lambda w: ("", {"confirm": "yes"}),
    "cohorts.session_form": lambda w: ("", {"date": w["cohort"].starts_on.strftime("%d/%m/%Y"),
                                            "start_time": "08:00", "topic": "Buổi thêm"}),
    "cohorts.session_delete": lambda w: ("", {"confirm": "yes"}),
    "cohorts.attendance": lambda w: ("", {f"m{w['member'].id}": "excused",
                                          f"m{w['other'].id}": "present"}),
    "cohorts.close": lambda w: ("", {"confirm": "yes"}),
    "cohorts.reopen": lambda w: ("", {"confirm": "yes", "reason": "thử mở lại"}),
    "cohorts.outcome": lambda w: ("", {"completed": "0", "reason": "thử điều chỉnh"}),
}


def _rules(app):
    return [r for r in app.url_map.iter_rules()
            if "POST" in r.methods and set(r.arguments) & set(SCOPED_ARGS)]


def _snapshot(db) -> dict:
    db.session.expire_all()
    rows = {}
    for name in TABLES:
        table = db.metadata.tables[name]
        rows[name] = db.session.execute(select(table).order_by(*table.primary_key)).all()
    users = db.metadata.tables["users"]
    rows["users"] = db.session.execute(select(users.c.id, users.c.person_id, users.c.role,
                                              users.c.active).order_by(users.c.id)).all()
    return rows


def _url(rule, w) -> str:
    ids = {"cohort_id": w["cohort"].id, "member_id": w["member"].id,
           "session_id": w["session"].id, "request_id": w["request"].id}
    values = {arg: ids.get(arg) for arg in rule.arguments}
    if "decision" in rule.arguments:
        values["decision"] = "confirm"
    return rule.build(values, append_unknown=False)[1]


def _refused(client, response) -> bool:
    """A 4xx, or the closed message flashed (on the page shown, or after the redirect)."""
    if 400 <= response.status_code < 500:
        return True
    if response.status_code in (301, 302, 303):
        response = client.get(response.headers["Location"])
    return response.status_code == 200 and CLOSED in response.get_data(as_text=True)


def test_every_cohort_route_has_plausible_data(app):
    """Each POST route naming a cohort, member, session or request is walked below."""
    endpoints = {r.endpoint for r in _rules(app)}
    assert endpoints - set(PLAUSIBLE) == set(), "give these routes data in PLAUSIBLE"
    assert set(PLAUSIBLE) - endpoints == set()   # no stale entries
    assert set(ALLOWED_ON_CLOSED) <= endpoints
    assert set(READS_ON_CLOSED) <= {r.endpoint for r in app.url_map.iter_rules()}


@pytest.mark.parametrize("actor", ["trainer", "admin"])
def test_no_write_reaches_a_closed_cohort(app, client, db, closed, login_as, actor):
    """Every POST route on a closed cohort is refused and changes none of its records;
    only the audited corrections of ALLOWED_ON_CLOSED are left out (for the admin)."""
    login_as(user=closed[actor])
    before = _snapshot(db)
    walked = 0
    for rule in _rules(app):
        if actor == "admin" and rule.endpoint in ALLOWED_ON_CLOSED:
            continue
        url = _url(rule, closed)
        query, data = PLAUSIBLE[rule.endpoint](closed)
        token = csrf_token(client, f"/cohorts/{closed['cohort'].id}")
        response = client.post(url + query, data={"csrf_token": token, **data},
                               content_type="multipart/form-data")
        assert _refused(client, response), (rule.rule, response.status_code)
        assert _snapshot(db) == before, f"{rule.rule} changed a closed cohort's records"
        walked += 1
    assert walked >= 15


def test_the_paper_routes_say_the_cohort_is_closed(client, db, closed, login_as):
    """The paper-score and paper-answer pages stay readable and refuse a save with the
    closed message, not a row error or a crash."""
    login_as(user=closed["trainer"])
    cohort = closed["cohort"]
    url = f"/quizzes/cohorts/{cohort.id}/paper-scores"
    assert client.get(url).status_code == 200
    _query, data = PLAUSIBLE["assessments.paper_scores"](closed)
    response = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
    assert CLOSED in response.get_data(as_text=True)
    assert db.session.scalar(select(PaperScore.post_score).where(
        PaperScore.person_id == closed["member"].person_id)) == 90


@pytest.mark.parametrize("endpoint", sorted(ALLOWED_ON_CLOSED))
def test_corrections_need_a_reason_the_audit_log_keeps(client, db, closed, login_as,
                                                       endpoint):
    """An admin's correction without a reason is refused and writes nothing; with one it is
    made and the reason is in the audit entry."""
    login_as(user=closed["admin"])
    cohort = closed["cohort"]
    rule = next(r for r in client.application.url_map.iter_rules() if r.endpoint == endpoint)
    url = _url(rule, closed)
    _query, data = PLAUSIBLE[endpoint](closed)
    before = _snapshot(db)
    token = csrf_token(client, url)
    client.post(url, data={"csrf_token": token, **data, "reason": "   "})
    assert _snapshot(db) == before
    response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code == 302
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action.like("cohort.%"))
                               .order_by(AuditLog.id.desc())).first()
    assert entry.action in ("cohort.reopen", "cohort.outcome_correct")
    assert data["reason"] in str(entry.detail)
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort.id)
    if endpoint == "cohorts.reopen":
        assert cohort.status == "running"
    else:
        assert cohort.status == "closed" and closed["member"].completed is False
