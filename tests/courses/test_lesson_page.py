"""The lesson page's read path: few queries, cached outline and body, fresh after a reload."""

from sqlalchemy import select

from lms.courses.loader import load_content
from lms.courses.models import Enrolment, Lesson
from tests.conftest import post_form, server_statements
from tests.courses.conftest import write_course

LESSON_PAGE = "/courses/khoa-thu/lessons/hai"

# What the database runs for a lesson read again: the user loader's SELECT, then one SELECT of
# the course's version, the enrolment and the done lessons (PostgreSQL adds BEGIN and ROLLBACK).
TWO_READS = ["SELECT", "SELECT"]


def _reads(statements: list[str]) -> list[str]:
    return [kind for kind in statements if kind not in ("BEGIN", "ROLLBACK")]


def _enrolled(client, load_course, login_as, trainee):
    load_course(quiz=False)
    login_as(user=trainee)
    post_form(client, "/courses/khoa-thu/enrol", page="/courses/khoa-thu")


def test_lesson_page_query_count(client, db, load_course, login_as, trainee):
    """Reading a lesson again as an enrolled trainee runs two SELECTs and writes nothing."""
    _enrolled(client, load_course, login_as, trainee)
    assert client.get(LESSON_PAGE).status_code == 200  # records the visit, fills the cache
    db.session.close()  # the test's session holds no connection: every one used is traced
    with server_statements(db.engine) as statements:
        page = client.get(LESSON_PAGE).get_data(as_text=True)
    assert "Bài hai" in page and "<progress" in page
    assert _reads(statements) == TWO_READS


def test_staff_lesson_page_query_count(client, db, load_course, login_as):
    """A trainer reads a lesson without enrolment with two SELECTs."""
    load_course(quiz=False)
    login_as("trainer")
    assert client.get(LESSON_PAGE).status_code == 200
    db.session.close()
    with server_statements(db.engine) as statements:
        page = client.get(LESSON_PAGE).get_data(as_text=True)
    assert "Bài hai" in page and "<progress" not in page
    assert _reads(statements) == TWO_READS


def test_a_first_visit_is_recorded_in_a_transaction(client, db, load_course, login_as,
                                                     trainee):
    """Opening another lesson remembers it: the lesson read, then one transaction that updates
    the enrolment (a write never runs outside a transaction)."""
    _enrolled(client, load_course, login_as, trainee)
    assert client.get(LESSON_PAGE).status_code == 200
    person_id = trainee.person_id
    db.session.close()
    with server_statements(db.engine) as statements:
        assert client.get("/courses/khoa-thu/lessons/ba").status_code == 200
    assert _reads(statements)[:2] == TWO_READS and "UPDATE" in statements, statements
    write = statements.index("UPDATE")
    assert "BEGIN" in statements[:write] and "COMMIT" in statements[write:], statements
    last = db.session.scalar(select(Enrolment.last_lesson_id).where(
        Enrolment.person_id == person_id))
    assert last == db.session.scalar(select(Lesson.id).where(Lesson.slug == "ba"))


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
    assert 'rel="next"' not in page and "Bài 2/2" in page  # pager and crumbs too
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


# --- the signed-in user on a lesson page -------------------------------------------------------

def test_deactivated_learner_is_signed_out_on_a_lesson_page(client, db, load_course, login_as,
                                                            trainee):
    """A lesson page refuses an account deactivated meanwhile."""
    _enrolled(client, load_course, login_as, trainee)
    assert client.get(LESSON_PAGE).status_code == 200
    trainee.active = False
    db.session.commit()
    response = client.get(LESSON_PAGE)
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_unknown_course_for_a_learner_is_404(client, load_course, login_as, trainee):
    """A signed-in learner asking for a course that does not exist gets 404, not an error."""
    _enrolled(client, load_course, login_as, trainee)
    assert client.get("/courses/khong-co/lessons/hai").status_code == 404
    assert client.get("/courses/khoa-thu/lessons/khong-co").status_code == 404


def test_injection_like_slugs_are_only_parameters(client, db, load_course,
                                                                   login_as, trainee):
    """Quotes and SQL in the course slug of a lesson URL are a course that does not exist."""
    _enrolled(client, load_course, login_as, trainee)
    for slug in ("x' OR '1'='1", "khoa-thu'; DELETE FROM enrolments; --", "%", "khoa_thu"):
        assert client.get(f"/courses/{slug}/lessons/hai").status_code == 404, slug
    assert client.get(LESSON_PAGE).status_code == 200  # the enrolment is still there
    assert db.session.scalar(select(Enrolment.id).where(
        Enrolment.person_id == trainee.person_id)) is not None
