"""Fixtures of the courses room: small fixture courses written into temporary folders."""

from pathlib import Path

import pytest

COURSE_YML = """\
title: "Khóa thử nghiệm"
summary: "Tóm tắt khóa học thử nghiệm."
audience: [can_bo_xa, cong_an]
hours: 2
counts_toward_target: true
pass_mark: 70
version: "2025.1"
quiz:
  pretest: {questions: 1}
  final: {questions: 2, time_limit_minutes: 20, max_attempts: 3, review: after_last_attempt}
  partial_credit: false
  # no blueprint: the pre-test and the final each draw from the whole bank, never overlapping
sources:
  - "Luật Phòng, chống mua bán người số 53/2024/QH15"
"""

LESSON = """\
---
title: "{title}"
minutes: 10
---
## Tình huống

Nội dung bài **{title}**.
"""

QUESTIONS_YML = """\
- id: q1
  lesson: mot
  type: single
  text: "Câu hỏi một?"
  options:
    a: "Đúng"
    b: "Sai"
  answer: a
  explanation: "Vì a đúng."
- id: q2
  lesson: hai
  type: multiple
  text: "Câu hỏi hai?"
  options:
    a: "A"
    b: "B"
    c: "C"
  answer: [a, c]
  explanation: "Vì a và c."
- id: q3
  lesson: ba
  type: true_false
  text: "Câu hỏi ba?"
  answer: true
  explanation: "Vì đúng."
- id: q4
  lesson: mot
  type: single
  text: "Câu hỏi bốn?"
  options:
    a: "A"
    b: "B"
  answer: b
  explanation: "Vì b."
"""

LESSONS = (("01-mot.md", "Bài một"), ("02-hai.md", "Bài hai"), ("03-ba.md", "Bài ba"))


def write_course(root: Path, slug: str = "khoa-thu", *, quiz: bool = True, title: str | None = None,
                 audience: str = "[can_bo_xa, cong_an]", lessons=LESSONS) -> Path:
    """Write a valid fixture course under `root`; returns its folder."""
    folder = root / slug
    (folder / "lessons").mkdir(parents=True)
    course = COURSE_YML.replace("[can_bo_xa, cong_an]", audience)
    if title:
        course = course.replace("Khóa thử nghiệm", title)
    if not quiz:
        course = "".join(line for i, line in enumerate(course.splitlines(keepends=True))
                         if not 7 <= i <= 11)
    (folder / "course.yml").write_text(course, encoding="utf-8")
    for name, lesson_title in lessons:
        (folder / "lessons" / name).write_text(LESSON.format(title=lesson_title),
                                               encoding="utf-8")
    (folder / "questions.yml").write_text(QUESTIONS_YML, encoding="utf-8")
    return folder


@pytest.fixture
def content_dir(tmp_path):
    """An empty content folder."""
    root = tmp_path / "content"
    root.mkdir()
    return root


@pytest.fixture
def load_course(db, content_dir):
    """Factory: write a fixture course, load the whole content folder; returns the Course."""
    from lms.courses.loader import load_content
    from lms.courses.services import get_course

    def make(slug: str = "khoa-thu", **kw):
        write_course(content_dir, slug, **kw)
        load_content(content_dir)
        db.session.commit()
        return get_course(slug)

    return make


@pytest.fixture
def trainee(make_person, make_user):
    """A trainee account linked to a roster person (Quảng Ninh, can_bo_xa)."""
    person = make_person(position="can_bo_xa")
    return make_user("trainee", person=person, unit=person.commune)


@pytest.fixture
def request_ctx(app):
    """A request context, so service error messages can be translated (Flask-Babel)."""
    with app.test_request_context():
        yield
