"""Backup and restore of a SQLite database, consistent while the app keeps running.

SQLite's online backup API (`sqlite3.Connection.backup`) copies a snapshot page by page under a
read transaction, so a backup taken while workers write is a consistent database, and WAL
content not yet checkpointed is included. PostgreSQL is refused with a pointer to pg_dump.
"""

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from flask_babel import gettext as _
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_HINT = ("pg_dump -Fc -f tap_huan.dump <database>  /  "
           "pg_restore --clean --if-exists -d <database> tap_huan.dump")


class OpsError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class BackupInfo:
    """What a backup or restore produced."""

    path: Path
    size: int
    revision: str | None
    tables: int
    safety_copy: Path | None = None


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL; raise OpsError for other databases or in-memory SQLite.

    :param url: the SQLAlchemy database URL
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        raise OpsError(_("Cơ sở dữ liệu là PostgreSQL: lệnh này chỉ dành cho SQLite. Hãy dùng "
                         "pg_dump / pg_restore (xem docs/deployment.md): %(hint)s", hint=PG_HINT))
    if parsed.get_backend_name() != "sqlite":
        raise OpsError(_("Chỉ sao lưu được SQLite (cơ sở dữ liệu là %(b)s).",
                         b=parsed.get_backend_name()))
    if not parsed.database or parsed.database == ":memory:":
        raise OpsError(_("SQLite trong bộ nhớ không có tệp để sao lưu."))
    return Path(parsed.database)


def _connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def inspect_backup(path: Path, known_revisions: set[str] | None = None,
                   expected: Callable[[str], set[str]] | None = None) -> tuple[str, int]:
    """Check that `path` is an intact Tập Huấn SQLite database; return (revision, table count).

    :param path: the file to check
    :param known_revisions: Alembic revisions this code knows; None skips that check
    :param expected: the tables a database at a revision has (`expected_tables`); None skips
        that check
    :raises OpsError: not a file, not SQLite, damaged, no alembic_version, unknown revision,
        a table of its revision missing
    """
    path = Path(path)
    if not path.is_file():
        raise OpsError(_("Không có tệp %(p)s.", p=path))
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise OpsError(_("%(p)s không phải tệp cơ sở dữ liệu SQLite.", p=path))
    conn = _connect_ro(path)
    try:
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise OpsError(_("Tệp %(p)s bị hỏng: %(e)s", p=path, e=check))
        tables = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables:
            raise OpsError(_("%(p)s không có bảng alembic_version: không phải bản sao lưu "
                             "Tập Huấn (hãy tạo bằng flask lms backup).", p=path))
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise OpsError(_("Không đọc được %(p)s: %(e)s", p=path, e=exc)) from exc
    finally:
        conn.close()
    revision = row[0] if row else None
    if revision is None:
        raise OpsError(_("%(p)s chưa có phiên bản lược đồ (alembic_version rỗng).", p=path))
    if known_revisions is not None and revision not in known_revisions:
        raise OpsError(_("%(p)s ở phiên bản lược đồ %(r)s mà mã nguồn này không biết; hãy "
                         "dùng đúng phiên bản phần mềm đã tạo bản sao lưu.", p=path, r=revision))
    missing = sorted(expected(revision) - tables) if expected is not None else []
    if missing:
        raise OpsError(_("%(p)s thiếu %(n)s bảng mà lược đồ %(r)s phải có: %(t)s. Tệp này không "
                         "phải bản sao lưu đầy đủ; không khôi phục.", p=path, n=len(missing),
                         r=revision, t=", ".join(missing)))
    return revision, len(tables)


def expected_tables(alembic_config, revision: str) -> set[str]:
    """The tables a database at `revision` has: the migrations up to it, run on a scratch
    in-memory SQLite database (a second or so).

    :param alembic_config: the project's Alembic config (Flask-Migrate's `get_config`)
    """
    engine = create_engine("sqlite://")
    try:
        with engine.begin() as connection:
            alembic_config.attributes["connection"] = connection
            command.upgrade(alembic_config, revision)
            return set(inspect(connection).get_table_names())
    finally:
        alembic_config.attributes.pop("connection", None)
        engine.dispose()


def table_counts(path: Path) -> dict[str, int]:
    """Rows per table of the SQLite database at `path` (read only), by table name."""
    conn = _connect_ro(Path(path))
    try:
        names = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]
        return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
                for name in names}
    finally:
        conn.close()


def backup_sqlite(url: str, dest: Path, *, overwrite: bool = False) -> BackupInfo:
    """Copy the live SQLite database at `url` into `dest` with the online backup API.

    The copy is written next to `dest` and renamed into place only once it is complete and
    checked, so a failed backup never leaves a half-written file under the final name.

    :param url: the SQLAlchemy URL of the database
    :param dest: the backup file to write
    :param overwrite: replace `dest` if it exists
    :raises OpsError: PostgreSQL, missing source, existing destination, failed check
    """
    source = sqlite_path(url)
    dest = Path(dest)
    if not source.is_file():
        raise OpsError(_("Không có tệp cơ sở dữ liệu %(p)s.", p=source))
    if dest.exists() and not overwrite:
        raise OpsError(_("Tệp %(p)s đã có; chọn tên khác hoặc thêm --force.", p=dest))
    if dest.resolve() == source.resolve():
        raise OpsError(_("Tệp sao lưu không được trùng với cơ sở dữ liệu đang dùng."))
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    _copy(source, partial)
    try:
        revision, tables = inspect_backup(partial)
    except OpsError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(dest)
    return BackupInfo(dest, dest.stat().st_size, revision, tables)


def _copy(source: Path, target: Path) -> None:
    """One consistent snapshot of `source` into `target` (busy-waits on a writer's lock)."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        # pages=-1 copies everything in one step under one read transaction: a snapshot.
        src.backup(dst)
        # A backup file is self-contained: no -wal/-shm companions to lose when copying it.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


def restore_sqlite(url: str, backup: Path, known_revisions: set[str],
                   expected: Callable[[str], set[str]] | None = None) -> BackupInfo:
    """Replace the SQLite database at `url` by `backup`, after a safety copy of the current one.

    The content is written through SQLite's backup API into the existing file, so its WAL and
    shared-memory files stay consistent. Stop the app servers first.

    :param url: the SQLAlchemy URL of the database to replace
    :param backup: a file made by `backup_sqlite`
    :param known_revisions: the Alembic revisions of this code
    :param expected: see `inspect_backup`
    :raises OpsError: PostgreSQL, bad backup file, unknown schema revision, missing table
    """
    target = sqlite_path(url)
    backup = Path(backup)
    revision, tables = inspect_backup(backup, known_revisions, expected)
    if target.exists() and backup.resolve() == target.resolve():
        raise OpsError(_("Tệp sao lưu chính là cơ sở dữ liệu đang dùng."))
    safety = None
    if target.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        safety = target.with_name(f"{target.name}.before-restore-{stamp}")
        _copy(target, safety)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = _connect_ro(backup)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return BackupInfo(target, target.stat().st_size, revision, tables, safety)


def known_revisions(migrations_dir: str) -> set[str]:
    """Every Alembic revision in the migrations folder."""
    return {script.revision for script in ScriptDirectory(migrations_dir).walk_revisions()}


def head_revisions(migrations_dir: str) -> set[str]:
    """The head revision(s) of the migrations folder."""
    return set(ScriptDirectory(migrations_dir).get_heads())
