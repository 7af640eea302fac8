"""A trainee's whole journey in Chromium on a phone: log in, catalogue, enrol, lessons, pre-test,
final test, feedback, dashboard.

Its own app on a temporary SQLite file, a live server in a thread and a small fixture course keep
it fast and deterministic; the browser, journal and screenshots come from the shared harness
(tests/browser/conftest.py), which skips when Chromium is missing.
"""

import re
import threading
from pathlib import Path

import pytest

expect = pytest.importorskip("playwright.sync_api").expect

USERNAME, PASSWORD = "hocvien", "mat-khau-hoc-vien"
SLUG = "khoa-thu-nghiem"

pytestmark = pytest.mark.browser

COURSE_YML = f"""\
title: "Khóa thử nghiệm hành trình học viên"
summary: "Một khóa nhỏ để kiểm thử trên trình duyệt."
audience: [can_bo_xa]
hours: 1
counts_toward_target: true
pass_mark: 70
version: "1"
quiz:
  blueprint: {{gioi-thieu: 1, dau-hieu: 1, bao-tin: 1}}
  pretest: {{review: never}}
  final: {{max_attempts: 2, time_limit_minutes: 15, review: after_pass}}
sources:
  - "Tài liệu kiểm thử ({SLUG})"
"""

LESSONS = {
    "01-gioi-thieu.md": ("Giới thiệu", "Mua bán người có ba yếu tố: hành vi, thủ đoạn, mục đích."),
    "02-dau-hieu.md": ("Dấu hiệu", "- Bị giữ giấy tờ\n- Bị hạn chế đi lại\n"),
    "03-bao-tin.md": ("Báo tin", "Gọi **111** để báo tin, miễn phí."),
}


def _questions_yml() -> str:
    out = []
    for i in range(1, 7):
        lesson = ["gioi-thieu", "dau-hieu", "bao-tin"][(i - 1) % 3]
        out.append(f"""\
- id: q{i:02d}
  lesson: {lesson}
  type: single
  text: "Câu hỏi số {i}?"
  options:
    a: "Phương án A{i}"
    b: "Phương án B{i}"
    c: "Phương án C{i}"
  answer: {"abc"[i % 3]}
  explanation: "Giải thích câu {i}."
""")
    return "".join(out)


def _write_content(root: Path) -> None:
    course = root / SLUG
    (course / "lessons").mkdir(parents=True)
    (course / "course.yml").write_text(COURSE_YML, encoding="utf-8")
    (course / "questions.yml").write_text(_questions_yml(), encoding="utf-8")
    for name, (title, body) in LESSONS.items():
        (course / "lessons" / name).write_text(
            f'---\ntitle: "{title}"\nminutes: 5\n---\n{body}\n', encoding="utf-8")


@pytest.fixture
def journey_app(tmp_path):
    """An app on a temporary SQLite file: Quảng Ninh's units, the fixture course, one trainee
    linked to a roster person (not enrolled)."""
    from vietnam_provinces import Province, Ward

    from lms import create_app
    from lms.accounts.services import create_user
    from lms.core.text import fold
    from lms.courses.loader import load_content
    from lms.extensions import db
    from lms.units.models import Person
    from lms.units.services import ROOT_CODE, UnitSpec, lookup_unit, pad_code, upsert_units

    content = tmp_path / "content"
    _write_content(content)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'journey.db'}",
        "SECRET_KEY": "journey-secret",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "CONTENT_DIR": str(content),
        "BASE_URL": "http://127.0.0.1",
    })
    with app.app_context():
        db.create_all()
        province = next(p for p in Province.iter_all() if int(p.code) == 22)
        specs = [UnitSpec(ROOT_CODE, "Việt Nam", "country", None, None),
                 UnitSpec(pad_code(22, "province"), province.name, "province",
                          str(province.division_type.value), ROOT_CODE)]
        specs += [UnitSpec(pad_code(int(w.code), "commune"), w.name, "commune",
                           str(w.division_type.value), pad_code(22, "province"))
                  for w in Ward.iter_all() if int(w.province_code) == 22]
        upsert_units("current", specs)
        load_content(content)
        commune = lookup_unit("06652", "commune")
        name = "Nguyễn Thị Hường"
        person = Person(staff_id="QN90001", full_name=name, name_search=fold(name),
                        position="can_bo_xa", commune=commune)
        db.session.add(person)
        db.session.flush()
        create_user(USERNAME, "trainee", PASSWORD, unit=commune, person=person)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_url(journey_app):
    """The app served on a free port of 127.0.0.1 by a thread; stopped afterwards."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, journey_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def phone(open_page):
    """A Chromium page on a phone (the shared harness: journal, screenshot on failure)."""
    return open_page()


def _answer_positions(app, attempt_id: int) -> dict[int, int]:
    """From the database: the position shown for each question's right option."""
    from lms.assessments.models import Attempt, Question
    from lms.extensions import db

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        out = {}
        for entry in attempt.layout:
            right = db.session.get(Question, entry["q"]).answer
            right = right if isinstance(right, list) else [right]
            out[entry["q"]] = entry["o"].index(str(right[0]))
        db.session.remove()
    return out


