"""Public verification: every status on the page and the API, unknown codes, rate limits."""

from datetime import date

import pytest

from lms.certificates import services
from lms.core.timeutil import to_local


@pytest.fixture
def admin(make_user):
    """An admin acting on certificates."""
    return make_user("admin")


def test_valid_certificate_page_and_api(client, make_cert):
    """A valid certificate shows holder, course, hours, issue date and issuer, without login."""
    cert = make_cert(full_name="Đinh Thị Hạnh", birth_year=1979, phone="0912345678")
    page = client.get(f"/verify/{cert.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("Còn hiệu lực", "Đinh Thị Hạnh", cert.course_title, cert.number,
                 cert.issued_on.strftime("%d/%m/%Y"), cert.issuer_agency):
        assert text in html
    for private in ("1979", "0912345678", cert.person.staff_id, "Phường Hà Tu"):
        assert private not in html
    data = client.get(f"/api/v1/certificates/{cert.code}").get_json()
    assert data["status"] == "valid" and data["holder_name"] == "Đinh Thị Hạnh"
    assert data["hours"] == 8 and data["issued_on"] == cert.issued_on.isoformat()
    assert data["issuer"]["agency"] == cert.issuer_agency
    assert "birth_year" not in data and "1979" not in str(data)


def test_revoked_shows_date_and_reason(client, make_cert, admin, db):
    """A revoked certificate says so, with the date and the reason."""
    cert = make_cert()
    services.revoke(cert, "Kết quả kiểm tra bị hủy", by=admin)
    db.session.commit()
    html = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "Đã thu hồi" in html and "Kết quả kiểm tra bị hủy" in html
    revoked_on = to_local(cert.revoked_at).date()
    assert revoked_on.strftime("%d/%m/%Y") in html
    data = client.get(f"/api/v1/certificates/{cert.code}").get_json()
    assert data["status"] == "revoked" and data["revoked_reason"] == "Kết quả kiểm tra bị hủy"
    assert data["revoked_on"] == revoked_on.isoformat()


def test_api_answers_304_until_the_certificate_changes(client, make_cert, admin, db):
    """The JSON carries an ETag and must be revalidated; the same ETag gets 304 without a body,
    and after a revocation the old one gets the new status."""
    cert = make_cert()
    url = f"/api/v1/certificates/{cert.code}"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    services.revoke(cert, "Sai thông tin", by=admin)
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["status"] == "revoked"
    assert changed.headers["ETag"] != etag


def test_expired_certificate(client, make_cert, make_course):
    """A certificate past its expiry date shows as expired."""
    cert = make_cert(course=make_course(validity_months=12), on=date(2020, 3, 1))
    html = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "Hết hạn" in html and "01/03/2021" in html
    data = client.get(f"/api/v1/certificates/{cert.code}").get_json()
    assert data["status"] == "expired" and data["expires_on"] == "2021-03-01"


def test_superseded_links_to_the_new_one(client, make_cert, admin, db):
    """A superseded certificate links to the verification page of its replacement."""
    cert = make_cert()
    new = services.reissue(cert, by=admin)
    db.session.commit()
    html = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "Đã được thay thế" in html and f"/verify/{new.code}" in html
    data = client.get(f"/api/v1/certificates/{cert.code}").get_json()
    assert data["status"] == "superseded"
    assert data["superseded_by"] == services.verify_url(new.code)
    assert client.get(f"/api/v1/certificates/{new.code}").get_json()["status"] == "valid"


def test_unknown_or_altered_code_is_404(client, make_cert):
    """A guessed code, or a real one with one character changed, finds nothing, and the page
    (and the API's message) says so plainly rather than "page not found"."""
    cert = make_cert()
    altered = cert.code[:-1] + ("A" if cert.code[-1] != "A" else "B")
    for code in (altered, "AAAAAAAAAAAAAAAAAAAAAA", "x", cert.number, cert.code.upper()):
        if code == cert.code:
            continue
        page = client.get(f"/verify/{code}")
        text = page.get_data(as_text=True)
        assert page.status_code == 404
        assert "Không có giấy chứng nhận nào mang mã này" in text
        assert "Không tìm thấy trang" not in text and cert.holder_name not in text
        response = client.get(f"/api/v1/certificates/{code}")
        assert response.status_code == 404 and response.get_json()["error"] == 404
        assert "Không có giấy chứng nhận" in response.get_json()["message"]


def test_verification_is_rate_limited(app, client, make_cert):
    """Past the configured limit both the page and the API answer 429."""
    cert = make_cert()
    old = app.config["VERIFY_RATE_LIMIT"]
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [client.get(f"/verify/{cert.code}").status_code for _ in range(4)]
        api = [client.get(f"/api/v1/certificates/{cert.code}").status_code for _ in range(4)]
    finally:
        app.config["VERIFY_RATE_LIMIT"] = old
    assert codes == [200, 200, 200, 429]
    assert api == [200, 200, 200, 429]
