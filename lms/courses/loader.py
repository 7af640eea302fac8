"""The content loader: parse and validate `content/<course-slug>/`, then load it all-or-nothing.

The format is documented in content/README.md. Every error names the file, the line where it
can (taken from the YAML node marks and the Markdown token map) and the reason. Loading is
idempotent (a content hash per course) and keeps learners' history: lessons are matched by slug
and questions by (course, id); whatever disappeared from the sources becomes inactive.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import delete, insert, select

from lms.assessments.models import Question
from lms.core.timeutil import utcnow
from lms.courses.conventions import load_glossary
from lms.courses.models import Course, Lesson, PositionCourse
from lms.courses.paths import check_paths
from lms.courses.sources import (
    Checker,
    ContentError,
    ContentInvalid,
    CourseSpec,
    Doc,
    LessonSpec,
    QuestionSpec,
    nfc,
    read_text,
    read_yaml,
)
from lms.extensions import db
from lms.units.positions import POSITIONS

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE = re.compile(r"^(?P<num>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
QUESTION_TYPES = ("single", "multiple", "true_false")
REVIEW_POLICIES = ("after_pass", "after_last_attempt", "after_cohort_closes", "never")
DIFFICULTIES = ("easy", "medium", "hard")
FORM_MODES = ("split", "pools")
POOLS = ("pretest", "final")
OPTION_KEY = re.compile(r"^[a-z]$")
MAX_SLUG = 100
COURSE_KEYS = {"title", "summary", "audience", "hours", "counts_toward_target", "pass_mark",
               "version", "validity_months", "quiz", "sources"}
QUIZ_KEYS = {"pretest", "final", "partial_credit", "forms", "blueprint", "follow_up"}
PRETEST_KEYS = {"questions", "review"}
FINAL_KEYS = {"questions", "time_limit_minutes", "max_attempts", "review"}
FOLLOW_UP_KEYS = {"days", "time_limit_minutes", "review"}
FRONT_KEYS = {"title", "minutes"}
QUESTION_KEYS = {"id", "lesson", "type", "text", "options", "answer", "explanation",
                 "difficulty", "form", "kind"}
# `kind: scenario` marks an item set in a concrete situation that asks what to do or how to judge
# it; without it an item is a knowledge item. `content check --quality` counts them per final.
QUESTION_KINDS = ("scenario",)

# What survives sanitising: structure and emphasis, links, images, tables. No style attributes
# (the CSP forbids them), no scripts, no event handlers, no javascript: URLs.
ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "b", "i",
                "code", "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead",
                "tbody", "tr", "th", "td", "del", "s", "sup", "sub", "details", "summary",
                "dl", "dt", "dd", "abbr", "mark", "figure", "figcaption", "kbd"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                      "ol": {"start"}, "th": {"colspan", "rowspan"},
                      "td": {"colspan", "rowspan"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
MEDIA_PREFIX = "/courses/{slug}/media/"
# Part of every content hash: bump it when rendering or sanitising changes, so `load` re-renders.
RENDER_VERSION = b"render-1"


@dataclass
class LoadResult:
    """Counts of one load run."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    lessons: int = 0
    questions: int = 0
    paths: int = 0

    def summary(self) -> str:
        """One line for the command line."""
        return (f"courses: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.deactivated} deactivated; {self.lessons} lessons, "
                f"{self.questions} questions, {self.paths} position paths")


# --- YAML with line numbers ------------------------------------------------------------------

