"""Roster import rules: formats, upsert, dry run, every kind of bad row, round trip, scope."""

import unicodedata
from datetime import date

import pytest
from sqlalchemy import func, select

from lms.core.tabular import ImportFailed
from lms.units.models import Person
from lms.units.services import export_roster, import_roster

GOOD = [
    "QN1,Nguyễn Thị Hường,Nữ,1985,truong_thon,06652,0912345678,Kinh,có,",
    "QN2,  Trần   Văn   Nam ,Nam,1979,Công an,6652,,Dao,không,31/12/2024",
    "QN3,Lý Thị Mai,nữ,,cong_tac_vien,06652,,,1,2025-06-30",
]


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Person))


def _errors(data, filename="r.csv", **kw):
    with pytest.raises(ImportFailed) as info:
        import_roster(data, filename, **kw)
    return [str(e) for e in info.value.errors]


def test_good_file_imports_every_field(db, units, roster_csv):
    """A good file creates people with normalised names, parsed codes, flags and dates."""
    result = import_roster(roster_csv(*GOOD), "r.csv")
    db.session.commit()
    assert (result.new, result.updated, result.unchanged) == (3, 0, 0)
    hường = db.session.scalar(select(Person).where(Person.staff_id == "QN1"))
    assert hường.gender == "female" and hường.birth_year == 1985
    assert hường.position == "truong_thon" and hường.commune.code == "06652"
    assert hường.in_target is True and hường.name_search == "nguyen thi huong"
    nam = db.session.scalar(select(Person).where(Person.staff_id == "QN2"))
    assert nam.full_name == "Trần Văn Nam" and nam.position == "cong_an"
    assert nam.in_target is False and nam.left_on == date(2024, 12, 31)
    mai = db.session.scalar(select(Person).where(Person.staff_id == "QN3"))
    assert mai.left_on == date(2025, 6, 30) and mai.birth_year is None


def test_names_are_nfc(db, units, roster_csv):
    """Decomposed (NFD) input is stored NFC."""
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hường")
    import_roster(roster_csv(f"QN9,{nfd},Nữ,1990,khac,06652,,,,"), "r.csv")
    name = db.session.scalar(select(Person.full_name))
    assert name == unicodedata.normalize("NFC", "Nguyễn Thị Hường")


def test_english_headers_any_case_bom_and_semicolons(db, units, roster_csv):
    """English headers in any case, a BOM and semicolons are all accepted."""
    header = ("STAFF_ID,Full_Name,gender,Birth_Year,POSITION,commune_code,phone,ethnicity,"
              "In_Target,left_on")
    data = roster_csv("QN1;An Văn Bình;male;1990;khac;06652;;;yes;", header=header, sep=";",
                      bom=True)
    assert import_roster(data, "r.csv").new == 1


def test_vietnamese_headers_with_diacritics(db, units, roster_csv):
    """Headers written with diacritics and spaces ("Mã nhân sự") are recognised."""
    data = roster_csv("QN1,An Văn Bình,khac,06652",
                      header="Mã nhân sự,Họ tên,Chức danh,Mã xã")
    assert import_roster(data, "r.csv").new == 1


def test_xlsx_with_numeric_and_date_cells(db, units, roster_xlsx):
    """XLSX files import, including numbers and date cells as Excel stores them."""
    data = roster_xlsx([
        ["ma_nhan_su", "ho_ten", "nam_sinh", "chuc_danh", "ma_xa", "ngay_nghi"],
        [10023, "Hoàng Văn Sơn", 1988, "bien_phong", 6652, date(2025, 3, 1)],
    ])
    assert import_roster(data, "r.xlsx").new == 1
    person = db.session.scalar(select(Person))
    assert person.staff_id == "10023" and person.birth_year == 1988
    assert person.commune.code == "06652" and person.left_on == date(2025, 3, 1)


