"""Historical records import: good rows, duplicates, every bad row kind, nothing written."""

from datetime import date

import pytest
from sqlalchemy import func, select

from lms.core.tabular import ImportFailed
from lms.courses.models import Completion
from lms.reports.records import import_records

HEADER = "ma_nhan_su,ma_khoa_hoc,ngay_hoan_thanh,ghi_chu\n"


def completions(db):
    """How many completions exist."""
    return db.session.scalar(select(func.count(Completion.id)))


@pytest.fixture
def roster(make_person, make_course, units):
    """Two people in Quảng Ninh, one in Hà Nội, and a course."""
    make_person(staff_id="QN1")
    make_person(staff_id="QN2")
    make_person(staff_id="HN1", commune=units("00004", "commune"))
    return make_course("co-ban")


def test_good_file_with_duplicates(db, roster):
    """Each distinct (staff id, course, date) is one completion, source import, note kept."""
    data = (HEADER + "QN1,co-ban,15/03/2024,Lớp huyện\nQN1,co-ban,2024-03-15,\n"
            "QN2,co-ban,2024-03-16,\nQN1,co-ban,2024-05-01,\n").encode()
    result = import_records(data, "r.csv")
    db.session.commit()
    assert (result.new, result.duplicates) == (3, 1)
    first = db.session.scalar(select(Completion).order_by(Completion.id))
    assert (first.source, first.note, first.completed_on) == ("import", "Lớp huyện",
                                                              date(2024, 3, 15))
    again = import_records(data, "r.csv")
    assert (again.new, again.duplicates) == (0, 4) and completions(db) == 3


def test_english_headers_and_xlsx(db, roster):
    """English headers and XLSX with real dates are accepted."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["staff_id", "course", "completed_on"])
    wb.active.append(["QN2", "co-ban", date(2023, 9, 9)])
    out = io.BytesIO()
    wb.save(out)
    assert import_records(out.getvalue(), "r.xlsx").new == 1


def test_every_bad_row_is_reported_and_nothing_written(db, roster):
    """Unknown staff id, unknown course, bad, future or pre-2000 date, missing cells: all
    listed."""
    data = (HEADER + "QN1,co-ban,01/01/2024,\nXX9,co-ban,01/01/2024,\nQN1,nope,01/01/2024,\n"
            "QN1,co-ban,31/02/2024,\nQN1,co-ban,01/01/2999,\n,,,\nQN2,,2024-01-01,\n"
            ",co-ban,\nQN1,co-ban,01/01/0225,\n").encode()
    with pytest.raises(ImportFailed) as caught:
        import_records(data, "r.csv")
    errors = [str(e) for e in caught.value.errors]
    assert "row 3, column ma_nhan_su: mã nhân sự XX9 không có trong danh sách nhân sự" in errors
    assert any(e.startswith("row 4, column ma_khoa_hoc: không có khóa học mã hoặc tên 'nope'")
               for e in errors)
    assert any(e.startswith("row 5, column ngay_hoan_thanh: ngày '31/02/2024'") for e in errors)
    assert "row 6, column ngay_hoan_thanh: ngày 01/01/2999 ở tương lai" in errors
    assert "row 8, column ma_khoa_hoc: thiếu mã khóa học" in errors
    assert "row 9, column ma_nhan_su: thiếu mã nhân sự" in errors
    assert "row 9, column ngay_hoan_thanh: thiếu ngày hoàn thành" in errors
    assert any(e.startswith("row 10, column ngay_hoan_thanh: ngày 01/01/") and "trước 01/01/2000"
               in e for e in errors)
    assert completions(db) == 0


def test_missing_column(db, roster):
    """A file without the date column fails at the header."""
    with pytest.raises(ImportFailed) as caught:
        import_records(b"ma_nhan_su,ma_khoa_hoc\nQN1,co-ban\n", "r.csv")
    assert str(caught.value.errors[0]).startswith("row 1, column ngay_hoan_thanh")


def test_scoped_admin_only_imports_their_people(db, roster, make_user):
    """An admin limited to Quảng Ninh cannot import a Hà Nội person; the import is audited."""
    from lms.accounts.models import AuditLog

    admin = make_user("admin", unit="22")
    with pytest.raises(ImportFailed) as caught:
        import_records((HEADER + "HN1,co-ban,2024-01-01,\n").encode(), "r.csv", by=admin)
    assert "ngoài phạm vi" in str(caught.value.errors[0])
    import_records((HEADER + "QN1,co-ban,2024-01-01,\n").encode(), "r.csv", by=admin)
    db.session.commit()
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "records.import"))
    assert entry.actor_id == admin.id and entry.detail["new"] == 1


def test_cli_import(db, roster, runner, tmp_path):
    """The command imports a good file and exits 1 with row errors on a bad one."""
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "QN1,co-ban,2024-01-01,\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "records", "import", str(good)])
    assert result.exit_code == 0 and "1 new" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "ZZ,co-ban,2024-01-01,\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "records", "import", str(bad)])
    assert result.exit_code == 1 and "row 2, column ma_nhan_su" in result.output
    assert completions(db) == 1


def test_web_upload(db, roster, client, login_as):
    """Admins upload a file on the page; errors are listed and nothing is written."""
    import io

    from tests.conftest import csrf_token

    login_as("admin")
    token = csrf_token(client, "/reports/records/import")
    response = client.post("/reports/records/import", data={
        "csrf_token": token, "file": (io.BytesIO((HEADER + "ZZ,co-ban,2024-01-01,\n").encode()),
                                      "r.csv")}, content_type="multipart/form-data")
    assert "ZZ" in response.get_data(as_text=True) and completions(db) == 0
    response = client.post("/reports/records/import", data={
        "csrf_token": token, "file": (io.BytesIO((HEADER + "QN1,co-ban,2024-01-01,\n").encode()),
                                      "r.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302 and completions(db) == 1
