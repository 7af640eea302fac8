"""Scope on every referenced object: a Hà Nội admin (and trainer) may not reach Quảng Ninh
objects, whether they are named in the URL or in a form field or uploaded file.

Two walks over the URL map, so a new route is covered (or must be classified) automatically:
- every POST route whose URL names a scoped object is tried with the Quảng Ninh object's id
  and must be refused (403/404);
- every POST route is listed in BODY_CASES (a form field or file naming a person, unit,
  cohort, course or user, tried with Quảng Ninh values and proven refused with nothing
  written) or in NAMES_NOTHING (its form names no such object beyond the URL).
"""

import io
from datetime import date, timedelta

import pytest

from lms.accounts import joining
from lms.accounts.models import JoinRequest, User
from lms.cohorts.models import Cohort, CohortMember
from lms.courses.models import Completion, Enrolment
from lms.units.models import Person
from tests.cohorts.conftest import fill, make_cohort, make_course  # noqa: F401
from tests.conftest import csrf_token

# Routes whose form names no person, unit, cohort, course or user other than through the URL
# (walked below), with why.
NAMES_NOTHING = {
    "accounts.login": "public; a username is what signing in is",
    "accounts.logout": "own session",
    "accounts.change_password": "own account",
    "accounts.join_start": "public; a join code, grants nothing",
    "accounts.join": "public; files a request only a trainer of the cohort can confirm",
    "accounts.join_code": "cohort in the URL",
    "accounts.join_decide": "request in the URL",
    "accounts.reset_password": "user in the URL",
    "accounts.from_cohort": "cohort in the URL",
    "assessments.save": "attempt in the URL; answers name questions of that attempt",
    "assessments.save_json": "attempt in the URL",
    "assessments.submit": "attempt in the URL",
    "assessments.start": "own attempt at a national course",
    "certificates.issuer": "national settings, national admins only",
    "certificates.reissue": "certificate in the URL",
    "certificates.revoke": "certificate in the URL",
    "cohorts.close": "cohort in the URL",
    "cohorts.delete": "cohort in the URL",
    "cohorts.reopen": "cohort in the URL",
    "cohorts.member_remove": "member in the URL",
    "cohorts.outcome": "member in the URL",
    "cohorts.session_delete": "session in the URL",
    "cohorts.session_form": "session in the URL; date, times and topic",
    "core.set_language": "a language code",
    "courses.complete": "own lesson progress",
    "courses.enrol": "enrols oneself",
    "privacy.anonymise": "person in the URL",
    "units.positions": "a national vocabulary: an alias label and a position code",
    "units.position_alias_delete": "alias in the URL (a national vocabulary entry)",
}

# URL arguments that name scoped objects, and the Quảng Ninh object to put there.
SCOPED_ARGS = ("cohort_id", "member_id", "session_id", "user_id", "person_id", "request_id")


@pytest.fixture
def world(db, make_user, make_person, make_cohort, make_course, fill, units):  # noqa: F811
    """Quảng Ninh (22) objects, and a Hà Nội (01) admin and trainer with a cohort of their
    own."""
    from lms.cohorts.services import save_session

    qn_trainer = make_user("trainer", unit="22")
    soon = date.today() + timedelta(days=3)
    qn_cohort = make_cohort(trainer=qn_trainer, ends_on=soon)
    (qn_member,) = fill(qn_cohort, 1)
    qn_person = qn_member.person
    qn_session = save_session(qn_cohort, by=qn_trainer, day=qn_cohort.starts_on)
    qn_trainee = make_user("trainee", username="qn-hv", person=qn_person)
    joining.open_code(qn_cohort, by=qn_trainer)
    claimant = make_person(staff_id="QN-CLAIM", birth_year=1990)
    qn_request = JoinRequest(cohort_id=qn_cohort.id, person_id=claimant.id, check_number="1234")
    db.session.add(qn_request)
    hn_admin = make_user("admin", unit="01")
    hn_trainer = make_user("trainer", unit="01")
    hn_viewer = make_user("viewer", username="hn-viewer", unit="01")
    hn_cohort = make_cohort(trainer=hn_trainer, ends_on=soon, host_unit_code="01",
                            course=qn_cohort.course)
    hn_session = save_session(hn_cohort, by=hn_trainer, day=hn_cohort.starts_on)
    db.session.commit()
    return {"qn_trainer": qn_trainer, "qn_cohort": qn_cohort, "qn_member": qn_member,
            "qn_person": qn_person, "qn_session": qn_session, "qn_trainee": qn_trainee,
            "qn_request": qn_request, "hn_admin": hn_admin, "hn_trainer": hn_trainer,
            "hn_viewer": hn_viewer, "hn_cohort": hn_cohort, "hn_session": hn_session,
            "claimant": claimant}


