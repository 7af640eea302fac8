"""The unit picker: codes with or without zeros, names with or without diacritics, choices when
ambiguous, scope, the suggestions endpoint, and every form that takes a unit."""

import pytest
from sqlalchemy import select

from lms.core.text import fold
from lms.units.picker import find_units, resolve_unit
from tests.conftest import post_form

HA_TU = "Phường Hà Tu, Thành phố Quảng Ninh"


@pytest.fixture
def twin(db, units):
    """A second "Phường Hà Tu", in Hà Nội (code 99001), so the bare name is ambiguous; and a
    legacy unit that must never be offered."""
    from lms.units.services import UnitSpec, upsert_units

    upsert_units("current", [UnitSpec("99001", "Phường Hà Tu", "commune", None, "01")])
    upsert_units("legacy", [UnitSpec("99002", "Xã Cổ Lệ Xưa", "commune", None, None)])
    db.session.commit()
    return units


def codes(matches) -> list[str]:
    return [m.code for m in matches]


@pytest.mark.parametrize("text", ["6652", "06652", " 06652 ", "Phường Hà Tu", "phuong ha tu",
                                  "HÀ TU", "ha tu", "xã hà tu", "P. Hà Tu", "Hà Tu Quảng Ninh",
                                  "ha tu, tp quang ninh", HA_TU])
def test_one_commune_by_code_or_name(units, text):
    """A code with or without its zeros, or the name in any case, with or without diacritics,
    type word or province, designates Phường Hà Tu."""
    assert codes(resolve_unit(text)) == ["06652"]
    assert resolve_unit(text)[0].label == HA_TU


@pytest.mark.parametrize(("text", "code"), [("22", "22"), ("quảng ninh", "22"), ("1", "01"),
                                            ("Thành phố Hà Nội", "01"), ("ha noi", "01"),
                                            ("VN", "VN"), ("Đặc khu Vân Đồn", "06994"),
                                            ("van don", "06994"), ("dac khu co to", "07192")])
def test_provinces_and_special_zones(units, text, code):
    """Province codes pad to two digits ("1" is Hà Nội); đặc khu and provinces match by name."""
    assert codes(resolve_unit(text)) == [code]


def test_whole_name_beats_partial_matches(units):
    """"Hà Lầm" is one ward even though other names start with "Hà"; "ha" alone is a choice."""
    assert codes(resolve_unit("ha lam")) == ["06676"]
    several = resolve_unit("ha")
    assert len(several) > 2 and {"06652", "06676", "07168"} <= set(codes(several))


def test_partial_words_find_in_order_of_relevance(units):
    """Parts of words match ("mong cai" → the three Móng Cái wards); the unit's own name ranks
    before units that only match through their province."""
    assert codes(find_units("mong cai")) == ["06712", "06709", "06736"]
    found = find_units("quang")
    assert found[0].code == "22"
    assert all(fold(m.label).startswith(("xa quang", "phuong quang")) for m in found[1:7])


def test_ambiguous_name_gives_candidates_and_province_decides(twin):
    """The same name in two provinces is a choice between both; adding the province or a scope
    makes it one."""
    assert set(codes(resolve_unit("Hà Tu"))) == {"06652", "99001"}
    labels = {m.label for m in resolve_unit("ha tu")}
    assert labels == {HA_TU, "Phường Hà Tu, Thành phố Hà Nội"}
    assert codes(resolve_unit("Hà Tu Hà Nội")) == ["99001"]
    assert codes(resolve_unit("ha tu", within=twin("22"))) == ["06652"]


def test_out_of_scope_and_legacy_units_never_resolve(twin):
    """Within Hà Nội, Quảng Ninh's units are not found by code or name; legacy units never."""
    hanoi = twin("01")
    assert resolve_unit("06652", within=hanoi) == []
    assert resolve_unit("22", within=hanoi) == []
    assert resolve_unit("Việt Hưng", within=hanoi) == []
    assert find_units("quang ninh", within=hanoi) == []
    assert resolve_unit("Cổ Lệ Xưa") == [] and resolve_unit("99002") == []


def test_nothing_or_noise_finds_nothing(units):
    """Empty, blank, punctuation and unknown text find nothing."""
    for text in (None, "", "   ", ",.;", "zzzz", "99999", "x" * 5000):
        assert find_units(text) == []


def test_limit_and_new_units_are_seen(db, units):
    """At most `limit` matches; a unit added later is found at once (the index follows)."""
    assert len(find_units("phuong", limit=5)) == 5
    from lms.units.services import UnitSpec, upsert_units

    upsert_units("current", [UnitSpec("99003", "Xã Mới Lập", "commune", None, "22")])
    db.session.commit()
    assert codes(resolve_unit("moi lap")) == ["99003"]