def _course_hash(folder: Path) -> str:
    """SHA-256 over every file's relative path and bytes: unchanged sources, same hash."""
    digest = hashlib.sha256(RENDER_VERSION)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _check_course_yml(path: Path, errors: list[ContentError]) -> tuple[dict, dict | None] | None:
    """Validate course.yml; returns (fields, quiz) or None when unusable."""
    text = read_text(path, errors)
    if text is None:
        return None
    doc = Doc(text, path, errors)
    if not doc.ok:
        return None
    data = doc.data
    if not isinstance(data, dict):
        errors.append(ContentError(path, 1, "course.yml must be a mapping of keys to values"))
        return None
    check = Checker(doc, errors)
    check.unknown(data, (), COURSE_KEYS)
    out = {"title": check.text(data, (), "title"), "summary": check.text(data, (), "summary")}
    audience = data.get("audience")
    if audience is None:
        check.error((), "'audience' is required (a list of position codes)")
    elif not isinstance(audience, list) or not audience:
        check.error(("audience",), "'audience' must be a non-empty list of position codes")
    else:
        for i, code in enumerate(audience):
            if code not in POSITIONS:
                check.error(("audience", i), f"unknown position code {code!r} (allowed: "
                                             f"{', '.join(POSITIONS)})")
        out["audience"] = list(dict.fromkeys(audience))
    hours = data.get("hours")
    if hours is None:
        check.error((), "'hours' is required")
    elif isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
        check.error(("hours",), f"'hours' must be a number greater than 0, not {hours!r}")
    else:
        out["hours"] = float(hours)
    out["counts_toward_target"] = check.boolean(data, (), "counts_toward_target")
    out["pass_mark"] = check.integer(data, (), "pass_mark", low=0, high=100)
    version = data.get("version")
    if version is None:
        check.error((), "'version' is required")
    elif isinstance(version, bool) or not isinstance(version, str | int) or not str(version):
        check.error(("version",), f"'version' must be text in quotes, e.g. \"2025.1\", "
                                  f"not {version!r}")
    else:
        out["version"] = str(version).strip()
    out["validity_months"] = check.integer(data, (), "validity_months", low=1, required=False)
    sources = data.get("sources")
    if sources is None:
        check.error((), "'sources' is required (a non-empty list)")
    elif not isinstance(sources, list) or not sources:
        check.error(("sources",), "'sources' must be a non-empty list of texts")
    else:
        for i, source in enumerate(sources):
            if not isinstance(source, str) or not source.strip():
                check.error(("sources", i), "each source must be non-empty text")
        out["sources"] = [nfc(s.strip()) for s in sources if isinstance(s, str)]
    quiz = _check_quiz(data.get("quiz"), check)
    return out, quiz


def _check_quiz(quiz, check: Checker) -> dict | None:
    """Validate the quiz settings; returns them with defaults filled in (the blueprint's
    lessons and counts are checked against the bank later, in `_check_forms`)."""
    if quiz is None:
        return {}
    if not isinstance(quiz, dict):
        check.error(("quiz",), "'quiz' must be a mapping (pretest, final, forms, blueprint, "
                               "follow_up, partial_credit)")
        return None
    if "show_answers" in quiz:
        check.errors.append(ContentError(
            check.doc.path, check.doc.key_line("quiz", "show_answers"),
            "'show_answers' was replaced by 'review' on each quiz "
            f"({', '.join(REVIEW_POLICIES)}); see content/README.md"))
        quiz = {k: v for k, v in quiz.items() if k != "show_answers"}
    check.unknown(quiz, ("quiz",), QUIZ_KEYS)
    out = {"partial_credit": check.boolean(quiz, ("quiz",), "partial_credit", default=False)}
    blueprint = _check_blueprint(quiz.get("blueprint"), check)
    forms = quiz.get("forms", "split" if blueprint else None)
    if forms is not None and forms not in FORM_MODES:
        check.error(("quiz", "forms"), f"'forms' must be one of {', '.join(FORM_MODES)}, "
                                       f"not {forms!r}")
    elif forms is not None and not blueprint and "blueprint" not in quiz:
        check.error(("quiz", "forms"), "'forms' needs a 'blueprint' (items per lesson in "
                                       "each form)")
    out["forms"] = forms
    if blueprint:
        out["blueprint"] = blueprint
        out["blueprint_id"] = hashlib.sha256(repr((forms, blueprint)).encode()).hexdigest()[:12]
    for part, allowed in (("pretest", PRETEST_KEYS), ("final", FINAL_KEYS)):
        value = quiz.get(part)
        if value is None:
            continue
        keys = ("quiz", part)
        if not isinstance(value, dict):
            check.error(keys, f"'{part}' must be a mapping such as {{questions: 10}}")
            continue
        check.unknown(value, keys, allowed)
        settings = {"questions": check.integer(value, keys, "questions",
                                               required=not blueprint)}
        if blueprint:
            total = sum(cell["items"] for cell in blueprint)
            if settings["questions"] not in (None, total):
                check.error(keys + ("questions",), f"the blueprint gives each form {total} "
                                                   f"questions; '{part}.questions' says "
                                                   f"{settings['questions']}")
            settings["questions"] = total
        settings["review"] = _check_review(value, keys, part, check)
        if part == "final":
            settings["time_limit_minutes"] = check.integer(value, keys, "time_limit_minutes",
                                                           required=False)
            settings["max_attempts"] = check.integer(value, keys, "max_attempts",
                                                     required=False)
        out[part] = settings
    follow_up = _check_follow_up(quiz.get("follow_up"), check, out.get("final"))
    if follow_up:
        out["follow_up"] = follow_up
    return out