def _post(client, url, data, page=None, files=None):
    payload = {"csrf_token": csrf_token(client, page or url), **data}
    if files:
        payload.update({k: (io.BytesIO(v), "upload.csv") for k, v in files.items()})
        return client.post(url, data=payload, content_type="multipart/form-data")
    return client.post(url, data=payload)


def _count(db, model, **where):
    return db.session.query(model).filter_by(**where).count()


# --- the cases: each signs in as a Hà Nội user and names Quảng Ninh objects in the body -------

def case_user_new(client, db, w, login_as):
    login_as(user=w["hn_admin"])
    for data in ({"staff_id": w["qn_person"].staff_id}, {"unit_code": "22"},
                 {"unit_code": "06652"}):
        _post(client, "/accounts/users/new",
              {"username": "moi", "role": "trainee", "active": "y", **data})
        assert _count(db, User, username="moi") == 0, data


def case_user_edit(client, db, w, login_as):
    login_as(user=w["hn_admin"])
    viewer = w["hn_viewer"]
    url = f"/accounts/users/{viewer.id}"
    for data in ({"staff_id": w["qn_person"].staff_id, "unit_code": "01"},
                 {"unit_code": "22"}):
        _post(client, url, {"username": viewer.username, "role": "trainee", "active": "y",
                            **data})
        db.session.expire_all()
        user = db.session.get(User, viewer.id)
        assert user.person_id is None and user.unit.code == "01" and user.role == "viewer"


def case_from_roster(client, db, w, login_as):
    login_as(user=w["hn_admin"])
    _post(client, "/accounts/from-roster", {"unit_code": "06652"})
    _post(client, "/accounts/from-roster", {"unit_code": "22"})
    assert _count(db, User, person_id=w["claimant"].id) == 0


def _cohort_data(w, **over):
    cohort = w["hn_cohort"]
    data = {"course_id": cohort.course_id, "name": "Lớp mới", "host_unit_code": "01",
            "starts_on": "01/12/2026", "ends_on": "02/12/2026", "mode": "in_person",
            "status": "planned", "min_attendance_pct": "80",
            "trainer_ids": [w["hn_trainer"].id]}
    data.update(over)
    return data


def case_cohort_new(client, db, w, login_as):
    login_as(user=w["hn_admin"])
    before = _count(db, Cohort)
    _post(client, "/cohorts/new", _cohort_data(w, host_unit_code="22"))
    _post(client, "/cohorts/new", _cohort_data(w, trainer_ids=[w["qn_trainer"].id]))
    assert _count(db, Cohort) == before


def case_cohort_edit(client, db, w, login_as):
    login_as(user=w["hn_admin"])
    cohort = w["hn_cohort"]
    url = f"/cohorts/{cohort.id}/edit"
    _post(client, url, _cohort_data(w, host_unit_code="06652"))
    _post(client, url, _cohort_data(w, trainer_ids=[w["hn_trainer"].id, w["qn_trainer"].id]))
    db.session.expire_all()
    cohort = db.session.get(Cohort, cohort.id)
    assert cohort.host_unit.code == "01"
    assert [t.id for t in cohort.trainers] == [w["hn_trainer"].id]


def case_cohort_members(client, db, w, login_as):
    login_as(user=w["hn_trainer"])
    cohort = w["hn_cohort"]
    _post(client, f"/cohorts/{cohort.id}/members", {"person_id": [w["qn_person"].id]},
          page=f"/cohorts/{cohort.id}/members")
    data = f"ma_nhan_su\n{w['qn_person'].staff_id}\n".encode()
    _post(client, f"/cohorts/{cohort.id}/members/upload", {}, page=f"/cohorts/{cohort.id}/members",
          files={"file": data})
    assert _count(db, CohortMember, cohort_id=cohort.id) == 0


