"""Fixtures for the reports room: courses and a small hand-computed world of completions."""

from datetime import date

import pytest

FROM, TO = date(2025, 1, 1), date(2025, 12, 31)


@pytest.fixture
def make_course(db):
    """Factory: a course (counts toward the target unless told otherwise)."""
    def make(slug, counts=True, title=None):
        from lms.courses.models import Course

        course = Course(slug=slug, title=title or slug, counts_toward_target=counts)
        db.session.add(course)
        db.session.commit()
        return course

    return make


@pytest.fixture
def world(db, units, make_person, make_course):
    """Quảng Ninh communes A=06652, B=06658, C=06661 and Hà Nội commune H=00004.

    Period 2025: A has 6 target people of whom 4 trained (cumulative) / 3 (period), 7
    person-times by 6 people; B is fully trained (2/2); C has no target; H has 1/1.
    """
    from lms.courses.services import record_completion

    basic, advanced, intro = (make_course("co-ban"), make_course("nang-cao"),
                              make_course("gioi-thieu", counts=False))
    a, b, c, h = (units("06652", "commune"), units("06658", "commune"),
                  units("06661", "commune"), units("00004", "commune"))
    people = {}

    def person(key, commune, **kw):
        people[key] = make_person(staff_id=key.upper(), commune=commune,
                                  full_name=kw.pop("full_name", f"Người {key}"), **kw)
        return people[key]

    def done(key, course, on):
        record_completion(people[key], course, on, "import")

    person("a1", a, position="truong_thon", gender="female", full_name="Nguyễn Thị Hường",
           ethnicity="Tày")
    done("a1", basic, date(2025, 3, 1))
    done("a1", basic, date(2025, 6, 1))             # trained twice: 1 trained, 2 person-times
    person("a2", a, left_on=date(2025, 6, 30))       # left before `to`
    done("a2", basic, date(2025, 2, 1))
    person("a3", a, in_target=False)                 # not in target
    done("a3", basic, date(2025, 4, 1))
    person("a4", a, full_name="Đặng Văn Đức")        # only a course that does not count
    done("a4", intro, date(2025, 5, 1))
    person("a5", a, gender="male")                   # trained before `from`
    done("a5", basic, date(2024, 12, 31))
    person("a6", a)                                  # on `to`
    done("a6", advanced, TO)
    person("a7", a)                                  # after `to`
    done("a7", basic, date(2026, 1, 1))
    person("a8", a)                                  # on `from`
    done("a8", advanced, FROM)
    person("a9", a, left_on=TO)                      # leaves on `to`: not in post
    person("b1", b, position="truong_thon")
    done("b1", basic, date(2025, 7, 1))
    person("b2", b)
    done("b2", basic, date(2025, 8, 1))
    person("c1", c, in_target=False)
    person("h1", h)
    done("h1", basic, date(2025, 5, 5))
    db.session.commit()
    return {"courses": {"basic": basic, "advanced": advanced, "intro": intro},
            "units": {"A": a, "B": b, "C": c, "H": h}, "people": people}