# --- the suggestions endpoint ---------------------------------------------------------------

def test_search_needs_login_and_a_staff_role(client, login_as, units):
    """Anonymous visitors are sent to sign in; trainees get 403."""
    response = client.get("/units/search?q=ha+tu")
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]
    login_as("trainee")
    assert client.get("/units/search?q=ha+tu").status_code == 403


def test_search_is_scoped_and_limited(client, login_as, twin):
    """A Hà Nội trainer sees Hà Nội's Hà Tu only; at most 20 suggestions."""
    login_as("trainer", unit="01")
    assert client.get("/units/search?q=ha+tu").get_json() == [
        {"code": "99001", "label": "Phường Hà Tu, Thành phố Hà Nội"}]
    assert client.get("/units/search?q=06652").get_json() == []
    login_as("admin")
    assert len(client.get("/units/search?q=phuong").get_json()) == 20
    assert client.get("/units/search").get_json() == []


# --- every form that takes a unit ----------------------------------------------------------

def _course(db):
    from lms.courses.models import Course

    course = Course(slug="co-ban", title="Nhận diện mua bán người")
    db.session.add(course)
    db.session.commit()
    return course


def _cohort_data(course, unit_text, **extra):
    return {"course_id": course.id, "name": "Lớp Hà Tu", "host_unit_code": unit_text,
            "starts_on": "01/12/2026", "ends_on": "02/12/2026", "mode": "in_person",
            "status": "planned", "min_attendance_pct": "80", **extra}


def test_user_form_takes_a_name(client, login_as, db, units):
    """An account's unit can be typed as a name without diacritics."""
    from lms.accounts.models import User

    login_as("admin")
    response = post_form(client, "/accounts/users/new",
                         {"username": "lan", "role": "viewer", "unit_code": "viet hung",
                          "active": "y"}, page="/accounts/users/new")
    assert response.status_code == 302
    assert db.session.scalar(select(User).filter_by(username="lan")).unit.code == "06661"


def test_from_roster_form_takes_a_name(client, login_as, make_person, units):
    """The bulk-accounts page finds its unit by name ("Hà Tu Quảng Ninh")."""
    make_person()
    login_as("admin")
    html = post_form(client, "/accounts/from-roster",
                     {"unit_code": "Hà Tu Quảng Ninh", "dry_run": "y"},
                     page="/accounts/from-roster").get_data(as_text=True)
    assert "Xem trước cho Phường Hà Tu" in html