def _check_review(value: dict, keys: tuple, part: str, check: Checker) -> str:
    """The review policy of one quiz: a pre-test shows the score only (`never`)."""
    review = value.get("review", "never")
    if review not in REVIEW_POLICIES:
        check.error(keys + ("review",), f"'review' must be one of {', '.join(REVIEW_POLICIES)}"
                                        f", not {review!r}")
        return "never"
    if part == "pretest" and review != "never":
        check.error(keys + ("review",), "a pre-test shows the score only: its 'review' can "
                                        "only be never (its answers would teach the final)")
        return "never"
    return review


def _check_blueprint(blueprint, check: Checker) -> list[dict]:
    """`{lesson: n}` or `{lesson: {easy: n, medium: n, hard: n}}` → a list of cells."""
    if blueprint is None:
        return []
    keys = ("quiz", "blueprint")
    if not isinstance(blueprint, dict) or not blueprint:
        check.error(keys, "'blueprint' must map lesson slugs to a number of items per form, "
                          "or to {easy: n, medium: n, hard: n}")
        return []
    cells = []
    for lesson, value in blueprint.items():
        if isinstance(value, dict):
            check.unknown(value, keys + (lesson,), set(DIFFICULTIES))
            for difficulty in DIFFICULTIES:
                if difficulty in value:
                    items = check.integer(value, keys + (lesson,), difficulty)
                    if items:
                        cells.append({"lesson": str(lesson), "difficulty": difficulty,
                                      "items": items})
        else:
            items = check.integer(blueprint, keys, lesson)
            if items:
                cells.append({"lesson": str(lesson), "difficulty": None, "items": items})
    return cells


def _check_follow_up(value, check: Checker, final: dict | None) -> dict | None:
    """Follow-up tests N days after completion (`{days: [90, 180]}`), drawn like the final."""
    if value is None:
        return None
    keys = ("quiz", "follow_up")
    if not isinstance(value, dict):
        check.error(keys, "'follow_up' must be a mapping such as {days: [90, 180]}")
        return None
    check.unknown(value, keys, FOLLOW_UP_KEYS)
    if final is None:
        check.error(keys, "a follow-up test repeats the final's form: declare 'final' too")
    days = value.get("days")
    if not isinstance(days, list) or not days or any(
            isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 3650 for d in days):
        check.error(keys + ("days",) if "days" in value else keys,
                    f"'days' must be a list of whole numbers of days after completion, "
                    f"e.g. [90, 180], not {days!r}")
        return None
    if len(set(days)) != len(days):
        check.error(keys + ("days",), "a number of days is listed twice")
        return None
    return {"days": sorted(days),
            "time_limit_minutes": check.integer(value, keys, "time_limit_minutes",
                                                required=False),
            "review": _check_review(value, keys, "follow_up", check)}


