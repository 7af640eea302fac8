"""The lesson page's read path: few queries, cached outline and body, fresh after a reload."""

from sqlalchemy import select

from lms.core import skeletons
from lms.courses.loader import load_content
from lms.courses.models import Enrolment, Lesson
from tests.conftest import TEST_PASSWORD, own_request, post_form, server_statements, token_in
from tests.courses.conftest import write_course

LESSON_PAGE = "/courses/khoa-thu/lessons/hai"

# What the database runs for a lesson read again: one SELECT, made by the user loader (the user,
# the course's version, the enrolment and the done lessons), with no BEGIN or COMMIT around it.
ONE_READ = ["SELECT"]


def _enrolled(client, load_course, login_as, trainee):
    load_course(quiz=False)
    login_as(user=trainee)
    post_form(client, "/courses/khoa-thu/enrol", page="/courses/khoa-thu")


def test_lesson_page_query_count(client, db, load_course, login_as, trainee):
    """Reading a lesson again as an enrolled trainee runs one SELECT on the database, and no
    transaction around it."""
    _enrolled(client, load_course, login_as, trainee)
    assert client.get(LESSON_PAGE).status_code == 200  # records the visit, fills the cache
    db.session.close()  # the test's session holds no connection: every one used is traced
    with server_statements(db.engine) as statements:
        page = client.get(LESSON_PAGE).get_data(as_text=True)
    assert "Bài hai" in page and "<progress" in page
    assert statements == ONE_READ


def test_staff_lesson_page_query_count(client, db, load_course, login_as):
    """A trainer reads a lesson without enrolment with one SELECT."""
    load_course(quiz=False)
    login_as("trainer")
    assert client.get(LESSON_PAGE).status_code == 200
    db.session.close()
    with server_statements(db.engine) as statements:
        page = client.get(LESSON_PAGE).get_data(as_text=True)
    assert "Bài hai" in page and "<progress" not in page
    assert statements == ONE_READ


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
    assert statements[0] == "SELECT" and "UPDATE" in statements, statements
    write = statements.index("UPDATE")
    assert "BEGIN" in statements[1:write] and "COMMIT" in statements[write:], statements
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


# --- page skeletons (lms/core/skeletons.py) ---------------------------------------------------

def _plain(app, client, url: str) -> str:
    """The same page rendered without skeletons."""
    app.config["PAGE_SKELETONS"] = False
    try:
        return client.get(url).get_data(as_text=True)
    finally:
        app.config["PAGE_SKELETONS"] = True


def test_skeleton_page_equals_a_plain_render(app, client, load_course, login_as, trainee):
    """In every state the page from a skeleton is byte for byte the plainly rendered page."""
    _enrolled(client, load_course, login_as, trainee)
    url = LESSON_PAGE + '?q="><script>alert(1)</script>'
    for _state in ("not done", "done"):
        client.get(url)  # fills the skeleton
        cached = client.get(url).get_data(as_text=True)
        assert cached == _plain(app, client, url)
        assert "<script>alert" not in cached and "&#34;&gt;&lt;script&gt;" in cached
        post_form(client, LESSON_PAGE + "/complete", page=LESSON_PAGE)
    assert "Tiến độ: 1/3 bài" in cached and "Đã học" in cached


def test_learners_share_a_skeleton_not_their_names_or_tokens(app, load_course, make_person,
                                                             make_user):
    """Two learners (two browsers) at the same point get one skeleton, each page with its own
    name and CSRF token, and the token on the page is the one the server accepts."""
    load_course(quiz=False)
    app.extensions.pop(skeletons.CACHE_KEY, None)
    pages = {}
    for name in ('an<b>"&', "binh"):
        person = make_person(position="can_bo_xa")
        make_user("trainee", username=name, person=person, unit=person.commune)
        browser = app.test_client()
        assert post_form(browser, "/accounts/login", {"username": name, "password": TEST_PASSWORD},
                         page="/accounts/login").status_code == 302
        post_form(browser, "/courses/khoa-thu/enrol", page="/courses/khoa-thu")
        browser.get(LESSON_PAGE)
        pages[name] = html = browser.get(LESSON_PAGE).get_data(as_text=True)
        done = browser.post(LESSON_PAGE + "/complete",
                            data={"csrf_token": token_in(html)})
        assert done.status_code == 302
        assert "Tiến độ: 1/3 bài" in browser.get(LESSON_PAGE).get_data(as_text=True)
    first, second = pages['an<b>"&'], pages["binh"]
    assert "(an&lt;b&gt;&#34;&amp;)" in first and "binh" not in first
    assert "(binh)" in second and "an&lt;b" not in second
    assert token_in(first) != token_in(second)
    states = [k[6:] for k in app.extensions[skeletons.CACHE_KEY]
              if k[0] == "courses/lesson.html"]
    assert len(states) == 2  # 0/3 not done and 1/3 done, each shared by both learners


