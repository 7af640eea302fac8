"""`flask lms content check|load` exit codes and output; `lms init` loading the content."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.courses.models import Course
from tests.courses.conftest import write_course

REPO_CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_check_passes_and_writes_nothing(runner, db, content_dir):
    """`content check` on good content exits 0 and loads nothing."""
    write_course(content_dir)
    result = runner.invoke(args=["lms", "content", "check", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert "1 course(s), 3 lessons, 4 questions" in result.output
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_check_fails_with_file_and_line(runner, content_dir):
    """`content check` on broken content exits 1 and prints file:line: reason."""
    folder = write_course(content_dir)
    text = (folder / "course.yml").read_text().replace("pass_mark: 70", "pass_mark: -1")
    (folder / "course.yml").write_text(text)
    result = runner.invoke(args=["lms", "content", "check", str(content_dir)])
    assert result.exit_code == 1
    assert f"{folder / 'course.yml'}:6: 'pass_mark'" in result.output
    assert "nothing was loaded" in result.output


def test_load_then_load_again(runner, db, content_dir):
    """`content load` loads once; the second run reports the course unchanged."""
    write_course(content_dir)
    first = runner.invoke(args=["lms", "content", "load", str(content_dir)])
    second = runner.invoke(args=["lms", "content", "load", str(content_dir)])
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert "1 new" in first.output and "1 unchanged" in second.output
    assert db.session.scalar(select(func.count(Course.id))) == 1


def test_load_with_error_exits_non_zero(runner, db, content_dir):
    """`content load` with any error exits 1 and writes no course."""
    write_course(content_dir, "a-tot")
    bad = write_course(content_dir, "b-hong")
    (bad / "lessons" / "02-hai.md").write_text("không có front matter\n")
    result = runner.invoke(args=["lms", "content", "load", str(content_dir)])
    assert result.exit_code == 1 and "02-hai.md:1: missing front matter" in result.output
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_missing_directory_fails(runner, tmp_path):
    """A content folder that does not exist is an error."""
    result = runner.invoke(args=["lms", "content", "check", str(tmp_path / "none")])
    assert result.exit_code == 1 and "content folder not found" in result.output


def test_default_directory_is_config(runner, app, content_dir):
    """Without an argument the commands read CONTENT_DIR."""
    write_course(content_dir)
    saved, app.config["CONTENT_DIR"] = app.config["CONTENT_DIR"], str(content_dir)
    try:
        result = runner.invoke(args=["lms", "content", "check"])
    finally:
        app.config["CONTENT_DIR"] = saved
    assert result.exit_code == 0 and str(content_dir) in result.output


def test_init_loads_content_or_says_it_is_missing(app, db, content_dir, tmp_path, capsys):
    """`lms init` loads CONTENT_DIR after the units, or says the folder is missing."""
    from lms.cli import load_content_dir

    write_course(content_dir)
    saved = app.config["CONTENT_DIR"]
    try:
        app.config["CONTENT_DIR"] = str(content_dir)
        load_content_dir()
        app.config["CONTENT_DIR"] = str(tmp_path / "missing")
        load_content_dir()
    finally:
        app.config["CONTENT_DIR"] = saved
    out = capsys.readouterr().out
    assert "content: courses: 1 new" in out and "not found, no course loaded" in out
    assert db.session.scalar(select(func.count(Course.id))) == 1


def test_repository_content_passes_check(runner):
    """The shipped content/ passes `lms content check --quality` with no warning and no finding."""
    if not REPO_CONTENT.is_dir() or not any(p.is_file() for p in REPO_CONTENT.glob("*/course.yml")):
        pytest.skip("content/ holds no course yet (no content/*/course.yml)")
    result = runner.invoke(args=["lms", "content", "check", "--quality", str(REPO_CONTENT)])
    assert result.exit_code == 0, result.output
    assert "0 warning(s) — OK" in result.output and "quality: 0 finding(s)" in result.output
    assert "glossary terms" in result.output and " 0 glossary terms" not in result.output
