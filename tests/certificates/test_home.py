"""The trainee's home (their courses) offers their valid certificates to download."""

from lms.certificates.services import revoke


def test_dashboard_offers_own_valid_certificates(client, db, make_cert, make_user, make_person,
                                                 login_as):
    """A valid certificate is offered as a PDF; a revoked one and another person's are not."""
    person = make_person()
    mine = make_cert(person=person)
    revoked = make_cert(person=person)
    revoke(revoked, "sai thông tin", by=None)
    db.session.commit()
    theirs = make_cert()
    login_as(user=make_user("trainee", person=person))
    html = client.get("/courses/me").get_data(as_text=True)
    assert 'id="home-certificates"' in html
    assert f'href="/certificates/{mine.id}.pdf"' in html
    assert f"/certificates/{revoked.id}.pdf" not in html
    assert f"/certificates/{theirs.id}.pdf" not in html


def test_no_certificate_no_section(client, make_user, make_person, login_as):
    """Without a certificate the section is left out."""
    login_as(user=make_user("trainee", person=make_person()))
    assert 'id="home-certificates"' not in client.get("/courses/me").get_data(as_text=True)
