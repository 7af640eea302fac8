"""The content loader: validation with file and line, idempotent loading, edits keep history."""

import unicodedata

import pytest
from sqlalchemy import func, select

from lms.assessments.models import Question
from lms.courses.loader import ContentInvalid, check_content, load_content, render_markdown
from lms.courses.models import Course, Enrolment, Lesson, LessonProgress
from tests.courses.conftest import write_course


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(root) -> list[str]:
    with pytest.raises(ContentInvalid) as info:
        check_content(root)
    return [str(e) for e in info.value.errors]


BROKEN = {
    "missing_title": (lambda f: _replace(f / "course.yml", 'title: "Khóa thử nghiệm"\n', ""),
                      "course.yml:1: 'title' is required"),
    "unknown_position": (lambda f: _replace(f / "course.yml", "cong_an]", "cong_ann]"),
                         "course.yml:3: unknown position code 'cong_ann'"),
    "hours_zero": (lambda f: _replace(f / "course.yml", "hours: 2", "hours: 0"),
                   "course.yml:4: 'hours' must be a number greater than 0"),
    "target_not_bool": (lambda f: _replace(f / "course.yml", "counts_toward_target: true",
                                           'counts_toward_target: "có"'),
                        "course.yml:5: 'counts_toward_target' must be true or false"),
    "pass_mark_range": (lambda f: _replace(f / "course.yml", "pass_mark: 70", "pass_mark: 120"),
                        "course.yml:6: 'pass_mark' must be a whole number from 0 to 100"),
    "version_not_text": (lambda f: _replace(f / "course.yml", 'version: "2025.1"',
                                            "version: 2025.1"),
                         "course.yml:7: 'version' must be text in quotes"),
    "final_exceeds_bank": (lambda f: _replace(f / "course.yml", "final: {questions: 2",
                                              "final: {questions: 30"),
                           "course.yml:10: the final asks for 30 questions but questions.yml "
                           "holds 4"),
    "time_limit_negative": (lambda f: _replace(f / "course.yml", "time_limit_minutes: 20",
                                               "time_limit_minutes: -5"),
                            "course.yml:10: 'time_limit_minutes' must be a whole number"),
    "review_value": (lambda f: _replace(f / "course.yml", "review: after_last_attempt",
                                        "review: always"),
                     "course.yml:10: 'review' must be one of after_pass, after_last_attempt, "
                     "after_cohort_closes, never, not 'always'"),
    "show_answers_replaced": (lambda f: _replace(f / "course.yml", "  partial_credit: false",
                                                 "  partial_credit: false\n  show_answers: a"),
                              "course.yml:12: 'show_answers' was replaced by 'review'"),
    "pretest_review": (lambda f: _replace(f / "course.yml", "pretest: {questions: 1}",
                                          "pretest: {questions: 1, review: after_pass}"),
                       "course.yml:9: a pre-test shows the score only"),
    "forms_overlap": (lambda f: _replace(f / "course.yml", "pretest: {questions: 1}",
                                         "pretest: {questions: 3}"),
                      "course.yml:10: the pre-test and the final together ask for 5 questions "
                      "but questions.yml holds 4: they would share items"),
    "sources_empty": (lambda f: _replace(f / "course.yml",
                                         'sources:\n  - "Luật Phòng, chống mua bán người số '
                                         '53/2024/QH15"', "sources: []"),
                      "course.yml:13: 'sources' must be a non-empty list"),
    "unknown_key": (lambda f: _replace(f / "course.yml", "hours: 2", "hours: 2\nhour: 3"),
                    "course.yml:5: unknown key 'hour'"),
    "invalid_yaml": (lambda f: _replace(f / "course.yml", "pass_mark: 70", "pass_mark: [70"),
                     "course.yml:7: invalid YAML"),
    "validity_months": (lambda f: _replace(f / "course.yml", "hours: 2",
                                           "hours: 2\nvalidity_months: 0"),
                        "course.yml:5: 'validity_months' must be a whole number from 1"),
    "course_yml_missing": (lambda f: (f / "course.yml").unlink(), "course.yml: course.yml is "
                                                                  "missing"),
    "bad_lesson_name": (lambda f: (f / "lessons" / "03-ba.md").rename(f / "lessons" / "3_ba.md"),
                        "3_ba.md: lesson files are named NN-slug.md"),
    "no_front_matter": (lambda f: (f / "lessons" / "02-hai.md").write_text("# Bài hai\n"),
                        "02-hai.md:1: missing front matter"),
    "minutes_not_number": (lambda f: _replace(f / "lessons" / "02-hai.md", "minutes: 10",
                                              "minutes: mười"),
                           "02-hai.md:3: 'minutes' must be a whole number"),
    "missing_lesson_title": (lambda f: _replace(f / "lessons" / "02-hai.md",
                                                'title: "Bài hai"\n', ""),
                             "02-hai.md:2: 'title' is required"),
    "empty_body": (lambda f: (f / "lessons" / "02-hai.md").write_text(
        '---\ntitle: "Bài hai"\nminutes: 10\n---\n\n   \n'), "02-hai.md:5: the lesson body is "
                                                               "empty"),
    "duplicate_lesson_slug": (lambda f: (f / "lessons" / "04-hai.md").write_text(
        (f / "lessons" / "02-hai.md").read_text()), "04-hai.md: duplicate lesson slug 'hai'"),
    "remote_image": (lambda f: _replace(f / "lessons" / "02-hai.md", "Nội dung bài",
                                        "![sơ đồ](https://example.org/a.png)\n\nNội dung bài"),
                     "02-hai.md:7: image 'https://example.org/a.png' must be a file beside"),
    "missing_image": (lambda f: _replace(f / "lessons" / "02-hai.md", "Nội dung bài",
                                         "![sơ đồ](so-do.png)\n\nNội dung bài"),
                      "02-hai.md:7: image 'so-do.png' not found"),
    "duplicate_question_id": (lambda f: _replace(f / "questions.yml", "- id: q4", "- id: q1"),
                              "questions.yml:26: duplicate question id 'q1' (first on line 1)"),
    "bad_question_type": (lambda f: _replace(f / "questions.yml", "type: multiple",
                                             "type: many"),
                          "questions.yml:12: 'type' must be one of single, multiple"),
    "bad_question_kind": (lambda f: _replace(f / "questions.yml", "type: multiple\n",
                                             "type: multiple\n  kind: situation\n"),
                          "questions.yml:13: 'kind' must be 'scenario' (an item set in a "
                          "concrete situation) or left out, not 'situation'"),
    "single_answer_not_option": (lambda f: _replace(f / "questions.yml", "answer: b",
                                                    "answer: c"),
                                 "questions.yml:33: a single answer must be one option key"),
    "multiple_answer_not_list": (lambda f: _replace(f / "questions.yml", "answer: [a, c]",
                                                    "answer: a"),
                                 "questions.yml:18: a multiple answer must be a list"),
    "multiple_answer_unknown_key": (lambda f: _replace(f / "questions.yml", "answer: [a, c]",
                                                       "answer: [a, d]"),
                                    "questions.yml:18: answer keys ['d'] are not among"),
    "true_false_with_options": (lambda f: _replace(f / "questions.yml", "type: true_false\n",
                                                   "type: true_false\n  options: {a: x, b: y}\n"),
                                "questions.yml:23: true_false questions have no 'options'"),
    "true_false_answer": (lambda f: _replace(f / "questions.yml", "answer: true",
                                             "answer: đúng"),
                          "questions.yml:24: a true_false answer must be true or false"),
    "one_option": (lambda f: _replace(f / "questions.yml", '    a: "Đúng"\n', ""),
                   "questions.yml:6: 'options' must map at least two keys"),
    "unknown_lesson": (lambda f: _replace(f / "questions.yml", "lesson: hai", "lesson: bon"),
                       "questions.yml:11: lesson 'bon' does not exist in this course"),
    "missing_explanation": (lambda f: _replace(f / "questions.yml",
                                               '  explanation: "Vì b."\n', ""),
                            "questions.yml:26: 'explanation' is required"),
    "questions_not_list": (lambda f: (f / "questions.yml").write_text("q1: x\n"),
                           "questions.yml:1: questions.yml must be a list"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_content_is_reported_with_file_and_line(app, content_dir, case):
    """Each kind of broken content fails the check with its file, line and reason."""
    folder = write_course(content_dir)
    mutate, expected = BROKEN[case]
    mutate(folder)
    errors = _errors(content_dir)
    assert any(expected in e for e in errors), errors


def test_bad_folder_name_is_reported(app, content_dir):
    """A course folder whose name is not a slug is rejected, naming the folder."""
    write_course(content_dir, "Khoa_Hoc")
    errors = _errors(content_dir)
    assert any("Khoa_Hoc: the folder name is the course slug" in e for e in errors), errors


def test_good_fixture_passes_and_counts(app, content_dir):
    """A valid course passes the check with its lessons and questions."""
    write_course(content_dir)
    write_course(content_dir, "khac", quiz=False)
    specs = check_content(content_dir)
    assert [s.slug for s in specs] == ["khac", "khoa-thu"]
    assert [len(s.lessons) for s in specs] == [3, 3]
    assert specs[1].settings["quiz"]["final"] == {"questions": 2, "time_limit_minutes": 20,
                                                  "max_attempts": 3,
                                                  "review": "after_last_attempt"}
    assert specs[0].settings == {}


def test_text_is_nfc_normalised(db, content_dir):
    """Decomposed (NFD) Vietnamese text is stored NFC-normalised."""
    nfd = unicodedata.normalize("NFD", "Khóa học tiếng Việt")
    write_course(content_dir, title=nfd)
    load_content(content_dir)
    title = db.session.scalar(select(Course.title))
    assert title == unicodedata.normalize("NFC", nfd) and title != nfd


def test_load_is_idempotent(db, content_dir):
    """Loading unchanged sources twice changes nothing the second time."""
    write_course(content_dir)
    first = load_content(content_dir)
    db.session.commit()
    loaded_at = db.session.scalar(select(Course.loaded_at))
    second = load_content(content_dir)
    assert (first.new, second.new, second.updated, second.unchanged) == (1, 0, 0, 1)
    assert db.session.scalar(select(Course.loaded_at)) == loaded_at
    assert db.session.scalar(select(func.count(Lesson.id))) == 3
    assert db.session.scalar(select(func.count(Question.id))) == 4


def test_any_error_loads_nothing(db, content_dir):
    """One broken course stops the whole load: the good course is not written either."""
    write_course(content_dir, "a-tot")
    broken = write_course(content_dir, "b-hong")
    _replace(broken / "course.yml", "hours: 2", "hours: -1")
    with pytest.raises(ContentInvalid):
        load_content(content_dir)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Course.id))) == 0