def _split_front_matter(text: str, path: Path, errors: list[ContentError]):
    """(front matter text, body, body's first line) or None."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        errors.append(ContentError(path, 1, "missing front matter: the file must start with "
                                            "a '---' line, then title and minutes, then '---'"))
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "".join(lines[1:i]), "".join(lines[i + 1:]), i + 2
    errors.append(ContentError(path, 1, "front matter is not closed by a '---' line"))
    return None


def _check_lesson(path: Path, position: int, slug: str,
                  errors: list[ContentError]) -> LessonSpec | None:
    """Validate one lesson file."""
    text = read_text(path, errors)
    if text is None:
        return None
    parts = _split_front_matter(text, path, errors)
    if parts is None:
        return None
    front_text, body, body_line = parts
    doc = Doc(front_text, path, errors, line_offset=1)
    if not doc.ok:
        return None
    data = doc.data
    if not isinstance(data, dict):
        errors.append(ContentError(path, 2, "front matter must hold 'title' and 'minutes'"))
        return None
    check = Checker(doc, errors)
    check.unknown(data, (), FRONT_KEYS)
    title = check.text(data, (), "title")
    minutes = check.integer(data, (), "minutes")
    if not body.strip():
        errors.append(ContentError(path, body_line, "the lesson body is empty"))
        return None
    body = unicodedata.normalize("NFC", body)
    _check_images(body, path, body_line, errors)
    if title is None or minutes is None:
        return None
    return LessonSpec(slug=slug, position=position, title=title, minutes=minutes, body_md=body,
                      path=path)


def _check_images(body: str, path: Path, body_line: int, errors: list[ContentError]) -> None:
    """Images must be files beside the lesson: remote ones break the CSP and the data budget."""
    for token in _markdown().parse(body):
        for child in token.children or ():
            if child.type != "image":
                continue
            src = child.attrs.get("src", "")
            line = body_line + token.map[0] if token.map else None
            if re.match(r"^[a-z][a-z0-9+.-]*:|^/", src, re.I):
                errors.append(ContentError(path, line, f"image {src!r} must be a file beside "
                                                       f"the lesson, not a link"))
            elif Path(src).suffix.lower() not in IMAGE_SUFFIXES or "/" in src or "\\" in src:
                errors.append(ContentError(path, line, f"image {src!r}: use a .png, .jpg, "
                                                       f".gif, .webp or .svg file in lessons/"))
            elif not (path.parent / src).is_file():
                errors.append(ContentError(path, line, f"image {src!r} not found beside "
                                                       f"the lesson"))


def _check_questions(path: Path, lesson_slugs: set[str],
                     errors: list[ContentError]) -> list[QuestionSpec]:
    """Validate questions.yml (absent: an empty bank)."""
    doc = read_yaml(path, errors)
    if doc is None:
        return []
    data = doc.data
    if data is None:
        return []
    if not isinstance(data, list):
        errors.append(ContentError(path, 1, "questions.yml must be a list of questions "
                                            "(each starting with '- id: …')"))
        return []
    check = Checker(doc, errors)
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            check.error((i,), "each question must be a mapping (id, lesson, type, text, …)")
            continue
        spec = _check_question(item, i, check, lesson_slugs, seen)
        if spec is not None:
            out.append(spec)
    return out


def _check_question(item: dict, i: int, check: Checker, lesson_slugs: set[str],
                    seen: dict[str, int]) -> QuestionSpec | None:
    """Validate one question; `seen` maps ids to their first line."""
    keys = (i,)
    before = len(check.errors)
    check.unknown(item, keys, QUESTION_KEYS)
    qid = item.get("id")
    if qid is None:
        check.error(keys, "'id' is required")
    elif isinstance(qid, bool) or not isinstance(qid, str | int) or not str(qid).strip() \
            or len(str(qid)) > 50:
        check.error(keys + ("id",), "'id' must be short text (at most 50 characters)")
        qid = None
    else:
        qid = str(qid).strip()
        if qid in seen:
            check.error(keys + ("id",), f"duplicate question id {qid!r} (first on line "
                                        f"{seen[qid]})")
        else:
            seen[qid] = check.doc.line(*keys, "id")
    lesson = item.get("lesson")
    if lesson is None:
        check.error(keys, "'lesson' is required (the slug of a lesson of this course)")
    elif lesson not in lesson_slugs:
        check.error(keys + ("lesson",), f"lesson {lesson!r} does not exist in this course "
                                        f"(lessons: {', '.join(sorted(lesson_slugs))})")
    qtype = item.get("type")
    if qtype not in QUESTION_TYPES:
        check.error(keys + ("type",) if "type" in item else keys,
                    f"'type' must be one of {', '.join(QUESTION_TYPES)}, not {qtype!r}")
    text = check.text(item, keys, "text")
    explanation = check.text(item, keys, "explanation")
    options, answer = _check_options_answer(item, keys, qtype, check)
    difficulty = item.get("difficulty", "medium")
    if difficulty not in DIFFICULTIES:
        check.error(keys + ("difficulty",), f"'difficulty' must be one of "
                                            f"{', '.join(DIFFICULTIES)}, not {difficulty!r}")
    form = item.get("form")
    if form is not None and form not in POOLS:
        check.error(keys + ("form",), f"'form' must be one of {', '.join(POOLS)}, "
                                      f"not {form!r}")
    kind = item.get("kind")
    if kind is not None and kind not in QUESTION_KINDS:
        check.error(keys + ("kind",), f"'kind' must be 'scenario' (an item set in a concrete "
                                      f"situation) or left out, not {kind!r}")
    if len(check.errors) > before or qtype not in QUESTION_TYPES:
        return None
    return QuestionSpec(key=qid, lesson_slug=lesson, type=qtype, text=text, options=options,
                        answer=answer, explanation=explanation, difficulty=difficulty,
                        form=form, kind=kind, line=check.doc.line(*keys))


def _check_options_answer(item: dict, keys: tuple, qtype, check: Checker):
    """Options and answer consistent with the type; returns them in the stored shape."""
    options = item.get("options")
    answer = item.get("answer")
    if "answer" not in item:
        check.error(keys, "'answer' is required")
        return [], []
    if qtype == "true_false":
        if options is not None:
            check.error(keys + ("options",), "true_false questions have no 'options'")
        if not isinstance(answer, bool):
            check.error(keys + ("answer",), f"a true_false answer must be true or false, "
                                            f"not {answer!r}")
            return [], []
        return [], [answer]
    if qtype not in ("single", "multiple"):
        return [], []
    if not isinstance(options, dict) or len(options) < 2:
        check.error(keys + ("options",) if "options" in item else keys,
                    "'options' must map at least two keys (a, b, …) to texts")
        return [], []
    stored = []
    for key, text in options.items():
        if not isinstance(key, str) or not OPTION_KEY.match(key):
            check.error(keys + ("options", key), f"option key {key!r} must be one letter a–z")
        elif not isinstance(text, str) or not text.strip():
            check.error(keys + ("options", key), f"option {key!r} must be non-empty text")
        else:
            stored.append({"key": key, "text": unicodedata.normalize("NFC", text.strip())})
    if qtype == "single":
        if isinstance(answer, list) or answer not in options:
            check.error(keys + ("answer",), f"a single answer must be one option key "
                                            f"({', '.join(map(str, options))}), not {answer!r}")
            return stored, []
        return stored, [answer]
    if not isinstance(answer, list) or not answer:
        check.error(keys + ("answer",), f"a multiple answer must be a list of option keys "
                                        f"such as [a, c], not {answer!r}")
        return stored, []
    wrong = [a for a in answer if a not in options]
    if wrong:
        check.error(keys + ("answer",), f"answer keys {wrong!r} are not among the options")
    elif len(set(answer)) != len(answer):
        check.error(keys + ("answer",), "an answer key is listed twice")
    return stored, sorted(answer)


def check_course(folder: Path, errors: list[ContentError]) -> CourseSpec | None:
    """Validate one course folder, appending to `errors`; the spec when it is valid."""
    before = len(errors)
    slug = folder.name
    if not SLUG.match(slug) or len(slug) > MAX_SLUG:
        errors.append(ContentError(folder, None, "the folder name is the course slug: "
                                                 "lower-case letters a–z, digits and dashes"))
    course_file = folder / "course.yml"
    parsed = None
    if not course_file.is_file():
        errors.append(ContentError(course_file, None, "course.yml is missing"))
    else:
        parsed = _check_course_yml(course_file, errors)
    lessons = _check_lessons(folder, errors)
    questions = _check_questions(folder / "questions.yml", {lesson.slug for lesson in lessons},
                                 errors)
    if parsed is not None:
        _check_forms(parsed[1], course_file, questions, {lesson.slug for lesson in lessons},
                     errors)
    if len(errors) > before or parsed is None:
        return None
    fields, quiz = parsed
    return CourseSpec(slug=slug, path=folder, settings={"quiz": quiz} if quiz else {},
                      content_hash=_course_hash(folder), lessons=lessons, questions=questions,
                      **fields)


def _check_lessons(folder: Path, errors: list[ContentError]) -> list[LessonSpec]:
    lessons_dir = folder / "lessons"
    if not lessons_dir.is_dir():
        errors.append(ContentError(lessons_dir, None, "the lessons/ folder is missing"))
        return []
    lessons, numbers, slugs = [], {}, {}
    files = sorted(p for p in lessons_dir.iterdir() if p.is_file() and p.suffix == ".md")
    if not files:
        errors.append(ContentError(lessons_dir, None, "no lesson files (NN-slug.md)"))
    for path in files:
        match = LESSON_FILE.match(path.name)
        if not match or len(match["slug"]) > MAX_SLUG:
            errors.append(ContentError(path, None, "lesson files are named NN-slug.md: two "
                                                   "digits, a dash, then lower-case a–z, digits "
                                                   "and dashes"))
            continue
        number, slug = int(match["num"]), match["slug"]
        if slug in slugs:
            errors.append(ContentError(path, None, f"duplicate lesson slug {slug!r} (also "
                                                   f"{slugs[slug].name})"))
            continue
        if number in numbers:
            errors.append(ContentError(path, None, f"duplicate lesson number {match['num']} "
                                                   f"(also {numbers[number].name})"))
            continue
        slugs[slug], numbers[number] = path, path
        lesson = _check_lesson(path, number, slug, errors)
        if lesson is not None:
            lessons.append(lesson)
    return lessons


def _same_item(text: str) -> str:
    """A question's text reduced for comparison (case, spaces and punctuation ignored)."""
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", text).casefold()).strip()


