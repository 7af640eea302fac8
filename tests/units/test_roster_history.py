"""Updates that never destroy, the preview, old commune codes and the roster's history, on files
shaped like the ones offices send (built with openpyxl)."""

import io
import unicodedata
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from lms.core.tabular import ImportFailed
from lms.reports.services import coverage
from lms.units.models import Person, RosterPeriod
from lms.units.services import RECORDS_START, import_roster

FULL = ["STT", "Mã cán bộ", "Họ và tên", "Giới tính", "Năm sinh", "Chức vụ", "Mã xã",
        "Số điện thoại", "Dân tộc", "Mục tiêu", "Ngày nghỉ"]
SHORT = ["STT", "Mã cán bộ", "Họ và tên", "Chức vụ", "Mã xã"]


def workbook(header, *sheets, merges=()):
    """An official-looking workbook: titles above `header`, each sheet of people, a signature
    footer; ids formatted `00000` so numeric ids keep their zeros."""
    book = Workbook()
    for index, (title, people) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        for row in [["ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH"], ["DANH SÁCH CÁN BỘ"],
                    ["(Kèm theo Công văn số 12/UBND)"], [], header, *people, [],
                    [None, None, "Người lập biểu"], [None, None, "(Ký, ghi rõ họ tên)"]]:
            sheet.append(row)
        letter = "ABCDEFGHIJKL"[header.index("Mã cán bộ")]
        for i in range(len(people)):
            sheet[f"{letter}{6 + i}"].number_format = "00000"
        if index == 0:
            for ref in merges:
                sheet.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def first_list():
    """Three people of Hà Tu (06652) on two sheets, every column filled."""
    return workbook(FULL, ("Tổ 1", [
        [1, 101, "Nguyễn Thị Hường", "Nữ", 1985, "Trưởng thôn", 6652, "0912345678", "Kinh",
         "có", None],
        [2, 102, "Trần Văn Nam", "Nam", 1979, "Công an xã", None, "0913000111", "Tày",
         "có", None]]),
        ("Tổ 2", [[1, 103, "Lý Thị Mai", "Nữ", 1990, "Cộng tác viên", 6652, None, "Dao",
                   "không", None]]), merges=["G6:G7"])


def person(staff_id):
    return Person.query.filter_by(staff_id=staff_id).one()


def errors_of(data, **kw):
    with pytest.raises(ImportFailed) as caught:
        import_roster(data, "r.xlsx", **kw)
    return [str(e) for e in caught.value.errors]


# --- updates that never destroy ------------------------------------------------------------

def test_a_column_absent_from_the_file_leaves_the_stored_value(db, units):
    """A later list without gender, birth year, phone, ethnicity, target or leaving columns
    changes nothing of those: the people are unchanged."""
    import_roster(first_list(), "r.xlsx", initial=True)
    db.session.commit()
    short = workbook(SHORT, ("DS", [[1, 101, "Nguyễn Thị Hường", "Trưởng thôn", 6652],
                                    [2, 102, "Trần Văn Nam", "Công an xã", 6652],
                                    [3, 103, "Lý Thị Mai", "Cộng tác viên", 6652]]))
    result = import_roster(short, "r.xlsx")
    db.session.commit()
    assert (result.new, result.updated, result.unchanged) == (0, 0, 3)
    hường = person("00101")
    assert (hường.gender, hường.birth_year, hường.phone, hường.ethnicity) == (
        "female", 1985, "0912345678", "Kinh")
    assert person("00103").in_target is False


def test_a_present_column_is_authoritative_and_the_preview_shows_old_and_new(db, units):
    """An empty phone cell in a present column clears it; the dry run lists, per person, the
    change as old → new, the new people and those of the covered commune missing from the file,
    and writes nothing."""
    import_roster(first_list(), "r.xlsx", initial=True)
    db.session.commit()
    nfd = unicodedata.normalize("NFD", "Phạm Văn Tú")
    data = workbook(["Mã cán bộ", "Họ và tên", "Chức vụ", "Mã xã", "Số điện thoại"], ("DS", [
        [101, "Nguyễn Thị Hường", "Trưởng thôn", 6652, None],
        [102, "Trần Văn Nam", "Công an xã", 6652, 913000111],
        [104, nfd, "Trưởng thôn", 6652, None]]))
    result = import_roster(data, "r.xlsx", dry_run=True)
    assert (result.new, result.updated, result.unchanged) == (1, 1, 1)
    (change,) = result.changes
    assert change.staff_id == "00101"
    assert change.fields == [("Số điện thoại", "0912345678", "—")]
    assert result.added == [("00104", "Phạm Văn Tú")]
    assert result.missing == [("00103", "Lý Thị Mai", "06652 Phường Hà Tu")]
    db.session.rollback()
    assert person("00101").phone == "0912345678"
    assert db.session.scalar(select(Person).where(Person.staff_id == "00104")) is None


