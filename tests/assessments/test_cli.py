"""`flask lms quiz …` commands."""

from sqlalchemy import func, select

from lms.assessments.models import PaperScore


def test_paper_scores_command(db, runner, tmp_path, make_course, make_person, make_cohort):
    """A good file is imported; a bad one exits 1 with row/column errors and writes nothing."""
    course = make_course()
    cohort = make_cohort(course, members=[make_person(staff_id="QN1")])
    bad = tmp_path / "bad.csv"
    bad.write_text("ma_nhan_su,diem_sau\nQN1,101\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "quiz", "paper-scores", str(cohort.id), str(bad)])
    assert result.exit_code == 1
    assert "row 2, column diem_sau" in result.output
    assert db.session.scalar(select(func.count()).select_from(PaperScore)) == 0
    good = tmp_path / "good.csv"
    good.write_text("ma_nhan_su,diem_sau\nQN1,88\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "quiz", "paper-scores", str(cohort.id), str(good)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(PaperScore.post_score)) == 88


def test_paper_test_command(db, runner, tmp_path, make_course, make_question):
    """The PDF is written; an unknown course exits non-zero with a clear message."""
    course = make_course()
    make_question(course)
    out = tmp_path / "de.pdf"
    result = runner.invoke(args=["lms", "quiz", "paper-test", course.slug, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    result = runner.invoke(args=["lms", "quiz", "paper-test", "khong-co", "-o", str(out)])
    assert result.exit_code != 0 and "no course" in result.output
