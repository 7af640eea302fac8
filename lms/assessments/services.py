"""Quiz rules: drawing a paper, saving answers, grading exactly once, feedback, paper scores.

Nothing here reads the request; the acting user is passed in. Services add and flush, never
commit — except `start_attempt`, which rolls back a lost race on the attempt number (see there).
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts import audit
from lms.assessments.models import (
    FOLLOW_UP,
    IN_PROGRESS,
    SUBMITTED,
    Attempt,
    AttemptAnswer,
    PaperForm,
    PaperScore,
    Question,
)
from lms.assessments.settings import (
    DEFAULT_QUESTIONS,
    follow_up_kinds,
    grace,
    has_quiz,
    partial_credit,
    pool_of,
    quiz_config,
    quiz_settings,
)
from lms.assessments.signals import final_passed
from lms.cohorts.models import Cohort, CohortMember
from lms.cohorts.services import require_open
from lms.core.params import BadParameter, decimal_arg, int_arg
from lms.core.tabular import Column, ImportFailed, RowError, normalise_id, read_table
from lms.core.text import clean
from lms.core.timeutil import utcnow
from lms.courses.models import Completion, Course
from lms.extensions import db
from lms.units.models import Person


class QuizError(Exception):
    """A quiz rule was broken; the message is for the learner (Vietnamese)."""


# --- questions and grading --------------------------------------------------------------------

def question_options(question: Question) -> list[dict]:
    """The options shown for a question; true/false questions always offer Đúng / Sai."""
    if question.type == "true_false":
        return [{"key": "true", "text": _("Đúng")}, {"key": "false", "text": _("Sai")}]
    return [{"key": str(o["key"]), "text": o["text"]} for o in question.options or []]


def answer_keys(question: Question) -> set[str]:
    """The correct option keys as strings (true/false answers become "true"/"false")."""
    keys = set()
    for value in question.answer or []:
        if isinstance(value, bool):
            keys.add("true" if value else "false")
        else:
            keys.add(str(value).lower() if question.type == "true_false" else str(value))
    return keys


def grade_answer(qtype: str, correct: set[str], chosen, partial: bool = False) -> float:
    """Points (0–1) for one answer.

    Single choice and true/false: 1 when exactly the right option is chosen. Multiple choice:
    all-or-nothing by default; with partial credit, (right options chosen − wrong options
    chosen) / number of right options, floored at 0.

    :param qtype: `single`, `multiple` or `true_false`
    :param correct: the right option keys
    :param chosen: the chosen option keys (None or empty: unanswered)
    :param partial: the course gives partial credit
    """
    picked = set(chosen or [])
    if not picked:
        return 0.0
    if picked == correct:
        return 1.0
    if qtype != "multiple" or not partial or not correct:
        return 0.0
    right = len(picked & correct)
    wrong = len(picked - correct)
    return max(0.0, (right - wrong) / len(correct))


def draw_layout(course: Course, n: int, rng: random.Random | None = None, *,
                kind: str = "final", exclude=()) -> list[dict]:
    """Draw a paper of active questions for one quiz, with shuffled options.

    With a blueprint, each cell (lesson, and difficulty when given) gets exactly its number of
    items, so every form has the same make-up; without one, `n` questions are taken
    round-robin across lessons (one per lesson per round, lessons in a random order each
    round). With `forms: pools` only the quiz's own pool is used. Questions in `exclude` (what
    the person saw on the other form) are never drawn. The paper order and each question's
    option order are then shuffled (true/false keeps Đúng before Sai).

    :param kind: the quiz (`pretest`, `final`, `followup<days>`): chooses the pool
    :param exclude: question ids that must not be drawn
    :param rng: a random generator (tests pass a seeded one)
    """
    rng = rng or random.SystemRandom()
    settings = quiz_settings(course)
    stmt = (select(Question.id, Question.lesson_slug, Question.type, Question.options,
                   Question.difficulty)
            .where(Question.course_id == course.id, Question.active.is_(True))
            .order_by(Question.id))
    if settings.get("forms") == "pools":
        stmt = stmt.where(Question.form == pool_of(kind))
    excluded = set(exclude)
    rows = [row for row in db.session.execute(stmt) if row.id not in excluded]
    blueprint = settings.get("blueprint")
    if blueprint:
        picked = []
        for cell in blueprint:
            fits = [row for row in rows if row.lesson_slug == cell["lesson"]
                    and cell.get("difficulty") in (None, row.difficulty)
                    and row not in picked]
            picked.extend(rng.sample(fits, min(cell["items"], len(fits))))
    else:
        groups: dict[str, list] = defaultdict(list)
        for row in rows:
            groups[row.lesson_slug or ""].append(row)
        for group in groups.values():
            rng.shuffle(group)
        picked = []
        while len(picked) < n and any(groups.values()):
            lessons = sorted(slug for slug, group in groups.items() if group)
            rng.shuffle(lessons)
            for slug in lessons:
                if len(picked) < n:
                    picked.append(groups[slug].pop())
    rng.shuffle(picked)
    layout = []
    for row in picked:
        if row.type == "true_false":
            keys = ["true", "false"]
        else:
            keys = [str(o["key"]) for o in row.options or []]
            rng.shuffle(keys)
        layout.append({"q": row.id, "o": keys})
    return layout


def seen_on_other_form(person_id: int, course_id: int, kind: str) -> set[int]:
    """Question ids the person met on the other form (pre-test vs final and follow-ups),
    online or on per-item paper: the next draw must avoid them."""
    stmt = select(Attempt.layout).where(Attempt.person_id == person_id,
                                        Attempt.course_id == course_id)
    stmt = stmt.where(Attempt.kind != "pretest") if kind == "pretest" else stmt.where(
        Attempt.kind == "pretest")
    return {item["q"] for layout in db.session.scalars(stmt) for item in layout or []}


# --- attempts ---------------------------------------------------------------------------------

def attempts_of(person_id: int, course_id: int, kind: str | None = None) -> list[Attempt]:
    """A person's attempts at a course's quizzes, newest first (the attempt history)."""
    stmt = select(Attempt).where(Attempt.person_id == person_id, Attempt.course_id == course_id)
    if kind:
        stmt = stmt.where(Attempt.kind == kind)
    return list(db.session.scalars(stmt.order_by(Attempt.kind, Attempt.number.desc())))


def open_attempt(person_id: int, course_id: int, kind: str) -> Attempt | None:
    """The attempt in progress, if any."""
    return db.session.scalar(select(Attempt).where(
        Attempt.person_id == person_id, Attempt.course_id == course_id, Attempt.kind == kind,
        Attempt.status == IN_PROGRESS).order_by(Attempt.number.desc()).limit(1))


def has_passed(person_id: int, course_id: int, kind: str = "final") -> bool:
    """True when the person has a passed, submitted attempt (or paper post score ≥ pass mark
    for the final)."""
    online = db.session.scalar(select(exists().where(
        Attempt.person_id == person_id, Attempt.course_id == course_id, Attempt.kind == kind,
        Attempt.status == SUBMITTED, Attempt.passed.is_(True))))
    if online or kind != "final":
        return bool(online)
    return bool(db.session.scalar(select(exists().where(
        PaperScore.person_id == person_id, PaperScore.course_id == course_id,
        PaperScore.post_score >= select(Course.pass_mark).where(Course.id == course_id)
        .scalar_subquery()))))


def close_if_overdue(attempt: Attempt, now=None) -> bool:
    """Grade an attempt left open past its deadline plus grace; True when it was graded now."""
    now = now or utcnow()
    if attempt.is_open and attempt.deadline is not None and now > attempt.deadline + grace():
        return submit_attempt(attempt, now=now)
    return False


def start_attempt(person, course: Course, kind: str, *, by=None,
                  rng: random.Random | None = None) -> Attempt:
    """Start a new attempt, or return the one already in progress.

    The attempt number is unique per (person, course, kind): when two requests race, one
    insert fails; that request rolls the session back and returns the winner's attempt, so the
    limit holds across processes. Callers must have nothing else pending in the session.

    :param person: the learner (a roster Person)
    :param kind: `pretest`, `final` or `followup<days>`
    :param by: the acting user
    :raises QuizError: no such quiz, no questions, limit reached, final already passed, a
        pre-test after the final has started, a follow-up that is not due
    """
    cfg = quiz_config(course, kind)
    if cfg is None:
        raise QuizError(_("Khóa học này không có bài kiểm tra này."))
    current = open_attempt(person.id, course.id, kind)
    if current is not None:
        if not close_if_overdue(current):
            return current
        db.session.flush()
    if kind == "final" and has_passed(person.id, course.id, "final"):
        raise QuizError(_("Bạn đã đạt bài kiểm tra cuối khóa; không cần làm lại."))
    if kind == "pretest" and final_started(person.id, course.id):
        raise QuizError(_("Bài kiểm tra đầu vào không còn mở khi bạn đã bắt đầu bài cuối "
                          "khóa."))
    if kind.startswith(FOLLOW_UP) and not follow_up_due(person.id, course, kind):
        raise QuizError(_("Bài kiểm tra nhắc lại chưa đến hạn."))
    used = db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.person_id == person.id, Attempt.course_id == course.id,
        Attempt.kind == kind)) or 0
    if used >= cfg["max_attempts"]:
        raise QuizError(_("Bạn đã dùng hết %(n)s lượt làm bài.", n=cfg["max_attempts"]))
    layout = draw_layout(course, cfg["questions"], rng, kind=kind,
                         exclude=seen_on_other_form(person.id, course.id, kind))
    if not layout:
        raise QuizError(_("Ngân hàng câu hỏi của khóa học chưa có câu hỏi nào."))
    now = utcnow()
    deadline = (now + timedelta(minutes=float(cfg["time_limit_minutes"]))
                if cfg["time_limit_minutes"] else None)
    person_id, course_id = person.id, course.id
    attempt = Attempt(person_id=person_id, course_id=course_id, kind=kind, number=used + 1,
                      status=IN_PROGRESS, layout=layout, started_at=now, deadline=deadline,
                      blueprint=quiz_settings(course).get("blueprint_id"))
    attempt.answers = [AttemptAnswer(question_id=item["q"], position=i)
                       for i, item in enumerate(layout, start=1)]
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError:
        # Another request took this attempt number first: use its attempt, never a second one.
        db.session.rollback()
        winner = open_attempt(person_id, course_id, kind)
        if winner is None:
            raise QuizError(_("Bạn đã dùng hết lượt làm bài hoặc đang có một lượt khác; "
                              "hãy tải lại trang.")) from None
        return winner
    return attempt


def layout_entry(attempt: Attempt, question_id: int) -> dict | None:
    """The drawn entry (question id and option order) for a question of the attempt."""
    return next((item for item in attempt.layout or [] if item["q"] == question_id), None)


def keys_from_positions(attempt: Attempt, question_id: int, positions) -> list[str]:
    """Translate the option positions a page posts ("0", "2") into bank option keys.

    Pages send positions in the drawn order, never the bank's keys, so an author's habit (the
    right answer written first as "a") cannot undo the shuffle.

    :raises QuizError: unknown question or position
    """
    entry = layout_entry(attempt, question_id)
    if entry is None:
        raise QuizError(_("Câu hỏi không thuộc bài làm này."))
    try:
        return [entry["o"][int_arg(raw, min=0, max=len(entry["o"]) - 1)]
                for raw in positions or []]
    except BadParameter:
        raise QuizError(_("Lựa chọn không hợp lệ.")) from None


def save_answer(attempt: Attempt, question_id: int, chosen, *, by=None, now=None):
    """Save (replace) the chosen options for one question while the attempt is open.

    The write is a conditional UPDATE that only succeeds while the attempt is in progress, so
    an answer can never change after grading, whatever the interleaving.

    :param chosen: option keys (a list; empty or None clears the answer)
    :param by: the acting user
    :returns: the time the answer was saved
    :raises QuizError: attempt closed, time over, unknown question or option
    """
    now = now or utcnow()
    if not attempt.is_open:
        raise QuizError(_("Bài đã nộp; không thể sửa câu trả lời."))
    if attempt.deadline is not None and now > attempt.deadline + grace():
        raise QuizError(_("Đã hết giờ làm bài; câu trả lời này không được lưu."))
    entry = layout_entry(attempt, question_id)
    if entry is None:
        raise QuizError(_("Câu hỏi không thuộc bài làm này."))
    picked = {str(k) for k in (chosen or []) if str(k) != ""}
    if picked - set(entry["o"]):
        raise QuizError(_("Lựa chọn không hợp lệ."))
    qtype = db.session.scalar(select(Question.type).where(Question.id == question_id))
    if qtype != "multiple" and len(picked) > 1:
        raise QuizError(_("Câu hỏi này chỉ chọn một đáp án."))
    value = [k for k in entry["o"] if k in picked] or None
    # PostgreSQL: lock the attempt row so a concurrent submit waits (SQLite serialises writers).
    db.session.execute(select(Attempt.id).where(Attempt.id == attempt.id).with_for_update())
    result = db.session.execute(
        update(AttemptAnswer)
        .where(AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.question_id == question_id,
               exists().where(Attempt.id == attempt.id, Attempt.status == IN_PROGRESS))
        .values(chosen=value, saved_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise QuizError(_("Bài đã nộp; không thể sửa câu trả lời."))
    return now


def submit_attempt(attempt: Attempt, *, by=None, now=None) -> bool:
    """Submit and grade an attempt exactly once; True when this call did the grading.

    `UPDATE attempts SET status='submitted' … WHERE id=? AND status='in_progress'` is the
    gate: only the request whose update changed a row grades; a double click, a second tab or
    a concurrent request (in any process) finds no row to change and leaves the score alone.
    Answers saved after the deadline plus grace count as unanswered.

    :param by: the acting user
    """
    now = now or utcnow()
    result = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.status == IN_PROGRESS)
        .values(status=SUBMITTED, submitted_at=now)
        .execution_options(synchronize_session=False))
    db.session.refresh(attempt)
    if result.rowcount != 1:
        return False
    course = attempt.course
    partial = partial_credit(course)
    cutoff = attempt.deadline + grace() if attempt.deadline is not None else None
    answers = db.session.scalars(select(AttemptAnswer).where(
        AttemptAnswer.attempt_id == attempt.id).order_by(AttemptAnswer.position)).all()
    questions = {q.id: q for q in db.session.scalars(select(Question).where(
        Question.id.in_([a.question_id for a in answers])))}
    total = 0.0
    for answer in answers:
        question = questions[answer.question_id]
        in_time = answer.saved_at is not None and (cutoff is None or answer.saved_at <= cutoff)
        points = grade_answer(question.type, answer_keys(question),
                              answer.chosen if in_time else None, partial)
        answer.points = points
        answer.correct = points == 1.0
        total += points
    attempt.score = round(100.0 * total / len(answers), 2) if answers else 0.0
    # A pre-test is never passed or failed: it measures the starting point only.
    attempt.passed = None if attempt.kind == "pretest" else attempt.score >= course.pass_mark
    db.session.flush()
    if attempt.kind == "final" and attempt.passed:
        final_passed.send(course, person_id=attempt.person_id,
                          cohort=db.session.get(Cohort, attempt.cohort_id)
                          if attempt.cohort_id else None)
    return True


def final_started(person_id: int, course_id: int) -> bool:
    """True once the person has begun a final attempt (online or per-item paper) or has a
    paper post-test score: from then on the pre-test is no longer offered."""
    return bool(db.session.scalar(select(exists().where(
        Attempt.person_id == person_id, Attempt.course_id == course_id,
        Attempt.kind == "final") | exists().where(
        PaperScore.person_id == person_id, PaperScore.course_id == course_id,
        PaperScore.post_score.is_not(None)))))


def follow_up_due(person_id: int, course: Course, kind: str, today=None) -> bool:
    """True when the person completed the course at least the follow-up's days ago."""
    cfg = quiz_config(course, kind)
    if cfg is None:
        return False
    today = today or utcnow().date()
    completed = db.session.scalar(select(func.min(Completion.completed_on)).where(
        Completion.person_id == person_id, Completion.course_id == course.id))
    return completed is not None and completed + timedelta(days=cfg["days"]) <= today