def case_attendance(client, db, w, login_as):
    login_as(user=w["hn_trainer"])
    cohort, session = w["hn_cohort"], w["hn_session"]
    url = f"/cohorts/{cohort.id}/sessions/{session.id}/attendance"
    _post(client, url, {f"m{w['qn_member'].id}": "present"})
    from lms.cohorts.models import Attendance

    assert _count(db, Attendance, member_id=w["qn_member"].id) == 0


def case_paper_scores(client, db, w, login_as):
    from lms.assessments.models import PaperScore

    login_as(user=w["hn_trainer"])
    cohort = w["hn_cohort"]
    person = w["qn_person"]
    url = f"/quizzes/cohorts/{cohort.id}/paper-scores"
    _post(client, url, {f"pre_{person.id}": "50", f"post_{person.id}": "90"})
    data = f"ma_nhan_su,diem_truoc,diem_sau\n{person.staff_id},50,90\n".encode()
    _post(client, f"{url}/upload", {}, page=url, files={"file": data})
    assert _count(db, PaperScore, person_id=person.id) == 0


def _paper_form(db, course, seed):
    """A kept printed final of `course` over a bank of exactly its final's size."""
    from lms.assessments import services
    from lms.assessments.models import Question

    for n in range(10):
        db.session.add(Question(course_id=course.id, key=f"sweep-{seed}-{n}", lesson_slug="bai-1",
                                type="single", text=f"Câu {n}?", answer=["a"],
                                options=[{"key": k, "text": f"Phương án {k}"} for k in "abcd"]))
    form = services.paper_form(course, "final", seed)
    db.session.commit()
    return form


def case_paper_answers(client, db, w, login_as):
    """A Hà Nội trainer, in their own cohort, names a Quảng Ninh person (table cells and an
    uploaded file) or a printed paper of another course: refused, nothing graded."""
    from lms.assessments.models import Attempt
    from lms.courses.models import Course

    login_as(user=w["hn_trainer"])
    cohort, person = w["hn_cohort"], w["qn_person"]
    form = _paper_form(db, cohort.course, 1)
    other = Course(slug="khoa-khac", title="Khóa khác", pass_mark=70,
                   settings={"quiz": {"final": {"questions": 10}}})
    db.session.add(other)
    db.session.commit()
    foreign = _paper_form(db, other, 2)
    url = f"/quizzes/cohorts/{cohort.id}/paper-answers"
    cells = {f"a_{person.id}_{n}": "A" for n in range(1, 11)}
    _post(client, f"{url}?form={form.id}", cells)
    header = "ma_nhan_su," + ",".join(f"cau_{n}" for n in range(1, 11))
    data = f"{header}\n{person.staff_id}," + ",".join("A" * 10) + "\n"
    refused = _post(client, f"{url}/upload", {"form": str(form.id)}, page=f"{url}?form={form.id}",
                    files={"file": data.encode()})
    assert refused.status_code == 400
    assert "không phải học viên của lớp này" in refused.get_data(as_text=True)
    for target in (f"{url}?form={foreign.id}", f"{url}/upload"):
        response = _post(client, target, {"form": str(foreign.id), **cells},
                         page=f"{url}?form={form.id}", files={"file": data.encode()}
                         if target.endswith("upload") else None)
        assert response.status_code == 404, target
    assert _count(db, Attempt, person_id=person.id) == 0


def case_enrol_people(client, db, w, login_as):
    login_as(user=w["hn_admin"])
    slug = w["hn_cohort"].course.slug
    url = f"/courses/{slug}/enrol-people"
    before = _count(db, Enrolment)
    _post(client, url, {"one-staff_id": w["claimant"].staff_id})
    _post(client, url, {"many-unit": "22", "many-position": "", "many-not_trained": "y"})
    assert _count(db, Enrolment) == before


def case_records_import(client, db, w, login_as):
    login_as(user=w["hn_admin"])
    slug = w["hn_cohort"].course.slug
    data = f"ma_nhan_su,ma_khoa_hoc,ngay_hoan_thanh,ghi_chu\n{w['claimant'].staff_id},{slug},"
    _post(client, "/reports/records/import", {}, files={"file": (data + "2024-01-01,\n").encode()})
    assert _count(db, Completion, person_id=w["claimant"].id) == 0