def test_people_missing_from_the_file_are_marked_left_only_when_asked(db, units):
    """Without the choice the missing person stays in post; with it they leave on the date."""
    import_roster(first_list(), "r.xlsx", initial=True)
    db.session.commit()
    two = workbook(SHORT, ("DS", [[1, 101, "Nguyễn Thị Hường", "Trưởng thôn", 6652],
                                  [2, 102, "Trần Văn Nam", "Công an xã", 6652]]))
    import_roster(two, "r.xlsx")
    db.session.commit()
    assert person("00103").left_on is None
    result = import_roster(two, "r.xlsx", mark_left=date(2025, 9, 30))
    db.session.commit()
    assert result.left == 1 and person("00103").left_on == date(2025, 9, 30)
    assert import_roster(two, "r.xlsx", dry_run=True).missing == []


def test_possible_duplicates_are_warned_about(db, units):
    """A new person with the folded name and birth year of someone else (on the roster or in
    the file) under another staff id is imported with a warning naming both."""
    import_roster(first_list(), "r.xlsx", initial=True)
    db.session.commit()
    data = workbook(["Mã cán bộ", "Họ và tên", "Năm sinh", "Chức vụ", "Mã xã"], ("DS", [
        [201, "NGUYEN THI HUONG", 1985, "Trưởng thôn", 6652],
        [202, "Hoàng Văn Bình", 1970, "Trưởng thôn", 6652],
        [203, "Hoàng văn bình", 1970, "Trưởng thôn", 6652],
        [204, "Nguyễn Thị Hường", 1986, "Trưởng thôn", 6652]]))
    result = import_roster(data, "r.xlsx")
    assert result.new == 4
    assert len(result.warnings) == 2
    assert any("00201" in w and "00101" in w for w in result.warnings)
    assert any("00202" in w and "dòng 8" in w for w in result.warnings)


# --- old commune codes ---------------------------------------------------------------------

def test_an_old_code_is_not_taken_as_a_current_one(db, units):
    """Without the option or an old-code column, a pre-2025 code that is no current commune is
    refused, saying it is an old code and where to put it."""
    data = workbook(SHORT, ("DS", [[1, 1, "An", "khac", 6664]]))
    (error,) = errors_of(data)
    assert "column Mã xã" in error and "06664" in error and "ma_xa_cu" in error


def test_a_ma_xa_cu_column_maps_old_codes(db, units):
    """`ma_xa_cu` is read as a pre-2025 code and mapped to the commune that took it over; a
    split commune asks for the current code in `ma_xa`."""
    header = ["Mã cán bộ", "Họ và tên", "Chức vụ", "Mã xã", "ma_xa_cu"]
    data = workbook(header, ("DS", [[1, "An", "khac", None, 6664],
                                    [2, "Bình", "khac", 6811, 6820]]))
    import_roster(data, "r.xlsx")
    assert person("00001").commune.code == "06652"
    assert person("00002").commune.code == "06811"
    split = workbook(header, ("DS", [[3, "Chi", "khac", None, 6820]]))
    (error,) = errors_of(split)
    assert "06811" in error and "06820" in error and "ma_xa" in error


def test_a_code_in_both_lists_needs_a_name_to_settle_it(db, units):
    """With --legacy-codes, 06820 is the current Vàng Danh and the old Trưng Vương (split):
    refused without a name, the current commune with its name, the split error with the old
    name."""
    bare = workbook(SHORT, ("DS", [[1, 1, "An", "khac", 6820]]))
    (error,) = errors_of(bare, legacy_codes=True)
    assert "Vàng Danh" in error and "Trưng Vương" in error
    named = workbook(SHORT + ["Tên xã"], ("DS", [[1, 1, "An", "khac", 6820, "P. Vàng Danh"]]))
    import_roster(named, "r.xlsx", legacy_codes=True)
    assert person("00001").commune.code == "06820"
    old = workbook(SHORT + ["Tên xã"], ("DS", [[1, 2, "Bình", "khac", 6820, "Trưng Vương"]]))
    (error,) = errors_of(old, legacy_codes=True)
    assert "06811" in error and "ma_xa_moi" in error


# --- history -------------------------------------------------------------------------------

def _target(units, code, on):
    return coverage(units(code, "commune"), date_from=date(on.year, 1, 1),
                    date_to=on)["totals"]["target"]


def test_an_initial_import_is_present_since_the_start_of_records(db, units):
    """`initial`: the first list counts for any date; without it, people count from the as-of
    date only (someone first listed in 2026 is not in the 2024 denominator)."""
    import_roster(first_list(), "r.xlsx", initial=True, as_of=date(2025, 6, 1))
    db.session.commit()
    assert person("00101").since is None
    assert _target(units, "06652", RECORDS_START) == 2   # 00103 is out of the target
    late = workbook(SHORT, ("DS", [[1, 105, "Đỗ Văn Tư", "Trưởng thôn", 6652]]))
    import_roster(late, "r.xlsx", as_of=date(2026, 2, 1))
    db.session.commit()
    assert person("00105").since == date(2026, 2, 1)
    assert _target(units, "06652", date(2024, 12, 31)) == 2
    assert _target(units, "06652", date(2026, 2, 1)) == 3