def no_attempt_left(person_id: int, course: Course, kind: str) -> bool:
    """True when the person can take no further attempt at the quiz (passed, or all used)."""
    cfg = quiz_config(course, kind)
    if cfg is None or open_attempt(person_id, course.id, kind) is not None:
        return cfg is None
    if kind == "final" and has_passed(person_id, course.id, "final"):
        return True
    used = db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.person_id == person_id, Attempt.course_id == course.id,
        Attempt.kind == kind)) or 0
    return used >= cfg["max_attempts"]


def cohort_closed(person_id: int, course_id: int) -> bool:
    """True when the person belongs to a cohort of the course that has been closed."""
    return bool(db.session.scalar(select(exists().where(
        CohortMember.person_id == person_id, CohortMember.cohort_id == Cohort.id,
        Cohort.course_id == course_id, Cohort.closed_at.is_not(None)))))


def review_policy(attempt: Attempt) -> str:
    """When the attempt's answers may be shown: the quiz's `review` (pre-test: `never`)."""
    if attempt.kind == "pretest":
        return "never"
    cfg = quiz_config(attempt.course, attempt.kind)
    return cfg["review"] if cfg else "never"


def answers_visible(attempt: Attempt) -> bool:
    """Right answers and explanations may be shown for this submitted attempt under its quiz's
    review policy: `after_pass` (the person passed that quiz), `after_last_attempt` (no
    attempt is left), `after_cohort_closes` (a cohort of the course the person is in has
    closed), `never` (the default, and always for a pre-test)."""
    if attempt.is_open:
        return False
    policy = review_policy(attempt)
    if policy == "after_pass":
        return has_passed(attempt.person_id, attempt.course_id, attempt.kind)
    if policy == "after_last_attempt":
        return no_attempt_left(attempt.person_id, attempt.course, attempt.kind)
    if policy == "after_cohort_closes":
        return cohort_closed(attempt.person_id, attempt.course_id)
    return False


