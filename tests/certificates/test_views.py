"""Certificate pages: trainee's own, staff lists, cohort batches, revoke, re-issue, issuer."""

import io
import zipfile
from datetime import date

import pypdf

from lms.certificates import services
from lms.certificates.models import REVOKED, SUPERSEDED, Certificate
from tests.conftest import post_form


def test_trainee_lists_and_downloads_own(client, login_as, make_user, make_cert):
    """A trainee sees and downloads their own certificate as a PDF."""
    cert = make_cert(full_name="Vũ Thị Lan")
    login_as(user=make_user("trainee", person=cert.person))
    html = client.get("/certificates/mine").get_data(as_text=True)
    assert cert.number in html and cert.course_title in html
    response = client.get(f"/certificates/{cert.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert "Vũ Thị Lan" in reader.pages[0].extract_text()


def test_trainee_cannot_get_anothers(client, login_as, make_user, make_cert):
    """Another person's certificate is a 404 for a trainee, page and PDF alike."""
    mine, theirs = make_cert(), make_cert()
    login_as(user=make_user("trainee", person=mine.person))
    assert client.get(f"/certificates/{theirs.id}.pdf").status_code == 404
    assert client.get(f"/certificates/{theirs.id}").status_code == 404
    assert theirs.number not in client.get("/certificates/mine").get_data(as_text=True)
    assert client.get("/certificates/").status_code == 403


def test_index_is_scoped_and_filtered(client, login_as, make_cert, make_cohort, make_person,
                                      complete, units, make_user):
    """Staff see certificates within their unit, filtered by cohort and unit code."""
    person = make_person()
    trainer = make_user("trainer", unit="22")
    cohort = make_cohort(members=[person], trainers=[trainer])
    other = make_cohort(name="Lớp của giảng viên khác")
    in_cohort = services.live_certificate(complete(person, cohort.course, source="cohort",
                                                   cohort=cohort))
    online = make_cert()
    hanoi = make_cert(commune=units("00004", "commune"))
    login_as(user=trainer)
    html = client.get("/certificates/").get_data(as_text=True)
    assert in_cohort.number in html and online.number in html and hanoi.number not in html
    html = client.get(f"/certificates/?cohort={cohort.id}").get_data(as_text=True)
    assert in_cohort.number in html and online.number not in html
    assert f"/certificates/cohort/{cohort.id}.pdf" in html and other.name not in html
    assert client.get(f"/certificates/cohort/{other.id}.pdf").status_code == 403
    assert client.get(f"/certificates/{hanoi.id}.pdf").status_code == 404
    html = client.get("/certificates/?unit=00004").get_data(as_text=True)
    assert hanoi.number not in html


def _cohort_with_certificates(make_person, make_cohort, complete, n=5):
    people = [make_person(full_name=f"Hồ Thị Yến {i:02d}") for i in range(n)]
    cohort = make_cohort(members=people)
    for person in people:
        complete(person, cohort.course, date(2025, 8, 10), "cohort", cohort=cohort)
    return cohort, people


def test_cohort_pdf_has_a_page_each(client, login_as, make_person, make_cohort, complete):
    """The cohort's PDF has one page per member, in name order."""
    cohort, people = _cohort_with_certificates(make_person, make_cohort, complete)
    login_as("admin")
    response = client.get(f"/certificates/cohort/{cohort.id}.pdf")
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.get_data()))
    assert len(reader.pages) == 5
    names = [page.extract_text() for page in reader.pages]
    for person, text in zip(sorted(people, key=lambda p: p.full_name), names, strict=True):
        assert person.full_name in text


def test_cohort_zip_is_streamed_one_pdf_each(client, login_as, make_person, make_cohort,
                                             complete):
    """The ZIP streams entry by entry, one valid PDF per certificate."""
    cohort, people = _cohort_with_certificates(make_person, make_cohort, complete, n=4)
    login_as("admin")
    response = client.get(f"/certificates/cohort/{cohort.id}.zip")
    assert response.status_code == 200
    chunks = list(response.response)  # what the view's generator yielded, read by the client
    assert len([c for c in chunks if c]) >= 4  # an entry at a time, not one blob
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.testzip() is None
    names = archive.namelist()
    assert len(names) == 4 and all(n.endswith(".pdf") for n in names)
    for name in names:
        assert archive.read(name).startswith(b"%PDF")


def test_cohort_batch_needs_permission(client, login_as, make_person, make_cohort, complete,
                                       units, make_user):
    """Trainers who do not run the cohort and admins outside its unit are refused; its own
    trainer is not."""
    cohort, _people = _cohort_with_certificates(make_person, make_cohort, complete, n=1)
    login_as("trainer", unit="22")
    assert client.get(f"/certificates/cohort/{cohort.id}.zip").status_code == 403
    login_as("admin", unit="01")
    assert client.get(f"/certificates/cohort/{cohort.id}.pdf").status_code == 403
    trainer = make_user("trainer", unit="01")
    cohort.trainers = [trainer]
    from lms.extensions import db

    db.session.commit()
    login_as(user=trainer)
    assert client.get(f"/certificates/cohort/{cohort.id}.pdf").status_code == 200
    assert client.get("/certificates/cohort/99999.pdf").status_code == 404


