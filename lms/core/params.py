"""Numbers and JSON bodies from the request, parsed strictly, in one place.

Python's `int()`, `float()`, `str.isdigit()` and werkzeug's `<int:…>` converter all take
digits of any script ("١٢", "１２") and `isdigit()` also superscripts ("²") that `int()` then
refuses: the mix let a request reach a 500. Here a number is ASCII digits only, of bounded
length, and anything else is a `BadParameter`: a 400 with a message, and a ValueError, so a
form field or a service that already catches ValueError turns it into its own message.
"""

import re

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest, UnsupportedMediaType
from werkzeug.routing import IntegerConverter
from wtforms import IntegerField

# A database id or count: PostgreSQL's INTEGER, the type of every id column.
ID_MAX = 2**31 - 1
_INT = re.compile(r"-?[0-9]{1,18}")  # a str pattern's [0-9] is ASCII only, unlike \d
_DECIMAL = re.compile(r"-?[0-9]{1,15}(?:[.,][0-9]{1,6})?")
_MISSING = object()


class BadParameter(BadRequest, ValueError):
    """A request value that is not what the route takes: answered 400 with its message."""

    def __init__(self, message: str):
        super().__init__(description=message)

    def __str__(self) -> str:
        return self.description


def _shown(value) -> str:
    text = str(value)
    return text if len(text) <= 20 else text[:20] + "…"


def int_arg(value, *, min: int | None = None, max: int | None = None,  # noqa: A002
            default=_MISSING) -> int:
    """`value` (a request string, or an int from a JSON body) as an int: optional "-" (only
    when `min` allows negatives), then 1 to 18 ASCII digits; surrounding blanks ignored.

    :param min: the smallest value taken (None: no bound)
    :param max: the largest value taken (None: no bound)
    :param default: returned for None or an empty string; without it these are refused
    :raises BadParameter: anything else, or a number outside [min, max]
    """
    def read(text):
        if isinstance(text, int) and not isinstance(text, bool):
            return text
        if isinstance(text, str) and _INT.fullmatch(text) and (
                not text.startswith("-") or min is None or min < 0):
            return int(text)
        raise BadParameter(_("'%(v)s' không phải là số nguyên hợp lệ (chỉ gồm chữ số 0–9).",
                             v=_shown(text)))

    return _number(value, read, min, max, default, _l("Thiếu một số nguyên."))


def decimal_arg(value, *, min: float | None = None, max: float | None = None,  # noqa: A002
                default=_MISSING) -> float:
    """`value` as a number with an optional fraction after "." or ",": ASCII digits only
    ("85", "85,5", "-1.25"; never "1e3", "inf", "٨٥"); an int or float passes through.

    :raises BadParameter: anything else, or a number outside [min, max]
    """
    def read(text):
        if isinstance(text, int | float) and not isinstance(text, bool) and text == text:
            return float(text)
        if isinstance(text, str) and _DECIMAL.fullmatch(text):
            return float(text.replace(",", "."))
        raise BadParameter(_("'%(v)s' không phải là số hợp lệ.", v=_shown(text)))

    return _number(value, read, min, max, default, _l("Thiếu một số."))


def _number(value, read, low, high, default, missing):
    """`read(value)` within [low, high]; `default` (or `missing` as the error) when blank."""
    if isinstance(value, str):
        value = value.strip(" \t\r\n")
    if value is None or value == "":
        if default is not _MISSING:
            return default
        raise BadParameter(str(missing))
    number = read(value)
    if (low is not None and number < low) or (high is not None and number > high):
        if high is None:
            raise BadParameter(_("%(v)s nhỏ hơn %(min)s.", v=number, min=low))
        if low is None:
            raise BadParameter(_("%(v)s lớn hơn %(max)s.", v=number, max=high))
        raise BadParameter(_("%(v)s nằm ngoài khoảng %(min)s–%(max)s.", v=number, min=low,
                             max=high))
    return number


def id_arg(name: str) -> int | None:
    """The id in query argument `name`, None when absent or empty; a 400 when it is anything
    but an id."""
    return int_arg(request.args.get(name), min=1, max=ID_MAX, default=None)


def json_object() -> dict:
    """The request's JSON body, which must be an object; BadParameter otherwise (no body,
    not JSON, or a list, string or number)."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise BadParameter(_("Nội dung gửi lên phải là một đối tượng JSON."))
    return payload


def takes_json(view):
    """Mark a view as one that reads a JSON body (through `json_object`); every other view
    refuses one (see `refuse_unexpected_json`)."""
    view.takes_json = True
    return view


def refuse_unexpected_json() -> None:
    """Before every request: a JSON body is refused (415) unless the view takes one. Flask-WTF
    reads a JSON body as the form's data, and one that is not an object of strings (a list, a
    string, nested values) was a 500 in the form's own parsing."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json and not getattr(
            current_app.view_functions.get(request.endpoint), "takes_json", False):
        raise UnsupportedMediaType(description=_("Trang này không nhận dữ liệu JSON."))


def str_list(value, *, max_items: int, max_length: int = 20) -> list[str]:
    """`value` from a JSON body as a list of at most `max_items` short strings (a number is
    taken as its digits, as a form would send it); BadParameter otherwise."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > max_items:
        raise BadParameter(_("Cần một danh sách tối đa %(n)s giá trị.", n=max_items))
    items = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or len(item) > max_length:
            raise BadParameter(_("Danh sách chứa giá trị không hợp lệ."))
        items.append(item)
    return items


class IdConverter(IntegerConverter):
    """The `<int:…>` URL converter for ids: ASCII digits only, 1 to 2³¹−1 (werkzeug's own
    takes any script's digits and numbers no database column holds, a 500 on lookup)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs):  # noqa: A002
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


class StrictIntegerField(IntegerField):
    """An IntegerField that takes what `int_arg` takes (WTForms' calls `int()`, which takes
    any script's digits), within `min`/`max`, with its message as the field's error."""

    def __init__(self, *args, min: int | None = None, max: int | None = None,  # noqa: A002
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.min, self.max = min, max

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = int_arg(valuelist[0], min=self.min, max=self.max, default=None)
        except BadParameter as exc:
            self.data = None
            raise ValueError(str(exc)) from None


# Far beyond any list here; a larger page number would overflow the database's OFFSET.
PAGE_MAX = 100_000


def check_page_arg() -> None:
    """Before every request: the pager's `page` query argument (read by Flask-SQLAlchemy's
    `paginate` with a lenient `int()`) is a strict number from 1 to PAGE_MAX, or a 400."""
    int_arg(request.args.get("page"), min=1, max=PAGE_MAX, default=None)


def strict_id(value) -> int:
    """`int_arg` for an id (1 to ID_MAX), as a SelectField's `coerce`."""
    return int_arg(value, min=1, max=ID_MAX)
