"""Low bandwidth: a realistic lesson page with its CSS and JS stays under 60 KB gzip."""

from bench.page_weight import BUDGET_BYTES, fixture_lesson, page_weight, write_fixture_course


def test_fixture_lesson_is_realistic():
    """The fixture lesson has about 900 words."""
    assert 850 <= len(fixture_lesson().split()) <= 1000


def test_lesson_page_within_budget(client, db, content_dir, login_as):
    """HTML + CSS + JS of a ~900-word lesson, gzip-compressed, is under the 60 KB budget."""
    from lms.courses.loader import load_content

    write_fixture_course(content_dir)
    load_content(content_dir)
    db.session.commit()
    login_as("admin")
    result = page_weight(client, "/courses/khoa-do-trong-luong/lessons/bai-dai")
    assert result["html_raw"] > 5000  # the lesson really is on the page
    assert result["assets_gzip"], "the stylesheet was not measured"
    assert result["total_gzip"] < BUDGET_BYTES, result


def test_shipped_lessons_within_budget(client, db, login_as):
    """Every lesson of the shipped content, with its CSS and JS, is under the budget."""
    from sqlalchemy import select

    from lms.courses.loader import load_content
    from lms.courses.models import Course, Lesson
    from tests.courses.test_cli import REPO_CONTENT

    load_content(REPO_CONTENT)
    db.session.commit()
    login_as("admin")
    rows = db.session.execute(select(Course.slug, Lesson.slug).join(Lesson.course)).all()
    assert len({course for course, _ in rows}) >= 9
    for course, lesson in rows:
        result = page_weight(client, f"/courses/{course}/lessons/{lesson}")
        assert result["html_raw"] > 2000, (course, lesson)
        assert result["total_gzip"] < BUDGET_BYTES, (course, lesson, result)
