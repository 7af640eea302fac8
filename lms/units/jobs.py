"""Roster imports in the background: queue a preview or a write, run it with progress."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import update

from lms.accounts.models import User
from lms.core.jobs import enqueue, job
from lms.core.tabular import ImportFailed
from lms.core.text import format_date
from lms.core.timeutil import utcnow
from lms.extensions import db
from lms.units import services
from lms.units.models import ImportJob

MAX_ERRORS = 1000   # row errors kept for the result page


def queue_import(data: bytes, filename: str, *, by, legacy_codes: bool = False,
                 as_of: date | None = None, initial: bool = False) -> ImportJob:
    """Store an upload and queue its preview (a dry run); the caller commits first.

    :param by: the uploading admin (the job runs with their scope)
    """
    entry = ImportJob(filename=filename[:255], data=data, created_by_id=by.id, options={
        "dry_run": True, "legacy_codes": legacy_codes, "initial": initial,
        "as_of": as_of.isoformat() if as_of else None})
    db.session.add(entry)
    db.session.flush()
    return entry


def confirm_import(preview: ImportJob, *, by, mark_left: date | None = None) -> ImportJob:
    """Queue the write of a finished preview, with the same file and options.

    :param mark_left: mark the people the preview found missing as left on this day
    :raises ValueError: the preview did not succeed or was already confirmed
    """
    if (preview.status != "done" or not preview.options.get("dry_run")
            or preview.result.get("confirmed_by") or preview.data is None):
        raise ValueError("only a successful preview can be confirmed, once")
    entry = ImportJob(filename=preview.filename, data=preview.data, created_by_id=by.id,
                      options=preview.options | {
                          "dry_run": False,
                          "mark_left": mark_left.isoformat() if mark_left else None})
    db.session.add(entry)
    db.session.flush()
    preview.data = None   # one confirmation per preview
    preview.result = preview.result | {"confirmed_by": entry.id}
    return entry


def start(entry: ImportJob) -> None:
    """Hand a committed job to the queue."""
    enqueue(run_import, entry.id)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def result_document(result: services.ImportResult) -> dict:
    """What the result page shows: every count, the first SHOWN people of each list."""
    shown = services.SHOWN
    return {
        "new": result.new, "updated": result.updated, "unchanged": result.unchanged,
        "left": result.left, "missing_count": len(result.missing),
        "as_of": result.as_of.isoformat(), "as_of_shown": format_date(result.as_of),
        "dry_run": result.dry_run,
        "changes": [[c.staff_id, c.full_name, c.fields] for c in result.changes[:shown]],
        "added": result.added[:shown], "missing": result.missing[:shown],
        "warnings": result.warnings[:shown], "warnings_count": len(result.warnings),
        "ignored": result.ignored, "notes": [n.localised() for n in result.notes[:shown]]}


@job
def run_import(job_id: int) -> None:
    """Run one queued import: progress is written as rows are checked, in a connection of its
    own (the import's transaction stays all-or-nothing); the import's writes and the job's
    status are committed together."""
    entry = db.session.get(ImportJob, job_id)
    if entry is None or entry.status != "queued":
        return
    entry.status = "running"
    db.session.commit()
    options = entry.options
    progress = _Progress(job_id)
    try:
        result = services.import_roster(
            entry.data, entry.filename, by=db.session.get(User, entry.created_by_id),
            dry_run=options["dry_run"], legacy_codes=options["legacy_codes"],
            as_of=_date(options["as_of"]), initial=options["initial"],
            mark_left=_date(options.get("mark_left")), progress=progress.step,
            started=progress.start)
    except ImportFailed as exc:
        db.session.rollback()
        entry = db.session.get(ImportJob, job_id)
        entry.status, entry.errors = "failed", [e.localised() for e in exc.errors[:MAX_ERRORS]]
        entry.result = {"errors_count": len(exc.errors)}
    except Exception:
        # not the file's fault: the job must still end, and the worker logs the traceback
        db.session.rollback()
        entry = db.session.get(ImportJob, job_id)
        entry.status, entry.finished_at = "failed", utcnow()
        entry.errors = [_("lỗi hệ thống khi nhập; chưa ghi dữ liệu nào, hãy thử lại hoặc báo "
                          "quản trị viên")]
        entry.result = {"errors_count": 1}
        db.session.commit()
        raise
    else:
        if result.dry_run:
            db.session.rollback()   # nothing of a preview is kept but its document
        entry = db.session.get(ImportJob, job_id)
        entry.status, entry.result = "done", result_document(result)
        if not result.dry_run:
            entry.data = None
    entry.done, entry.total = progress.done, progress.total
    entry.finished_at = utcnow()
    db.session.commit()


class _Progress:
    """Writes the rows checked so far to the job row, outside the import's transaction."""

    def __init__(self, job_id: int):
        self.job_id, self.total, self.done = job_id, None, 0

    def _write(self, **values) -> None:
        table = ImportJob.__table__
        with db.engine.begin() as conn:
            conn.execute(update(table).where(table.c.id == self.job_id).values(**values))

    def start(self, total: int) -> None:
        self.total = total
        self._write(total=total)

    def step(self, rows: int) -> None:
        self.done += rows
        self._write(done=self.done)