def _attempt_id(page) -> int:
    match = re.search(r"/quizzes/attempts/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


def _saved_choices(app, attempt_id: int) -> int:
    """How many questions of the attempt have a saved answer, from the database."""
    from lms.assessments.models import AttemptAnswer
    from lms.extensions import db

    with app.app_context():
        count = db.session.query(AttemptAnswer).filter(
            AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.chosen.is_not(None)).count()
        db.session.remove()
    return count


def test_trainee_journey_on_a_phone(journey_app, live_url, phone, journal):
    """A trainee on a phone enrols; the first step offered is the pre-test (not scored); they
    answer part of it, the confirm dialog names the unanswered questions, the result shows the
    score only; they read every lesson, then take the timed final (countdown running, the
    live counter, an answer chosen offline saved when the connection returns), confirm in the
    dialog, pass and see the feedback; the dashboard shows the course completed."""
    page = phone
    page.goto(f"{live_url}/accounts/login")
    page.fill("input[name=username]", USERNAME)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/courses/me$"))

    page.get_by_role("link", name="Xem danh mục khóa học").click()
    page.get_by_role("link", name="Khóa thử nghiệm hành trình học viên").first.click()
    page.get_by_role("button", name="Ghi danh").click()
    assert "Đã ghi danh" in page.inner_text("main")

    # The pre-test is the first call to action, and says it is not scored.
    first = page.locator("main .btn.primary").first
    assert first.inner_text().strip() == "Làm bài kiểm tra đầu vào"
    assert "không tính điểm đạt" in page.inner_text("main")
    first.click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+$"))
    pre_id = _attempt_id(page)
    fieldsets = page.locator("fieldset.quiz-q").all()
    assert len(fieldsets) == 3
    fieldsets[0].locator("label.quiz-option").first.tap()
    assert page.locator("[data-answered]").inner_text() == "1"
    expect(page.locator(".quiz-saved").first).to_have_text("Đã lưu")
    page.get_by_role("button", name="Nộp bài").click()
    dialog = page.locator("dialog#quiz-confirm")
    assert dialog.is_visible()
    assert dialog.locator("[data-unanswered] li").all_inner_texts() == ["Câu 2", "Câu 3"]
    dialog.get_by_role("button", name="Quay lại làm tiếp").click()
    assert not dialog.is_visible()
    assert _saved_choices(journey_app, pre_id) == 1
    page.get_by_role("button", name="Nộp bài").click()
    dialog.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url(re.compile(r"/result$"))
    main = page.inner_text("main")
    assert "Đã nộp bài." in main and "Không tính điểm đạt" in main and "Chưa đạt" not in main
    assert page.locator(".quiz-feedback").count() == 0
    assert "Giải thích" not in page.content()

    # Then the lessons.
    page.goto(f"{live_url}/courses/{SLUG}")
    assert page.locator("main .btn.primary").first.inner_text().strip() == "Bắt đầu học"
    page.get_by_role("link", name="Bắt đầu học").click()
    for _title in ("Giới thiệu", "Dấu hiệu", "Báo tin"):
        assert page.locator("article.lesson h1").first.inner_text().strip() == _title
        page.get_by_role("button", name="Đánh dấu đã học xong").click()
    assert "3/3" in page.inner_text("main")

    # Then the final, timed.
    page.goto(f"{live_url}/courses/{SLUG}")
    page.get_by_role("button", name="Làm bài kiểm tra cuối khóa").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+$"))
    final_id = _attempt_id(page)
    timer = page.locator(".quiz-timer")
    assert timer.is_visible()
    before = timer.locator("[data-clock]").inner_text()
    assert re.fullmatch(r"1[45]:\d\d", before), before
    expect(timer.locator("[data-clock]")).not_to_have_text(before)  # it counts down
    positions = _answer_positions(journey_app, final_id)
    assert len(positions) == 3
    assert not set(positions) & {entry for entry in _layout(journey_app, pre_id)}
    items = list(positions.items())
    page.context.set_offline(True)
    qid, position = items[0]
    page.locator(f"input[name=q{qid}][value='{position}']").tap()
    status = page.locator(f"fieldset[data-question='{qid}'] .quiz-saved")
    expect(status).to_have_text(re.compile("^Mất kết nối"))
    assert _saved_choices(journey_app, final_id) == 0
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text("Đã lưu")
    assert _saved_choices(journey_app, final_id) == 1
    for qid, position in items[1:]:
        page.locator(f"input[name=q{qid}][value='{position}']").tap()
    assert page.locator("[data-answered]").inner_text() == "3"
    page.get_by_role("button", name="Nộp bài").click()
    assert dialog.locator("[data-none]").is_visible()
    dialog.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url(re.compile(r"/result$"))
    score = page.locator(".quiz-score").inner_text()
    assert "100,0%" in score and "Đạt" in score
    assert page.locator(".quiz-feedback h2 .badge.ok").count() == 3

    page.get_by_role("link", name="Khóa học của tôi").click()
    card = page.locator("li.card", has_text="Khóa thử nghiệm hành trình học viên")
    assert "Đã hoàn thành" in card.inner_text()
    journal.assert_clean(allow=(r"ERR_INTERNET_DISCONNECTED", r"Failed to fetch"))


def _layout(app, attempt_id: int) -> list[int]:
    """The question ids of an attempt."""
    from lms.assessments.models import Attempt
    from lms.extensions import db

    with app.app_context():
        ids = [entry["q"] for entry in db.session.get(Attempt, attempt_id).layout]
        db.session.remove()
    return ids