def quiz_step(person_id: int | None, course: Course, lessons_done: bool) -> dict | None:
    """The quiz the learner should take next on their path, or None (read the lessons).

    The pre-test comes first (until it is submitted, and only while the final has not
    started), then the lessons, then the final until it is passed; afterwards a follow-up
    test once it is due and not yet taken. Returns `{"kind", "open"}` (open: an attempt in
    progress to continue).

    :param lessons_done: every active lesson of the course is done
    """
    if person_id is None:
        return None

    def step(kind):
        return {"kind": kind, "open": open_attempt(person_id, course.id, kind) is not None}

    if has_quiz(course, "pretest") and not final_started(person_id, course.id):
        taken = db.session.scalar(select(exists().where(
            Attempt.person_id == person_id, Attempt.course_id == course.id,
            Attempt.kind == "pretest", Attempt.status == SUBMITTED)))
        if not taken:
            return step("pretest")
    if not lessons_done:
        return None
    if has_quiz(course, "final") and not has_passed(person_id, course.id, "final") \
            and not no_attempt_left(person_id, course, "final"):
        return step("final")
    for kind in follow_up_kinds(course):
        taken = db.session.scalar(select(exists().where(
            Attempt.person_id == person_id, Attempt.course_id == course.id,
            Attempt.kind == kind, Attempt.status == SUBMITTED)))
        if not taken and follow_up_due(person_id, course, kind):
            return step(kind)
    return None