def test_reimport_changes_nothing_and_updates_are_counted(db, units, roster_csv):
    """Importing the same file twice changes nothing; an edited row counts as updated."""
    import_roster(roster_csv(*GOOD), "r.csv")
    db.session.commit()
    again = import_roster(roster_csv(*GOOD), "r.csv")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    edited = [GOOD[0].replace("1985", "1986"), *GOOD[1:]]
    result = import_roster(roster_csv(*edited), "r.csv")
    db.session.commit()
    assert (result.new, result.updated, result.unchanged) == (0, 1, 2)
    assert db.session.scalar(select(Person.birth_year).where(Person.staff_id == "QN1")) == 1986


def test_dry_run_writes_nothing(db, units, roster_csv):
    """A dry run counts new/updated/unchanged but writes nothing."""
    result = import_roster(roster_csv(*GOOD), "r.csv", dry_run=True)
    db.session.commit()
    assert (result.new, result.updated, result.unchanged) == (3, 0, 0)
    assert _count(db) == 0


@pytest.mark.parametrize(("line", "expected"), [
    (",Không Mã,Nữ,1990,khac,06652,,,,", "row 3, column ma_nhan_su: thiếu mã nhân sự"),
    ("QN1,,Nữ,1990,khac,06652,,,,", "row 3, column ho_ten: thiếu họ tên"),
    ("QN1,An,Nữ,1990,,06652,,,,", "row 3, column chuc_danh: thiếu chức danh"),
    ("QN1,An,Nữ,1990,bac_si,06652,,,,", "row 3, column chuc_danh: chức danh 'bac_si'"),
    ("QN1,An,Nữ,1990,khac,,,,,", "row 3, column ma_xa: thiếu mã xã"),
    ("QN1,An,Nữ,1990,khac,99999,,,,", "row 3, column ma_xa: không có xã/phường/đặc khu mã 99999"),
    ("QN1,An,Nữ,1890,khac,06652,,,,", "row 3, column nam_sinh: năm sinh '1890'"),
    ("QN1,An,Nữ,2030,khac,06652,,,,", "row 3, column nam_sinh: năm sinh '2030'"),
    ("QN1,An,Nữ,abc,khac,06652,,,,", "row 3, column nam_sinh:"),
    ("QN1,An,Trai,1990,khac,06652,,,,", "row 3, column gioi_tinh: giới tính 'Trai'"),
    ("QN1,An,Nữ,1990,khac,06652,12ab,,,", "row 3, column so_dien_thoai:"),
    ("QN1,An,Nữ,1990,khac,06652,,,maybe,", "row 3, column muc_tieu:"),
    ("QN1,An,Nữ,1990,khac,06652,,,,32/13/2024", "row 3, column ngay_nghi:"),
])
def test_each_bad_row_kind_is_reported_and_nothing_written(db, units, roster_csv, line,
                                                            expected):
    """A bad row fails the whole import with `row N, column X: reason`; good rows are not
    written either."""
    errors = _errors(roster_csv(GOOD[0], line))  # the good row is row 2, the bad one row 3
    assert any(e.startswith(expected) for e in errors), errors
    assert _count(db) == 0


def test_duplicate_staff_id_in_file(db, units, roster_csv):
    """A staff id twice in one file names both rows."""
    errors = _errors(roster_csv(GOOD[0], GOOD[0]))
    assert errors == ["row 3, column ma_nhan_su: mã nhân sự QN1 trùng với dòng 2"]


def test_every_error_is_listed(db, units, roster_csv):
    """All errors of all rows are reported at once."""
    errors = _errors(roster_csv("QN1,,Nữ,1990,khac,99999,,,,", "QN2,An,X,1990,sai,06652,,,,"))
    assert len(errors) == 4


def test_missing_required_column(db, units, roster_csv):
    """A file without a required column is refused before any row is read."""
    errors = _errors(roster_csv("QN1,An", header="ma_nhan_su,ho_ten"))
    assert any(e.startswith("row 1, column chuc_danh: thiếu cột bắt buộc") for e in errors)
    assert any(e.startswith("row 1, column ma_xa:") for e in errors)


