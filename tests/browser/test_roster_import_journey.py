"""An administrator's roster import: an official-looking workbook uploaded, its preview read,
the missing people marked as left, the write confirmed and its progress watched."""

import io
import signal

import pytest
from openpyxl import Workbook

from lms.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def official_workbook() -> bytes:
    """What a ward office sends: titles, the header on row 5, a commune code merged down over
    its people, number-typed ids, a name typed in decomposed Unicode, a signature footer."""
    import unicodedata

    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    people = [[1, 90001, "Nguyễn Thị Hường", "Nữ", 1985, "Trưởng thôn", 6652, "0912345678"],
              [2, 90002, unicodedata.normalize("NFD", "Trần Văn Nam"), "Nam", 1979,
               "Công an xã", None, "0913000111"],
              [3, 90003, "Lý Thị Mai", "Nữ", 1990, "Cộng tác viên", None, None]]
    for row in [["ỦY BAN NHÂN DÂN PHƯỜNG HÀ TU"], ["DANH SÁCH CÁN BỘ THAM GIA TẬP HUẤN"],
                ["(Kèm theo Công văn số 12/UBND ngày 01/3/2026)"], [],
                ["STT", "Mã cán bộ", "Họ và tên", "Giới tính", "Năm sinh", "Chức vụ", "Mã xã",
                 "Số điện thoại"], *people, [],
                [None, None, None, None, None, "Ngày 15 tháng 3 năm 2026"],
                [None, None, "Người lập biểu", None, None, "CHỦ TỊCH"],
                [None, None, "(Ký, ghi rõ họ tên)"]]:
        sheet.append(row)
    sheet.merge_cells("G6:G8")
    for n in range(6, 9):
        sheet[f"B{n}"].number_format = "00000"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_admin_uploads_previews_confirms_and_watches_progress(desktop_page, live_server,
                                                              journal, login, tmp_path):
    """The upload returns at once to a waiting job; with the worker running the page turns
    into the preview (new people, people of Hà Tu missing from the file); confirming with a
    leaving date queues the write, whose page ends with the counts."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.units.models import Person

    page = desktop_page
    path = tmp_path / "danh-sach-ha-tu.xlsx"
    path.write_bytes(official_workbook())
    login(page, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/units/import")
    page.set_input_files("input[name=file]", str(path))
    page.fill("input[name=as_of]", "2026-03-15")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/units/import/jobs/" in page.url
    assert "Đang chờ đến lượt" in page.inner_text("#job-progress")

    huey = live_server.app.extensions["jobs"].huey
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    signals = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()   # the worker, as `flask lms jobs worker` runs it, in threads
    try:
        page.wait_for_selector("#job-counts", timeout=30_000)   # the page refreshes itself
        counts = page.inner_text("#job-counts")
        assert "Kiểm tra xong (chưa ghi), tính đến 15/03/2026" in counts and "3 mới" in counts
        added = page.inner_text("#job-added")
        assert "90001 Nguyễn Thị Hường" in added and "90002 Trần Văn Nam" in added
        missing = page.inner_text("#job-missing")   # the demo's people of Hà Tu
        assert "(06652 Phường Hà Tu)" in missing
        preview_url = page.url
        page.check("input[name=mark_left]")
        page.fill("input[name=left_on]", "2026-03-14")
        with page.expect_navigation():
            page.click("main form.panel button[type=submit]")
        assert page.url != preview_url
        page.wait_for_selector("#job-counts", timeout=30_000)
        counts = page.inner_text("#job-counts")
        assert "Đã ghi, tính đến 15/03/2026" in counts and "người được đánh dấu đã nghỉ" in counts
    finally:
        consumer.stop(graceful=True)
        huey.storage.close()
        for number, handler in signals.items():   # the consumer installed its own
            signal.signal(number, handler)
    with live_server.app.app_context():
        names = db.session.scalars(select(Person.full_name).where(
            Person.staff_id.in_(["90001", "90002", "90003"])).order_by(Person.staff_id)).all()
        db.session.remove()
    assert names == ["Nguyễn Thị Hường", "Trần Văn Nam", "Lý Thị Mai"]
    journal.assert_clean()