def _check_forms(quiz: dict | None, path: Path, questions: list[QuestionSpec],
                 lesson_slugs: set[str], errors: list[ContentError]) -> None:
    """Parallel forms: the blueprint names lessons of the course and the bank can fill it for
    both forms without sharing an item; no question is written twice; without a blueprint the
    pre-test and final together fit in the bank (so they never overlap for one person)."""
    bank_path = path.parent / "questions.yml"
    first: dict[str, QuestionSpec] = {}
    for question in questions:
        seen = first.setdefault(_same_item(question.text), question)
        if seen is not question:
            errors.append(ContentError(bank_path, question.line, (
                f"question {question.key!r} repeats question {seen.key!r} (line {seen.line}): "
                "the same item could appear in both the pre-test and the final")))
    if not quiz:
        return
    doc = Doc(read_text(path, []) or "", path, [])
    forms, blueprint = quiz.get("forms"), quiz.get("blueprint") or []
    if forms != "pools":
        for question in questions:
            if question.form is not None:
                errors.append(ContentError(bank_path, question.line, (
                    f"question {question.key!r} has 'form' but the course does not declare "
                    "'forms: pools'")))
    if not blueprint:
        wanted = sum((quiz.get(part) or {}).get("questions") or 0 for part in POOLS)
        if quiz.get("pretest") and quiz.get("final") and wanted > len(questions):
            errors.append(ContentError(path, doc.line("quiz", "final", "questions"), (
                f"the pre-test and the final together ask for {wanted} questions but "
                f"questions.yml holds {len(questions)}: they would share items")))
        for part in POOLS:
            wanted = (quiz.get(part) or {}).get("questions")
            if wanted and wanted > len(questions):
                errors.append(ContentError(path, doc.line("quiz", part, "questions"),
                                           f"the {part} asks for {wanted} questions but "
                                           f"questions.yml holds {len(questions)}"))
        return
    for cell in blueprint:
        where = doc.line("quiz", "blueprint", cell["lesson"])
        if cell["lesson"] not in lesson_slugs:
            errors.append(ContentError(path, where, (
                f"blueprint lesson {cell['lesson']!r} does not exist in this course "
                f"(lessons: {', '.join(sorted(lesson_slugs))})")))
            continue
        label = cell["lesson"] + (f", {cell['difficulty']}" if cell["difficulty"] else "")

        def fits(question, pool=None, cell=cell):
            return (question.lesson_slug == cell["lesson"]
                    and cell["difficulty"] in (None, question.difficulty)
                    and (pool is None or question.form == pool))

        if forms == "pools":
            for pool in POOLS:
                have = sum(1 for q in questions if fits(q, pool))
                if have < cell["items"]:
                    errors.append(ContentError(path, where, (
                        f"blueprint ({label}) needs {cell['items']} item(s) in the {pool} "
                        f"pool; questions.yml has {have} with form: {pool}")))
        else:
            have = sum(1 for q in questions if fits(q))
            if have < 2 * cell["items"]:
                errors.append(ContentError(path, where, (
                    f"blueprint ({label}) needs {cell['items']} item(s) in each of the two "
                    f"forms, so {2 * cell['items']} distinct items; questions.yml has {have}")))
    if forms == "pools":
        for question in questions:
            if question.form is None:
                errors.append(ContentError(bank_path, question.line, (
                    f"question {question.key!r} needs 'form: pretest' or 'form: final' "
                    "(the course declares forms: pools)")))


