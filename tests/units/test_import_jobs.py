"""Roster imports as background jobs: upload, progress, preview, confirmation, result."""

import importlib.util
import io
from datetime import date

import pytest
from sqlalchemy import select

from lms.core import jobs as core_jobs
from lms.units import jobs
from lms.units.models import ImportJob, Person
from tests.conftest import csrf_token

HEADER = "ma_nhan_su,ho_ten,chuc_danh,ma_xa,so_dien_thoai\n"


def upload(client, text, **fields):
    """POST a roster CSV to the import page; returns the job page's URL."""
    response = client.post("/units/import", data={
        "csrf_token": csrf_token(client, "/units/import"),
        "file": (io.BytesIO(text.encode()), "ds.csv"), **fields},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    return response.headers["Location"]


def test_preview_shows_changes_new_and_missing_then_confirm_marks_leavers(client, login_as,
                                                                          db, make_person):
    """The preview page lists old → new per person, the new people and the missing ones with
    the mark-left choice; confirming with a date writes it all in a second job."""
    login_as("admin")
    make_person(staff_id="QN1", full_name="Nguyễn An", phone="0912345678")
    make_person(staff_id="QN2", full_name="Trần Bình")
    page = upload(client, HEADER + "QN1,Nguyễn An,can_bo_xa,06652,0987654321\n"
                                   "QN3,Lê Chi,khac,06652,\n", as_of="2026-01-15")
    html = client.get(page).get_data(as_text=True)
    assert "0912345678 → 0987654321" in html
    assert "QN3 Lê Chi" in html and "QN2 Trần Bình (06652 Phường Hà Tu)" in html
    assert "15/01/2026" in html and 'name="mark_left"' in html
    response = client.post(page + "/confirm", data={
        "csrf_token": csrf_token(client, page), "mark_left": "y", "left_on": "2026-01-31"})
    result_page = response.headers["Location"]
    assert result_page != page
    html = client.get(result_page).get_data(as_text=True)
    assert "1 người được đánh dấu đã nghỉ" in html
    db.session.expire_all()
    bình = db.session.scalar(select(Person).where(Person.staff_id == "QN2"))
    assert bình.left_on == date(2026, 1, 31)
    assert db.session.scalar(select(Person.since).where(Person.staff_id == "QN3")) == date(
        2026, 1, 15)
    again = client.post(page + "/confirm", data={"csrf_token": csrf_token(client, page)},
                        follow_redirects=True)
    assert "đã được xác nhận" in again.get_data(as_text=True)
    assert db.session.query(ImportJob).count() == 2


def test_mark_left_needs_a_date(client, login_as, db, make_person):
    """Choosing to mark people as left without a date is refused and writes nothing."""
    login_as("admin")
    make_person(staff_id="QN2")
    page = upload(client, HEADER + "QN1,An,khac,06652,\n")
    response = client.post(page + "/confirm", data={"csrf_token": csrf_token(client, page),
                                                    "mark_left": "y", "left_on": ""})
    assert response.status_code == 400
    assert "Hãy chọn ngày nghỉ" in response.get_data(as_text=True)
    assert db.session.query(Person).count() == 1


def test_a_job_is_only_its_uploaders(client, login_as, db, units):
    """Another admin gets a 404 for someone else's job and its confirmation."""
    login_as("admin")
    page = upload(client, HEADER + "QN1,An,khac,06652,\n")
    login_as("admin")
    assert client.get(page).status_code == 404
    token = csrf_token(client, "/units/import")
    assert client.post(page + "/confirm", data={"csrf_token": token}).status_code == 404
    assert db.session.query(Person).count() == 0


def test_a_queued_upload_returns_at_once_and_the_worker_reports_progress(app, client, login_as,
                                                                         db, units, tmp_path):
    """With Huey's SQLite storage the upload only queues the job: the page shows it waiting and
    refreshes itself; the worker's run then records the rows checked and the result."""
    saved = app.extensions["jobs"]
    app.config["JOBS_URL"] = f"sqlite:///{tmp_path / 'jobs.db'}"
    core_jobs.init_app(app)
    try:
        login_as("admin")
        rows = "".join(f"QN{n},Người {n},khac,06652,\n" for n in range(1, 1201))
        page = upload(client, HEADER + rows)
        html = client.get(page).get_data(as_text=True)
        assert "Đang chờ đến lượt" in html and 'http-equiv="refresh"' in html
        huey = app.extensions["jobs"].huey
        assert len(huey) == 1
        huey.execute(huey.dequeue())   # what the worker thread does
        db.session.expire_all()
        entry = db.session.scalar(select(ImportJob))
        assert (entry.status, entry.total, entry.done) == ("done", 1200, 1200)
        assert entry.result["new"] == 1200
        assert "1200 mới" in client.get(page).get_data(as_text=True)
    finally:
        app.extensions["jobs"].huey.storage.close()
        app.config["JOBS_URL"] = ""
        app.extensions["jobs"] = saved


def test_a_running_job_shows_its_progress_bar(client, login_as, db, units):
    """While rows are being checked the page shows done of total in a progress bar."""
    user = login_as("admin")
    entry = jobs.queue_import(b"x", "ds.csv", by=user)
    entry.status, entry.total, entry.done = "running", 3000, 500
    db.session.commit()
    html = client.get(f"/units/import/jobs/{entry.id}").get_data(as_text=True)
    assert "500 / 3000" in html and '<progress value="500" max="3000">' in html


def test_jobs_settings(app, tmp_path):
    """LMS_JOBS_URL selects immediate, SQLite or Redis storage; anything else is refused."""
    from huey import MemoryHuey, RedisHuey, SqliteHuey
    from huey.exceptions import ConfigurationError

    class Fake:
        testing, instance_path = False, str(tmp_path)

        def __init__(self, url):
            self.config = {"JOBS_URL": url}

    default = core_jobs.make_huey(Fake(""))
    assert isinstance(default, SqliteHuey)
    assert default.storage.filename == str(tmp_path / "jobs.db")
    default.storage.close()
    assert core_jobs.make_huey(Fake("immediate")).immediate
    assert isinstance(core_jobs.make_huey(Fake("immediate")), MemoryHuey)
    if importlib.util.find_spec("redis"):
        assert isinstance(core_jobs.make_huey(Fake("redis://127.0.0.1:6379/3")), RedisHuey)
    else:   # the `redis` extra is not installed: Huey says so
        with pytest.raises(ConfigurationError, match="redis"):
            core_jobs.make_huey(Fake("redis://127.0.0.1:6379/3"))
    with pytest.raises(ValueError, match="LMS_JOBS_URL"):
        core_jobs.make_huey(Fake("amqp://x"))


def test_the_worker_command_refuses_immediate_mode(runner):
    """`flask lms jobs worker` says there is no queue when jobs run immediately."""
    result = runner.invoke(args=["lms", "jobs", "worker"])
    assert result.exit_code == 1 and "immediate" in result.output


def test_an_upload_is_bounded_by_rows_scanned_not_only_bytes(client, login_as, db, units,
                                                             monkeypatch):
    """A small file of mostly empty rows past the reader's scan limit fails as a job with the
    reader's message; nothing is written."""
    from lms.core import tabular

    monkeypatch.setattr(tabular, "MAX_SCANNED_ROWS", 100)
    login_as("admin")
    page = upload(client, HEADER + "QN1,An,khac,06652,\n" + ",,,,\n" * 200)
    html = client.get(page).get_data(as_text=True)
    assert "Lỗi trong tệp" in html and "chia nhỏ tệp" in html
    assert db.session.query(Person).count() == 0
