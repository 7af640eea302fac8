"""Coverage figures on the hand-computed world of tests/reports/conftest.py."""

from datetime import date

import pytest

from lms.reports import services
from tests.reports.conftest import FROM, TO


def row(doc, code):
    """The row of `code` in a document."""
    return next(r for r in doc["rows"] if r["code"] == code)


def test_commune_cumulative(world):
    """A: twice-trained counts once, leavers/not-in-target/non-counting/after-`to` excluded."""
    doc = services.coverage(world["units"]["A"], FROM, TO, "cumulative")
    assert doc["totals"] == {"target": 6, "trained": 4, "coverage": 0.6667, "person_times": 7,
                             "people": 6, "units_total": 1, "units_reached": 1,
                             "units_at_target": 0}
    assert doc["rows"] == []
    assert doc["unit"] == {"code": "06652", "name": "Phường Hà Tu", "kind": "commune"}


def test_commune_period_mode(world):
    """Period mode drops a5, trained on 31/12/2024; from and to themselves count."""
    doc = services.coverage(world["units"]["A"], FROM, TO, "period")
    assert (doc["totals"]["trained"], doc["totals"]["coverage"]) == (3, 0.5)
    assert doc["period"] == {"from": "2025-01-01", "to": "2025-12-31", "mode": "period",
                             "rule": "any"}


def test_boundaries_move_with_the_dates(world):
    """A completion on 01/01/2025 is outside a period starting 02/01; one on 31/12 outside a
    period ending 30/12."""
    doc = services.coverage(world["units"]["A"], date(2025, 1, 2), date(2025, 12, 30), "period")
    assert doc["totals"]["trained"] == 1          # only a1
    assert doc["totals"]["person_times"] == 5     # a1 ×2, a2, a3, a4


def test_province_rows_and_totals(world, units):
    """Quảng Ninh: rows are its 54 communes ordered by code; C has no target (coverage None)."""
    doc = services.coverage(units("22", "province"), FROM, TO)
    assert doc["totals"] == {"target": 8, "trained": 6, "coverage": 0.75, "person_times": 9,
                             "people": 8, "units_total": 54, "units_reached": 2,
                             "units_at_target": 1}
    codes = [r["code"] for r in doc["rows"]]
    assert len(codes) == 54 and codes == sorted(codes)
    assert row(doc, "06658") == {"code": "06658", "name": "Phường Cao Xanh", "kind": "commune",
                                 "target": 2, "trained": 2, "coverage": 1.0,
                                 "person_times": 2, "people": 2, "units_total": 1,
                                 "units_reached": 1, "units_at_target": 1}
    assert row(doc, "06661")["coverage"] is None and row(doc, "06661")["target"] == 0


def test_country_rows_are_provinces(world):
    """The country: one row per province, totals across all communes."""
    doc = services.coverage(None, FROM, TO)
    assert [r["code"] for r in doc["rows"]] == ["01", "22"]
    assert row(doc, "01")["trained"] == 1 and row(doc, "22")["target"] == 8
    assert doc["totals"] == {"target": 9, "trained": 7, "coverage": 0.7778, "person_times": 10,
                             "people": 9, "units_total": 57, "units_reached": 3,
                             "units_at_target": 2}
    assert doc["unit"]["kind"] == "country"



def test_country_modes_filters_and_breakdowns(world):
    """The country (its own per-person form on PostgreSQL): period mode, moved boundaries, course
    and position filters and the breakdowns, h1 of Hà Nội added to Quảng Ninh's figures."""
    def head(doc):
        t = doc["totals"]
        return t["target"], t["trained"], t["coverage"], t["person_times"], t["people"]

    assert head(services.coverage(None, FROM, TO, "period")) == (9, 6, 0.6667, 10, 9)
    assert head(services.coverage(None, date(2025, 1, 2), date(2025, 12, 30), "period")) == (
        10, 4, 0.4, 8, 7)                       # a9 in post on 30/12; a1, b1, b2, h1 trained
    assert head(services.coverage(None, FROM, TO, course=world["courses"]["basic"])) == (
        9, 5, 0.5556, 7, 6)
    assert head(services.coverage(None, FROM, TO, "period", course=world["courses"]["intro"])) \
        == (9, 0, 0.0, 1, 1)
    assert head(services.coverage(None, FROM, TO, position="truong_thon")) == (2, 2, 1.0, 3, 2)
    doc = services.coverage(None, FROM, TO)
    positions = {p["position"]: p for p in doc["by_position"]}
    assert (positions["can_bo_xa"]["target"], positions["can_bo_xa"]["trained"]) == (7, 5)
    genders = {g["gender"]: (g["target"], g["trained"]) for g in doc["by_gender"]}
    assert genders == {"male": (1, 1), "female": (1, 1), "other": (0, 0), "unknown": (7, 5)}
    assert [(e["ethnicity"], e["target"], e["trained"], e["coverage"])
            for e in doc["by_ethnicity"]] == [("Tày", 1, 1, 1.0), ("unknown", 8, 6, 0.75)]


def test_country_form_matches_the_unit_form(world, monkeypatch):
    """On PostgreSQL the country's per-person table is built another way (completions grouped
    per person first); the general form gives the very same documents."""
    cases = [{}, {"mode": "period"}, {"course": world["courses"]["basic"]},
             {"course": world["courses"]["intro"], "mode": "period"},
             {"position": "truong_thon"}, {"position": "truong_thon", "mode": "period"}]
    docs = [services.coverage(None, FROM, TO, **kw) for kw in cases]
    monkeypatch.setattr(services, "_PERSONS_PG_COUNTRY", services._PERSONS_PG)
    assert [services.coverage(None, FROM, TO, **kw) for kw in cases] == docs

