"""`flask lms backup` / `flask lms restore`: a consistent online copy, a checked restore."""

import sqlite3
import threading

import pytest

from lms.extensions import db
from lms.ops import services


def _dump(path, tables=("units", "persons", "alembic_version")) -> dict:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()  # noqa: S608
                for t in tables}
    finally:
        conn.close()


class Writer(threading.Thread):
    """A second connection that keeps committing batches of 10 rows until stopped."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.stop, self.batches, self.error = path, threading.Event(), 0, None
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE IF NOT EXISTS scratch (n INTEGER)")
        conn.commit()
        conn.close()

    def run(self):
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            while not self.stop.is_set():
                with conn:
                    conn.executemany("INSERT INTO scratch VALUES (?)",
                                     [(self.batches * 10 + i,) for i in range(10)])
                self.batches += 1
        except sqlite3.Error as exc:  # pragma: no cover — reported by the test
            self.error = exc
        finally:
            conn.close()


def test_backup_while_writing_then_restore_is_identical(sqlite_app, fill, tmp_path):
    """A backup taken while another connection commits is a consistent snapshot, and restoring
    it into a fresh path gives identical data."""
    live = sqlite_app("live.db")
    fill(live)
    live_path = tmp_path / "live.db"
    writer = Writer(live_path)
    writer.start()
    try:
        while writer.batches < 5:  # the writer is really running before the backup starts
            threading.Event().wait(0.01)
        result = live.test_cli_runner().invoke(args=["lms", "backup", "-o",
                                                     str(tmp_path / "b.db")])
        batches_after_backup = writer.batches
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None
    assert result.exit_code == 0, result.output
    assert "backup written" in result.output
    backup = sqlite3.connect(tmp_path / "b.db")
    copied = backup.execute("SELECT COUNT(*) FROM scratch").fetchone()[0]
    assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    backup.close()
    assert copied % 10 == 0  # only whole committed batches: a transactionally consistent copy
    assert 50 <= copied <= batches_after_backup * 10

    fresh = sqlite_app("restored/fresh.db", schema=False)
    result = fresh.test_cli_runner().invoke(args=["lms", "restore", str(tmp_path / "b.db"),
                                                  "--yes"])
    assert result.exit_code == 0, result.output
    restored = _dump(tmp_path / "restored" / "fresh.db", ("units", "persons", "alembic_version",
                                                          "scratch"))
    assert restored == _dump(tmp_path / "b.db", ("units", "persons", "alembic_version",
                                                 "scratch"))
    assert len(restored["persons"]) == 40
    assert restored["units"] == _dump(live_path)["units"]
    assert restored["persons"] == _dump(live_path)["persons"]


def test_restore_keeps_a_safety_copy_and_the_app_reads_the_restored_data(sqlite_app, fill,
                                                                          tmp_path):
    """Restoring over an existing database first copies it aside and says so; afterwards the
    app reads the backup's rows."""
    live = sqlite_app("live.db")
    fill(live, people=12)
    runner = live.test_cli_runner()
    assert runner.invoke(args=["lms", "backup", "-o", str(tmp_path / "b.db")]).exit_code == 0
    fill(live, people=30)  # 18 more people after the backup
    result = runner.invoke(args=["lms", "restore", str(tmp_path / "b.db")], input="y\n")
    assert result.exit_code == 0, result.output
    assert "safety copy" in result.output
    safety = list(tmp_path.glob("live.db.before-restore-*"))
    assert len(safety) == 1
    assert len(_dump(safety[0])["persons"]) == 30
    from lms.units.models import Person

    with live.app_context():
        assert db.session.query(Person).count() == 12


def test_restore_asks_before_replacing(sqlite_app, fill, tmp_path):
    """Without --yes, the rows per table are shown, and answering no leaves the database
    untouched."""
    live = sqlite_app("live.db")
    fill(live, people=3)
    runner = live.test_cli_runner()
    runner.invoke(args=["lms", "backup", "-o", str(tmp_path / "b.db")])
    fill(live, people=7)
    result = runner.invoke(args=["lms", "restore", str(tmp_path / "b.db")], input="n\n")
    assert result.exit_code != 0
    assert len(_dump(tmp_path / "live.db")["persons"]) == 7
    # the rows of each table, the backup's beside the current database's, come before the question
    persons = next(line for line in result.output.splitlines() if line.startswith("persons "))
    assert persons.split()[1:] == ["3", "7"]
    assert result.output.index("persons ") < result.output.index("Replace ")
    assert not list(tmp_path.glob("live.db.before-restore-*"))


