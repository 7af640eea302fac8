"""`roster import --legacy-codes`: pre-2025 commune codes mapped to current communes."""

import pytest
from sqlalchemy import select

from lms.core.tabular import ImportFailed
from lms.units.models import Person
from lms.units.services import import_roster

HEADER = "ma_nhan_su,ho_ten,chuc_danh,ma_xa\n"


def test_merged_old_commune_maps(db, units):
    """Old Phường Hà Khánh (06649) merged into Phường Cao Xanh (06658): the row maps."""
    import_roster((HEADER + "L1,Lê Văn An,can_bo_xa,6649\n").encode(), "r.csv",
                  legacy_codes=True)
    person = db.session.scalar(select(Person).where(Person.staff_id == "L1"))
    assert person.commune.code == "06658"


def test_split_old_commune_fails_clearly(db, units):
    """Old Phường Hà Khẩu (06655) was split: the row fails naming the candidates."""
    with pytest.raises(ImportFailed) as caught:
        import_roster((HEADER + "L1,Lê Văn An,can_bo_xa,06655\n").encode(), "r.csv",
                      legacy_codes=True)
    message = str(caught.value.errors[0])
    assert message.startswith("row 2, column ma_xa: xã cũ 06655 đã chia cho nhiều xã mới")
    assert "06661, 06706" in message and "ma_xa_moi" in message
    assert db.session.scalar(select(Person.id)) is None


def test_split_old_commune_resolved_by_current_code(db, units):
    """ma_xa_moi names the current commune; it must be one that took part of the old one."""
    header = "ma_nhan_su,ho_ten,chuc_danh,ma_xa,ma_xa_moi\n"
    with pytest.raises(ImportFailed) as caught:
        import_roster((header + "L1,Lê Văn An,can_bo_xa,06655,06652\n").encode(), "r.csv",
                      legacy_codes=True)
    assert "column ma_xa_moi: xã mới 06652 không nhận phần nào" in str(caught.value.errors[0])
    import_roster((header + "L1,Lê Văn An,can_bo_xa,06655,6661\n").encode(), "r.csv",
                  legacy_codes=True)
    person = db.session.scalar(select(Person).where(Person.staff_id == "L1"))
    assert person.commune.code == "06661"


def test_unknown_old_code(db, units):
    """An old code that never existed fails."""
    with pytest.raises(ImportFailed) as caught:
        import_roster((HEADER + "L1,Lê Văn An,can_bo_xa,99999\n").encode(), "r.csv",
                      legacy_codes=True)
    assert "không có xã cũ mã 99999" in str(caught.value.errors[0])
