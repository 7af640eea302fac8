"""The roster import on files shaped like the ones commune offices send (built with openpyxl)."""

import io
import unicodedata

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lms.core.tabular import ImportFailed
from lms.extensions import db as _db
from lms.units.models import Person, PositionAlias
from lms.units.services import import_roster


def workbook_bytes(rows, merges=(), formats=None):
    """One sheet of `rows`; `formats` maps a cell ("B7") to a number format."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    for ref, fmt in (formats or {}).items():
        sheet[ref].number_format = fmt
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


HEADER = ["STT", "Mã cán bộ", "Họ và tên", "Giới tính", "Ngày sinh", "Chức vụ", "Mã xã",
          "Tên xã", "Số điện thoại", "Dân tộc"]


def official(people, merges=()):
    """Titles above the header (row 6), a numbering row, `people` from row 8, a signature."""
    rows = [["ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH"], ["PHƯỜNG HÀ TU"], [],
            ["DANH SÁCH CÁN BỘ THAM GIA TẬP HUẤN"], ["(Kèm theo Công văn số 12/UBND)"],
            HEADER, [f"({i})" for i in range(1, len(HEADER) + 1)], *people, [],
            [None, None, None, None, None, None, None, "Ngày 15 tháng 3 năm 2025"],
            [None, None, "Người lập biểu", None, None, None, None, "CHỦ TỊCH"],
            [None, None, "(Ký, ghi rõ họ tên)"], [], [None, None, "Nguyễn Văn Ký"]]
    return workbook_bytes(rows, merges=merges, formats={f"B{8 + i}": "00000"
                                                         for i in range(len(people))})


def errors_of(data, filename="r.xlsx"):
    with pytest.raises(ImportFailed) as caught:
        import_roster(data, filename)
    return [str(e) for e in caught.value.errors]


def test_an_official_workbook_imports_with_every_office_spelling(db, units):
    """Titles, numbering row, merged commune cells, footer, office headers and labels,
    numeric ids and phones, birth dates and ethnic variants: all read as meant."""
    people = [[1, 123, "Nguyễn Thị Hường", "nữ", "15/03/1985", "Trưởng thôn", 6652,
               "Phường Hà Tu", 912345678, "Kinh"],
              [2, 124, "Trần Văn Nam", "Nam", 1979, "Công an xã", None, None,
               "+84 913 000 111", "Khmer"],
              [3, 125, "Lý Thị Mai", "NU", None, "Cộng tác viên", None, None, None, "H'Mông"]]
    result = import_roster(official(people, merges=["G8:G10", "H8:H10"]), "ds.xlsx")
    db.session.commit()
    assert result.new == 3
    assert result.ignored == ["STT"]
    skipped = [note.row for note in result.notes]
    assert skipped[:5] == [1, 2, 4, 5, 7] and 12 in skipped and 16 in skipped
    found = {p.staff_id: p for p in db.session.scalars(select(Person))}
    assert set(found) == {"00123", "00124", "00125"}
    hường, nam, mai = found["00123"], found["00124"], found["00125"]
    assert (hường.gender, hường.birth_year, hường.position, hường.phone, hường.ethnicity) == (
        "female", 1985, "truong_thon", "0912345678", "Kinh")
    assert (nam.position, nam.phone, nam.ethnicity) == ("cong_an", "0913000111", "Khơ-me")
    assert (mai.position, mai.ethnicity, mai.gender) == ("cong_tac_vien", "Mông", "female")
    assert {p.commune.code for p in found.values()} == {"06652"}


def test_nfd_workbook_gives_nfc_names_and_matches_labels(db, units):
    """Decomposed text (as some Mac and web exports write it) is stored NFC and still matches
    headers, positions and ethnic names."""
    def nfd(text):
        return unicodedata.normalize("NFD", text)
    data = workbook_bytes([[nfd("Mã nhân sự"), nfd("Họ và tên"), nfd("Chức vụ"), "Mã xã",
                            nfd("Dân tộc")],
                           ["QN1", nfd("Nguyễn Thị Hường"), nfd("Trưởng bản"), "06652",
                            nfd("Tày")]])
    import_roster(data, "r.xlsx")
    person = db.session.scalar(select(Person))
    assert person.full_name == unicodedata.normalize("NFC", "Nguyễn Thị Hường")
    assert (person.position, person.ethnicity) == ("truong_thon", "Tày")


def test_refused_vocabulary_values_list_the_accepted_ones(db, units):
    """An unknown position, gender or ethnic group names what would be accepted."""
    data = ("ma_nhan_su,ho_ten,gioi_tinh,chuc_danh,ma_xa,dan_toc\n"
            "QN1,An,Trai,Bác sĩ,06652,Kinh\nQN2,Bình,Nam,Khác,06652,Việt Kiều\n").encode()
    errors = errors_of(data, "r.csv")
    position = next(e for e in errors if "chuc_danh" in e)
    assert "'Bác sĩ' không có trong danh mục" in position
    assert "Trưởng thôn/bản/tổ dân phố (truong_thon)" in position
    assert "Nam, Nữ, Khác" in next(e for e in errors if "gioi_tinh" in e)
    ethnic = next(e for e in errors if "dan_toc" in e)
    assert ethnic.startswith("row 3, column dan_toc: dân tộc 'Việt Kiều'")
    assert "Kinh, Tày, Thái" in ethnic and "Rơ-măm" in ethnic


def test_commune_name_must_match_the_code(db, units):
    """"Tên xã" names another commune than "Mã xã": refused, naming the code's commune."""
    data = ("Mã nhân sự,Họ tên,Chức danh,Mã xã,Tên xã\nQN1,An,Khác,06652,Hà Tu\n"
            "QN2,Bình,Khác,06652,Phường Hạ Long\n").encode()
    errors = errors_of(data, "r.csv")
    assert len(errors) == 1
    assert errors[0].startswith("row 3, column Tên xã: tên xã 'Phường Hạ Long' không khớp mã "
                                "06652 (Phường Hà Tu)")