def test_bad_encoding_and_empty_file(db, units):
    """A non-UTF-8 CSV and an empty file give a clear error."""
    assert "UTF-8" in _errors("ma_nhan_su;ho_ten\nQN1;Nguy\xean".encode("latin-1"))[0]
    assert _errors(b"") == ["tệp rỗng"]
    assert "hỏng" in _errors(b"PK\x03\x04garbage", "r.xlsx")[0]


def test_round_trip(db, units, roster_csv):
    """Exporting and re-importing gives the same roster (everything unchanged)."""
    import_roster(roster_csv(*GOOD), "r.csv")
    db.session.commit()
    exported = export_roster()
    assert exported.startswith(b"\xef\xbb\xbf")
    result = import_roster(exported, "export.csv")
    assert (result.new, result.updated, result.unchanged) == (0, 0, 3)


def test_scoped_admin_cannot_import_outside_scope(db, units, roster_csv, make_user,
                                                  make_person):
    """An admin limited to Quảng Ninh cannot add or move people of Hà Nội."""
    admin = make_user("admin", unit="22")
    hanoi = units("00004")
    make_person(staff_id="HN1", commune=hanoi)
    errors = _errors(roster_csv("QN1,An,Nữ,1990,khac,00004,,,,",
                                "HN1,Bình,Nữ,1990,khac,06652,,,,"), by=admin)
    assert any("row 2, column ma_xa:" in e and "ngoài phạm vi" in e for e in errors)
    assert any("row 3, column ma_nhan_su:" in e for e in errors)


def test_cli_import_dry_run_and_errors(runner, db, units, roster_csv, tmp_path):
    """The CLI prints counts, exits 1 with every error on bad rows, and writes nothing."""
    good = tmp_path / "good.csv"
    good.write_bytes(roster_csv(*GOOD))
    result = runner.invoke(args=["lms", "roster", "import", str(good), "--dry-run"])
    assert result.exit_code == 0 and "3 new" in result.output and _count(db) == 0
    result = runner.invoke(args=["lms", "roster", "import", str(good)])
    assert result.exit_code == 0 and "3 new" in result.output and _count(db) == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(roster_csv("QN7,An,Nữ,1990,khac,06652,,,,", "QN8,Bình,Nữ,1990,khac,5,,,,"))
    result = runner.invoke(args=["lms", "roster", "import", str(bad)])
    assert result.exit_code == 1
    assert "row 3, column ma_xa:" in result.output and "nothing was written" in result.output
    assert _count(db) == 3


def test_cli_export(runner, db, units, roster_csv, tmp_path):
    """`lms roster export --unit` writes the unit's people in the import format."""
    import_roster(roster_csv(*GOOD), "r.csv")
    db.session.commit()
    out = tmp_path / "out.csv"
    result = runner.invoke(args=["lms", "roster", "export", "--unit", "22", "-o", str(out)])
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("ma_nhan_su,ho_ten")
    assert "Nguyễn Thị Hường" in text and len(text.splitlines()) == 4
    result = runner.invoke(args=["lms", "roster", "export", "--unit", "01", "-o", str(out)])
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1
    assert runner.invoke(args=["lms", "roster", "export", "--unit", "77777", "-o",
                               str(out)]).exit_code != 0


def test_nul_bytes_are_refused_with_their_row(db, units):
    """A CSV carrying a NUL byte is refused, naming the row; nothing is written."""
    data = b"ma_nhan_su,ho_ten,chuc_danh,ma_xa\nQN1,An,khac,06652\nQN2,B\x00nh,khac,06652\n"
    assert _errors(data) == ["row 3: tệp chứa ký tự NUL: đây không phải tệp CSV văn bản"]
    assert _count(db) == 0
