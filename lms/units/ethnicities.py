"""The 54 ethnic groups of Viet Nam (dân tộc) with the statistics office's codes.

Codes and names follow the official list of ethnic groups (Danh mục các dân tộc Việt Nam,
Quyết định 121-TCTK/PPCĐ, 02/3/1979, as used by the censuses). The roster stores the name;
files may give the code ("1" or "01"), the name with or without diacritics, hyphens or spaces,
or a common variant (aliases below, e.g. "Khmer", "H'Mông", "Ê Đê").
"""

import re

from lms.core.text import fold

# (code, official name, other spellings)
ETHNICITIES: list[tuple[str, str, tuple[str, ...]]] = [
    ("01", "Kinh", ("Việt",)),
    ("02", "Tày", ()),
    ("03", "Thái", ()),
    ("04", "Hoa", ("Hán",)),
    ("05", "Khơ-me", ("Khmer", "Khmer Krom")),
    ("06", "Mường", ()),
    ("07", "Nùng", ()),
    ("08", "Mông", ("H'Mông", "HMông", "Hmong")),
    ("09", "Dao", ()),
    ("10", "Gia-rai", ("Jrai",)),
    ("11", "Ngái", ()),
    ("12", "Ê-đê", ("Ede", "Rhade")),
    ("13", "Ba-na", ("Bahnar",)),
    ("14", "Xơ-đăng", ("Sedang",)),
    ("15", "Sán Chay", ("Cao Lan", "Sán Chỉ")),
    ("16", "Cơ-ho", ("K'Ho", "Koho")),
    ("17", "Chăm", ("Chàm", "Cham")),
    ("18", "Sán Dìu", ()),
    ("19", "Hrê", ("H'rê",)),
    ("20", "Mnông", ("M'Nông", "Mơ Nông")),
    ("21", "Ra-glai", ()),
    ("22", "Xtiêng", ("Stiêng", "X'Tiêng")),
    ("23", "Bru-Vân Kiều", ("Vân Kiều", "Bru")),
    ("24", "Thổ", ()),
    ("25", "Giáy", ()),
    ("26", "Cơ-tu", ("Katu",)),
    ("27", "Gié-Triêng", ("Giẻ-Triêng", "Giẻ Triêng")),
    ("28", "Mạ", ()),
    ("29", "Khơ-mú", ("Khmu",)),
    ("30", "Co", ("Cor",)),
    ("31", "Tà-ôi", ("Pa Cô",)),
    ("32", "Chơ-ro", ("Chrau",)),
    ("33", "Kháng", ()),
    ("34", "Xinh-mun", ()),
    ("35", "Hà Nhì", ()),
    ("36", "Chu-ru", ()),
    ("37", "Lào", ()),
    ("38", "La Chí", ()),
    ("39", "La Ha", ()),
    ("40", "Phù Lá", ()),
    ("41", "La Hủ", ()),
    ("42", "Lự", ()),
    ("43", "Lô Lô", ()),
    ("44", "Chứt", ()),
    ("45", "Mảng", ()),
    ("46", "Pà Thẻn", ()),
    ("47", "Cơ Lao", ("Cờ Lao",)),
    ("48", "Cống", ()),
    ("49", "Bố Y", ()),
    ("50", "Si La", ()),
    ("51", "Pu Péo", ()),
    ("52", "Brâu", ()),
    ("53", "Ơ-đu", ()),
    ("54", "Rơ-măm", ()),
]
NAMES = [name for _code, name, _aliases in ETHNICITIES]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def vocab_key(value) -> str:
    """The matching form of a vocabulary value: folded, letters and digits only."""
    return _NON_ALNUM.sub("", fold(str(value)))


_LOOKUP: dict[str, str] = {}
for _code, _name, _aliases in ETHNICITIES:
    _LOOKUP[_code] = _LOOKUP[str(int(_code))] = _name
    for _spelling in (_name, *_aliases):
        _LOOKUP[vocab_key(_spelling)] = _name


def parse_ethnicity(value) -> str | None:
    """The official name for a code, name or variant ("5", "khmer", "Khơ Me" → "Khơ-me");
    None when it is not one of the 54 ("dân tộc Kinh" is read as "Kinh")."""
    key = vocab_key(value)
    if key.startswith("dantoc") and key != "dantoc":
        key = key[len("dantoc"):]
    return _LOOKUP.get(key)
