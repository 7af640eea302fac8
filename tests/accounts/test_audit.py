"""The audit log page: scoped like every other view, action names in words, filters by actor,
action and dates, CSV/XLSX exports with the same scope and filters."""

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.accounts import audit
from lms.accounts.models import AuditLog
from lms.accounts.services import authenticate
from lms.units.models import Unit
from tests.conftest import post_form


@pytest.fixture
def entries(db, make_user, make_person):
    """Entries of Quảng Ninh and of Hà Nội: by each province's admin, a failed sign-in to a
    commune account, a national admin's export of a roster person; and one of the system."""
    qn_admin = make_user("admin", username="qn-admin", unit="22")
    hn_admin = make_user("admin", username="hn-admin", unit="01")
    national = make_user("admin", username="tw-admin")
    qn_person = make_person(staff_id="QN1")
    hn_commune = db.session.scalar(select(Unit).where(
        Unit.kind == "commune", Unit.path.startswith(hn_admin.unit.path)))
    hn_person = make_person(staff_id="HN1", commune=hn_commune)
    make_user("trainee", username="qn-hoc-vien", person=qn_person)
    make_user("viewer", username="hn-xa", unit=hn_person.commune)
    for user, name in ((qn_admin, "qn-roster.csv"), (hn_admin, "hn-roster.csv")):
        audit.record("roster.import", actor=user, target=name, new=3)
    for username in ("qn-hoc-vien", "hn-xa"):
        authenticate(username, "wrong", "10.0.0.1")
    for staff_id in ("QN1", "HN1"):
        audit.record("person.export", actor=national, target=staff_id)
    audit.record("units.import", target="units-tw.csv")
    db.session.commit()
    return {"qn": qn_admin, "hn": hn_admin, "national": national}


QN = ("qn-roster.csv", "qn-hoc-vien", "QN1", "qn-admin")
HN = ("hn-roster.csv", "hn-xa", "HN1")


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx(data: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[str(c.value or "") for c in row] for row in sheet.iter_rows()]


def test_a_provincial_admin_reads_only_their_province(client, login_as, entries):
    """A Hà Nội admin sees Hà Nội's entries (their own, on their accounts and roster people)
    and no Quảng Ninh or system entry, on the page and in both exports."""
    login_as(user=entries["hn"])
    html = client.get("/accounts/audit").get_data(as_text=True)
    exports = [client.get(f"/accounts/audit/export.{fmt}") for fmt in ("csv", "xlsx")]
    assert all(r.status_code == 200 for r in exports)
    texts = [html, str(_csv(exports[0].data)), str(_xlsx(exports[1].data))]
    for text in texts:
        assert all(word in text for word in HN), text[:300]
        assert not any(word in text for word in (*QN, "units-tw.csv")), text[:300]


def test_a_national_admin_reads_everything(client, login_as, entries):
    """An admin without a unit sees every entry, the system's too."""
    login_as(user=entries["national"])
    rows = _csv(client.get("/accounts/audit/export.csv").data)
    targets = {row[4] for row in rows[1:]}
    assert {"qn-roster.csv", "hn-roster.csv", "QN1", "HN1", "qn-hoc-vien", "hn-xa",
            "units-tw.csv"} <= targets


def test_actions_are_named_in_words(client, login_as, db, entries):
    """Known codes show their Vietnamese (or English) name; an unknown code shows as it is."""
    audit.record("experiment.unknown", actor=entries["national"], target="x")
    db.session.commit()
    login_as(user=entries["national"])
    html = client.get("/accounts/audit").get_data(as_text=True)
    assert "Đăng nhập sai mật khẩu" in html and "Xuất dữ liệu cá nhân" in html
    assert "experiment.unknown" in html
    rows = _csv(client.get("/accounts/audit/export.csv").data)
    assert rows[0][:4] == ["Thời gian", "Người thực hiện", "Mã hành động", "Hành động"]
    assert ["login.failure", "Đăng nhập sai mật khẩu"] in [r[2:4] for r in rows]
    post_form(client, "/lang/en", {"next": "/accounts/audit"})
    html = client.get("/accounts/audit").get_data(as_text=True)
    assert "Failed sign-in" in html and "Đăng nhập sai mật khẩu" not in html