def unanswered(attempt: Attempt) -> list[int]:
    """Positions (1-based, as shown) of the attempt's questions without a saved answer."""
    return [a.position for a in db.session.scalars(select(AttemptAnswer).where(
        AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.chosen.is_(None))
        .order_by(AttemptAnswer.position))]


def seconds_left(attempt: Attempt, now=None) -> int | None:
    """Seconds until the attempt's deadline (0 when past), or None without a time limit."""
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - (now or utcnow())).total_seconds()))


@dataclass
class ShownQuestion:
    """A question as shown in an attempt: text, options in the drawn order, the saved choice.

    `right`, `explanation`, `points` stay None unless feedback may be shown.
    """

    position: int
    question_id: int
    qtype: str
    text: str
    options: list[dict]
    chosen: list[str]
    saved_at: object = None
    right: set | None = None
    explanation: str | None = None
    points: float | None = None


def shown_questions(attempt: Attempt, with_answers: bool = False) -> list[ShownQuestion]:
    """The attempt's questions for display; answers and explanations only with `with_answers`,
    which callers pass only for a submitted attempt (see `answers_visible`)."""
    if with_answers and attempt.is_open:
        raise QuizError(_("Chưa nộp bài."))
    answers = {a.question_id: a for a in attempt.answers}
    questions = {q.id: q for q in db.session.scalars(select(Question).where(
        Question.id.in_([item["q"] for item in attempt.layout or []])))}
    shown = []
    for position, item in enumerate(attempt.layout or [], start=1):
        question = questions[item["q"]]
        by_key = {o["key"]: o for o in question_options(question)}
        answer = answers.get(question.id)
        entry = ShownQuestion(
            position=position, question_id=question.id, qtype=question.type,
            text=question.text, options=[by_key[k] for k in item["o"] if k in by_key],
            chosen=list(answer.chosen or []) if answer else [],
            saved_at=answer.saved_at if answer else None)
        if with_answers:
            entry.right = answer_keys(question)
            entry.explanation = question.explanation
            entry.points = answer.points if answer else None
        shown.append(entry)
    return shown