def course_folders(root: Path) -> list[Path]:
    """Sub-folders of the content root that are courses (hidden and `_` folders skipped)."""
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def check_content(root: Path | str) -> list[CourseSpec]:
    """Validate every course under `root`; raise ContentInvalid listing every error."""
    root = Path(root)
    errors: list[ContentError] = []
    if not root.is_dir():
        raise ContentInvalid([ContentError(root, None, "content folder not found")])
    if (root / "course.yml").exists():
        raise ContentInvalid([ContentError(root, None, "this is a course folder; give the "
                                                       "content folder that holds the courses")])
    specs = []
    for folder in course_folders(root):
        spec = check_course(folder, errors)
        if spec is not None:
            specs.append(spec)
    if not errors:
        # The content-wide files: a broken glossary or paths.yml blocks loading like a course.
        load_glossary(root, errors)
        check_paths(root, specs, errors)
    if errors:
        raise ContentInvalid(errors)
    return specs


# --- rendering ---------------------------------------------------------------------------------

def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def render_markdown(body: str, course_slug: str) -> str:
    """Markdown → sanitised HTML; relative image paths point at the course's media route."""
    prefix = MEDIA_PREFIX.format(slug=course_slug)

    def rewrite(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            if re.match(r"^[a-z][a-z0-9+.-]*:|^/", value, re.I):
                return None
            return prefix + value
        return value

    html = _markdown().render(body)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, clean_content_tags={"script", "style"},
                     attribute_filter=rewrite, link_rel="noopener noreferrer")


