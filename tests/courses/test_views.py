"""Catalogue, course page, enrolment pages, lessons, handout and dashboard."""


from sqlalchemy import func, select

from lms.courses.models import Enrolment, LessonProgress
from tests.conftest import post_form
from tests.courses.conftest import write_course


def _enrol(client, slug="khoa-thu"):
    return post_form(client, f"/courses/{slug}/enrol", page=f"/courses/{slug}")


def test_catalogue_lists_my_position_first(client, load_course, login_as, trainee):
    """The catalogue shows the trainee's position's courses first and searches."""
    load_course("a-chung", title="An toàn cho mọi người", audience="[khac]")
    load_course("b-rieng", title="Bảo vệ nạn nhân", audience="[can_bo_xa]")
    login_as(user=trainee)
    html = client.get("/courses/").get_data(as_text=True)
    assert html.index("Bảo vệ nạn nhân") < html.index("An toàn cho mọi người")
    found = client.get("/courses/?q=an+toan").get_data(as_text=True)
    assert "An toàn cho mọi người" in found and "Bảo vệ nạn nhân" not in found


def test_trainee_enrols_reads_and_resumes(client, db, load_course, login_as, trainee):
    """A trainee enrols, opens lesson 2, and "continue" on the course page leads back there."""
    load_course(quiz=False)
    login_as(user=trainee)
    assert client.get("/courses/khoa-thu/lessons/hai").status_code == 302  # not enrolled
    assert client.get("/courses/khoa-thu/handout").status_code == 403
    assert _enrol(client).status_code == 302
    assert _enrol(client).status_code == 302
    assert db.session.scalar(select(func.count(Enrolment.id))) == 1
    page = client.get("/courses/khoa-thu/lessons/hai").get_data(as_text=True)
    assert "Bài hai" in page and "<progress" in page and 'rel="prev"' in page
    detail = client.get("/courses/khoa-thu").get_data(as_text=True)
    assert 'class="btn primary" href="/courses/khoa-thu/lessons/hai"' in detail


def test_mark_complete_moves_on_and_completes(client, db, load_course, login_as, trainee):
    """Marking lessons complete (POST with CSRF) advances and finally completes the course."""
    load_course(quiz=False)
    login_as(user=trainee)
    _enrol(client)
    page = "/courses/khoa-thu/lessons/mot"
    response = post_form(client, page + "/complete", page=page)
    assert response.status_code == 302 and response.location.endswith("/lessons/hai")
    for slug in ("hai", "ba"):
        url = f"/courses/khoa-thu/lessons/{slug}"
        response = post_form(client, url + "/complete", page=url)
    assert response.location.endswith("/courses/khoa-thu")
    enrolment = db.session.scalar(select(Enrolment))
    db.session.refresh(enrolment)
    assert enrolment.status == "completed"
    dashboard = client.get("/courses/me").get_data(as_text=True)
    assert "Đã hoàn thành" in dashboard and "Khóa thử nghiệm" in dashboard


def test_mark_complete_requires_csrf(client, db, load_course, login_as, trainee):
    """A POST without the CSRF token is refused and records nothing."""
    load_course()
    login_as(user=trainee)
    _enrol(client)
    assert client.post("/courses/khoa-thu/lessons/mot/complete").status_code == 400
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0


def test_trainee_cannot_complete_without_enrolment(client, db, load_course, login_as,
                                                   trainee):
    """Marking a lesson of a course one is not enrolled in does nothing."""
    load_course()
    login_as(user=trainee)
    response = post_form(client, "/courses/khoa-thu/lessons/mot/complete", page="/courses/")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(LessonProgress.id))) == 0


def test_trainee_sees_only_own_progress(client, db, load_course, login_as, make_person,
                                        make_user, trainee):
    """Another trainee's progress never shows: a second trainee sees an unstarted course."""
    course = load_course(quiz=False)
    from lms.courses import services

    with client.application.test_request_context():
        enrolment, _ = services.enrol(trainee.person, course, by=trainee)
        services.mark_lesson_complete(enrolment, course.active_lessons[0], by=trainee)
    db.session.commit()
    other = make_user("trainee", person=make_person())
    login_as(user=other)
    html = client.get("/courses/khoa-thu").get_data(as_text=True)
    assert "Tiến độ" not in html and "Ghi danh" in html and "Đã học" not in html


