"""Knowledge gain (pre/post) and item analysis, computed with SQL aggregates.

Definitions (also in docs/assessments.md):

* A person's **pre-test score** for a course is their earliest pre-test result, online or on
  paper (online: a submitted pre-test attempt, dated by `submitted_at`; paper: a `pre_score`,
  dated by `entered_at`). The first result is the one taken before learning.
* A person's **post-test score** is their best result: the highest of their submitted final
  attempts and paper `post_score`s.
* **Gain** is the mean of (post − pre) over the people who have both; the pre and post means
  are over everyone with that score, so gain can differ from post mean − pre mean.
* **Share at or above the pass mark** is counted among the people with that score.
* **Item analysis** uses submitted attempts of one quiz kind (final by default). Facility is
  the share of fully correct answers. Discrimination is the upper–lower index
  D = p(upper) − p(lower): attempts are ranked by total score (ties broken by attempt id), the
  upper and lower groups are the top and bottom round(27% × N) attempts (at least one, none
  when N < 2), and p is the share correct among a group's attempts that drew the question.
  The point-biserial correlation is shown too: r = (M1 − M0) / s × √(p(1 − p)) over the
  attempts that drew the question, where M1 and M0 are the mean total scores of those who got it
  right and wrong, s the (population) standard deviation of their total scores and p the
  facility; the total includes the item itself (uncorrected). None when everyone or no one got
  it right, or all totals are equal.
"""

import math
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, case, func, literal, select, union, union_all

from lms.assessments.models import (
    FOLLOW_UP,
    SUBMITTED,
    Attempt,
    AttemptAnswer,
    PaperScore,
    Question,
)
from lms.assessments.services import answer_keys, question_options
from lms.assessments.settings import forms_label
from lms.cohorts.models import Cohort, CohortMember
from lms.courses.models import Course
from lms.extensions import db
from lms.units.models import Person, Unit

TOO_EASY = 0.9
TOO_HARD = 0.2
LOW_DISCRIMINATION = 0.2
GROUP_SHARE = 0.27
DEFAULT_MIN_RESPONSES = 30


# --- knowledge gain ---------------------------------------------------------------------------

@dataclass
class GainRow:
    """Pre/post figures for one course within the chosen population."""

    course_id: int
    title: str
    pass_mark: int
    people: int
    n_pre: int
    n_post: int
    n_paired: int
    pre_mean: float | None
    post_mean: float | None
    gain: float | None
    pre_pass_share: float | None
    post_pass_share: float | None
    forms: str = "none"           # split | pools | none: how the pre-test and final differ
    n_unmatched: int = 0          # people with both scores, but on forms of another blueprint
    group: str | None = None      # the cohort or commune of the row (report `by`)


def _pre_scores():
    """Per (person, course): the earliest pre-test result, online or paper, and the blueprint
    its form was drawn to."""
    online = select(Attempt.person_id, Attempt.course_id, Attempt.score.label("score"),
                    Attempt.submitted_at.label("taken_at"), Attempt.blueprint).where(
        Attempt.kind == "pretest", Attempt.status == SUBMITTED)
    paper = select(PaperScore.person_id, PaperScore.course_id,
                   PaperScore.pre_score.label("score"), PaperScore.entered_at.label("taken_at"),
                   PaperScore.blueprint).where(PaperScore.pre_score.is_not(None))
    results = union_all(online, paper).subquery("pre_all")
    ranked = select(results.c.person_id, results.c.course_id, results.c.score,
                    results.c.blueprint, func.row_number().over(
                        partition_by=(results.c.person_id, results.c.course_id),
                        order_by=(results.c.taken_at, results.c.score)).label("rn")
                    ).subquery("pre_ranked")
    return select(ranked.c.person_id, ranked.c.course_id, ranked.c.score,
                  ranked.c.blueprint).where(ranked.c.rn == 1).subquery("pre")