def test_course_filter(world, units):
    """The course filter narrows trained, person_times and people to that course."""
    province = units("22", "province")
    doc = services.coverage(province, FROM, TO, course=world["courses"]["basic"])
    t = doc["totals"]
    assert (t["target"], t["trained"], t["person_times"], t["people"]) == (8, 4, 6, 5)
    doc = services.coverage(province, FROM, TO, course=world["courses"]["intro"])
    t = doc["totals"]
    assert (t["trained"], t["person_times"], t["people"]) == (0, 1, 1)


def test_by_position_and_gender(world, units):
    """Breakdowns over the target people; every gender code is listed."""
    doc = services.coverage(units("22", "province"), FROM, TO)
    positions = {p["position"]: p for p in doc["by_position"]}
    assert positions["truong_thon"] == {"position": "truong_thon", "target": 2, "trained": 2,
                                        "coverage": 1.0, "person_times": 3, "people": 2}
    assert positions["can_bo_xa"]["target"] == 6 and positions["can_bo_xa"]["trained"] == 4
    assert positions["cong_an"]["coverage"] is None
    genders = {g["gender"]: g for g in doc["by_gender"]}
    assert [g["gender"] for g in doc["by_gender"]] == ["male", "female", "other", "unknown"]
    assert (genders["female"]["target"], genders["male"]["trained"]) == (1, 1)
    assert (genders["unknown"]["target"], genders["unknown"]["trained"]) == (6, 4)
    assert genders["other"]["coverage"] is None


def test_position_filter(world, units):
    """A position filter narrows the whole report to that position."""
    doc = services.coverage(units("22", "province"), FROM, TO, position="truong_thon")
    assert (doc["totals"]["target"], doc["totals"]["person_times"]) == (2, 3)


def test_commune_people_for_follow_up(world):
    """A commune's people carry target/trained flags and their last completion."""
    people = {p["staff_id"]: p for p in services.commune_people(world["units"]["A"], FROM, TO)}
    assert len(people) == 9
    assert people["A1"]["trained"] and people["A1"]["last_completed_on"] == date(2025, 6, 1)
    assert not people["A4"]["trained"] and people["A4"]["in_target"]
    assert not people["A7"]["trained"] and people["A7"]["last_completed_on"] is None
    assert not people["A9"]["in_target"]


def test_trend_by_quarter(world, units):
    """Cumulative coverage at each quarter's end, person-times within each quarter."""
    points = services.trend(units("22", "province"), FROM, TO)
    assert [p["quarter"] for p in points] == ["Q1/2025", "Q2/2025", "Q3/2025", "Q4/2025"]
    # 31/3: a2 and a9 still in post (10), a1 a2 a5 a8 trained; 30/6: a2 has left; 31/12: a9
    assert [(p["target"], p["trained"]) for p in points] == [(10, 4), (9, 3), (9, 5), (8, 6)]
    assert [p["person_times"] for p in points] == [3, 3, 2, 1]


def test_bad_parameters():
    """from after to and an unknown mode are refused with a clear message."""
    with pytest.raises(services.ReportError):
        services.check_params(object(), TO, FROM, "cumulative")
    with pytest.raises(services.ReportError):
        services.check_params(object(), FROM, TO, "weekly")


def test_by_ethnicity_normalised(world, units, make_person):
    """by_ethnicity is in every document, one row per official name ("dao" and "Dao" are one
    row), then names off the list (`other`) and empty ones (`unknown`)."""
    province = units("22", "province")
    commune = world["units"]["C"]
    for i, value in enumerate(["Dao", "dao", " DAO ", "Tay", "Ngoài hành tinh", "  "]):
        make_person(staff_id=f"E{i}", commune=commune, ethnicity=value)
    doc = services.coverage(province, FROM, TO)
    assert [(e["ethnicity"], e["target"], e["trained"], e["coverage"])
            for e in doc["by_ethnicity"]] == [
        ("Dao", 3, 0, 0.0), ("Tày", 2, 1, 0.5), ("other", 1, 0, 0.0), ("unknown", 8, 5, 0.625)]


@pytest.mark.parametrize("code, kind", [("22", "province"), ("06652", "commune"), ("", None)])
@pytest.mark.parametrize("course, position", [(None, None), ("basic", None),
                                              (None, "truong_thon")])
def test_trend_matches_the_coverage_of_each_quarter(world, units, code, kind, course, position):
    """Each quarter's point is the coverage computed on its own: cumulative target and trained
    at the quarter's end, person-times within the quarter (unit, course and position filters)."""
    unit = units(code, kind) if code else None
    course = world["courses"][course] if course else None
    points = services.trend(unit, date(2024, 10, 1), TO, course, position)
    assert len(points) == 5
    for point in points:
        start, end = date.fromisoformat(point["from"]), date.fromisoformat(point["to"])
        totals = services.coverage(unit, start, end, "cumulative", course, position)["totals"]
        assert (point["target"], point["trained"], point["person_times"]) == (
            totals["target"], totals["trained"], totals["person_times"]), point["quarter"]