def test_a_move_is_dated_and_reports_use_the_roster_of_their_date(db, units):
    """Moving a person on the as-of date keeps the earlier commune as a period: a report for
    a day before the move counts them in the old commune, after it in the new one."""
    import_roster(first_list(), "r.xlsx", initial=True)
    db.session.commit()
    moved = workbook(SHORT, ("DS", [[1, 101, "Nguyễn Thị Hường", "Trưởng thôn", 6658]]))
    result = import_roster(moved, "r.xlsx", as_of=date(2026, 3, 1))
    db.session.commit()
    assert result.changes[0].fields == [("Mã xã", "06652 Phường Hà Tu",
                                         "06658 Phường Cao Xanh")]
    (period,) = RosterPeriod.query.all()
    assert (period.valid_from, period.valid_to) == (None, date(2026, 3, 1))
    assert _target(units, "06652", date(2026, 2, 28)) == 2
    assert _target(units, "06658", date(2026, 2, 28)) == 0
    assert _target(units, "06652", date(2026, 3, 1)) == 1
    assert _target(units, "06658", date(2026, 3, 1)) == 1


def test_a_start_date_dates_the_change_and_an_earlier_change_is_refused(db, units):
    """A row's start date overrides the as-of date; a change dated before the person's current
    state began is refused with the row and column."""
    import_roster(first_list(), "r.xlsx", initial=True)
    db.session.commit()
    header = SHORT + ["Ngày bắt đầu"]
    import_roster(workbook(header, ("DS", [[1, 101, "Nguyễn Thị Hường", "Công an xã", 6652,
                                            "01/04/2026"]])), "r.xlsx")
    db.session.commit()
    assert person("00101").since == date(2026, 4, 1)
    back = workbook(header, ("DS", [[1, 101, "Nguyễn Thị Hường", "Khác", 6652, "01/01/2026"]]))
    (error,) = errors_of(back)
    assert error.startswith("row 6, column Ngày bắt đầu:") and "01/04/2026" in error


def test_implausible_dates_are_refused(db, units):
    """Birth years outside the plausible range and dates before 2000 or in the future are
    refused with their row and column; so is an as-of date in the future."""
    data = workbook(FULL, ("DS", [
        [1, 1, "An", "Nữ", "0225", "khac", 6652, None, None, None, None],
        [2, 2, "Bình", "Nữ", 1899, "khac", 6652, None, None, None, None],
        [3, 3, "Chi", "Nữ", 1980, "khac", 6652, None, None, None, "01/01/0225"],
        [4, 4, "Dũng", "Nữ", 1980, "khac", 6652, None, None, None, "01/01/2999"]]))
    errors = errors_of(data)
    assert [e.split(":")[0] for e in errors] == [
        "row 6, column Năm sinh", "row 7, column Năm sinh", "row 8, column Ngày nghỉ",
        "row 9, column Ngày nghỉ"]
    (error,) = errors_of(first_list(), as_of=date(2999, 1, 1))
    assert "01/01/2999" in error


def test_cli_dry_run_shows_the_preview_and_options_date_the_import(runner, db, units, tmp_path):
    """`--dry-run` prints changed/new/missing per person; `--as-of`, `--initial` and
    `--mark-left` reach the service; a bad date exits with a usage error."""
    path = tmp_path / "ds.xlsx"
    path.write_bytes(first_list())
    result = runner.invoke(args=["lms", "roster", "import", str(path), "--initial",
                                 "--as-of", "01/06/2025"])
    assert result.exit_code == 0, result.output
    assert "imported as of 01/06/2025: 3 new" in result.output
    path.write_bytes(workbook(SHORT, ("DS", [[1, 101, "Nguyễn Thị Hường", "Công an xã",
                                              6652]])))
    result = runner.invoke(args=["lms", "roster", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "changed 00101 Nguyễn Thị Hường: Chức vụ: Trưởng thôn" in result.output
    assert "missing 00102 Trần Văn Nam (06652 Phường Hà Tu)" in result.output
    result = runner.invoke(args=["lms", "roster", "import", str(path), "--mark-left",
                                 "2026-01-31"])
    assert result.exit_code == 0, result.output
    assert "2 marked as left" in result.output
    assert person("00102").left_on == date(2026, 1, 31)
    result = runner.invoke(args=["lms", "roster", "import", str(path), "--as-of", "31/31/2026"])
    assert result.exit_code == 2


def test_a_leaving_date_must_follow_the_start(db, units):
    """A row leaving on or before its start date is refused on the leaving date's column."""
    data = workbook(SHORT + ["Ngày bắt đầu", "Ngày nghỉ"], ("DS", [
        [1, 1, "An", "khac", 6652, "01/06/2025", "01/05/2025"]]))
    (error,) = errors_of(data)
    assert error.startswith("row 6, column Ngày nghỉ:") and "01/06/2025" in error