def _post_results():
    """Every final result, online or paper, with the blueprint of its form."""
    online = select(Attempt.person_id, Attempt.course_id, Attempt.score.label("score"),
                    Attempt.blueprint).where(Attempt.kind == "final",
                                             Attempt.status == SUBMITTED)
    paper = select(PaperScore.person_id, PaperScore.course_id,
                   PaperScore.post_score.label("score"), PaperScore.blueprint).where(
        PaperScore.post_score.is_not(None))
    return union_all(online, paper).subquery("post_all")


def _post_scores():
    """Per (person, course): the best final result, online or paper."""
    results = _post_results()
    return select(results.c.person_id, results.c.course_id,
                  func.max(results.c.score).label("score")).group_by(
        results.c.person_id, results.c.course_id).subquery("post")


def _matched_post_scores():
    """Per (person, course, blueprint): the best final result on a form of that blueprint."""
    results = _post_results()
    return select(results.c.person_id, results.c.course_id, results.c.blueprint,
                  func.max(results.c.score).label("score")).where(
        results.c.blueprint.is_not(None)).group_by(
        results.c.person_id, results.c.course_id, results.c.blueprint).subquery("post_m")


GROUPS = ("course", "cohort", "commune")


def _group(by: str, person_col, course_col):
    """The extra grouping of a report: (id column, label column, joins to add) for
    `course` (none), `cohort` (the person's cohort of that course) or `commune`."""
    if by == "cohort":
        member = (select(CohortMember.person_id, Cohort.course_id, Cohort.id, Cohort.name)
                  .join(Cohort, Cohort.id == CohortMember.cohort_id).subquery("grp"))
        join = (member, and_(member.c.person_id == person_col,
                             member.c.course_id == course_col))
        return member.c.id, member.c.name, join
    if by == "commune":
        commune = Unit.__table__.alias("grp_unit")
        return commune.c.id, commune.c.name, (commune, commune.c.id == Person.commune_id)
    return None, None, None


def _filtered(stmt, person_col, course_col, *, course=None, cohort=None, unit=None,
              person=None, scope=None):
    """The population filters shared by the gain and retention reports."""
    if course is not None:
        stmt = stmt.where(course_col == course.id)
    if cohort is not None:
        stmt = stmt.where(course_col == cohort.course_id, person_col.in_(
            select(CohortMember.person_id).where(CohortMember.cohort_id == cohort.id)))
    if person is not None:
        stmt = stmt.where(person_col == person.id)
    for limit in (unit, scope):
        if limit is not None:
            stmt = stmt.where(Person.commune_id.in_(select(Unit.id).where(
                Unit.path.startswith(limit.path, autoescape=True))))
    return stmt