# --- paper scores -----------------------------------------------------------------------------

PAPER_COLUMNS = [
    Column("staff_id", ("ma_nhan_su", "staff_id"), True),
    Column("pre_score", ("diem_truoc", "pre_score")),
    Column("post_score", ("diem_sau", "post_score")),
]
SCORE_FIELDS = ("pre_score", "post_score")


def parse_score(value) -> float | None:
    """A percent score 0–100 from a cell ("85", "85,5", 85.5); empty → None; else ValueError."""
    return decimal_arg(clean(str(value)) if isinstance(value, str) else value, min=0, max=100,
                       default=None)


def _cohort_members(cohort) -> dict[str, int]:
    """Staff id → person id of the cohort's members."""
    return dict(db.session.execute(
        select(Person.staff_id, Person.id).join(CohortMember, CohortMember.person_id == Person.id)
        .where(CohortMember.cohort_id == cohort.id)).all())


def _member_error(staff_id: str, first_row: dict, members: dict, known=None) -> str | None:
    """Why a row's staff id cannot be used (missing, repeated, not a member), or None.

    :param known: staff ids that exist in the roster (to say "not a member" rather than
        "unknown"); None: every staff id not a member is said to be not a member
    """
    if not staff_id:
        return _("thiếu mã nhân sự")
    if staff_id in first_row:
        return _("mã nhân sự %(s)s trùng với dòng %(r)s", s=staff_id, r=first_row[staff_id])
    if staff_id not in members:
        if known is None or staff_id in known:
            return _("%(s)s không phải học viên của lớp này", s=staff_id)
        return _("không có mã nhân sự %(s)s trong danh sách", s=staff_id)
    return None


