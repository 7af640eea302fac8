"""Accounts from the roster in bulk: `flask lms accounts from-roster`, usernames, one-time
passwords in the CSV and on the slips, re-runs, leavers, dry runs and scope."""

import csv
import io
import zipfile
from datetime import date, timedelta

import pypdf
import pytest

from lms.accounts import bulk
from lms.accounts.models import AuditLog, User
from lms.accounts.pdf import PER_PAGE, Slip, grouped, slips_pdf
from tests.conftest import post_form

HA_TU = "06652"


def _run(runner, tmp_path, unit=HA_TU, *extra):
    out_csv, out_pdf = tmp_path / "out.csv", tmp_path / "slips.pdf"
    result = runner.invoke(args=["lms", "accounts", "from-roster", "--unit", unit, *extra,
                                 "--csv", str(out_csv), "--slips", str(out_pdf)])
    return result, out_csv, out_pdf


def _rows(path):
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_cli_creates_accounts_csv_and_slips(runner, make_person, db, tmp_path, units):
    """Every person of the commune without an account gets one: the pinned CSV columns, a
    slip each (ten a page), trainee accounts that must change their one-time password."""
    people = [make_person(staff_id=f"QN-{i:04d}") for i in range(12)]
    make_person(staff_id="HN-1", commune=units("00004", "commune"))  # another province
    result, out_csv, out_pdf = _run(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "12 account(s) created" in result.output
    rows = _rows(out_csv)
    assert rows[0] == ["ma_nhan_su", "ho_ten", "ma_xa", "ten_dang_nhap", "mat_khau_mot_lan"]
    assert [r[0] for r in rows[1:]] == [p.staff_id for p in people]
    assert rows[1][1] == people[0].full_name and rows[1][2] == HA_TU
    assert rows[1][3] == "qn0000" and len(rows[1][4]) == 8
    users = db.session.query(User).filter(User.person_id.isnot(None)).all()
    assert len(users) == 12
    assert all(u.role == "trainee" and u.must_change_password and u.password_expires_at
               for u in users)
    assert all(u.check_password(r[4]) for u, r in zip(sorted(users, key=lambda u: u.person_id),
                                                      rows[1:], strict=True))
    reader = pypdf.PdfReader(out_pdf)
    assert len(reader.pages) == 2  # 12 slips, ten a page
    first = reader.pages[0].extract_text()
    assert people[0].full_name in first and "qn0000" in first
    assert grouped(rows[1][4]) in first
    assert "PHIẾU ĐĂNG NHẬP" in first and "Mật khẩu một lần" in first
    assert db.session.query(AuditLog).filter_by(action="accounts.from_roster").count() == 1


def test_cli_slips_zip_has_one_pdf_per_commune(runner, make_person, db, tmp_path, units):
    """`--slips OUT.zip` writes one PDF per commune, each with that commune's people only;
    the CSV and the single PDF list the people commune by commune."""
    cao_xanh = units("06658", "commune")
    people = [make_person(staff_id=f"QN-{i:02d}", full_name=f"Người Số {i}",
                          commune=cao_xanh if i % 2 else None) for i in range(6)]
    out_zip = tmp_path / "slips.zip"
    result = runner.invoke(args=["lms", "accounts", "from-roster", "--unit", "22",
                                 "--csv", str(tmp_path / "out.csv"), "--slips", str(out_zip)])
    assert result.exit_code == 0, result.output
    assert "2 page(s)" in result.output
    archive = zipfile.ZipFile(out_zip)
    names = sorted(archive.namelist())
    assert names == ["phieu-dang-nhap-06652-Phuong-Ha-Tu.pdf",
                     "phieu-dang-nhap-06658-Phuong-Cao-Xanh.pdf"]
    for name, commune in zip(names, (HA_TU, "06658"), strict=True):
        text = pypdf.PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
        expected = {p.full_name for p in people if p.commune.code == commune}
        assert {n for n in (p.full_name for p in people) if n in text} == expected
    by_commune = [p.staff_id for p in sorted(people, key=lambda p: (p.commune.code, p.id))]
    assert [r[0] for r in _rows(tmp_path / "out.csv")[1:]] == by_commune


def test_batches_follow_communes_across_batch_boundaries(make_person, db, units, monkeypatch):
    """The keyset over (commune code, id) yields every person once, commune by commune, also
    when a batch ends in the middle of a commune."""
    monkeypatch.setattr(bulk, "BATCH", 2)
    cao_xanh = units("06658", "commune")
    people = [make_person(commune=cao_xanh if i % 3 == 0 else None) for i in range(7)]
    run = bulk.Run(by=None, unit=units("22", "province"))
    seen = [s.staff_id for s in run.slips()]
    assert seen == [p.staff_id for p in sorted(people, key=lambda p: (p.commune.code, p.id))]


def test_rerun_creates_nothing_for_people_with_accounts(runner, make_person, db, tmp_path):
    """Running again creates nothing for people who already have an account."""
    make_person()
    _run(runner, tmp_path)
    make_person()
    result, out_csv, _ = _run(runner, tmp_path)
    assert "1 account(s) created, 1 person(s) already had one" in result.output
    assert len(_rows(out_csv)) == 2
    result, out_csv, out_pdf = _run(runner, tmp_path)
    assert "0 account(s) created" in result.output and len(_rows(out_csv)) == 1
    assert "Không có phiếu" in pypdf.PdfReader(out_pdf).pages[0].extract_text()


def test_leavers_get_no_account_and_lose_theirs(runner, make_person, make_user, db, tmp_path):
    """A person whose leaving date has passed gets no account; an existing one is deactivated
    (and its sessions end); the run says how many."""
    gone = make_person(left_on=date.today() - timedelta(days=1))
    later = make_person(left_on=date.today() + timedelta(days=30))
    old = make_person(left_on=date.today())
    account = make_user("trainee", username="cu", person=old)
    result, out_csv, _ = _run(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "1 account(s) of people who left deactivated" in result.output
    assert [r[0] for r in _rows(out_csv)[1:]] == [later.staff_id]
    db.session.expire_all()
    account = db.session.get(User, account.id)
    assert not account.active and account.session_version == 2
    assert db.session.query(User).filter_by(person_id=gone.id).count() == 0


def test_dry_run_writes_nothing(runner, make_person, db, tmp_path):
    """--dry-run counts and writes neither accounts nor files."""
    make_person()
    make_person()
    result, out_csv, out_pdf = _run(runner, tmp_path, HA_TU, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 account(s) would be created" in result.output
    assert not out_csv.exists() and not out_pdf.exists()
    assert db.session.query(User).count() == 0


def test_bad_unit_and_missing_outputs_are_errors(runner, units):
    """An unknown unit code, or no output to receive the passwords, exits non-zero."""
    result = runner.invoke(args=["lms", "accounts", "from-roster", "--unit", "99999",
                                 "--csv", "/tmp/x.csv"])
    assert result.exit_code == 1 and "99999" in result.output
    result = runner.invoke(args=["lms", "accounts", "from-roster", "--unit", HA_TU])
    assert result.exit_code == 2 and "--csv" in result.output


def test_usernames_are_typable_and_unique(runner, make_person, make_user, db, tmp_path):
    """Usernames fold the staff id to lower-case letters and digits; a taken one gets -2."""
    make_user("viewer", username="qn7")
    make_person(staff_id="QN-7")
    make_person(staff_id="Đ/12 3")
    result, out_csv, _ = _run(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert [r[3] for r in _rows(out_csv)[1:]] == ["qn7-2", "d123"]
    assert bulk.username_for("QN-000123") == "qn000123"


def test_one_time_password_from_the_csv_signs_in(client, runner, make_person, db, tmp_path):
    """The password in the CSV signs the person in and leads to the change-password page."""
    make_person(staff_id="QN-1")
    _, out_csv, _ = _run(runner, tmp_path)
    username, password = _rows(out_csv)[1][3:5]
    response = post_form(client, "/accounts/login", {"username": username,
                                                     "password": password},
                         page="/accounts/login")
    assert response.headers["Location"].endswith("/accounts/password")


def test_scope_is_checked(app, make_user, units):
    """A provincial admin cannot run it for another province; viewers and trainers not for a
    unit at all."""
    with pytest.raises(bulk.BulkError):
        bulk.Run(by=make_user("admin", unit="01"), unit=units("22"))
    with pytest.raises(bulk.BulkError):
        bulk.Run(by=make_user("trainer", unit="22"), unit=units("22"))
    bulk.Run(by=make_user("admin", unit="22"), unit=units(HA_TU, "commune"))


def test_slips_pdf_is_a4_with_every_field(app):
    """A4 portrait; the QR code and the address name the sign-in page."""
    slip = Slip("QN-1", "Nguyễn Thị Hường", HA_TU, "Phường Hà Tu", "qn1", "abcd2345",
                date(2027, 1, 3))
    reader = pypdf.PdfReader(io.BytesIO(slips_pdf([slip] * (PER_PAGE + 1), "http://lms.test")))
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = reader.pages[1].extract_text()
    assert "Phường Hà Tu" in text and "03/01/2027" in text
    assert "http://lms.test/accounts/login" in text


def test_slip_qr_codes_open_sign_in_with_each_username(app):
    """Every slip's QR code decodes to the sign-in address with `?u=<username>`."""
    import pypdfium2
    import zxingcpp

    slips = [Slip(f"QN-{n}", "Lê Văn Đức", HA_TU, "Phường Hà Tu", f"qn{n}", "abcd2345", None)
             for n in range(3)]
    document = pypdfium2.PdfDocument(slips_pdf(slips, "http://lms.test/"))
    image = document[0].render(scale=3).to_pil()
    document.close()
    found = sorted(b.text for b in zxingcpp.read_barcodes(image)
                   if b.format == zxingcpp.BarcodeFormat.QRCode)
    assert found == [f"http://lms.test/accounts/login?u=qn{n}" for n in range(3)]