def test_trainee_without_person_is_told(client, load_course, login_as):
    """A trainee without a roster person sees a clear message instead of an enrol button."""
    load_course()
    login_as("trainee")
    html = client.get("/courses/khoa-thu").get_data(as_text=True)
    assert "chưa gắn với danh sách nhân sự" in html
    response = post_form(client, "/courses/khoa-thu/enrol", page="/courses/khoa-thu",
                         follow_redirects=True)
    assert "chưa gắn với một người trong danh sách nhân sự" in response.get_data(as_text=True)


def test_staff_read_lessons_without_enrolment(client, load_course, login_as):
    """Trainers read lessons and the handout without enrolling."""
    load_course()
    login_as("trainer", unit="22")
    assert client.get("/courses/khoa-thu/lessons/ba").status_code == 200
    handout = client.get("/courses/khoa-thu/handout").get_data(as_text=True)
    assert "Bài một" in handout and "Bài ba" in handout and "Luật Phòng" in handout


def test_enrol_people_page(client, db, load_course, login_as, make_person):
    """A trainer enrols one person by staff id and many by filter; viewers get 403."""
    load_course()
    make_person(staff_id="QN7")
    make_person(position="cong_an")
    make_person(position="cong_an")
    login_as("trainer", unit="22")
    url = "/courses/khoa-thu/enrol-people"
    assert client.get(url).status_code == 200
    post_form(client, url, {"one-staff_id": "QN7"}, page=url)
    preview = post_form(client, url, {"many-position": "cong_an", "many-not_trained": "y",
                                      "many-unit": "22", "many-preview": "1"}, page=url)
    assert "2 người phù hợp" in preview.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Enrolment.id))) == 1
    post_form(client, url, {"many-position": "cong_an", "many-not_trained": "y",
                            "many-unit": "22"}, page=url)
    assert db.session.scalar(select(func.count(Enrolment.id))) == 3
    login_as("viewer", unit="22")
    assert client.get(url).status_code == 403


def test_script_in_lesson_never_reaches_page(client, db, content_dir, login_as):
    """A <script>, an onerror handler and a javascript: link in a lesson are removed."""
    from lms.courses.loader import load_content

    folder = write_course(content_dir)
    (folder / "lessons" / "01-mot.md").write_text(
        '---\ntitle: "Bài một"\nminutes: 5\n---\nChữ <script>alert("x")</script>\n\n'
        '<img src="a.png" onerror="alert(1)">\n\n[bấm](javascript:alert(1)) '
        '<a href="javascript:alert(2)">b</a>\n', encoding="utf-8")
    load_content(content_dir)
    db.session.commit()
    login_as("admin")
    html = client.get("/courses/khoa-thu/lessons/mot").get_data(as_text=True)
    lesson = html[html.index("<article"):html.index("</article>")]
    assert "<script" not in lesson and "onerror" not in lesson
    assert 'href="javascript' not in lesson.lower()


def test_index_sends_trainee_to_dashboard(client, load_course, login_as, trainee):
    """The home page redirects a logged-in trainee to their courses."""
    login_as(user=trainee)
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/courses/me")


def test_dashboard_lists_completions_honestly(client, db, load_course, login_as, trainee):
    """Imported completions are marked as such under "courses completed" (not "my
    certificates"): an import carries no certificate."""
    from datetime import date

    from lms.courses.services import record_completion

    course = load_course(quiz=False)
    record_completion(trainee.person, course, date(2024, 5, 6), "import")
    db.session.commit()
    login_as(user=trainee)
    html = client.get("/courses/me").get_data(as_text=True)
    assert "Khóa học đã hoàn thành" in html and "Chứng nhận của tôi</h2>" not in html
    assert "hoàn thành ngày 06/05/2024 (nhập từ hồ sơ)" in html


def test_media_serves_images_beside_lessons(client, db, content_dir, login_as, app):
    """An image beside the lessons is served at the course's media URL."""
    from lms.courses.loader import load_content

    folder = write_course(content_dir)
    (folder / "lessons" / "so-do.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    load_content(content_dir)
    db.session.commit()
    login_as("admin")
    app.config["CONTENT_DIR"], saved = str(content_dir), app.config["CONTENT_DIR"]
    try:
        with client.get("/courses/khoa-thu/media/so-do.png") as response:
            assert response.status_code == 200 and response.mimetype == "image/png"
        assert client.get("/courses/khoa-thu/media/course.yml").status_code == 404
    finally:
        app.config["CONTENT_DIR"] = saved
