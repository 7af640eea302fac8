"""The strict number and JSON helpers of lms/core/params.py."""

import pytest
import wtforms
from werkzeug.datastructures import MultiDict

from lms.core.params import (
    ID_MAX,
    BadParameter,
    StrictIntegerField,
    decimal_arg,
    int_arg,
    str_list,
)
from tests.conftest import csrf_token, own_request


@pytest.mark.parametrize("value", ["١٢", "１２", "²", "①", "1e3", "1.5", "0x1f", "1_000", "+7",
                                   "1 2", "-", "9" * 19, "abc", True, 1.0, [1], {}])
def test_int_arg_takes_ascii_digits_only(app, value):
    """Other scripts' digits, superscripts, exponents, separators, signs other than "-",
    more than 18 digits and non-numbers are a 400 with a message, not an int."""
    with own_request(app), pytest.raises(BadParameter) as caught:
        int_arg(value)
    assert caught.value.code == 400 and "0–9" in caught.value.description


def test_int_arg_bounds_sign_and_default(app):
    """Blanks around are ignored; "-" only where min allows it; the range is checked with its
    own message; absent or empty gives the default, or a 400 without one."""
    with own_request(app):
        assert int_arg(" 42\t") == 42 and int_arg(-3) == -3 and int_arg("-3") == -3
        assert int_arg("", default=None) is None and int_arg(None, default=7) == 7
        with pytest.raises(BadParameter, match="0–9"):
            int_arg("-1", min=1)
        with pytest.raises(BadParameter, match="1–2147483647"):
            int_arg(str(ID_MAX + 1), min=1, max=ID_MAX)
        with pytest.raises(BadParameter):
            int_arg("")
        assert isinstance(BadParameter("x"), ValueError)


def test_decimal_arg(app):
    """A score: "85", "85,5", "85.5" and numbers pass; "inf", "nan", "1e2", "٨٥" and
    out-of-range values do not."""
    with own_request(app):
        assert decimal_arg("85,5", min=0, max=100) == 85.5 == decimal_arg(85.5)
        assert decimal_arg(" ", default=None) is None
        for bad in ("inf", "nan", "1e2", "٨٥", float("nan"), "101", True):
            with pytest.raises(BadParameter):
                decimal_arg(bad, min=0, max=100)


def test_str_list(app):
    """A JSON list of short strings (numbers as their digits); anything else is refused."""
    with own_request(app):
        assert str_list(["0", 2], max_items=3) == ["0", "2"] and str_list(None, max_items=1) == []
        for bad in ("0", {"a": 1}, [None], [["0"]], ["0"] * 4, [True], ["x" * 21]):
            with pytest.raises(BadParameter):
                str_list(bad, max_items=3)


def test_int_url_converter_is_ascii_and_bounded(client):
    """`<int:…>` matches ASCII digits up to 2³¹−1 only: other digits and larger ids are 404,
    never a lookup that overflows the database."""
    for path in ("١٢", "１２", str(ID_MAX + 1), "9" * 30):
        assert client.get(f"/cohorts/{path}").status_code == 404, path


def test_strict_integer_field(app):
    """A form's number field refuses other scripts' digits with the helper's message, and its
    own range."""
    class Form(wtforms.Form):
        n = StrictIntegerField(min=0, max=100)

    with own_request(app):
        for raw, data, error in (("١٢", None, "0–9"), ("101", None, "0–100"), ("80", 80, None),
                                 ("", None, None)):
            form = Form(formdata=MultiDict({"n": raw}))
            form.validate()
            assert form.n.data == data, raw
            assert (error in form.n.errors[0]) if error else not form.n.errors, raw


def test_json_body_refused_where_no_view_takes_one(client):
    """A JSON body to a form route is 415 (Flask-WTF would read it as form data); bad pages
    are 400, JSON-shaped for a JSON request."""
    response = client.post("/accounts/login", data='["x"]', content_type="application/json",
                           headers={"X-CSRFToken": csrf_token(client, "/accounts/login")})
    assert response.status_code == 415 and response.is_json
    assert client.get("/cohorts/?page=²").status_code == 400
    assert client.get("/cohorts/?page=100001").status_code == 400