def check_paper_rows(cohort, rows, headers: dict) -> list[dict]:
    """Check paper-score rows against a cohort; return records or raise with every error.

    :param cohort: the cohort whose members are scored
    :param rows: `(row number, {"staff_id", "pre_score"?, "post_score"?})` pairs
    :param headers: the column names to quote in errors, by key
    :raises ImportFailed: every `row N, column X: reason`; nothing is written
    """
    require_open(cohort)
    errors: list[RowError] = []
    members = _cohort_members(cohort)
    wanted = {normalise_id(clean(str(r.get("staff_id") or ""))) for _n, r in rows} - set(members)
    known = set()
    for chunk_start in range(0, len(wanted), 1000):
        chunk = sorted(wanted)[chunk_start:chunk_start + 1000]
        known.update(db.session.scalars(select(Person.staff_id).where(Person.staff_id.in_(chunk))))
    records, first_row = [], {}
    for number, row in rows:
        before = len(errors)
        staff_id = normalise_id(clean(str(row.get("staff_id") or "")))
        column = headers.get("staff_id", "staff_id")
        reason = _member_error(staff_id, first_row, members, known)
        if reason:
            errors.append(RowError(number, column, reason))
        if staff_id:
            first_row.setdefault(staff_id, number)
        record = {"person_id": members.get(staff_id)}
        for key in SCORE_FIELDS:
            if key not in headers:
                continue
            try:
                record[key] = parse_score(row.get(key))
            except ValueError:
                errors.append(RowError(number, headers[key], _(
                    "điểm '%(v)s' không hợp lệ (số từ 0 đến 100, để trống nếu không thi)",
                    v=row.get(key))))
        if len(errors) == before:
            records.append(record)
    if not rows:
        errors.append(RowError(None, None, _("tệp không có dòng dữ liệu nào")))
    if errors:
        raise ImportFailed(errors)
    return records


def apply_paper_scores(cohort, records: list[dict], *, by=None) -> int:
    """Write checked paper scores for the cohort's course; returns how many rows changed.

    A column missing from the input leaves that score as it was; a record whose two scores are
    both empty removes the person's paper-score row. A post score at or above the pass mark asks
    the courses room to re-check completion.

    :param records: from `check_paper_rows`
    :param by: the acting user (recorded as `entered_by`)
    :raises CohortError: the cohort is closed (nothing is written)
    """
    require_open(cohort)
    existing = {p.person_id: p for p in db.session.scalars(select(PaperScore).where(
        PaperScore.cohort_id == cohort.id, PaperScore.course_id == cohort.course_id))}
    changed = 0
    passed = []
    for record in records:
        row = existing.get(record["person_id"])
        values = {k: record[k] for k in SCORE_FIELDS if k in record}
        if row is None:
            if all(values.get(k) is None for k in SCORE_FIELDS):
                continue
            row = PaperScore(person_id=record["person_id"], course_id=cohort.course_id,
                             cohort_id=cohort.id)
            db.session.add(row)
        elif all(getattr(row, k) == v for k, v in values.items()):
            continue
        for key, value in values.items():
            setattr(row, key, value)
        row.entered_by_id = getattr(by, "id", None)
        row.entered_at = utcnow()
        row.blueprint = quiz_settings(cohort.course).get("blueprint_id")
        changed += 1
        if row.pre_score is None and row.post_score is None:
            db.session.delete(row)
        elif row.post_score is not None and row.post_score >= cohort.course.pass_mark:
            passed.append(record["person_id"])
    db.session.flush()
    for person_id in passed:
        final_passed.send(cohort.course, person_id=person_id, cohort=cohort)
    audit.record("paper_scores.save", actor=by, target=f"cohort {cohort.id}", rows=changed)
    return changed


def import_paper_scores(cohort, data: bytes, filename: str, *, by=None) -> int:
    """Import a CSV/XLSX of paper scores for a cohort, all or nothing; returns rows changed.

    Columns: `ma_nhan_su|staff_id` (required), `diem_truoc|pre_score`, `diem_sau|post_score`
    (at least one), scores 0–100, empty = not taken.

    :raises ImportFailed: with every error; nothing is written
    """
    require_open(cohort)
    table = read_table(data, filename, PAPER_COLUMNS)
    if not any(k in table.headers for k in SCORE_FIELDS):
        raise ImportFailed([RowError(1, "diem_truoc | diem_sau", _(
            "cần ít nhất một cột điểm: diem_truoc|pre_score hoặc diem_sau|post_score"))])
    records = check_paper_rows(cohort, table.rows, table.headers)
    return apply_paper_scores(cohort, records, by=by)


def paper_score_table(cohort) -> list[tuple]:
    """(member Person, PaperScore or None) for every member of the cohort, by staff id."""
    return db.session.execute(
        select(Person, PaperScore)
        .join(CohortMember, CohortMember.person_id == Person.id)
        .outerjoin(PaperScore, and_(PaperScore.person_id == Person.id,
                                    PaperScore.cohort_id == cohort.id,
                                    PaperScore.course_id == cohort.course_id))
        .where(CohortMember.cohort_id == cohort.id).order_by(Person.staff_id)).all()


