"""Coverage by learning path (rule=path): trained means every course of the person's position
path completed; checked against the independent count of test_breakdowns."""

from datetime import date

import pytest

from tests.reports.conftest import FROM, TO
from tests.reports.test_breakdowns import expected, mixed  # noqa: F401 - a fixture

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat(), "unit": "22"}


@pytest.fixture
def paths(mixed, db):  # noqa: F811
    """truong_thon must do co-ban and nang-cao, can_bo_xa co-ban; cong_an has an empty path
    (so the "any course" rule applies to it). One Hà Tu trưởng thôn completes both."""
    from lms.courses.models import PositionCourse
    from lms.courses.services import record_completion

    basic, advanced = mixed["courses"]["basic"], mixed["courses"]["advanced"]
    wanted = {"truong_thon": [basic.id, advanced.id], "can_bo_xa": [basic.id]}
    for position, ids in wanted.items():
        db.session.add_all(PositionCourse(position=position, course_id=i) for i in ids)
    record_completion(mixed["people"]["a1"], advanced, date(2025, 11, 1), "import")
    db.session.commit()
    return wanted


def _figures(doc):
    t = doc["totals"]
    return ([t[k] for k in ("target", "trained", "person_times", "people")],
            {r["position"]: [r["target"], r["trained"], r["person_times"], r["people"]]
             for r in doc["by_position"] if r["target"] or r["person_times"]},
            {r["code"]: r["trained"] for r in doc["rows"] if r["target"]})


@pytest.mark.parametrize("mode", ["cumulative", "period"])
def test_path_rule_against_an_independent_count(paths, client, login_as, mode):
    """Totals, positions and communes under the path rule equal the count made here, and
    differ from the "any course" rule (so the rule is not ignored)."""
    login_as("admin")
    doc = client.get("/api/v1/coverage", query_string=PERIOD | {
        "rule": "path", "mode": mode}).get_json()
    assert doc["period"]["rule"] == "path"
    exp = expected("22", paths=paths, mode=mode)
    totals, positions, communes = _figures(doc)
    assert totals == exp["totals"][:4]
    assert positions == exp["position"]
    assert communes == {code: v[1] for code, v in exp["communes"].items() if v[0]}
    anyrule = client.get("/api/v1/coverage", query_string=PERIOD | {"mode": mode}).get_json()
    assert anyrule["totals"]["trained"] > doc["totals"]["trained"]


def test_commune_people_follow_the_path(paths, client, login_as, units):
    """On Hà Tu's list, the people trained by any course but not by their path are exactly the
    cán bộ xã with only nang-cao (A6, A8) and the trưởng thôn with only co-ban (MV, there by a
    past roster period); A1 did both courses of the trưởng thôn path."""
    from lms.reports import services

    ha_tu = units("06652", "commune")
    by_path = {p["staff_id"]: p["trained"]
               for p in services.commune_people(ha_tu, FROM, TO, rule="path")}
    by_any = {p["staff_id"]: p["trained"] for p in services.commune_people(ha_tu, FROM, TO)}
    assert by_path["A1"] is True
    assert {k for k, v in by_any.items() if v and not by_path[k]} == {"A6", "A8", "MV"}
    assert not any(v and not by_any[k] for k, v in by_path.items())
    login_as("admin")
    page = client.get("/reports/coverage", query_string=PERIOD | {
        "unit": "06652", "rule": "path"}).get_data(as_text=True)
    assert "hoàn thành cả lộ trình" in page


def test_refusals_say_why(mixed, client, login_as, db):  # noqa: F811
    """No path loaded, a course filter with the path rule, or an unknown rule: a 400 that
    says which."""
    login_as("admin")
    none = client.get("/api/v1/coverage", query_string=PERIOD | {"rule": "path"})
    assert none.status_code == 400 and "paths.yml" in none.get_json()["message"]
    from lms.courses.models import PositionCourse

    db.session.add(PositionCourse(position="khac", course_id=mixed["courses"]["basic"].id))
    db.session.commit()
    both = client.get("/api/v1/coverage", query_string=PERIOD | {
        "rule": "path", "course": "co-ban"})
    assert both.status_code == 400 and "lộ trình" in both.get_json()["message"]
    bad = client.get("/api/v1/coverage", query_string=PERIOD | {"rule": "all"})
    assert bad.status_code == 400 and "'all'" in bad.get_json()["message"]


def test_content_load_stores_the_paths(app, db):
    """Loading the repository's content stores paths.yml, replacing what was there."""
    from lms.courses.loader import load_content
    from lms.courses.models import Course, PositionCourse

    result = load_content(app.config["CONTENT_DIR"])
    stored = {}
    for row in db.session.query(PositionCourse):
        stored.setdefault(row.position, set()).add(db.session.get(Course, row.course_id).slug)
    assert result.paths == 11 and "position paths" in result.summary()
    assert stored["truong_thon"] == {"nhan-dien-mua-ban-nguoi", "phong-ngua-tai-cong-dong"}
    again = load_content(app.config["CONTENT_DIR"])
    assert again.paths == 11 and db.session.query(PositionCourse).count() == sum(
        len(v) for v in stored.values())


def test_cli_and_dhis2_follow_the_rule(paths, runner, client, login_as):
    """`report coverage --rule path` and the DHIS2 export with rule=path give the path's
    trained figure."""
    import json

    exp = expected("22", paths=paths)["totals"]
    result = runner.invoke(args=["lms", "report", "coverage", "--unit", "22", "--from",
                                 PERIOD["from"], "--to", PERIOD["to"], "--rule", "path",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["totals"]["trained"] == exp[1]
    login_as("admin")
    values = client.get("/reports/dhis2.json", query_string={
        "unit": "22", "period": "2025", "rule": "path"}).get_json()["dataValues"]
    assert sum(int(v["value"]) for v in values if v["dataElement"] == "TH_TRAINED") == exp[1]


def test_untrained_list_follows_the_rule(paths, client, login_as, units):
    """Under the path rule the untrained list holds the target people who have not done their
    whole path (more than under the "any" rule), and its message says so."""
    from lms.reports import services

    province = units("22", "province")
    listed = {p["staff_id"] for c in services.untrained_by_commune(province, TO, rule="path")
              for p in c["people"]}
    expected_ids = {p["staff_id"] for code in ("06652", "06658", "06661")
                    for p in services.commune_people(units(code, "commune"), FROM, TO,
                                                     rule="path")
                    if p["in_target"] and not p["trained"]}
    by_any = {p["staff_id"] for c in services.untrained_by_commune(province, TO)
              for p in c["people"]}
    assert listed == expected_ids and by_any < listed and {"A6", "A8", "MV"} <= listed - by_any
    login_as("admin")
    page = client.get("/reports/untrained", query_string={
        "unit": "22", "to": TO.isoformat(), "rule": "path"}).get_data(as_text=True)
    assert "đủ các khóa trong lộ trình của chức danh" in page
    refused = client.get("/reports/untrained", query_string={
        "unit": "22", "rule": "path", "course": "co-ban"}, follow_redirects=True)
    assert "chọn một trong hai" in refused.get_data(as_text=True)
