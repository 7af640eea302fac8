"""Issuing: the completion signal, numbering, snapshots, issuer settings, expiry, re-issue."""

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from lms.certificates import services
from lms.certificates.models import REVOKED, SUPERSEDED, VALID, Certificate
from lms.core.timeutil import today


def test_online_completion_issues_a_certificate(make_person, make_course, complete, units):
    """An online completion gets a valid certificate at once, with a 128-bit code."""
    province = units("22", "province").name  # "Tỉnh …" or "Thành phố …" as the package has it
    person = make_person(full_name="Trần Thị Ánh Dương", birth_year=1988)
    completion = complete(person, make_course(title="Tiếp nhận, sàng lọc và chuyển tuyến"))
    cert = services.live_certificate(completion)
    assert cert is not None and cert.status == VALID
    assert cert.holder_name == "Trần Thị Ánh Dương" and cert.birth_year == 1988
    assert cert.course_title == "Tiếp nhận, sàng lọc và chuyển tuyến"
    assert cert.unit_name == f"Phường Hà Tu, {province[0].lower()}{province[1:]}"
    assert cert.position_label == "Cán bộ xã/phường/đặc khu"
    assert cert.place == "Quảng Ninh"
    assert len(cert.code) >= 22 and cert.number == f"22-{today().year}-000001"


def test_imported_completion_gets_no_automatic_certificate(make_person, make_course, complete,
                                                          db):
    """Historical (imported) completions get a certificate only on request."""
    completion = complete(make_person(), make_course(), source="import")
    assert services.live_certificate(completion) is None
    assert db.session.scalar(select(func.count(Certificate.id))) == 0
    cert, created = services.issue_certificate(completion)
    assert created and cert.completion_id == completion.id


def test_cohort_completion_records_cohort_and_dates(make_person, make_cohort, complete):
    """A cohort completion carries the cohort's name and its start date."""
    person = make_person()
    cohort = make_cohort(members=[person], name="Lớp tập huấn Móng Cái tháng 8")
    cert = services.live_certificate(complete(person, cohort.course, date(2025, 8, 10), "cohort",
                                              cohort=cohort))
    assert cert.cohort_id == cohort.id and cert.cohort_name == "Lớp tập huấn Móng Cái tháng 8"
    assert cert.started_on == date(2025, 8, 1) and cert.completed_on == date(2025, 8, 10)


def test_one_live_certificate_per_completion(make_cert, db):
    """Issuing again returns the existing certificate."""
    cert = make_cert()
    again, created = services.issue_certificate(cert.completion)
    assert not created and again.id == cert.id


def test_numbers_are_sequential_per_issuer_and_year(make_cert, make_person, units, db,
                                                    monkeypatch):
    """Each issuer code and year has its own sequence."""
    year = today().year
    a, b = make_cert(), make_cert()
    hanoi = make_cert(commune=units("00004", "commune"))
    assert [a.number, b.number] == [f"22-{year}-000001", f"22-{year}-000002"]
    assert hanoi.number == f"01-{year}-000001"
    services.save_issuer_settings({"agency": "Sở Y tế", "issuer_code": "QN"})
    db.session.commit()
    assert make_cert().number == f"QN-{year}-000001"
    monkeypatch.setattr(services, "today", lambda: date(year + 1, 1, 2))
    assert make_cert().number == f"QN-{year + 1}-000001"
    assert make_cert().number == f"QN-{year + 1}-000002"


