"""The administrator's home page: their imports waiting or failed, roster people without an
account by commune, expired one-time passwords; within the admin's scope."""

from datetime import timedelta

from lms.accounts.home import admin_home
from lms.core.timeutil import utcnow
from lms.units.models import ImportJob


def _job(db, admin, **kw):
    job = ImportJob(filename=kw.pop("filename", "qn.csv"), created_by_id=admin.id,
                    options=kw.pop("options", {"dry_run": True}), **kw)
    db.session.add(job)
    db.session.commit()
    return job


def test_imports_that_need_the_admin(db, make_user):
    """Queued, failed and unconfirmed previews are listed; a confirmed preview, a finished
    write, an old failure and another admin's job are not."""
    admin, other = make_user("admin"), make_user("admin")
    queued = _job(db, admin, status="queued")
    failed = _job(db, admin, status="failed")
    preview = _job(db, admin, status="done", result={})
    _job(db, admin, status="done", result={"confirmed_by": 99})
    _job(db, admin, status="done", options={"dry_run": False}, result={})
    _job(db, admin, status="failed", created_at=utcnow() - timedelta(days=30))
    _job(db, other, status="failed")
    assert [j.id for j in admin_home(admin).imports] == [preview.id, failed.id, queued.id]


def test_people_without_account_by_commune(db, make_user, make_person, units):
    """People in post without an account are counted per commune, most first; a person with
    an account or who has left is not; a scoped admin counts only their province."""
    a, b = units("06652", "commune"), units("06658", "commune")
    for _ in range(2):
        make_person(commune=b)
    make_person(commune=a)
    make_person(commune=a, left_on=utcnow().date() - timedelta(days=1))
    make_user("trainee", person=make_person(commune=a))
    make_person(commune=units("00004", "commune"))
    home = admin_home(make_user("admin", unit="22"))
    assert home.without_account == 3
    assert [(u.code, n) for u, n in home.communes] == [(b.code, 2), (a.code, 1)]
    assert admin_home(make_user("admin")).without_account == 4


def test_expired_one_time_passwords(db, make_user, make_person, units):
    """An active account still on a one-time password past its expiry is listed; one not yet
    expired, one replaced, and one outside the scope are not."""
    def account(commune, expires, must=True):
        user = make_user("trainee", person=make_person(commune=commune))
        user.must_change_password, user.password_expires_at = must, expires
        db.session.commit()
        return user

    qn, hn = units("06652", "commune"), units("00004", "commune")
    expired = account(qn, utcnow() - timedelta(days=1))
    account(qn, utcnow() + timedelta(days=1))
    account(qn, utcnow() - timedelta(days=1), must=False)
    account(hn, utcnow() - timedelta(days=1))
    home = admin_home(make_user("admin", unit="22"))
    assert home.expired == 1 and home.expired_users == [expired]


def test_home_page_links_each_task(client, db, make_user, make_person, login_as, units):
    """The admin's home links the import job, the accounts-from-roster page with the commune
    filled in, and the expired account."""
    admin = login_as("admin", unit="22")
    job = _job(db, admin, status="failed")
    commune = units("06652", "commune")
    make_person(commune=commune)
    html = client.get("/").get_data(as_text=True)
    assert f'href="/units/import/jobs/{job.id}"' in html
    assert f'href="/accounts/from-roster?unit={commune.code}"' in html
    page = client.get(f"/accounts/from-roster?unit={commune.code}").get_data(as_text=True)
    assert f'value="{commune.code}"' in page


def test_home_page_without_tasks(client, login_as):
    """Nothing pending: the admin reads so."""
    login_as("admin")
    assert "Không có việc nhập danh sách" in client.get("/").get_data(as_text=True)