# --- loading -----------------------------------------------------------------------------------

def load_content(root: Path | str) -> LoadResult:
    """Validate everything, then upsert courses, lessons and questions (flush only).

    Raises ContentInvalid before writing anything when any course has an error.
    """
    specs = check_content(root)
    result = LoadResult()
    existing = {c.slug: c for c in db.session.scalars(select(Course))}
    for spec in specs:
        course = existing.get(spec.slug)
        result.lessons += len(spec.lessons)
        result.questions += len(spec.questions)
        if course is not None and course.content_hash == spec.content_hash and course.active:
            result.unchanged += 1
            continue
        if course is None:
            course = Course(slug=spec.slug)
            db.session.add(course)
            result.new += 1
        else:
            result.updated += 1
        _apply_course(course, spec)
        db.session.flush()
        _upsert_lessons(course, spec, Lesson)
        _upsert_questions(course, spec, Question)
    seen = {spec.slug for spec in specs}
    for slug, course in existing.items():
        if slug not in seen and course.active:
            course.active = False
            result.deactivated += 1
    result.paths = _replace_paths(check_paths(Path(root), specs, []))
    db.session.flush()
    return result


def _replace_paths(paths: dict[str, list[str]]) -> int:
    """Store the checked paths (position → course slugs) in place of the previous ones;
    returns the number of positions with a path."""
    ids = dict(db.session.execute(select(Course.slug, Course.id)).all())
    db.session.execute(delete(PositionCourse))
    rows = [{"position": code, "course_id": ids[slug]}
            for code, slugs in paths.items() for slug in slugs]
    if rows:
        db.session.execute(insert(PositionCourse), rows)
    return len(paths)


