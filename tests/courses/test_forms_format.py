"""The parallel-forms part of the content format: blueprint, split and pools, review policies,
follow-ups; `content check` refuses a blueprint the bank cannot fill and any overlap."""

import pytest

from lms.courses.loader import ContentInvalid, check_content
from tests.courses.conftest import write_course

SPLIT = """quiz:
  forms: split
  blueprint:
    mot: 1
    hai: {medium: 1}
  pretest: {review: never}
  final: {max_attempts: 2, review: after_pass}
  follow_up: {days: [180, 90]}
"""

EXTRA = """- id: q5
  lesson: hai
  type: true_false
  text: "Câu hỏi năm?"
  answer: false
  explanation: "Vì sai."
"""


def _course(content_dir, quiz: str, extra: str = EXTRA):
    folder = write_course(content_dir)
    text = (folder / "course.yml").read_text(encoding="utf-8")
    start, end = text.index("quiz:\n"), text.index("sources:")
    (folder / "course.yml").write_text(text[:start] + quiz + text[end:], encoding="utf-8")
    with (folder / "questions.yml").open("a", encoding="utf-8") as fh:
        fh.write(extra)
    return folder


def _errors(content_dir) -> list[str]:
    with pytest.raises(ContentInvalid) as info:
        check_content(content_dir)
    return [str(e).split("khoa-thu/", 1)[-1] for e in info.value.errors]


def test_split_blueprint_is_stored(content_dir):
    """A valid blueprint gives both forms its total and a blueprint id; follow-ups sorted."""
    _course(content_dir, SPLIT)
    [spec] = check_content(content_dir)
    quiz = spec.settings["quiz"]
    assert quiz["forms"] == "split"
    assert quiz["blueprint"] == [{"lesson": "mot", "difficulty": None, "items": 1},
                                 {"lesson": "hai", "difficulty": "medium", "items": 1}]
    assert quiz["pretest"] == {"questions": 2, "review": "never"}
    assert quiz["final"]["questions"] == 2 and quiz["final"]["review"] == "after_pass"
    assert quiz["follow_up"]["days"] == [90, 180]
    assert len(quiz["blueprint_id"]) == 12


@pytest.mark.parametrize(("quiz", "extra", "message"), [
    (SPLIT, "", "course.yml:12: blueprint (hai, medium) needs 1 item(s) in each of the two "
                "forms, so 2 distinct items; questions.yml has 1"),
    (SPLIT.replace("mot: 1", "bon: 1"), EXTRA, "course.yml:11: blueprint lesson 'bon' does not "
                                               "exist in this course"),
    (SPLIT.replace("pretest: {review: never}", "pretest: {questions: 3}"), EXTRA,
     "course.yml:13: the blueprint gives each form 2 questions; 'pretest.questions' says 3"),
    (SPLIT.replace("forms: split", "forms: pools"), EXTRA,
     "questions.yml:1: question 'q1' needs 'form: pretest' or 'form: final'"),
    (SPLIT, EXTRA + EXTRA.replace("q5", "q6").replace("Câu hỏi năm?", "câu HỎI   năm"),
     "questions.yml:41: question 'q6' repeats question 'q5' (line 35)"),
    (SPLIT, EXTRA.replace("  answer: false", "  form: final\n  answer: false"),
     "questions.yml:35: question 'q5' has 'form' but the course does not declare 'forms: "
     "pools'"),
    (SPLIT.replace("{days: [180, 90]}", "{days: [90, 90]}"), EXTRA,
     "course.yml:15: a number of days is listed twice"),
    (SPLIT.replace("forms: split", "forms: mixed"), EXTRA,
     "course.yml:9: 'forms' must be one of split, pools, not 'mixed'"),
    (SPLIT.replace("{medium: 1}", "{medium: 1, tricky: 2}"), EXTRA,
     "course.yml:12: unknown key 'tricky'"),
])
def test_check_refuses_bad_forms(content_dir, quiz, extra, message):
    """Each broken blueprint, pool or overlap is reported with its file and line."""
    _course(content_dir, quiz, extra)
    errors = _errors(content_dir)
    assert any(e.startswith(message) for e in errors), errors


def test_pools_need_their_own_items(content_dir):
    """With pools, each pool must fill the blueprint by itself."""
    tagged = EXTRA.replace("  answer: false", "  form: final\n  answer: false")
    folder = _course(content_dir, SPLIT.replace("forms: split", "forms: pools"), tagged)
    bank = (folder / "questions.yml").read_text(encoding="utf-8")
    for key, form in (("q1", "pretest"), ("q2", "pretest"), ("q3", "final"), ("q4", "final")):
        bank = bank.replace(f"- id: {key}\n", f"- id: {key}\n  form: {form}\n")
    (folder / "questions.yml").write_text(bank, encoding="utf-8")
    [spec] = check_content(content_dir)
    assert {q.key: q.form for q in spec.questions}["q1"] == "pretest"
    (folder / "questions.yml").write_text(bank.replace("form: final\n  answer: false",
                                                       "form: pretest\n  answer: false"),
                                          encoding="utf-8")
    assert any("needs 1 item(s) in the final pool; questions.yml has 0" in e
               for e in _errors(content_dir))


def test_the_shipped_content_has_parallel_forms():
    """Every course in content/ declares a blueprint, and `content check` accepts it."""
    from pathlib import Path

    specs = check_content(Path(__file__).parents[2] / "content")
    assert specs and all(spec.settings["quiz"].get("blueprint") for spec in specs
                         if spec.settings.get("quiz", {}).get("pretest"))