def test_look_alike_staff_ids_are_one_person(db, units):
    """Case, spaces, full-width digits and zero-width characters do not make two people."""
    data = ("ma_nhan_su,ho_ten,chuc_danh,ma_xa\nqn 001,An,Khác,06652\n"
            "ＱＮ００１\u200b,An,Khác,06652\n").encode()
    assert errors_of(data, "r.csv") == [
        "row 3, column ma_nhan_su: mã nhân sự QN001 trùng với dòng 2"]
    import_roster(b"ma_nhan_su,ho_ten,chuc_danh,ma_xa\nqn 001,An,Khac,06652\n", "r.csv")
    assert db.session.scalar(select(Person.staff_id)) == "QN001"


def test_admin_position_aliases_are_accepted(db, units, make_user):
    """An alias an admin added ("Thôn đội trưởng") reads as its position."""
    from lms.units.services import add_position_alias

    add_position_alias("Thôn đội trưởng", "truong_thon", by=make_user("admin"))
    _db.session.commit()
    import_roster(b"ma_nhan_su,ho_ten,chuc_danh,ma_xa\nQN1,An,thon doi truong,06652\n",
                  "r.csv")
    assert db.session.scalar(select(Person.position)) == "truong_thon"
    assert db.session.scalar(select(PositionAlias.label)) == "Thôn đội trưởng"


def test_near_miss_target_header_is_refused_not_counted(db, units):
    """"Thuộc mục tiêu" no longer lets everyone silently count toward the target."""
    data = ("ma_nhan_su,ho_ten,chuc_danh,ma_xa,Thuộc mục tiêu\nQN1,An,Khác,06652,không\n"
            ).encode()
    errors = errors_of(data, "r.csv")
    assert errors[0].startswith("row 1, column Thuộc mục tiêu: tiêu đề 'Thuộc mục tiêu' gần "
                                "giống cột 'muc_tieu'")


def test_a_second_sheet_is_imported_too(db, units):
    """Both sheets of a workbook sharing the header are imported; errors name the sheet."""
    def two_sheets(second_rows):
        workbook = Workbook()
        first = workbook.active
        first.title = "Hà Tu"
        for row in [["Mã nhân sự", "Họ và tên", "Chức vụ", "Mã xã"], ["QN1", "An", "Khác",
                                                                       "06652"]]:
            first.append(row)
        second = workbook.create_sheet("Xã khác")
        for row in [["Mã nhân sự", "Họ và tên", "Chức vụ", "Mã xã"], *second_rows]:
            second.append(row)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    bad = two_sheets([["QN2", "Bình", "Khác", "06652"], ["QN3", "Chi", "Bác sĩ", "06652"]])
    assert errors_of(bad)[0].startswith("row 3 (Xã khác), column Chức vụ:")
    assert import_roster(two_sheets([["QN2", "Bình", "Khác", "06652"]]), "r.xlsx").new == 2


def test_utf16_tab_text_from_excel_imports(db, units):
    """Excel's "Unicode Text" save (UTF-16 with BOM, tab-separated) imports."""
    text = "Mã nhân sự\tHọ và tên\tChức vụ\tMã xã\r\nQN1\tNguyễn Thị Hường\tCông an\t06652\r\n"
    assert import_roster(text.encode("utf-16"), "ds.txt").new == 1