def _enrol_with_progress(db, course, person, lesson_slug):
    enrolment = Enrolment(person=person, course=course)
    db.session.add(enrolment)
    db.session.flush()
    lesson = next(lesson for lesson in course.lessons if lesson.slug == lesson_slug)
    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id))
    db.session.commit()
    return enrolment, lesson


def test_editing_keeps_progress(db, content_dir, make_person):
    """Edited and reordered lessons keep their id, so learners' progress survives."""
    folder = write_course(content_dir)
    load_content(content_dir)
    course = db.session.scalar(select(Course))
    enrolment, lesson = _enrol_with_progress(db, course, make_person(), "mot")
    lessons = folder / "lessons"
    (lessons / "01-mot.md").rename(lessons / "05-mot.md")
    _replace(lessons / "05-mot.md", 'title: "Bài một"', 'title: "Bài một (sửa)"')
    result = load_content(content_dir)
    db.session.commit()
    assert result.updated == 1
    edited = db.session.get(Lesson, lesson.id)
    assert (edited.title, edited.position, edited.active) == ("Bài một (sửa)", 5, True)
    assert db.session.scalar(select(func.count(LessonProgress.id))
                             .where(LessonProgress.enrolment_id == enrolment.id)) == 1


def test_removed_lesson_and_question_become_inactive(db, content_dir, make_person):
    """A removed lesson is hidden but keeps its progress rows; removed questions go inactive."""
    folder = write_course(content_dir)
    load_content(content_dir)
    course = db.session.scalar(select(Course))
    _enrolment, lesson = _enrol_with_progress(db, course, make_person(), "hai")
    (folder / "lessons" / "02-hai.md").unlink()
    questions = (folder / "questions.yml").read_text()
    (folder / "questions.yml").write_text(questions[:questions.index("- id: q2")]
                                          + questions[questions.index("- id: q3"):])
    load_content(content_dir)
    db.session.commit()
    removed = db.session.get(Lesson, lesson.id)
    assert removed.active is False
    assert [lesson.slug for lesson in course.active_lessons] == ["mot", "ba"]
    assert db.session.scalar(select(func.count(LessonProgress.id))
                             .where(LessonProgress.lesson_id == lesson.id)) == 1
    assert db.session.scalar(select(Question.active).where(Question.key == "q2")) is False
    assert db.session.scalar(select(Question.active).where(Question.key == "q1")) is True


