"""The views' shared helpers: a domain error becomes a rollback and a flash, success a commit;
downloads go out with their names and are never cached."""

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select

from lms.core.models import Setting
from lms.core.tabular import ImportFailed, RowError
from lms.core.web import commit_or_flash, send_download


class Refused(Exception):
    """A domain error for the tests."""


def _settings(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Setting))


def test_success_commits_and_flashes(app, db):
    """The block's writes are committed, then the success message (set late) is flashed."""
    with app.test_request_context():
        with commit_or_flash(Refused, success="early") as done:
            db.session.add(Setting(key="k1", value="v"))
            done.success = "Đã lưu."
        db.session.rollback()  # nothing left to undo: it was committed
        assert done.ok and _settings(db) == 1
        assert get_flashed_messages(with_categories=True) == [("success", "Đã lưu.")]


def test_domain_error_rolls_back_and_flashes_its_message(app, db):
    """A listed error undoes the block's writes, is flashed as an error and goes no further."""
    with app.test_request_context():
        with commit_or_flash(Refused, success="never") as done:
            db.session.add(Setting(key="k2", value="v"))
            db.session.flush()
            raise Refused("Lớp đã đóng.")
        assert not done.ok and done.errors == [] and _settings(db) == 0
        assert get_flashed_messages(with_categories=True) == [("error", "Lớp đã đóng.")]


def test_import_failed_keeps_its_row_errors(app, db):
    """An ImportFailed is flashed as its count, and its errors are kept for the page."""
    errors = [RowError(2, "ma_nhan_su", "trống"), RowError(3, None, "trùng")]
    with app.test_request_context():
        with commit_or_flash(ImportFailed) as done:
            raise ImportFailed(errors)
        assert not done.ok and done.errors == errors
        [(category, message)] = get_flashed_messages(with_categories=True)
        assert category == "error" and "2" in message


def test_other_errors_are_not_swallowed(app, db):
    """An error that is not listed propagates (the request fails and rolls back)."""
    with app.test_request_context(), pytest.raises(KeyError), commit_or_flash(Refused):
        raise KeyError("bug")


def test_send_download_names_the_file_and_forbids_caching(app):
    """Attachment or inline, the type guessed from the name, a Vietnamese name kept, no-store."""
    with app.test_request_context():
        response = send_download(b"a,b\n", "roster-22.csv")
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"] == "attachment; filename=roster-22.csv"
        assert response.headers["Cache-Control"] == "no-store"
        response.direct_passthrough = False
        assert response.get_data() == b"a,b\n"
        response = send_download(b"%PDF", "ký-tên.pdf", inline=True)
        assert response.mimetype == "application/pdf"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("inline;") and "filename*=UTF-8''k%C3%BD-t%C3%AAn.pdf" in \
            disposition
