"""Positions (chức danh) on the roster: codes and their Vietnamese labels."""

from flask_babel import lazy_gettext as _l

from lms.core.text import fold

POSITIONS = {
    "can_bo_xa": _l("Cán bộ xã/phường/đặc khu"),
    "cong_an": _l("Công an"),
    "truong_thon": _l("Trưởng thôn/bản/tổ dân phố"),
    "cong_tac_vien": _l("Cộng tác viên công tác xã hội"),
    "bien_phong": _l("Bộ đội Biên phòng"),
    "doan_the": _l("Tổ chức đoàn thể"),
    "nguoi_uy_tin": _l("Người có uy tín"),
    "trung_tam": _l("Cán bộ cơ sở trợ giúp xã hội"),
    "y_te": _l("Nhân viên trạm y tế"),
    "canh_sat_bien": _l("Cảnh sát biển"),
    "khac": _l("Khác"),
}

# The Vietnamese labels as written in the issue, for matching imported files whatever the UI locale.
_VI_LABELS = {
    "can_bo_xa": "Cán bộ xã/phường/đặc khu",
    "cong_an": "Công an",
    "truong_thon": "Trưởng thôn/bản/tổ dân phố",
    "cong_tac_vien": "Cộng tác viên công tác xã hội",
    "bien_phong": "Bộ đội Biên phòng",
    "doan_the": "Tổ chức đoàn thể",
    "nguoi_uy_tin": "Người có uy tín",
    "trung_tam": "Cán bộ cơ sở trợ giúp xã hội",
    "y_te": "Nhân viên trạm y tế",
    "canh_sat_bien": "Cảnh sát biển",
    "khac": "Khác",
}
_LOOKUP = {fold(code): code for code in POSITIONS} | {fold(v): k for k, v in _VI_LABELS.items()}


def parse_position(value: str) -> str | None:
    """Return the position code for a code or Vietnamese label (any case/diacritics), or None."""
    return _LOOKUP.get(fold(value))


def position_label(code: str | None) -> str:
    """The label for a code (the code itself when unknown)."""
    return str(POSITIONS.get(code, code or ""))


GENDERS = {"male": _l("Nam"), "female": _l("Nữ"), "other": _l("Khác")}
_GENDER_LOOKUP = {"nam": "male", "male": "male", "m": "male", "nu": "female", "female": "female",
                  "f": "female", "khac": "other", "other": "other"}


def parse_gender(value: str) -> str | None:
    """Nam/Nữ/Khác or male/female/other → code; None when unknown."""
    return _GENDER_LOOKUP.get(fold(value))


def gender_label(code: str | None) -> str:
    """Label for a gender code (empty when unknown)."""
    return str(GENDERS.get(code, "")) if code else ""
