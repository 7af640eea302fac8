"""Positions (chức danh) and genders on the roster: codes, labels and the aliases files use.

A file may give a position as its code, its label or an alias ("Trưởng thôn", "Công an xã",
"Cộng tác viên"), in any case, with or without diacritics. Admins add their own aliases
(`PositionAlias`, page *Danh mục chức danh*); a refused value's message lists the accepted ones.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lms.extensions import db
from lms.units.ethnicities import vocab_key
from lms.units.models import PositionAlias

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

# The Vietnamese labels, for matching imported files (and writing templates) whatever the UI
# locale, then the names offices write for the same posts.
VI_LABELS = {
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
BUILT_IN_ALIASES = {
    "can_bo_xa": ("Cán bộ xã", "Cán bộ phường", "Công chức xã", "Công chức phường",
                  "Cán bộ, công chức cấp xã", "Công chức văn hóa - xã hội",
                  "Chủ tịch UBND xã", "Phó Chủ tịch UBND xã", "Commune official"),
    "cong_an": ("Công an xã", "Công an phường", "Công an viên", "Cảnh sát khu vực", "Police"),
    "truong_thon": ("Trưởng thôn", "Trưởng bản", "Trưởng ấp", "Trưởng khóm", "Trưởng xóm",
                    "Trưởng khu phố", "Tổ trưởng tổ dân phố", "Tổ trưởng dân phố",
                    "Village head"),
    "cong_tac_vien": ("Cộng tác viên", "CTV", "Cộng tác viên CTXH",
                      "Nhân viên công tác xã hội", "Social work collaborator"),
    "bien_phong": ("Biên phòng", "Bộ đội biên phòng", "Đồn biên phòng", "Border guard"),
    "doan_the": ("Đoàn thể", "Hội Liên hiệp Phụ nữ", "Hội Phụ nữ", "Đoàn Thanh niên",
                 "Hội Nông dân", "Hội Cựu chiến binh", "Mặt trận Tổ quốc", "Mass organisation"),
    "nguoi_uy_tin": ("Người uy tín", "Già làng", "Chức sắc tôn giáo", "Respected person"),
    "trung_tam": ("Cơ sở trợ giúp xã hội", "Trung tâm công tác xã hội",
                  "Social protection centre"),
    "y_te": ("Trạm y tế", "Y tế xã", "Y tế thôn bản", "Nhân viên y tế", "Health station staff"),
    "canh_sat_bien": ("Cảnh sát biển Việt Nam", "Coast Guard"),
    "khac": ("Other",),
}
_LOOKUP = {vocab_key(code): code for code in POSITIONS}
for _code, _label in VI_LABELS.items():
    _LOOKUP[vocab_key(_label)] = _code
for _code, _aliases in BUILT_IN_ALIASES.items():
    for _alias in _aliases:
        _LOOKUP[vocab_key(_alias)] = _code


def parse_position(value: str) -> str | None:
    """The position code for a code, label or built-in alias (any case/diacritics), or None."""
    return _LOOKUP.get(vocab_key(value))


def position_lookup() -> dict[str, str]:
    """{matching key: code} for the built-in names and the admins' aliases, for one import."""
    custom = db.session.execute(select(PositionAlias.key, PositionAlias.position)).all()
    return _LOOKUP | dict(custom)


def accepted_positions() -> str:
    """The accepted position names for an error message: labels, then codes."""
    return "; ".join(f"{label} ({code})" for code, label in VI_LABELS.items())


def position_label(code: str | None) -> str:
    """The label for a code (the code itself when unknown)."""
    return str(POSITIONS.get(code, code or ""))


GENDERS = {"male": _l("Nam"), "female": _l("Nữ"), "other": _l("Khác")}
VI_GENDERS = {"male": "Nam", "female": "Nữ", "other": "Khác"}
_GENDER_LOOKUP = {"nam": "male", "male": "male", "m": "male",
                  "nu": "female", "female": "female", "f": "female",
                  "khac": "other", "other": "other"}


def parse_gender(value: str) -> str | None:
    """Nam/Nữ/Khác or male/female/other (any case, diacritics optional) → code; None if not."""
    return _GENDER_LOOKUP.get(vocab_key(value))


def gender_label(code: str | None) -> str:
    """Label for a gender code (empty when unknown)."""
    return str(GENDERS.get(code, "")) if code else ""
