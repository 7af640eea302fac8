"""Item-writing checks (`content check --quality`): the patterns a test-wise trainee exploits.

A bank passes only when none of these hold, so a score measures what was learned rather than
skill at reading tests:

- ``all-but-one``: more than a third of a course's multiple-answer items (with three or more
  options) are keyed "every option but one" (or an item keys every option), so "tick all but
  the odd one out" scores;
- ``longest``: the keyed option of single-answer items (three or more options) is strictly the
  longest in more than 35% of a course's items (chance is 25–33%);
- ``true-false``: a course's true/false keys are unbalanced (the difference between true and false
  keys exceeds a quarter of its true/false items, and at least 1);
- ``absolute``: absolute words ("luôn", "không bao giờ", "chỉ") appear in two or more wrong options
  or false statements of a course and never in a keyed one, so "absolute means wrong" scores;
- ``repeated``: the same item (same or nearly the same text) appears in several courses;
- ``self-reference``: an item asks about the course's own materials ("bài này", "khóa học này")
  instead of the subject;
- ``scenario``: some final that can be drawn holds fewer than half scenario items (`kind:
  scenario`), so the final tests recall more than what to do in a situation.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from lms.courses.sources import CourseSpec, Doc, QuestionSpec, read_text

ALL_BUT_ONE_SHARE = 1 / 3
LONGEST_SHARE = 0.35
REPEAT_RATIO = 0.9
SCENARIO_SHARE = 0.5
# "chỉ" means "only" except inside compounds such as "địa chỉ", "chỉ số", "chỉ đạo".
_CHI = ("(?<!địa )(?<!chứng )(?<!ngón )(?<!kim )(?<!giấy )"
        r"chỉ(?!\s+(?:số|dấu|đạo|định|tiêu|thị|huy|ra|rõ|dẫn|điểm|trích|mục|tay|báo)(?!\w))")
ABSOLUTE = re.compile(r"(?<!\w)(?:luôn|không bao giờ|" + _CHI + r")(?!\w)", re.IGNORECASE)
SELF_REFERENCE = re.compile(r"(?<!\w)(?:(?:khóa học|bài học|bài giảng|bài) này|trong (?:khóa "
                            r"học|bài học)|theo (?:bài học|khóa học)|tài liệu (?:khóa học|này))"
                            r"(?!\w)", re.IGNORECASE)
_PUNCT = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class Finding:
    """One pattern found: where, which rule, why."""

    path: Path
    line: int | None
    rule: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: [{self.rule}] {self.reason}"


@dataclass
class CourseQuality:
    """Per-course counts behind the findings."""

    slug: str
    items: int = 0
    multiple: int = 0
    all_but_one: int = 0
    single: int = 0
    longest: int = 0
    true_keys: int = 0
    false_keys: int = 0
    absolute_wrong: int = 0
    absolute_keyed: int = 0
    repeated: int = 0
    self_reference: int = 0
    scenario: int = 0
    final_size: int = 0
    final_scenario: int = 0
    findings: list[Finding] = field(default_factory=list)

    def summary(self) -> str:
        """One line of counts for the command line."""
        return (f"{self.slug}: {self.items} items; all-but-one {self.all_but_one}/"
                f"{self.multiple} multiple; longest keyed {self.longest}/{self.single} single; "
                f"true/false {self.true_keys}/{self.false_keys}; absolute words "
                f"{self.absolute_wrong} wrong, {self.absolute_keyed} keyed; repeated "
                f"{self.repeated}; self-reference {self.self_reference}; scenario "
                f"{self.scenario} in the bank, at least {self.final_scenario}/{self.final_size} "
                f"in every final — {len(self.findings)} finding(s)")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


def _lines(spec: CourseSpec) -> dict[str, int]:
    """Question id → the line of its `- id:` in questions.yml."""
    path = spec.path / "questions.yml"
    doc = Doc(read_text(path, []) or "", path, [])
    return {str(item.get("id")).strip(): doc.line(i) for i, item in enumerate(doc.data or [])
            if isinstance(item, dict)}


def _keyed_statements(question: QuestionSpec) -> list[tuple[str, bool]]:
    """(text, keyed?) for every option, or for the statement of a true/false item."""
    if question.type == "true_false":
        return [(question.text, bool(question.answer[0]))]
    return [(o["text"], o["key"] in question.answer) for o in question.options]


def final_cells(spec: CourseSpec) -> list[tuple[str, int, int, int]]:
    """Per cell of the final: (label, scenario items every drawable final holds, the cell's
    items, knowledge items that fit it); empty without a final.

    A blueprint cell of n items whose bank (the final pool with `forms: pools`) holds m
    knowledge items can be drawn with min(n, m) of them: with `forms: split` the person's
    pre-test may have taken the cell's scenario items. Without a blueprint the whole final is
    one cell over the whole bank.
    """
    quiz = (spec.settings or {}).get("quiz") or {}
    if not quiz.get("final"):
        return []
    pool = [q for q in spec.questions if quiz.get("forms") != "pools" or q.form == "final"]
    cells = quiz.get("blueprint") or [{"lesson": None, "difficulty": None,
                                       "items": quiz["final"]["questions"]}]
    out = []
    for cell in cells:
        knowledge = sum(1 for q in pool if q.kind != "scenario"
                        and cell["lesson"] in (None, q.lesson_slug)
                        and cell["difficulty"] in (None, q.difficulty))
        label = ", ".join(filter(None, (cell["lesson"] or "whole bank", cell["difficulty"])))
        out.append((label, max(0, cell["items"] - knowledge), cell["items"], knowledge))
    return out


def _course(spec: CourseSpec) -> CourseQuality:
    result = CourseQuality(spec.slug, items=len(spec.questions))
    result.scenario = sum(1 for q in spec.questions if q.kind == "scenario")
    cells = final_cells(spec)
    result.final_scenario = sum(cell[1] for cell in cells)
    result.final_size = sum(cell[2] for cell in cells)
    if result.final_scenario < SCENARIO_SHARE * result.final_size:
        result.findings.append(Finding(spec.path / "course.yml", None, "scenario", (
            f"a final can be drawn with {result.final_scenario} scenario item(s) of "
            f"{result.final_size} (at least half must be kind: scenario); each cell holds at "
            f"least its items minus the knowledge items that fit it: " + "; ".join(
                f"{label} {least}/{items} ({knowledge} knowledge)"
                for label, least, items, knowledge in cells))))
    path, lines = spec.path / "questions.yml", _lines(spec)
    all_but_one, longest, absolute_wrong = [], [], []
    for q in spec.questions:
        line = lines.get(q.key)
        if q.type == "true_false":
            result.true_keys += q.answer[0] is True
            result.false_keys += q.answer[0] is False
        elif len(q.options) >= 3 and q.type == "multiple":
            result.multiple += 1
            if len(q.answer) == len(q.options):
                result.findings.append(Finding(path, line, "all-but-one", f"{q.key}: every "
                                               f"option is keyed"))
            if len(q.answer) == len(q.options) - 1:
                result.all_but_one += 1
                all_but_one.append(f"{q.key} (line {line})")
        elif len(q.options) >= 3:
            result.single += 1
            lengths = sorted((len(o["text"]), o["key"]) for o in q.options)
            if lengths[-1][0] > lengths[-2][0] and lengths[-1][1] in q.answer:
                result.longest += 1
                longest.append(f"{q.key} (line {line})")
        for text, keyed in _keyed_statements(q):
            if ABSOLUTE.search(text):
                if keyed:
                    result.absolute_keyed += 1
                else:
                    result.absolute_wrong += 1
                    absolute_wrong.append(f"{q.key} (line {line})")
        if SELF_REFERENCE.search(" ".join([q.text] + [o["text"] for o in q.options])):
            result.self_reference += 1
            result.findings.append(Finding(path, line, "self-reference", f"{q.key}: asks about "
                                           f"the course's own materials, not the subject"))
    if result.all_but_one >= 2 and result.all_but_one > ALL_BUT_ONE_SHARE * result.multiple:
        result.findings.append(Finding(path, None, "all-but-one", (
            f"{result.all_but_one} of {result.multiple} multiple-answer items are keyed all "
            f"but one option (at most a third may be): {', '.join(all_but_one)}")))
    if result.longest and result.longest > LONGEST_SHARE * result.single:
        result.findings.append(Finding(path, None, "longest", (
            f"the keyed option is the longest in {result.longest} of {result.single} "
            f"single-answer items (at most {LONGEST_SHARE:.0%}): {', '.join(longest)}")))
    gap = abs(result.true_keys - result.false_keys)
    if gap > max(1, (result.true_keys + result.false_keys) // 4):
        result.findings.append(Finding(path, None, "true-false", (
            f"true/false keys are unbalanced: {result.true_keys} true, {result.false_keys} "
            f"false")))
    if result.absolute_wrong >= 2 and not result.absolute_keyed:
        result.findings.append(Finding(path, None, "absolute", (
            f"absolute words (luôn, không bao giờ, chỉ) appear only in wrong options or false "
            f"statements ({result.absolute_wrong}): {', '.join(absolute_wrong)}")))
    return result


def _repeats(specs: list[CourseSpec], results: dict[str, CourseQuality]) -> None:
    """The same item in several courses: one finding on each side of every pair."""
    items = []
    for spec in specs:
        lines = _lines(spec)
        for q in spec.questions:
            items.append((spec, q, _norm(q.text), lines.get(q.key)))
    for i, (spec_a, qa, text_a, line_a) in enumerate(items):
        for spec_b, qb, text_b, line_b in items[i + 1:]:
            if spec_a.slug == spec_b.slug:
                continue
            matcher = SequenceMatcher(None, text_a, text_b, autojunk=False)
            if text_a != text_b and (matcher.real_quick_ratio() < REPEAT_RATIO
                                     or matcher.quick_ratio() < REPEAT_RATIO
                                     or matcher.ratio() < REPEAT_RATIO):
                continue
            for spec, q, line, other, other_q in ((spec_a, qa, line_a, spec_b, qb),
                                                  (spec_b, qb, line_b, spec_a, qa)):
                results[spec.slug].repeated += 1
                results[spec.slug].findings.append(Finding(
                    spec.path / "questions.yml", line, "repeated",
                    f"{q.key}: the same item is {other.slug}/{other_q.key}"))


def check_quality(specs: list[CourseSpec]) -> list[CourseQuality]:
    """Per-course counts and findings for validated courses (see the module docstring)."""
    results = {spec.slug: _course(spec) for spec in specs}
    _repeats(specs, results)
    for result in results.values():
        result.findings.sort(key=lambda f: (f.line or 0, f.rule))
    return list(results.values())