def paper_layout(course: Course, kind: str = "final", seed: int | None = None) -> list[dict]:
    """The layout of a printed test: drawn like an online attempt. A final (or follow-up)
    paper never repeats an item of the pre-test paper with the same seed, so a cohort given
    both papers of one seed meets each item once."""
    cfg = quiz_config(course, kind) or {"questions": DEFAULT_QUESTIONS}
    exclude = ()
    if kind != "pretest" and seed is not None and quiz_config(course, "pretest"):
        exclude = {item["q"] for item in paper_layout(course, "pretest", seed)}
    rng = random.Random(f"{kind}-{seed}") if seed is not None else None
    return draw_layout(course, cfg["questions"], rng, kind=kind, exclude=exclude)


def paper_form(course: Course, kind: str, seed: int) -> PaperForm:
    """The printed test of (course, kind, seed), drawn and kept the first time it is printed,
    so that per-item answers entered later are graded against exactly that paper."""
    form = db.session.scalar(select(PaperForm).where(
        PaperForm.course_id == course.id, PaperForm.kind == kind, PaperForm.seed == seed))
    if form is None:
        form = PaperForm(course_id=course.id, kind=kind, seed=seed,
                         layout=paper_layout(course, kind, seed),
                         blueprint=quiz_settings(course).get("blueprint_id"))
        db.session.add(form)
        db.session.flush()
    return form


def paper_test(course: Course, kind: str = "final", seed: int | None = None,
               layout: list | None = None) -> list:
    """Questions for a printed test (see `paper_layout`, or the given layout of a kept
    paper form), options in a shuffled order; returns (Question, options) pairs."""
    layout = layout if layout is not None else paper_layout(course, kind, seed)
    questions = {q.id: q for q in db.session.scalars(select(Question).where(
        Question.id.in_([item["q"] for item in layout])))}
    paper = []
    for item in layout:
        question = questions[item["q"]]
        by_key = {o["key"]: o for o in question_options(question)}
        paper.append((question, [by_key[k] for k in item["o"] if k in by_key]))
    return paper


# --- per-item paper answers -------------------------------------------------------------------

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def answer_columns(form: PaperForm) -> list[Column]:
    """Columns of a per-item answer sheet: the staff id, then one per question (`cau_1` …)."""
    return [Column("staff_id", ("ma_nhan_su", "staff_id"), True)] + [
        Column(f"c{n}", (f"cau_{n}", f"cau{n}", f"c{n}", str(n)))
        for n in range(1, len(form.layout) + 1)]


def _letters(value, entry: dict, qtype: str) -> list[str]:
    """Option keys from the letters written on paper ("A", "a c", "AC"); empty: blank.

    :raises ValueError: with the reason (for the learner's trainer, Vietnamese)
    """
    text = clean(str(value if value is not None else "")).upper().replace(",", "")
    letters = [ch for ch in text if not ch.isspace()]
    allowed = LETTERS[:len(entry["o"])]
    wrong = [ch for ch in letters if ch not in allowed]
    if wrong:
        raise ValueError(_("'%(v)s' không phải phương án (chọn trong %(a)s)", v=value,
                           a=", ".join(allowed)))
    if len(set(letters)) != len(letters):
        raise ValueError(_("phương án '%(v)s' ghi hai lần", v=value))
    if qtype != "multiple" and len(letters) > 1:
        raise ValueError(_("câu này chỉ chọn một phương án, không phải '%(v)s'", v=value))
    return [entry["o"][allowed.index(ch)] for ch in letters]


def check_paper_answers(cohort, form: PaperForm, rows, headers: dict) -> list[dict]:
    """Check per-item paper answers of a cohort's members; return records or raise.

    A row whose answer cells are all empty is skipped (the person did not sit that paper). A
    final or follow-up paper may not hold an item the person met on the pre-test.

    :param rows: `(row number, {"staff_id", "c1", "c2", …})` pairs
    :param headers: the column names to quote in errors, by key
    :raises ImportFailed: every `row N, column X: reason`; nothing is written
    """
    require_open(cohort)
    errors: list[RowError] = []
    if form.course_id != cohort.course_id:
        raise ImportFailed([RowError(None, None, _("đề này không thuộc khóa học của lớp"))])
    members = _cohort_members(cohort)
    types = dict(db.session.execute(select(Question.id, Question.type).where(
        Question.id.in_([item["q"] for item in form.layout]))).all())
    records, first_row = [], {}
    for number, row in rows:
        before = len(errors)
        staff_id = normalise_id(clean(str(row.get("staff_id") or "")))
        column = headers.get("staff_id", "staff_id")
        cells = [row.get(f"c{n}") for n in range(1, len(form.layout) + 1)]
        if all(clean(str(c if c is not None else "")) == "" for c in cells):
            continue
        reason = _member_error(staff_id, first_row, members)
        if reason:
            errors.append(RowError(number, column, reason))
        first_row.setdefault(staff_id, number)
        chosen = []
        for n, (entry, cell) in enumerate(zip(form.layout, cells, strict=True), start=1):
            try:
                chosen.append(_letters(cell, entry, types.get(entry["q"], "single")))
            except ValueError as exc:
                errors.append(RowError(number, headers.get(f"c{n}", _("câu %(n)s", n=n)),
                                       str(exc)))
        person_id = members.get(staff_id)
        if person_id is not None and len(errors) == before:
            seen = seen_on_other_form(person_id, form.course_id, form.kind)
            shared = [n for n, entry in enumerate(form.layout, start=1) if entry["q"] in seen]
            if shared:
                errors.append(RowError(number, column, _(
                    "%(s)s đã gặp câu %(q)s của đề này ở bài kiểm tra khác; hãy dùng đề cùng mã "
                    "số (seed) với đề đầu vào", s=staff_id,
                    q=", ".join(map(str, shared)))))
        if len(errors) == before:
            records.append({"person_id": person_id, "chosen": chosen})
    if not rows:
        errors.append(RowError(None, None, _("tệp không có dòng dữ liệu nào")))
    if errors:
        raise ImportFailed(errors)
    return records


