"""Blank XLSX templates: drop-downs, text formats, instructions, scope; a filled one imports."""

import io

from openpyxl import load_workbook
from sqlalchemy import select

from lms.reports.records import import_records, records_template
from lms.units.models import Person
from lms.units.positions import POSITIONS
from lms.units.services import import_roster, roster_template


def _validations(sheet):
    """{column letter: list source} for the sheet's list drop-downs."""
    return {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1
            for v in sheet.data_validations.dataValidation if v.type == "list"}


def _list(workbook, source):
    """The values a drop-down offers, read back from the hidden list sheet."""
    sheet_name, ref = source.rsplit("!", 1)
    sheet = workbook[sheet_name.strip("'")]
    return [c.value for (c,) in sheet[ref.replace("$", "")]]


def test_roster_template_offers_every_vocabulary_and_the_users_communes(db, units):
    """Positions, gender, the 54 ethnic groups and the scope's communes are drop-downs."""
    workbook = load_workbook(io.BytesIO(roster_template(units("22"))))
    assert workbook.sheetnames == ["Danh sách", "Hướng dẫn", "Danh mục"]
    assert workbook["Danh mục"].sheet_state == "hidden"
    sheet = workbook["Danh sách"]
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["Mã nhân sự", "Họ và tên", "Giới tính", "Năm sinh", "Chức danh",
                          "Mã xã"]
    lists = {header[ord(col) - 65]: _list(workbook, src)
             for col, src in _validations(sheet).items()}
    assert lists["Giới tính"] == ["Nam", "Nữ", "Khác"]
    assert "Trưởng thôn/bản/tổ dân phố" in lists["Chức danh"]
    assert len(lists["Chức danh"]) == len(POSITIONS)
    assert len(lists["Dân tộc"]) == 54 and lists["Dân tộc"][0] == "Kinh"
    assert "06652" in lists["Mã xã"] and len(lists["Mã xã"]) == 54   # Quảng Ninh only
    assert "00004" not in lists["Mã xã"]                              # Hà Nội is out of scope
    assert sheet["A2"].number_format == "@" and sheet["H2"].number_format == "@"
    guide = [r[0] for r in workbook["Hướng dẫn"].iter_rows(values_only=True)]
    assert "Mã nhân sự" in guide and "06652" in guide


def test_a_filled_roster_template_imports(db, units):
    """The template, filled in the data sheet only, imports as it is (the instructions and
    the hidden list sheet are skipped); ids typed in its text cells keep their zeros."""
    workbook = load_workbook(io.BytesIO(roster_template(units("22"))))
    sheet = workbook["Danh sách"]
    sheet.append(["00017", "Nguyễn Thị Hường", "Nữ", 1985, "Trưởng thôn/bản/tổ dân phố",
                  "06652", "Phường Hà Tu", "0912345678", "Kinh", "có", None])
    out = io.BytesIO()
    workbook.save(out)
    result = import_roster(out.getvalue(), "mau.xlsx")
    assert result.new == 1
    assert [str(n) for n in result.notes] == ["bỏ qua trang hướng dẫn 'Hướng dẫn'",
                                              "bỏ qua trang tính ẩn 'Danh mục'"]
    person = db.session.scalar(select(Person))
    assert (person.staff_id, person.position, person.commune.code) == ("00017", "truong_thon",
                                                                       "06652")


def test_records_template_lists_courses_and_a_title_imports(db, make_person, units):
    """The records template offers course titles; a row naming the course by title imports."""
    from lms.courses.models import Course

    db.session.add(Course(slug="co-ban", title="Phòng, chống mua bán người: cơ bản"))
    db.session.commit()
    make_person(staff_id="QN1")
    workbook = load_workbook(io.BytesIO(records_template()))
    sheet = workbook["Hồ sơ"]
    (source,) = _validations(sheet).values()
    assert _list(workbook, source) == ["Phòng, chống mua bán người: cơ bản"]
    sheet.append(["qn1", "phong, chong mua ban nguoi: co ban", "01/03/2024"])
    out = io.BytesIO()
    workbook.save(out)
    assert import_records(out.getvalue(), "hs.xlsx").new == 1


def test_template_downloads_from_the_pages_and_the_cli(client, login_as, runner, db, units,
                                                       tmp_path):
    """Admins download both templates; others cannot; the CLI writes them too."""
    login_as("admin", unit="22")
    response = client.get("/units/template.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get("/reports/records/template.xlsx").data[:2] == b"PK"
    result = runner.invoke(args=["lms", "roster", "template", "--unit", "22", "-o",
                                 str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0 and (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"
    assert runner.invoke(args=["lms", "roster", "template", "--unit", "999", "-o",
                               str(tmp_path / "x.xlsx")]).exit_code != 0
    result = runner.invoke(args=["lms", "records", "template", "-o", str(tmp_path / "h.xlsx")])
    assert result.exit_code == 0


def test_templates_are_admin_only(client, login_as):
    """A viewer gets 403 for both templates."""
    login_as("viewer")
    assert client.get("/units/template.xlsx").status_code == 403
    assert client.get("/reports/records/template.xlsx").status_code == 403