def test_backup_refuses_to_overwrite_without_force(sqlite_app, tmp_path):
    """An existing output file is kept unless --force is given."""
    live = sqlite_app("live.db")
    out = tmp_path / "b.db"
    out.write_bytes(b"keep me")
    runner = live.test_cli_runner()
    result = runner.invoke(args=["lms", "backup", "-o", str(out)])
    assert result.exit_code == 1
    assert "--force" in result.output
    assert out.read_bytes() == b"keep me"
    result = runner.invoke(args=["lms", "backup", "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(services.SQLITE_MAGIC)
    assert not (tmp_path / "b.db.partial").exists()


def test_backup_refuses_postgresql_with_a_pointer_to_pg_dump(sqlite_app, tmp_path):
    """On PostgreSQL both commands exit 1 and point to pg_dump; no file is written."""
    app = sqlite_app(schema=False, url="postgresql://tap@127.0.0.1:1/none")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "backup", "-o", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "PostgreSQL" in result.output and "pg_dump" in result.output
    assert not (tmp_path / "x.db").exists()
    (tmp_path / "y.db").write_bytes(b"")
    result = runner.invoke(args=["lms", "restore", str(tmp_path / "y.db"), "--yes"])
    assert result.exit_code == 1
    assert "pg_restore" in result.output


def test_restore_refuses_a_file_that_is_not_sqlite(sqlite_app, fill, tmp_path):
    """A CSV (or any non-SQLite file) is refused with a clear message; nothing is replaced."""
    live = sqlite_app("live.db")
    fill(live, people=2)
    bogus = tmp_path / "roster.csv"
    bogus.write_text("ma_nhan_su,ho_ten\nA1,Lê Văn A\n", encoding="utf-8")
    result = live.test_cli_runner().invoke(args=["lms", "restore", str(bogus), "--yes"])
    assert result.exit_code == 1
    assert "không phải tệp cơ sở dữ liệu SQLite" in result.output
    assert len(_dump(tmp_path / "live.db")["persons"]) == 2


@pytest.mark.parametrize("revision, message", [
    (None, "alembic_version"),
    ("9999_unknown", "9999_unknown"),
])
def test_restore_refuses_a_database_of_unknown_schema(sqlite_app, tmp_path, revision, message):
    """A SQLite file without alembic_version, or at a revision this code does not know, is
    refused."""
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x TEXT)")
    if revision:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    conn.commit()
    conn.close()
    live = sqlite_app("live.db")
    result = live.test_cli_runner().invoke(args=["lms", "restore", str(other), "--yes"])
    assert result.exit_code == 1
    assert message in result.output


def test_restore_of_a_missing_file_fails_clearly(sqlite_app, tmp_path):
    """A path that does not exist is named in the error."""
    live = sqlite_app("live.db")
    result = live.test_cli_runner().invoke(args=["lms", "restore", str(tmp_path / "nope.db"),
                                                 "--yes"])
    assert result.exit_code == 1
    assert "nope.db" in result.output


def test_sqlite_path_rejects_memory_and_other_backends():
    """In-memory SQLite and other engines cannot be backed up by file."""
    with pytest.raises(services.OpsError):
        services.sqlite_path("sqlite://")
    with pytest.raises(services.OpsError, match="mysql"):
        services.sqlite_path("mysql://u@h/db")
    assert services.sqlite_path("sqlite:////var/lib/lms.db").as_posix() == "/var/lib/lms.db"


def test_restore_refuses_a_database_with_a_table_missing(sqlite_app, fill, tmp_path):
    """A backup at a known revision that lacks one of that revision's tables is refused,
    naming the table; the live database is untouched."""
    live = sqlite_app("live.db")
    fill(live, people=4)
    runner = live.test_cli_runner()
    runner.invoke(args=["lms", "backup", "-o", str(tmp_path / "b.db")])
    conn = sqlite3.connect(tmp_path / "b.db")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("DROP TABLE completions")
    conn.commit()
    conn.close()
    fill(live, people=9)
    result = runner.invoke(args=["lms", "restore", str(tmp_path / "b.db"), "--yes"])
    assert result.exit_code == 1
    assert "thiếu 1 bảng" in result.output and "completions" in result.output
    assert len(_dump(tmp_path / "live.db")["persons"]) == 9
    assert not list(tmp_path.glob("live.db.before-restore-*"))


def test_expected_tables_follow_the_revision(sqlite_app):
    """The scratch migration gives every model's table at the head, fewer at an older
    revision."""
    live = sqlite_app("live.db")
    with live.app_context():
        directory = live.extensions["migrate"].directory
        config = live.extensions["migrate"].migrate.get_config(directory)
        (head,) = services.head_revisions(directory)
        at_head = services.expected_tables(config, head)
        assert set(db.metadata.tables) <= at_head and "alembic_version" in at_head
        first = services.expected_tables(config, "0001_foundation")
        assert first < at_head and "persons" in first