def case_roster_import(client, db, w, login_as):
    login_as(user=w["hn_admin"])
    data = ("ma_nhan_su,ho_ten,gioi_tinh,nam_sinh,chuc_danh,ma_xa\n"
            "HN-NEW,Người Mới,Nữ,1990,khac,06652\n"
            f"{w['claimant'].staff_id},Đổi Tên,Nữ,1990,khac,00004\n").encode()
    _post(client, "/units/import", {}, files={"file": data})
    assert _count(db, Person, staff_id="HN-NEW") == 0
    db.session.expire_all()
    assert db.session.get(Person, w["claimant"].id).full_name != "Đổi Tên"


def case_roster_import_confirm(client, db, w, login_as):
    from lms.units.jobs import queue_import

    # an import job is its uploader's only: a finished preview of someone else
    entry = queue_import(b"ma_nhan_su,ho_ten,chuc_danh,ma_xa\nQN-X,An,khac,06652\n", "q.csv",
                         by=w["qn_trainer"])
    entry.status, entry.result = "done", {"dry_run": True}
    db.session.commit()
    login_as(user=w["hn_admin"])
    assert _post(client, f"/units/import/jobs/{entry.id}/confirm", {}, page="/").status_code == 404
    assert _count(db, Person, staff_id="QN-X") == 0


BODY_CASES = {
    "accounts.user_new": case_user_new,
    "accounts.user_edit": case_user_edit,
    "accounts.from_roster": case_from_roster,
    "cohorts.new": case_cohort_new,
    "cohorts.edit": case_cohort_edit,
    "cohorts.members": case_cohort_members,
    "cohorts.members_upload": case_cohort_members,
    "cohorts.attendance": case_attendance,
    "assessments.paper_scores": case_paper_scores,
    "assessments.paper_scores_upload": case_paper_scores,
    "assessments.paper_answers": case_paper_answers,
    "assessments.paper_answers_upload": case_paper_answers,
    "courses.enrol_people": case_enrol_people,
    "reports.records_import": case_records_import,
    "units.roster_import": case_roster_import,
    "units.import_confirm": case_roster_import_confirm,
}


def _post_endpoints(app) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}


def test_every_post_route_is_classified(app):
    """Each POST route either has a body case below or is listed as naming nothing else."""
    endpoints = _post_endpoints(app)
    unclassified = endpoints - set(BODY_CASES) - set(NAMES_NOTHING)
    assert not unclassified, f"classify these routes in {__name__}: {sorted(unclassified)}"
    assert not (set(BODY_CASES) | set(NAMES_NOTHING)) - endpoints  # no stale entries


@pytest.mark.parametrize("endpoint", sorted(BODY_CASES))
def test_out_of_scope_references_in_forms_are_refused(endpoint, client, db, world, login_as):
    """Naming a Quảng Ninh person, unit, cohort, course or user in the form is refused, and
    nothing is written."""
    BODY_CASES[endpoint](client, db, world, login_as)


def test_out_of_scope_objects_in_urls_are_refused(app, client, db, world, login_as):
    """Every POST route whose URL names a scoped object refuses the Quảng Ninh one to a Hà Nội
    admin and a Hà Nội trainer (403 or 404)."""
    ids = {"cohort_id": world["qn_cohort"].id, "member_id": world["qn_member"].id,
           "session_id": world["qn_session"].id, "user_id": world["qn_trainee"].id,
           "person_id": world["qn_person"].id, "request_id": world["qn_request"].id}
    rules = [r for r in app.url_map.iter_rules()
             if "POST" in r.methods and set(r.arguments) & set(SCOPED_ARGS)]
    assert len(rules) >= 15
    for actor in ("hn_admin", "hn_trainer"):
        login_as(user=world[actor])
        token = csrf_token(client, "/")
        for rule in rules:
            values = {arg: ids.get(arg) for arg in rule.arguments}
            for arg in rule.arguments:
                if values[arg] is None:
                    converter = rule._converters[arg]
                    values[arg] = (sorted(converter.items)[0]
                                   if converter.__class__.__name__ == "AnyConverter" else "x")
            url = rule.build(values, append_unknown=False)[1]
            response = client.post(url, data={"csrf_token": token, "confirm": "1",
                                              "reason": "thử", "completed": "1"})
            assert response.status_code in (403, 404), (actor, rule.rule, response.status_code)
    db.session.expire_all()
    assert db.session.get(JoinRequest, world["qn_request"].id).status == "pending"
    assert db.session.get(User, world["qn_trainee"].id).session_version == 1
    assert db.session.get(Cohort, world["qn_cohort"].id).join_code is not None