def knowledge_gain(*, course=None, cohort=None, unit=None, person=None,
                   scope=None, by: str = "course") -> list[GainRow]:
    """Pre-test mean, post-test mean, gain and pass shares per course, in one SQL query.

    Gain is computed on matched forms: when the pre-test was drawn to a blueprint, only a
    final on a form of the same blueprint pairs with it (`n_unmatched` counts the others);
    results without a blueprint (a course with no parallel forms) pair as before, and the
    row's `forms` says `none` so the report can say the forms were not parallel.

    :param course: limit to one course
    :param cohort: limit to the cohort's members and its course
    :param unit: limit to people whose commune lies in this unit's subtree (e.g. a commune)
    :param person: limit to one learner
    :param scope: the viewer's unit subtree (from `scope_unit`), always applied
    :param by: one row per course (default), per course and cohort, or per course and commune
    """
    pre, post, matched = _pre_scores(), _post_scores(), _matched_post_scores()
    keys = union(select(pre.c.person_id, pre.c.course_id),
                 select(post.c.person_id, post.c.course_id)).subquery("k")
    diff = case((pre.c.blueprint.is_(None), post.c.score - pre.c.score),
                else_=matched.c.score - pre.c.score)
    both = case((and_(pre.c.score.is_not(None), post.c.score.is_not(None)), 1))
    group_id, group_label, group_join = _group(by, keys.c.person_id, keys.c.course_id)

    def share(col):
        return (func.sum(case((col >= Course.pass_mark, 1), else_=0)) * 1.0
                / func.nullif(func.count(col), 0))

    grouping = [Course.id, Course.title, Course.pass_mark]
    if group_id is not None:
        grouping += [group_id, group_label]
    stmt = (select(*grouping,
                   func.count(keys.c.person_id).label("people"),
                   func.count(pre.c.score).label("n_pre"), func.count(post.c.score).label("n_post"),
                   func.count(diff).label("n_paired"), func.count(both).label("n_both"),
                   func.avg(pre.c.score).label("pre_mean"),
                   func.avg(post.c.score).label("post_mean"),
                   func.avg(diff).label("gain"),
                   share(pre.c.score).label("pre_share"), share(post.c.score).label("post_share"))
            .select_from(keys)
            .join(Course, Course.id == keys.c.course_id)
            .join(Person, Person.id == keys.c.person_id)
            .outerjoin(pre, and_(pre.c.person_id == keys.c.person_id,
                                 pre.c.course_id == keys.c.course_id))
            .outerjoin(post, and_(post.c.person_id == keys.c.person_id,
                                  post.c.course_id == keys.c.course_id))
            .outerjoin(matched, and_(matched.c.person_id == keys.c.person_id,
                                     matched.c.course_id == keys.c.course_id,
                                     matched.c.blueprint == pre.c.blueprint))
            .group_by(*grouping)
            .order_by(Course.title, *([group_label] if group_label is not None else [])))
    if group_join is not None:
        stmt = stmt.outerjoin(*group_join)
    stmt = _filtered(stmt, keys.c.person_id, keys.c.course_id, course=course, cohort=cohort,
                     unit=unit, person=person, scope=scope)
    rows = []
    for r in db.session.execute(stmt):
        mapping = r._mapping
        rows.append(GainRow(
            course_id=r.id, title=r.title, pass_mark=r.pass_mark, people=r.people,
            n_pre=r.n_pre, n_post=r.n_post, n_paired=r.n_paired,
            pre_mean=_float(r.pre_mean), post_mean=_float(r.post_mean), gain=_float(r.gain),
            pre_pass_share=_float(r.pre_share), post_pass_share=_float(r.post_share),
            forms=forms_label(db.session.get(Course, r.id)), n_unmatched=r.n_both - r.n_paired,
            group=mapping[group_label] if group_label is not None else None))
    return rows


@dataclass
class RetentionRow:
    """Final → follow-up figures for one course (and group) and one follow-up."""

    course_id: int
    title: str
    days: int
    people: int
    final_mean: float | None
    follow_up_mean: float | None
    retention: float | None       # mean of (follow-up − best final) over the same people
    group: str | None = None


def retention(*, course=None, cohort=None, unit=None, person=None, scope=None,
              by: str = "course") -> list[RetentionRow]:
    """Retention per course (or course and cohort / commune) and follow-up: the people who
    took a follow-up and have a final result, their best final mean, follow-up mean and the
    mean of (follow-up − final), in one SQL query. Same filters as `knowledge_gain`."""
    follow = (select(Attempt.person_id, Attempt.course_id, Attempt.kind,
                     func.max(Attempt.score).label("score"))
              .where(Attempt.kind.startswith(FOLLOW_UP), Attempt.status == SUBMITTED)
              .group_by(Attempt.person_id, Attempt.course_id, Attempt.kind).subquery("fu"))
    post = _post_scores()
    group_id, group_label, group_join = _group(by, follow.c.person_id, follow.c.course_id)
    grouping = [Course.id, Course.title, follow.c.kind]
    if group_id is not None:
        grouping += [group_id, group_label]
    stmt = (select(*grouping, func.count(follow.c.person_id).label("people"),
                   func.avg(post.c.score).label("final_mean"),
                   func.avg(follow.c.score).label("follow_mean"),
                   func.avg(follow.c.score - post.c.score).label("retention"))
            .select_from(follow)
            .join(post, and_(post.c.person_id == follow.c.person_id,
                             post.c.course_id == follow.c.course_id))
            .join(Course, Course.id == follow.c.course_id)
            .join(Person, Person.id == follow.c.person_id)
            .group_by(*grouping)
            .order_by(Course.title, follow.c.kind,
                      *([group_label] if group_label is not None else [])))
    if group_join is not None:
        stmt = stmt.outerjoin(*group_join)
    stmt = _filtered(stmt, follow.c.person_id, follow.c.course_id, course=course,
                     cohort=cohort, unit=unit, person=person, scope=scope)
    rows = [RetentionRow(course_id=r.id, title=r.title, days=int(r.kind[len(FOLLOW_UP):]),
                         people=r.people, final_mean=_float(r.final_mean),
                         follow_up_mean=_float(r.follow_mean), retention=_float(r.retention),
                         group=r._mapping[group_label] if group_label is not None else None)
            for r in db.session.execute(stmt)]
    return sorted(rows, key=lambda row: (row.title, row.days, row.group or ""))