def apply_paper_answers(cohort, form: PaperForm, records: list[dict], *, by=None,
                        now=None) -> int:
    """Store checked per-item paper answers as attempts graded by the same grader as online
    ones (so they count in item analysis, gain and completion); returns how many changed.

    A person's earlier entry for the same paper is replaced; identical answers change nothing.

    :param records: from `check_paper_answers`
    :param by: the acting user
    :raises CohortError: the cohort is closed (nothing is written)
    """
    require_open(cohort)
    now = now or utcnow()
    existing = {a.person_id: a for a in db.session.scalars(select(Attempt).where(
        Attempt.paper_form_id == form.id))}
    changed = 0
    for record in records:
        chosen = [keys or None for keys in record["chosen"]]
        old = existing.get(record["person_id"])
        if old is not None:
            if [a.chosen for a in old.answers] == chosen:
                continue
            db.session.delete(old)
            db.session.flush()
        used = db.session.scalar(select(func.max(Attempt.number)).where(
            Attempt.person_id == record["person_id"], Attempt.course_id == form.course_id,
            Attempt.kind == form.kind)) or 0
        attempt = Attempt(person_id=record["person_id"], course_id=form.course_id,
                          kind=form.kind, number=used + 1, status=IN_PROGRESS,
                          layout=form.layout, started_at=now, blueprint=form.blueprint,
                          paper_form_id=form.id, cohort_id=cohort.id)
        attempt.answers = [AttemptAnswer(question_id=item["q"], position=i, chosen=keys,
                                         saved_at=now)
                           for i, (item, keys) in enumerate(zip(form.layout, chosen,
                                                                strict=True), start=1)]
        db.session.add(attempt)
        db.session.flush()
        submit_attempt(attempt, by=by, now=now)
        changed += 1
    audit.record("paper_answers.save", actor=by, target=f"cohort {cohort.id}",
                 form=form.id, rows=changed)
    return changed


def import_paper_answers(cohort, form: PaperForm, data: bytes, filename: str, *,
                         by=None) -> int:
    """Import a CSV/XLSX of per-item paper answers (`ma_nhan_su`, `cau_1` … `cau_N`: the
    letters marked, empty = blank), all or nothing; returns how many attempts changed.

    :raises ImportFailed: with every error; nothing is written
    """
    require_open(cohort)
    table = read_table(data, filename, answer_columns(form))
    missing = [f"cau_{n}" for n in range(1, len(form.layout) + 1)
               if f"c{n}" not in table.headers]
    if missing:
        raise ImportFailed([RowError(1, ", ".join(missing), _(
            "thiếu cột câu trả lời (đề %(f)s có %(n)s câu: cau_1 … cau_%(n)s)", f=form.id,
            n=len(form.layout)))])
    records = check_paper_answers(cohort, form, table.rows, table.headers)
    return apply_paper_answers(cohort, form, records, by=by)


def paper_answer_table(cohort, form: PaperForm) -> list[tuple]:
    """(member Person, letters per question as entered, score or None) for the cohort."""
    attempts = {a.person_id: a for a in db.session.scalars(select(Attempt).where(
        Attempt.paper_form_id == form.id, Attempt.cohort_id == cohort.id))}
    out = []
    for person in db.session.scalars(
            select(Person).join(CohortMember, CohortMember.person_id == Person.id)
            .where(CohortMember.cohort_id == cohort.id).order_by(Person.staff_id)):
        attempt = attempts.get(person.id)
        letters = [""] * len(form.layout)
        if attempt is not None:
            for answer, item in zip(attempt.answers, form.layout, strict=False):
                letters[answer.position - 1] = "".join(
                    LETTERS[item["o"].index(k)] for k in answer.chosen or [] if k in item["o"])
        out.append((person, letters, attempt.score if attempt else None))
    return out