def test_removed_course_becomes_inactive(db, content_dir):
    """A course folder removed from the sources leaves its course inactive, not deleted."""
    import shutil

    write_course(content_dir, "a-giu")
    folder = write_course(content_dir, "b-bo")
    load_content(content_dir)
    shutil.rmtree(folder)
    result = load_content(content_dir)
    db.session.commit()
    assert result.deactivated == 1
    assert dict(db.session.execute(select(Course.slug, Course.active)).all()) == {
        "a-giu": True, "b-bo": False}


def test_question_shapes_are_stored(db, content_dir):
    """Options and answers are stored in the shape the assessments room reads."""
    write_course(content_dir)
    load_content(content_dir)
    q2 = db.session.scalar(select(Question).where(Question.key == "q2"))
    q3 = db.session.scalar(select(Question).where(Question.key == "q3"))
    assert q2.options[0] == {"key": "a", "text": "A"} and q2.answer == ["a", "c"]
    assert (q3.options, q3.answer, q3.lesson_slug) == ([], [True], "ba")


@pytest.mark.parametrize("body, forbidden", [
    ("<script>alert(1)</script>\n\nChữ", "<script"),
    ('<img src="x.png" onerror="alert(1)">', "onerror"),
    ("[bấm vào](javascript:alert(1))", 'href="javascript'),
    ('<a href="javascript:alert(1)">bấm</a>', "javascript:"),
    ("[bấm vào](JaVaScRiPt:alert(1))", 'href="javascript'),
    ('<p style="color:red" onclick="x()">chữ</p>', "onclick"),
    ('<iframe src="https://example.org"></iframe>', "<iframe"),
])
def test_markdown_is_sanitised(body, forbidden):
    """Scripts, event handlers, javascript: links and frames never survive rendering."""
    html = render_markdown(body, "khoa")
    assert forbidden not in html.lower()


def test_markdown_keeps_tables_and_rewrites_images():
    """Tables render; a relative image points at the course's media route."""
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n![sơ đồ](so-do.png)", "khoa")
    assert "<table>" in html and "<td>1</td>" in html
    assert 'src="/courses/khoa/media/so-do.png"' in html