def _apply_course(course, spec: CourseSpec) -> None:
    course.title, course.summary, course.audience = spec.title, spec.summary, spec.audience
    course.hours, course.counts_toward_target = spec.hours, spec.counts_toward_target
    course.pass_mark, course.settings, course.version = (spec.pass_mark, spec.settings,
                                                         spec.version)
    course.sources, course.validity_months = spec.sources, spec.validity_months
    course.active, course.content_hash, course.loaded_at = True, spec.content_hash, utcnow()


def _upsert_lessons(course, spec: CourseSpec, lesson_model) -> None:
    current = {lesson.slug: lesson for lesson in db.session.scalars(
        select(lesson_model).where(lesson_model.course_id == course.id))}
    for item in spec.lessons:
        lesson = current.pop(item.slug, None)
        if lesson is None:
            lesson = lesson_model(course_id=course.id, slug=item.slug)
            db.session.add(lesson)
        lesson.position, lesson.title, lesson.minutes = item.position, item.title, item.minutes
        lesson.body_md = item.body_md
        lesson.body_html = render_markdown(item.body_md, spec.slug)
        lesson.active = True
    for lesson in current.values():
        lesson.active = False  # history (progress rows) stays attached to it
    db.session.flush()
    db.session.expire(course, ["lessons"])


def _upsert_questions(course, spec: CourseSpec, question_model) -> None:
    current = {q.key: q for q in db.session.scalars(
        select(question_model).where(question_model.course_id == course.id))}
    for item in spec.questions:
        question = current.pop(item.key, None)
        if question is None:
            question = question_model(course_id=course.id, key=item.key)
            db.session.add(question)
        question.lesson_slug, question.type, question.text = (item.lesson_slug, item.type,
                                                              item.text)
        question.options, question.answer = item.options, item.answer
        question.explanation, question.active = item.explanation, True
        question.difficulty, question.form = item.difficulty, item.form
    for question in current.values():
        question.active = False