def test_flashed_message_pages_are_rendered_normally(app, client, load_course, login_as,
                                                      trainee):
    """A pending flash is shown once on the lesson page; the skeleton never holds it."""
    _enrolled(client, load_course, login_as, trainee)
    client.get(LESSON_PAGE)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Thông báo riêng")]
    assert "Thông báo riêng" in client.get(LESSON_PAGE).get_data(as_text=True)
    assert "Thông báo riêng" not in client.get(LESSON_PAGE).get_data(as_text=True)
    assert all("Thông báo riêng" not in html for html in app.extensions[skeletons.CACHE_KEY]
               .values() if isinstance(html, str))


# --- the user loaded with the page's state (lms/core/userload.py) -----------------------------

def test_deactivated_learner_is_signed_out_on_a_lesson_page(client, db, load_course, login_as,
                                                            trainee):
    """The lesson page's own user loader still refuses an account deactivated meanwhile."""
    _enrolled(client, load_course, login_as, trainee)
    assert client.get(LESSON_PAGE).status_code == 200
    trainee.active = False
    db.session.commit()
    response = client.get(LESSON_PAGE)
    assert response.status_code == 302 and "/accounts/login" in response.headers["Location"]


def test_unknown_course_with_the_page_loader_is_404(client, load_course, login_as, trainee):
    """A signed-in learner asking for a course that does not exist gets 404, not an error."""
    _enrolled(client, load_course, login_as, trainee)
    assert client.get("/courses/khong-co/lessons/hai").status_code == 404
    assert client.get("/courses/khoa-thu/lessons/khong-co").status_code == 404


def test_state_prefetched_for_another_course_is_not_used(app, db, load_course, trainee):
    """read_state takes the loader's state only for the same course and person."""
    from flask import g

    from lms.courses import pagecache

    load_course(quiz=False)
    with own_request(app, LESSON_PAGE):
        user = pagecache.load_user_with_state(trainee.id, {"slug": "khoa-thu"})
        assert user.id == trainee.id and g.get(pagecache.PREFETCHED)[0] == "khoa-thu"
        assert pagecache.read_state("khac", trainee.person_id) is None  # queried, not taken
        assert g.get(pagecache.PREFETCHED) is None  # used once at most
    with own_request(app, LESSON_PAGE):
        pagecache.load_user_with_state(trainee.id, {"slug": "khoa-thu"})
        state = pagecache.read_state("khoa-thu", trainee.person_id)
        assert state is not None and state.enrolment is None and state.done == frozenset()
    trainee.active = False
    db.session.commit()
    with own_request(app, LESSON_PAGE):
        assert pagecache.load_user_with_state(trainee.id, {"slug": "khoa-thu"}) is None


def test_lesson_state_from_the_loader_equals_the_plain_query(app, client, db, load_course,
                                                             login_as, trainee):
    """The state read with the user is what read_state's own query gives, done lessons too."""
    from lms.courses import pagecache

    _enrolled(client, load_course, login_as, trainee)
    client.get(LESSON_PAGE)
    post_form(client, LESSON_PAGE + "/complete", page=LESSON_PAGE)
    with own_request(app, LESSON_PAGE):
        pagecache.load_user_with_state(trainee.id, {"slug": "khoa-thu"})
        prefetched = pagecache.read_state("khoa-thu", trainee.person_id)
    with own_request(app, LESSON_PAGE):
        plain = pagecache.read_state("khoa-thu", trainee.person_id)
    assert prefetched == plain and len(plain.done) == 1 and plain.enrolment is not None



def test_injection_like_slugs_reach_the_raw_read_only_as_parameters(client, db, load_course,
                                                                   login_as, trainee):
    """Quotes and SQL in the course slug of a lesson URL are a course that does not exist."""
    _enrolled(client, load_course, login_as, trainee)
    for slug in ("x' OR '1'='1", "khoa-thu'; DELETE FROM enrolments; --", "%", "khoa_thu"):
        assert client.get(f"/courses/{slug}/lessons/hai").status_code == 404, slug
    assert client.get(LESSON_PAGE).status_code == 200  # the enrolment is still there
    assert db.session.scalar(select(Enrolment.id).where(
        Enrolment.person_id == trainee.person_id)) is not None