def test_concurrent_issuing_never_shares_a_number(app, db, make_person, make_course, complete):
    """Eight workers issuing at once get distinct, gap-free numbers."""
    course = make_course()
    completions = [complete(make_person(), course, source="import") for _ in range(24)]
    ids = [c.id for c in completions]
    barrier = threading.Barrier(8)
    errors = []

    def worker(chunk):
        from lms.courses.models import Completion

        with app.app_context():
            try:
                barrier.wait()
                for completion_id in chunk:
                    services.issue_certificate(db.session.get(Completion, completion_id))
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001 — reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(ids[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    serials = sorted(db.session.scalars(select(Certificate.serial)).all())
    assert serials == list(range(1, 25))


def test_issuer_edits_do_not_change_issued_certificates(make_cert, db):
    """The issuer is copied at issue: later edits reach only new certificates."""
    services.save_issuer_settings({"agency": "Sở Y tế", "parent_agency": "UBND tỉnh Quảng Ninh",
                                   "place": "Hạ Long", "signer_title": "GIÁM ĐỐC",
                                   "signer_name": "Phạm Văn An"})
    db.session.commit()
    old = make_cert()
    services.save_issuer_settings({"agency": "Sở Nội vụ", "signer_name": "Lê Thị Bình",
                                   "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"})
    db.session.commit()
    db.session.expire_all()
    assert (old.issuer_agency, old.signer_name, old.place) == ("Sở Y tế", "Phạm Văn An",
                                                               "Hạ Long")
    new = make_cert()
    assert (new.issuer_agency, new.signer_name) == ("Sở Nội vụ", "Lê Thị Bình")
    assert new.signer_title == "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC"


def test_issuer_settings_need_an_agency(db):
    """An empty agency is refused with a clear message."""
    with pytest.raises(services.CertificateError, match="cơ quan cấp"):
        services.save_issuer_settings({"agency": "  "})


def test_validity_months_set_expiry(make_cert, make_course):
    """A course valid for 24 months gives an expiry date 24 months after completion."""
    cert = make_cert(course=make_course(validity_months=24), on=date(2024, 2, 29))
    assert cert.expires_on == date(2026, 2, 28)
    assert cert.shown_status(date(2026, 2, 28)) == VALID
    assert cert.shown_status(date(2026, 3, 1)) == "expired"


def test_revoke_needs_a_reason_and_a_valid_certificate(make_cert, make_user, db):
    """Revocation records the reason, date and actor; twice is refused."""
    admin = make_user("admin")
    cert = make_cert()
    with pytest.raises(services.CertificateError):
        services.revoke(cert, " ", by=admin)
    services.revoke(cert, "Cấp nhầm người", by=admin)
    db.session.commit()
    assert cert.status == REVOKED and cert.revoked_reason == "Cấp nhầm người"
    assert cert.revoked_at is not None and cert.revoked_by_id == admin.id
    with pytest.raises(services.CertificateError):
        services.revoke(cert, "lại", by=admin)


def test_reissue_after_name_correction(make_cert, make_user, db):
    """Re-issue supersedes the old certificate with a new number, code and corrected name."""
    admin = make_user("admin")
    cert = make_cert(full_name="Nguyen Thi Huong")
    new = services.reissue(cert, by=admin, full_name="Nguyễn  Thị Hường")
    db.session.commit()
    assert cert.status == SUPERSEDED and cert.superseded_by_id == new.id
    assert new.status == VALID and new.holder_name == "Nguyễn Thị Hường"
    assert new.number != cert.number and new.code != cert.code
    assert cert.holder_name == "Nguyen Thi Huong"
    assert cert.person.full_name == "Nguyễn Thị Hường"
    assert services.live_certificate(cert.completion).id == new.id
    with pytest.raises(services.CertificateError):
        services.reissue(cert, by=admin)


def test_expiring_lists_expired_and_soon_within_scope(make_cert, make_course, make_user, units):
    """The re-training list holds valid certificates expired or expiring within the window."""
    course = make_course(validity_months=12)
    soon = make_cert(course=course, on=date(2025, 1, 20))
    gone = make_cert(course=course, on=date(2024, 6, 1))
    make_cert(course=course, on=date(2025, 12, 1))          # later than the window
    make_cert(course=make_course(), on=date(2020, 1, 1))    # never expires
    elsewhere = make_cert(course=course, on=date(2024, 6, 1), commune=units("00004", "commune"))
    on = date(2025, 12, 1)
    everyone = services.expiring(make_user("admin"), within_days=90, on=on)
    from lms.extensions import db

    ids = db.session.scalars(everyone).all()
    assert [c.id for c in ids] == [gone.id, elsewhere.id, soon.id]
    scoped = services.expiring(make_user("trainer", unit="22"), within_days=90, on=on)
    assert {c.id for c in db.session.scalars(scoped)} == {gone.id, soon.id}


def test_add_months_clamps_to_month_end():
    """31 January plus one month is the last day of February."""
    assert services.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert services.add_months(date(2025, 11, 15), 14) == date(2027, 1, 15)


def test_issue_missing_is_idempotent(make_person, make_course, complete, db, monkeypatch):
    """Catch-up issuing covers online completions without one, and only once."""
    monkeypatch.setattr(services, "AUTO_SOURCES", ())  # as if recorded before the receiver
    complete(make_person(), make_course())
    complete(make_person(), make_course(), source="import")
    monkeypatch.setattr(services, "AUTO_SOURCES", ("online", "cohort"))
    assert services.issue_missing() == 1
    assert services.issue_missing() == 0
    assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_release_completion_only_after_revocation(make_cert, make_user, db):
    """A completion with a valid certificate cannot be withdrawn; once revoked it can, and the
    certificate still verifies as revoked."""
    admin = make_user("admin")
    cert = make_cert()
    completion = cert.completion
    with pytest.raises(services.CertificateError):
        services.release_completion(completion, by=admin)
    services.revoke(cert, "Kết quả lớp được đính chính", by=admin)
    assert services.release_completion(completion, by=admin) == 1
    db.session.delete(completion)
    db.session.commit()
    db.session.refresh(cert)
    assert cert.completion_id is None and cert.status == REVOKED