def test_every_action_has_a_name():
    """The labels are unique, so the action filter lists no two alike."""
    labels = [str(label) for label in audit.ACTIONS.values()]
    assert len(set(labels)) == len(labels)


def test_filters_by_actor_action_and_dates(client, login_as, db, entries):
    """Actor (part of the username, any case), action and local dates narrow the page and the
    export; a day starts at local midnight (UTC+7)."""
    early = AuditLog(action="roster.export", actor_name="qn-admin", target="dem-truoc",
                     at=datetime(2026, 3, 1, 16, 30))  # 23:30 on 1/3 in Hà Nội time
    late = AuditLog(action="roster.export", actor_name="qn-admin", target="sang-sau",
                    at=datetime(2026, 3, 1, 17, 30))   # 00:30 on 2/3
    db.session.add_all([early, late])
    db.session.commit()
    login_as(user=entries["national"])

    def targets(query: str) -> set[str]:
        rows = _csv(client.get(f"/accounts/audit/export.csv?{query}").data)
        page = client.get(f"/accounts/audit?{query}").get_data(as_text=True)
        found = {row[4] for row in rows[1:]}
        assert all(t in page for t in found)
        return found

    assert targets("actor=QN-ADM") == {"qn-roster.csv", "dem-truoc", "sang-sau"}
    assert targets("action=login.failure") == {"qn-hoc-vien", "hn-xa"}
    assert targets("action=roster.export&from=2026-03-02") == {"sang-sau"}
    assert targets("action=roster.export&to=01/03/2026") == {"dem-truoc"}
    assert targets("action=roster.export&from=2026-03-02&to=2026-03-02") == {"sang-sau"}


def test_bad_dates_and_formats_are_refused_clearly(client, login_as, entries):
    """A date that does not parse is named in a message (no 500); an unknown format returns to
    the page with a message."""
    login_as(user=entries["national"])
    response = client.get("/accounts/audit?from=31/02/2026")
    assert response.status_code == 200
    assert "Ngày không hợp lệ: 31/02/2026" in response.get_data(as_text=True)
    response = client.get("/accounts/audit/export.pdf", follow_redirects=True)
    assert "Định dạng không hỗ trợ: pdf" in response.get_data(as_text=True)


def test_exports_are_audited_and_spreadsheet_safe(client, login_as, db, entries):
    """A username typed as a formula at sign-in is a quoted value in both exports; each export
    is itself recorded."""
    authenticate('=hyperlink("http://x","y")', "wrong", "10.0.0.1")
    db.session.commit()
    login_as(user=entries["national"])
    rows = _csv(client.get("/accounts/audit/export.csv").data)
    assert "'=hyperlink(\"http://x\",\"y\")" in [r[4] for r in rows]
    sheet = load_workbook(io.BytesIO(client.get("/accounts/audit/export.xlsx").data)).active
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=hyp")]
    assert cells and all(c.data_type == "s" for c in cells)
    assert db.session.query(AuditLog).filter_by(action="audit.export").count() == 2


def test_only_admins_read_the_log(client, login_as, entries):
    """Trainers and viewers are refused the page and the exports."""
    login_as("trainer", unit="22")
    assert client.get("/accounts/audit").status_code == 403
    assert client.get("/accounts/audit/export.csv").status_code == 403


def test_export_refuses_too_many_rows(app, db, entries, monkeypatch):
    """More entries than one export holds: a message saying how many, nothing written."""
    monkeypatch.setattr(audit, "EXPORT_MAX", 2)
    with pytest.raises(audit.AuditError, match="quá 2 dòng"):
        audit.export(entries["national"], audit.Filters(), "csv")
    assert not db.session.query(AuditLog).filter_by(action="audit.export").count()