def _float(value) -> float | None:
    return None if value is None else float(value)


# --- item analysis ----------------------------------------------------------------------------

@dataclass
class ItemStat:
    """Statistics of one question."""

    question_id: int
    key: str
    text: str
    lesson_slug: str | None
    attempts: int = 0
    correct: int = 0
    facility: float | None = None
    discrimination: float | None = None
    point_biserial: float | None = None
    options: list[tuple[str, str, int]] = field(default_factory=list)  # (key, text, times)
    unanswered: int = 0
    flags: list[str] = field(default_factory=list)
    n_discrimination: int = 0     # attempts in the upper and lower groups that drew it
    distractors: dict = field(default_factory=dict)  # wrong key → (upper picks, lower picks)
    min_responses: int = DEFAULT_MIN_RESPONSES

    @property
    def trusted(self) -> bool:
        """Enough responses for the flags to mean something (`ITEM_MIN_RESPONSES`)."""
        return self.attempts >= self.min_responses


def _chosen_keys():
    """A table-valued expansion of `attempt_answers.chosen` (one row per chosen key)."""
    if db.engine.dialect.name == "postgresql":
        return func.json_array_elements_text(AttemptAnswer.chosen).table_valued("value")
    return func.json_each(AttemptAnswer.chosen).table_valued("value")


def min_responses() -> int:
    """The responses an item needs before it is flagged (config `ITEM_MIN_RESPONSES`)."""
    return int(current_app.config.get("ITEM_MIN_RESPONSES", DEFAULT_MIN_RESPONSES))


