"""One roster cell at a time: normalise it, or refuse it saying why and what is accepted.

The import service calls these per row; each returns the value to store or raises `Refused`
with the message for the user (the row and column are added by the caller).
"""

import re
from datetime import date

from flask_babel import gettext as _

from lms.core.tabular import canonical_phone, normalise_id, parse_bool, parse_date_cell
from lms.core.text import clean, fold
from lms.units.ethnicities import NAMES, parse_ethnicity, vocab_key
from lms.units.positions import accepted_positions, parse_gender

STAFF_ID_MAX = 50
NAME_MAX = 200


class Refused(ValueError):
    """A cell value that cannot be imported; the message says why and what to write."""


def text(value) -> str:
    """`clean` for a cell value; strings from `read_table` are clean already (NFC, spaces
    collapsed), so they are taken as they are."""
    return value if type(value) is str else clean(value)


def staff_id(value) -> str:
    """The staff id in its one form (`normalise_id`); required, at most 50 characters."""
    result = normalise_id(text(value))
    if not result:
        raise Refused(_("thiếu mã nhân sự"))
    if len(result) > STAFF_ID_MAX:
        raise Refused(_("mã nhân sự dài quá %(n)s ký tự", n=STAFF_ID_MAX))
    return result


def full_name(value) -> str:
    """The name, NFC with collapsed spaces; required."""
    result = text(value)
    if not result:
        raise Refused(_("thiếu họ tên"))
    if len(result) > NAME_MAX:
        raise Refused(_("họ tên dài quá %(n)s ký tự", n=NAME_MAX))
    return result


def gender(value, cache: dict) -> str | None:
    """male/female/other from Nam/Nữ/Khác or English; empty → None."""
    if value in ("", None):
        return None
    if value not in cache:
        cache[value] = parse_gender(str(value))
    if cache[value] is None:
        raise Refused(_("giới tính '%(v)s' không có trong danh mục; ghi một trong: Nam, Nữ, "
                        "Khác (hoặc male, female, other)", v=value))
    return cache[value]


def birth_year(value, earliest: int, latest: int) -> int | None:
    """A year (1985), or a birth date whose year is taken (a date cell, 15/03/1985)."""
    if value in ("", None):
        return None
    if isinstance(value, date):
        year = value.year
    else:
        raw = str(value)
        if raw.isascii() and raw.isdigit() and len(raw) == 4:
            year = int(raw)
        else:
            try:
                year = parse_date_cell(raw).year if len(raw) > 5 else None
            except ValueError:
                year = None
            if year is None:
                raise Refused(_("năm sinh '%(v)s' không hợp lệ: ghi năm (vd. 1985) hoặc ngày "
                                "sinh dd/mm/yyyy", v=raw))
    if not earliest <= year <= latest:
        raise Refused(_("năm sinh '%(v)s' không hợp lệ (từ %(a)s đến %(b)s)", v=year, a=earliest,
                        b=latest))
    return year


def position(value, lookup: dict[str, str], cache: dict) -> str:
    """The position code from a code, label or alias (`positions.position_lookup()`)."""
    if value in ("", None):
        raise Refused(_("thiếu chức danh; ghi một trong: %(names)s", names=accepted_positions()))
    if value not in cache:
        cache[value] = lookup.get(vocab_key(value))
    if cache[value] is None:
        raise Refused(_("chức danh '%(v)s' không có trong danh mục; ghi một trong: %(names)s "
                        "(quản trị viên có thể thêm tên gọi khác ở trang Danh mục chức danh)",
                        v=value, names=accepted_positions()))
    return cache[value]


def ethnicity(value, cache: dict) -> str | None:
    """One of the 54 official names, from a name, variant or statistics code; empty → None."""
    if value in ("", None):
        return None
    if value not in cache:
        cache[value] = parse_ethnicity(value)
    if cache[value] is None:
        raise Refused(_("dân tộc '%(v)s' không có trong danh mục 54 dân tộc; ghi tên hoặc mã "
                        "01–54: %(names)s", v=value, names=", ".join(NAMES)))
    return cache[value]


def phone(value) -> str | None:
    """The phone number in its canonical form (`canonical_phone`); empty → None."""
    if value in ("", None):
        return None
    try:
        return canonical_phone(value if type(value) is str else str(value))
    except ValueError:
        raise Refused(_("số điện thoại '%(v)s' không hợp lệ: ghi 10 chữ số bắt đầu bằng 0 "
                        "(vd. 0912345678) hoặc +84…", v=value)) from None


def flag(value, cache: dict, default: bool = True) -> bool:
    """có/không, yes/no, 1/0; empty → `default`."""
    if value not in cache:
        try:
            cache[value] = parse_bool(value, default=default)
        except ValueError:
            cache[value] = None
    if cache[value] is None:
        raise Refused(_("giá trị '%(v)s' không hợp lệ: ghi có hoặc không", v=value))
    return cache[value]


def day(value) -> date | None:
    """A date cell, an Excel serial, dd/mm/yyyy or yyyy-mm-dd; empty → None."""
    if value in ("", None):
        return None
    try:
        return parse_date_cell(value)
    except ValueError:
        raise Refused(_("ngày '%(v)s' không hợp lệ: ghi dd/mm/yyyy (vd. 30/06/2025)",
                        v=value)) from None


def day_between(value, earliest: date, latest: date) -> date | None:
    """`day`, refused outside [earliest, latest] (a year typed "0225" is not a date of 2025)."""
    result = day(value)
    if result is not None and not earliest <= result <= latest:
        raise Refused(_("ngày %(v)s không hợp lý: phải từ %(a)s đến %(b)s",
                        v=result.strftime("%d/%m/%Y"), a=earliest.strftime("%d/%m/%Y"),
                        b=latest.strftime("%d/%m/%Y")))
    return result


_KIND_PREFIX = re.compile(r"^(xa|phuong|dac khu|thi tran|p|x|tt)\b[.\s]*")


def commune_key(name: str) -> str:
    """A commune name without its kind ("Phường Hà Tu", "P. Hà Tu", "ha tu" → "hatu")."""
    return vocab_key(_KIND_PREFIX.sub("", fold(name)))


def commune_name(value, code: str, unit_name: str) -> None:
    """Refuse a "Tên xã" that is not the name of the commune the code points to."""
    if value in ("", None) or commune_key(str(value)) == commune_key(unit_name):
        return
    raise Refused(_("tên xã '%(v)s' không khớp mã %(c)s (%(n)s); hãy sửa mã hoặc tên xã",
                    v=value, c=code, n=unit_name))
