"""Coverage on the roster as it stood on the report's date (lms/units/models.RosterPeriod)."""

from datetime import date

from lms.reports.services import commune_people, coverage
from lms.units.services import import_roster

HEADER = "ma_nhan_su,ho_ten,chuc_danh,ma_xa,muc_tieu\n"
BEFORE, AFTER = date(2025, 12, 31), date(2026, 6, 30)


def _history(db):
    """QN1 moves from Hà Tu to Cao Xanh, QN2 turns from trưởng thôn into công an and QN3 leaves
    the target, all on 01/3/2026; QN4 is first listed on that day."""
    import_roster((HEADER + "QN1,An,truong_thon,06652,có\nQN2,Bình,truong_thon,06652,có\n"
                   "QN3,Chi,truong_thon,06652,có\n").encode(), "a.csv", initial=True)
    import_roster((HEADER + "QN1,An,truong_thon,06658,có\nQN2,Bình,cong_an,06652,có\n"
                   "QN3,Chi,truong_thon,06652,không\nQN4,Dũng,khac,06652,có\n").encode(),
                  "b.csv", as_of=date(2026, 3, 1))
    db.session.commit()


def _positions(doc):
    return {p["position"]: p["target"] for p in doc["by_position"] if p["target"]}


def test_the_country_and_a_province_count_the_roster_of_the_date(db, units):
    """Before the changes: three trưởng thôn in Hà Tu; after: QN1 in Cao Xanh, one công an,
    QN3 out of the target, QN4 counted; the country and the province agree."""
    _history(db)
    for unit in (None, units("22", "province")):
        before = coverage(unit, date(2025, 1, 1), BEFORE)
        assert before["totals"]["target"] == 3
        assert _positions(before) == {"truong_thon": 3}
        after = coverage(unit, date(2026, 1, 1), AFTER)
        assert after["totals"]["target"] == 3
        assert _positions(after) == {"truong_thon": 1, "cong_an": 1, "khac": 1}
    rows = {r["code"]: r["target"] for r in coverage(units("22", "province"), date(2026, 1, 1),
                                                     AFTER)["rows"] if r["target"]}
    assert rows == {"06652": 2, "06658": 1}


def test_a_communes_people_are_those_of_the_date(db, units):
    """The commune's name list follows the roster of the report's date."""
    _history(db)
    hà_tu = units("06652", "commune")
    assert [p["staff_id"] for p in commune_people(hà_tu, date(2025, 1, 1), BEFORE)] == [
        "QN1", "QN2", "QN3"]
    after = commune_people(hà_tu, date(2026, 1, 1), AFTER)
    assert [(p["staff_id"], p["position"], p["in_target"]) for p in after] == [
        ("QN2", "cong_an", True), ("QN3", "truong_thon", False), ("QN4", "khac", True)]


def test_the_trend_counts_each_quarter_on_its_roster(db, units, make_course):
    """Hà Tu's target per quarter: the three first listed until the changes of 01/3/2026, then
    QN2 and QN4 (QN1 has moved, QN3 left the target); QN1's completions count where QN1 was
    at each quarter's end."""
    from lms.courses.services import record_completion
    from lms.reports.services import trend
    from lms.units.models import Person

    _history(db)
    course = make_course("co-ban")
    an = Person.query.filter_by(staff_id="QN1").one()
    record_completion(an, course, date(2025, 11, 1), "import")
    record_completion(an, course, date(2026, 5, 1), "import")
    db.session.commit()
    points = trend(units("06652", "commune"), date(2025, 10, 1), AFTER)
    assert [(p["quarter"], p["target"], p["trained"], p["person_times"]) for p in points] == [
        ("Q4/2025", 3, 1, 1), ("Q1/2026", 2, 0, 0), ("Q2/2026", 2, 0, 0)]
    cao_xanh = trend(units("06658", "commune"), date(2025, 10, 1), AFTER)
    assert [(p["target"], p["trained"], p["person_times"]) for p in cao_xanh] == [
        (0, 0, 0), (1, 1, 0), (1, 1, 1)]