def item_analysis(course: Course, *, cohort=None, kind: str = "final",
                  minimum: int | None = None) -> list[ItemStat]:
    """Per question: attempts, facility, upper–lower discrimination, option counts, flags.

    Online and per-item paper attempts count alike (both are attempts with answers). Flags
    are raised only on items with at least `minimum` responses: *too easy* (facility > 0.9),
    *too hard* (< 0.2), *negative* (D < 0) or *low* discrimination (D < 0.2), a distractor
    nobody picked, a distractor the upper group picked more often than the lower group.

    :param course: the course whose bank is analysed
    :param cohort: limit to attempts by the cohort's members
    :param kind: `final` (default), `pretest` or a follow-up
    :param minimum: responses needed before flagging (default: `min_responses()`)
    """
    minimum = min_responses() if minimum is None else minimum

    base = select(Attempt.id, Attempt.score).where(
        Attempt.course_id == course.id, Attempt.kind == kind, Attempt.status == SUBMITTED)
    if cohort is not None:
        base = base.where(Attempt.person_id.in_(
            select(CohortMember.person_id).where(CohortMember.cohort_id == cohort.id)))
    base = base.subquery("base")
    n = db.session.scalar(select(func.count()).select_from(base)) or 0
    group = max(1, int(GROUP_SHARE * n + 0.5)) if n >= 2 else 0
    ranked = select(base.c.id, base.c.score, func.row_number().over(
        order_by=(base.c.score.desc(), base.c.id)).label("r")).subquery("ranked")
    upper = ranked.c.r <= group
    lower = ranked.c.r > n - group
    right = AttemptAnswer.correct.is_(True)

    def count_if(*conds):
        return func.sum(case((and_(*conds), 1), else_=0))

    stats = {row.question_id: row for row in db.session.execute(
        select(AttemptAnswer.question_id, func.count().label("attempts"),
               count_if(right).label("correct"),
               count_if(AttemptAnswer.chosen.is_(None)).label("unanswered"),
               count_if(upper).label("n_upper"), count_if(upper, right).label("c_upper"),
               count_if(lower).label("n_lower"), count_if(lower, right).label("c_lower"),
               func.sum(ranked.c.score).label("sum_all"),
               func.sum(ranked.c.score * ranked.c.score).label("sum_sq"),
               func.sum(case((right, ranked.c.score), else_=0)).label("sum_right"))
        .join(ranked, ranked.c.id == AttemptAnswer.attempt_id)
        .group_by(AttemptAnswer.question_id))}
    chosen = _chosen_keys()
    option_counts: dict[int, dict[str, int]] = {}
    group_counts: dict[int, dict[str, tuple[int, int]]] = {}
    for qid, key, times, in_upper, in_lower in db.session.execute(
            select(AttemptAnswer.question_id, chosen.c.value, func.count(),
                   count_if(upper), count_if(lower))
            .select_from(AttemptAnswer)
            .join(ranked, ranked.c.id == AttemptAnswer.attempt_id)
            .join(chosen, literal(True))
            .group_by(AttemptAnswer.question_id, chosen.c.value)):
        option_counts.setdefault(qid, {})[str(key)] = times
        group_counts.setdefault(qid, {})[str(key)] = (int(in_upper or 0), int(in_lower or 0))

    items = []
    for question in db.session.scalars(select(Question).where(
            Question.course_id == course.id).order_by(Question.lesson_slug, Question.key)):
        row = stats.get(question.id)
        if row is None and not question.active:
            continue
        item = ItemStat(question_id=question.id, key=question.key, text=question.text,
                        lesson_slug=question.lesson_slug, min_responses=minimum)
        counts = option_counts.get(question.id, {})
        item.options = [(o["key"], o["text"], counts.get(o["key"], 0))
                        for o in question_options(question)]
        if row is not None and row.attempts:
            item.attempts, item.correct = row.attempts, int(row.correct or 0)
            item.unanswered = int(row.unanswered or 0)
            item.facility = item.correct / item.attempts
            if row.n_upper and row.n_lower:
                item.discrimination = (int(row.c_upper) / int(row.n_upper)
                                       - int(row.c_lower) / int(row.n_lower))
                item.n_discrimination = int(row.n_upper) + int(row.n_lower)
            item.point_biserial = _point_biserial(item.attempts, item.correct,
                                                  row.sum_all, row.sum_sq, row.sum_right)
            right = answer_keys(question)
            groups = group_counts.get(question.id, {})
            item.distractors = {key: groups.get(key, (0, 0)) for key, _text, _n in item.options
                                if key not in right}
            if item.trusted:
                item.flags = _flags(item, counts)
        items.append(item)
    return items


def _flags(item: ItemStat, counts: dict[str, int]) -> list[str]:
    """The flags of an item with enough responses (see `item_analysis`)."""
    flags = []
    if item.facility > TOO_EASY:
        flags.append("too_easy")
    if item.facility < TOO_HARD:
        flags.append("too_hard")
    if item.discrimination is not None and item.discrimination < 0:
        flags.append("negative")
    elif item.discrimination is not None and item.discrimination < LOW_DISCRIMINATION:
        flags.append("low_discrimination")
    if any(counts.get(key, 0) == 0 for key in item.distractors):
        flags.append("unused_distractor")
    if any(up > low for up, low in item.distractors.values()):
        flags.append("strong_distractor")
    return flags


def _point_biserial(n: int, n_right: int, sum_all, sum_sq, sum_right) -> float | None:
    """Point-biserial r from SQL sums (see the module docstring); None when undefined."""
    if n < 2 or n_right in (0, n):
        return None
    sum_all, sum_sq, sum_right = float(sum_all), float(sum_sq), float(sum_right)
    mean = sum_all / n
    variance = sum_sq / n - mean * mean
    if variance <= 1e-12:
        return None
    p = n_right / n
    mean_right = sum_right / n_right
    mean_wrong = (sum_all - sum_right) / (n - n_right)
    return (mean_right - mean_wrong) / math.sqrt(variance) * math.sqrt(p * (1 - p))