def test_admin_revokes_with_reason(client, login_as, make_cert, db):
    """An admin revokes through a confirmation page that says what will happen; a POST without
    the confirmation or without a reason is refused on that page and changes nothing."""
    cert = make_cert()
    login_as("admin")
    url = f"/certificates/{cert.id}/revoke"
    assert url in client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    html = client.get(url).get_data(as_text=True)
    assert "trang xác minh sẽ thấy" in html and "vẫn giữ kết quả hoàn thành" in html
    assert 'name="confirm" value="yes"' in html and 'name="reason"' in html
    refused = [post_form(client, url, {"confirm": "yes", "reason": " "}, page=url),
               post_form(client, url, {"reason": "Học viên gian lận bài kiểm tra"}, page=url)]
    assert [r.status_code for r in refused] == [400, 400]
    assert "Hãy ghi lý do" in refused[0].get_data(as_text=True)
    assert "Chưa xác nhận" in refused[1].get_data(as_text=True)
    db.session.refresh(cert)
    assert cert.status != REVOKED
    response = post_form(client, url, {"confirm": "yes",
                                       "reason": "Học viên gian lận bài kiểm tra"}, page=url)
    assert response.status_code == 302
    db.session.refresh(cert)
    assert cert.status == REVOKED and cert.revoked_reason == "Học viên gian lận bài kiểm tra"


def test_trainer_cannot_revoke(client, login_as, make_cert, db):
    """Revocation is for admins only (its confirmation page too)."""
    cert = make_cert()
    login_as("trainer", unit="22")
    assert client.get(f"/certificates/{cert.id}/revoke").status_code == 403
    response = post_form(client, f"/certificates/{cert.id}/revoke",
                         {"confirm": "yes", "reason": "x"}, page="/certificates/")
    assert response.status_code == 403
    db.session.refresh(cert)
    assert cert.status == "valid"


def test_admin_reissues_with_corrected_name(client, login_as, make_cert, db):
    """Re-issue from the page supersedes the old certificate with the corrected name."""
    cert = make_cert(full_name="Nguyen Van Nam")
    login_as("admin")
    response = post_form(client, f"/certificates/{cert.id}/reissue",
                         {"reissue-full_name": "Nguyễn Văn Nam"}, page=f"/certificates/{cert.id}")
    assert response.status_code == 302
    db.session.refresh(cert)
    assert cert.status == SUPERSEDED
    new = db.session.get(Certificate, cert.superseded_by_id)
    assert new.holder_name == "Nguyễn Văn Nam" and response.location.endswith(f"/{new.id}")


def test_expiring_page(client, login_as, make_cert, make_course):
    """The re-training list shows expired certificates."""
    cert = make_cert(course=make_course(validity_months=6), on=date(2020, 1, 1))
    fresh = make_cert(course=make_course(validity_months=120))
    login_as("admin")
    html = client.get("/certificates/expiring").get_data(as_text=True)
    assert cert.number in html and "Đã hết hạn" in html and fresh.number not in html


def test_issuer_settings_page(client, login_as, make_user, db):
    """A national admin edits the issuer; a unit-scoped admin cannot."""
    login_as("admin", unit="22")
    assert client.get("/certificates/issuer").status_code == 403
    login_as("admin")
    response = post_form(client, "/certificates/issuer", {
        "agency": "Sở Y tế", "parent_agency": "Ủy ban nhân dân tỉnh Quảng Ninh",
        "place": "Quảng Ninh", "signer_title": "KT. GIÁM ĐỐC\r\nPHÓ GIÁM ĐỐC",
        "signer_name": "Nguyễn Văn Phong", "issuer_code": "QN"}, page="/certificates/issuer")
    assert response.status_code == 302
    saved = services.issuer_settings()
    assert saved["signer_title"] == "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC" and saved["issuer_code"] == "QN"
    assert "Nguyễn Văn Phong" in client.get("/certificates/issuer").get_data(as_text=True)


def test_trainee_sees_the_reissued_not_the_superseded(client, login_as, make_user, make_cert,
                                                      db):
    """After a re-issue the trainee's list holds the new certificate only."""
    old = make_cert()
    new = services.reissue(old, by=make_user("admin"), full_name="Đỗ Thị Kim Chi")
    db.session.commit()
    login_as(user=make_user("trainee", person=old.person))
    html = client.get("/certificates/mine").get_data(as_text=True)
    assert new.number in html and old.number not in html
