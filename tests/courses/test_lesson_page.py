"""The lesson page's read path: few queries, cached outline and body, fresh after a reload."""

from contextlib import contextmanager

from sqlalchemy import event

from lms.courses.loader import load_content
from tests.conftest import post_form
from tests.courses.conftest import write_course

LESSON_PAGE = "/courses/khoa-thu/lessons/hai"

# User loader + one query for the course's version, the enrolment and the done lessons.
MAX_QUERIES = 2


@contextmanager
def counted(db):
    """Count the SQL statements run inside the block."""
    statements = []

    def count(conn, cursor, statement, *args):  # noqa: ARG001
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _enrolled(client, load_course, login_as, trainee):
    load_course(quiz=False)
    login_as(user=trainee)
    post_form(client, "/courses/khoa-thu/enrol", page="/courses/khoa-thu")


def test_lesson_page_query_count(client, db, load_course, login_as, trainee):
    """Reading a lesson again as an enrolled trainee runs at most two SQL queries."""
    _enrolled(client, load_course, login_as, trainee)
    assert client.get(LESSON_PAGE).status_code == 200  # records the visit, fills the cache
    with counted(db) as statements:
        page = client.get(LESSON_PAGE).get_data(as_text=True)
    assert "Bài hai" in page and "<progress" in page
    assert len(statements) <= MAX_QUERIES, statements


def test_staff_lesson_page_query_count(client, db, load_course, login_as):
    """A trainer reads a lesson without enrolment in at most two SQL queries."""
    load_course(quiz=False)
    login_as("trainer")
    assert client.get(LESSON_PAGE).status_code == 200
    with counted(db) as statements:
        page = client.get(LESSON_PAGE).get_data(as_text=True)
    assert "Bài hai" in page and "<progress" not in page
    assert len(statements) <= MAX_QUERIES, statements


def test_progress_is_never_cached(client, load_course, login_as, trainee):
    """After marking a lesson complete, the page shows it done and the progress moves."""
    _enrolled(client, load_course, login_as, trainee)
    before = client.get(LESSON_PAGE).get_data(as_text=True)
    assert "Tiến độ: 0/3 bài" in before and "Đánh dấu đã học xong" in before
    post_form(client, LESSON_PAGE + "/complete", page=LESSON_PAGE)
    after = client.get(LESSON_PAGE).get_data(as_text=True)
    assert "Tiến độ: 1/3 bài" in after and "Đánh dấu đã học xong" not in after
    assert "Đã học" in after


def test_reloaded_content_replaces_cached_lesson(client, db, content_dir, load_course,
                                                 login_as):
    """A content load with a changed lesson shows the new text; a removed lesson is 404."""
    load_course(quiz=False)
    login_as("trainer")
    assert "Bài hai" in client.get(LESSON_PAGE).get_data(as_text=True)
    folder = content_dir / "khoa-thu"
    (folder / "lessons" / "02-hai.md").write_text(
        "---\ntitle: Bài hai mới\nminutes: 5\n---\n\nĐoạn văn đã sửa.\n", encoding="utf-8")
    (folder / "lessons" / "03-ba.md").unlink()
    questions = folder / "questions.yml"
    questions.write_text(questions.read_text(encoding="utf-8").replace("lesson: ba", "lesson: mot"),
                         encoding="utf-8")
    load_content(content_dir)
    db.session.commit()
    page = client.get(LESSON_PAGE).get_data(as_text=True)
    assert "Bài hai mới" in page and "Đoạn văn đã sửa." in page
    assert 'rel="next"' not in page and "Bài 2/2" in page  # pager and crumbs fragments too
    assert client.get("/courses/khoa-thu/lessons/ba").status_code == 404


def test_unknown_lesson_or_course_is_404(client, load_course, login_as):
    """An unknown lesson or course gives 404, the same as before the cache."""
    load_course(quiz=False)
    login_as("trainer")
    assert client.get("/courses/khoa-thu/lessons/khong-co").status_code == 404
    assert client.get("/courses/khong-co/lessons/mot").status_code == 404


def test_other_course_content_stays_apart(client, content_dir, db, login_as):
    """Two cached courses with lessons of the same slug each show their own title."""
    write_course(content_dir, "khoa-a", title="Khóa A")
    write_course(content_dir, "khoa-b", title="Khóa B")
    load_content(content_dir)
    db.session.commit()
    login_as("trainer")
    assert "Khóa A" in client.get("/courses/khoa-a/lessons/mot").get_data(as_text=True)
    assert "Khóa B" in client.get("/courses/khoa-b/lessons/mot").get_data(as_text=True)


def test_cached_parts_follow_the_language(client, load_course, login_as):
    """The lesson's cached parts are kept per language: English after Vietnamese is English."""
    load_course(quiz=False)
    login_as("trainer")
    vi = client.get(LESSON_PAGE).get_data(as_text=True)
    en = client.get(LESSON_PAGE + "?lang=en").get_data(as_text=True)
    assert "Bài 2/3" in vi and "Bản in của bài này" in vi
    assert "Lesson 2 of 3" in en and "Printable version of this lesson" in en
    assert "Bản in của bài này" not in en