def test_cohort_form_takes_a_name_and_shows_it(client, login_as, db, units):
    """A cohort's host unit typed as "phuong ha tu" is Phường Hà Tu; the edit form shows its
    name beside the code."""
    from lms.cohorts.models import Cohort

    course = _course(db)
    login_as("trainer", unit="22")
    response = post_form(client, "/cohorts/new", _cohort_data(course, "phuong ha tu"),
                         page="/cohorts/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    cohort = db.session.scalar(select(Cohort))
    assert cohort.host_unit.code == "06652"
    html = client.get(f"/cohorts/{cohort.id}/edit").get_data(as_text=True)
    assert 'value="06652"' in html and HA_TU in html


def test_enrol_many_form_takes_a_name(client, login_as, db, make_person, units):
    """Enrolling by filter accepts a commune's name."""
    course = _course(db)
    make_person()
    make_person(commune=units("06661"))
    login_as("trainer", unit="22")
    url = f"/courses/{course.slug}/enrol-people"
    html = post_form(client, url, {"many-unit": "Hà Tu", "many-position": "",
                                   "many-preview": "1"}, page=url).get_data(as_text=True)
    assert "1 người phù hợp" in html


def test_ambiguous_name_is_a_search_step_without_javascript(client, login_as, db, twin):
    """Several matches: the form comes back with an error and the candidates as radio
    buttons; submitting the chosen one creates the cohort there."""
    from lms.cohorts.models import Cohort

    course = _course(db)
    login_as("trainer")
    response = post_form(client, "/cohorts/new", _cohort_data(course, "Hà Tu"),
                         page="/cohorts/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and db.session.scalar(select(Cohort)) is None
    assert "Có nhiều đơn vị khớp với &#39;Hà Tu&#39;" in html
    assert 'type="radio" name="host_unit_code-pick" value="06652"' in html
    assert 'name="host_unit_code-pick" value="99001"' in html
    assert HA_TU in html and "Phường Hà Tu, Thành phố Hà Nội" in html
    response = post_form(client, "/cohorts/new",
                         _cohort_data(course, "Hà Tu", **{"host_unit_code-pick": "99001"}),
                         page="/cohorts/new")
    assert response.status_code == 302
    assert db.session.scalar(select(Cohort)).host_unit.code == "99001"


def test_form_errors_name_the_problem(client, login_as, db, twin):
    """Unknown text and a unit outside the user's scope are refused with specific messages; a
    chosen candidate outside the scope is refused too."""
    from lms.cohorts.models import Cohort

    course = _course(db)
    login_as("trainer", unit="01")
    html = post_form(client, "/cohorts/new", _cohort_data(course, "xyz"),
                     page="/cohorts/new").get_data(as_text=True)
    assert "Không tìm thấy đơn vị &#39;xyz&#39; trong phạm vi của bạn." in html
    html = post_form(client, "/cohorts/new", _cohort_data(course, "6661"),
                     page="/cohorts/new").get_data(as_text=True)
    assert "Phường Việt Hưng, Thành phố Quảng Ninh nằm ngoài phạm vi của bạn" in html
    post_form(client, "/cohorts/new",
              _cohort_data(course, "Hà Tu", **{"host_unit_code-pick": "06652"}),
              page="/cohorts/new")
    assert db.session.scalar(select(Cohort)) is None
    # within Hà Nội the bare name is no longer ambiguous
    post_form(client, "/cohorts/new", _cohort_data(course, "Hà Tu"), page="/cohorts/new")
    assert db.session.scalar(select(Cohort)).host_unit.code == "99001"


def test_member_search_is_prefilled_with_the_host_unit(client, login_as, db, units):
    """The cohort's member search opens with the cohort's own unit in the unit box."""
    from lms.cohorts.services import CohortSpec, create_cohort

    course = _course(db)
    trainer = login_as("trainer", unit="22")
    cohort = create_cohort(CohortSpec(course_id=course.id, name="Lớp", host_unit_code="6661",
                                      starts_on="01/12/2026", ends_on="02/12/2026",
                                      trainer_ids=[trainer.id]), by=trainer)
    db.session.commit()
    html = client.get(f"/cohorts/{cohort.id}/members").get_data(as_text=True)
    assert 'name="unit" value="06661"' in html and "data-unit-search" in html
    html = client.get(f"/cohorts/{cohort.id}/members?q=nguyen").get_data(as_text=True)
    assert 'name="unit" value=""' in html  # a search without a unit stays without one


def test_get_filters_resolve_units_without_javascript(client, login_as, db, twin):
    """A GET filter box: a code without its zeros or a clear name filters by that unit at once
    (the box then holds its code and shows its name); an ambiguous name comes back with the
    matching units as links repeating the search with each code; nothing found says so."""
    from lms.cohorts.services import CohortSpec, create_cohort

    course = _course(db)
    trainer = login_as("trainer")
    cohort = create_cohort(CohortSpec(course_id=course.id, name="Lớp", host_unit_code="22",
                                      starts_on="01/12/2026", ends_on="02/12/2026",
                                      trainer_ids=[trainer.id]), by=trainer)
    db.session.commit()
    url = f"/cohorts/{cohort.id}/members"
    html = client.get(url, query_string={"unit": "6661", "q": "an"}).get_data(as_text=True)
    assert 'name="unit" value="06661"' in html and "Chọn đơn vị:" not in html
    assert 'data-unit-chosen aria-live="polite">Phường Việt Hưng, Thành phố Quảng Ninh' in html
    html = client.get(url, query_string={"unit": "hà tu"}).get_data(as_text=True)
    assert f'href="{url}?unit=06652">{HA_TU}</a>' in html
    assert f'href="{url}?unit=99001">Phường Hà Tu, Thành phố Hà Nội</a>' in html
    html = client.get(url, query_string={"unit": "06652"}).get_data(as_text=True)
    assert f'data-unit-chosen aria-live="polite">{HA_TU}</small>' in html
    assert "Chọn đơn vị:" not in html
    html = client.get(url, query_string={"unit": "khong co xa nay"}).get_data(as_text=True)
    assert "Không tìm thấy đơn vị &#39;khong co xa nay&#39;" in html
    html = client.get("/certificates/", query_string={"unit": "ha tu quang ninh"}
                      ).get_data(as_text=True)
    assert 'name="unit" value="06652"' in html and "Chọn đơn vị:" not in html
