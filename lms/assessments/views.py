"""Quiz pages: start, answer (saved as you go), submit, feedback, history; knowledge gain, item
analysis, paper tests and paper scores. Thin views over services."""

import contextlib
import random

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.permissions import (
    can_analyse_items,
    can_enter_paper_scores,
    can_take_quiz,
    can_view_attempt,
    can_view_cohort,
    can_view_gain,
    can_view_person,
    role_required,
    scope_unit,
    unit_in_scope,
)
from lms.assessments import analytics, bp, services
from lms.assessments.forms import PaperScoreUploadForm
from lms.assessments.models import FOLLOW_UP, KINDS, Attempt, PaperForm
from lms.assessments.pdf import paper_labels, paper_test_pdf
from lms.assessments.settings import follow_up_kinds, quiz_config
from lms.cohorts.models import Cohort
from lms.cohorts.services import CohortError
from lms.core.params import (
    ID_MAX,
    BadParameter,
    id_arg,
    int_arg,
    json_object,
    str_list,
    takes_json,
)
from lms.core.tabular import ImportFailed
from lms.core.web import Outcome, commit_or_flash, send_download
from lms.courses.models import Course
from lms.extensions import db
from lms.units.models import CURRENT, Person, Unit
from lms.units.picker import filter_unit


def _kind_label(kind: str) -> str:
    if kind.startswith(FOLLOW_UP):
        return _("Bài kiểm tra nhắc lại sau %(d)s ngày", d=kind[len(FOLLOW_UP):])
    return _("Bài kiểm tra đầu vào") if kind == "pretest" else _("Bài kiểm tra cuối khóa")


def _course(slug: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    return course


def _checked(obj, allowed):
    """`obj` when the named check `allowed(user, obj)` lets the user see it; 404 when there is
    no such object, 403 when the check refuses."""
    if obj is None:
        abort(404)
    if not allowed(current_user, obj):
        abort(403)
    return obj


def _own_attempt(attempt_id: int) -> Attempt:
    """The current learner's own attempt (404 for anyone else's: ids are not disclosed)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or current_user.person_id is None \
            or attempt.person_id != current_user.person_id:
        abort(404)
    return attempt


@bp.app_context_processor
def _labels():
    return {"quiz_kind_label": _kind_label}


# --- taking a quiz ----------------------------------------------------------------------------

@bp.route("/course/<slug>")
@role_required("trainee", "trainer", "admin", "viewer")
def course(slug: str):
    """A course's quizzes: for a learner, start/continue and their history; for staff, links to
    item analysis, the paper test and knowledge gain."""
    course = _course(slug)
    quizzes = []
    learner = can_take_quiz(current_user, course)
    for kind in KINDS + tuple(follow_up_kinds(course)):
        cfg = quiz_config(course, kind)
        if cfg is None:
            continue
        entry = {"kind": kind, "cfg": cfg, "attempts": [], "open": None, "passed": False,
                 "closed": False}
        if learner:
            current = services.open_attempt(current_user.person_id, course.id, kind)
            if current is not None and services.close_if_overdue(current):
                db.session.commit()
                current = None
            entry["open"] = current
            entry["attempts"] = services.attempts_of(current_user.person_id, course.id, kind)
            entry["passed"] = services.has_passed(current_user.person_id, course.id, kind)
            if kind == "pretest":
                entry["closed"] = services.final_started(current_user.person_id, course.id)
            elif kind.startswith(FOLLOW_UP):
                entry["closed"] = not services.follow_up_due(current_user.person_id, course,
                                                             kind)
        quizzes.append(entry)
    return render_template("assessments/course.html", course=course, quizzes=quizzes,
                           learner=learner, staff=can_analyse_items(current_user),
                           gain=can_view_gain(current_user))


@bp.route("/course/<slug>/<kind>/start", methods=["POST"])
@role_required("trainee")
def start(slug: str, kind: str):
    """Start (or continue) an attempt, then show it."""
    course = _course(slug)
    if quiz_config(course, kind) is None:
        abort(404)
    if not can_take_quiz(current_user, course):
        abort(403)
    with commit_or_flash(services.QuizError) as done:
        attempt = services.start_attempt(current_user.person, course, kind, by=current_user)
    if not done.ok:
        return redirect(url_for("assessments.course", slug=slug))
    return redirect(url_for("assessments.attempt", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>")
@role_required("trainee")
def attempt(attempt_id: int):
    """The attempt in progress: questions with options, the saved choices, no answers."""
    attempt = _own_attempt(attempt_id)
    if services.close_if_overdue(attempt):
        db.session.commit()
        flash(_("Đã hết giờ; bài đã được nộp với các câu trả lời đã lưu."), "warning")
    if not attempt.is_open:
        return redirect(url_for("assessments.result", attempt_id=attempt.id))
    g.no_store = True
    seconds = services.seconds_left(attempt)
    return render_template("assessments/attempt.html", attempt=attempt,
                           questions=services.shown_questions(attempt), seconds=seconds,
                           remaining=None if seconds is None else seconds // 60,
                           answered=sum(1 for a in attempt.answers if a.chosen))


def _save_from_form(attempt: Attempt) -> int:
    """Save every question present in the posted form whose choice changed; returns how many."""
    saved = 0
    current = {a.question_id: list(a.chosen or []) for a in attempt.answers}
    for raw in request.form.getlist("q"):
        qid = int_arg(raw, min=1, max=ID_MAX)
        chosen = services.keys_from_positions(attempt, qid, request.form.getlist(f"q{qid}"))
        if qid in current and sorted(current[qid]) == sorted(chosen):
            continue
        services.save_answer(attempt, qid, chosen, by=current_user)
        saved += 1
    return saved


@bp.route("/attempts/<int:attempt_id>/save", methods=["POST"])
@role_required("trainee")
def save(attempt_id: int):
    """Save the answers on the page (each question's button posts the whole page, so nothing
    chosen is lost); works with JavaScript off."""
    attempt = _own_attempt(attempt_id)
    with commit_or_flash(services.QuizError) as done:
        done.success = _("Đã lưu câu trả lời.") if _save_from_form(attempt) else _(
            "Không có thay đổi.")
    if not done.ok:
        return redirect(url_for("assessments.attempt", attempt_id=attempt_id))
    anchor = request.form.get("save", "")
    return redirect(url_for("assessments.attempt", attempt_id=attempt_id,
                            _anchor=f"q-{anchor}" if anchor.isdigit() else None))


@bp.route("/attempts/<int:attempt_id>/answer.json", methods=["POST"])
@role_required("trainee")
@takes_json
def save_json(attempt_id: int):
    """Auto-save one answer from quiz.js: `{"question_id": 1, "chosen": ["0", "2"]}` (option
    positions as shown; CSRF token in the X-CSRFToken header). The reply holds only the saved
    time."""
    attempt = _own_attempt(attempt_id)
    try:
        payload = json_object()
        qid = int_arg(payload.get("question_id"), min=1, max=ID_MAX)
        chosen = str_list(payload.get("chosen"), max_items=len(services.LETTERS))
    except BadParameter as exc:
        return jsonify({"saved": False, "error": str(exc)}), 400
    try:
        keys = services.keys_from_positions(attempt, qid, chosen)
        saved_at = services.save_answer(attempt, qid, keys, by=current_user)
    except services.QuizError as exc:
        db.session.rollback()
        return jsonify({"saved": False, "error": str(exc)}), 409
    db.session.commit()
    return jsonify({"saved": True, "saved_at": saved_at.isoformat() + "Z"})


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@role_required("trainee")
def submit(attempt_id: int):
    """Save what is on the page (when still in time), then grade once; a repeated submit only
    shows the result. Without `confirm=1` (the dialog of quiz.js sends it) the answers are
    saved and a confirm page names the unanswered questions; when time is up there is
    nothing left to confirm."""
    attempt = _own_attempt(attempt_id)
    if attempt.is_open:
        # Out of time or already submitted: the answers saved earlier are what counts.
        with contextlib.suppress(services.QuizError):
            _save_from_form(attempt)
        if request.form.get("confirm") != "1" and services.seconds_left(attempt) != 0:
            db.session.commit()
            g.no_store = True
            return render_template("assessments/confirm.html", attempt=attempt,
                                   missing=services.unanswered(attempt),
                                   total=len(attempt.layout or []),
                                   seconds=services.seconds_left(attempt))
    graded = services.submit_attempt(attempt, by=current_user)
    db.session.commit()
    if graded:
        flash(_("Đã nộp bài."), "success")
    else:
        flash(_("Bài này đã được nộp trước đó; điểm không thay đổi."), "info")
    return redirect(url_for("assessments.result", attempt_id=attempt_id))


@bp.route("/attempts/<int:attempt_id>/result")
@role_required("trainee", "trainer", "admin")
def result(attempt_id: int):
    """Feedback: score, pass/fail, and (when allowed) per question the right answer and the
    explanation."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or not can_view_attempt(current_user, attempt):
        abort(404)
    if services.close_if_overdue(attempt):
        db.session.commit()
    if attempt.is_open:
        return redirect(url_for("assessments.attempt", attempt_id=attempt_id))
    g.no_store = True
    visible = services.answers_visible(attempt)
    return render_template("assessments/result.html", attempt=attempt, visible=visible,
                           questions=services.shown_questions(attempt, with_answers=visible),
                           policy=services.review_policy(attempt))


@bp.route("/history")
@role_required("trainee")
def history():
    """The learner's attempts at every course, newest first."""
    attempts = []
    if current_user.person_id is not None:
        attempts = db.session.scalars(select(Attempt).where(
            Attempt.person_id == current_user.person_id)
            .order_by(Attempt.started_at.desc())).all()
    return render_template("assessments/history.html", attempts=attempts)


@bp.route("/people/<staff_id>/attempts")
@role_required("admin", "trainer")
def person_history(staff_id: str):
    """A learner's attempts, for trainers and admins whose scope holds the person."""
    person = _checked(db.session.scalar(select(Person).where(Person.staff_id == staff_id)),
                      can_view_person)
    attempts = db.session.scalars(select(Attempt).where(Attempt.person_id == person.id)
                                  .order_by(Attempt.started_at.desc())).all()
    return render_template("assessments/history.html", attempts=attempts, person=person)


# --- analytics --------------------------------------------------------------------------------

@bp.route("/gain")
@role_required("admin", "trainer", "viewer")
def gain():
    """Knowledge gain for a course, a cohort, a unit (e.g. a commune) or one learner."""
    if not can_view_gain(current_user):
        abort(403)
    args = request.args
    filters, label = {}, []
    courses = db.session.scalars(select(Course).order_by(Course.title)).all()
    if args.get("course"):
        filters["course"] = _course(args["course"])
    cohort_id = id_arg("cohort")
    if cohort_id:
        cohort = _checked(db.session.get(Cohort, cohort_id), can_view_cohort)
        filters["cohort"] = cohort
        label.append(cohort.name)
    unit_code, unit_found = args.get("unit", ""), None
    if unit_code:
        unit, unit_found = filter_unit(unit_code, within=scope_unit(current_user))
        if unit is None and not unit_found:  # no unit of that code or name in scope: 404 or 403
            unit = _checked(db.session.scalar(select(Unit).where(
                Unit.system == CURRENT, Unit.code == args["unit"].strip())), unit_in_scope)
        if unit is not None:  # else the box lists the candidates to choose from
            filters["unit"], unit_code = unit, unit.code
            label.append(unit.name)
    if args.get("staff_id"):
        person = _checked(db.session.scalar(select(Person).where(
            Person.staff_id == args["staff_id"].strip())), can_view_person)
        filters["person"] = person
        label.append(f"{person.full_name} ({person.staff_id})")
    by = args.get("by") if args.get("by") in analytics.GROUPS else "course"
    rows = analytics.knowledge_gain(scope=scope_unit(current_user), by=by, **filters)
    kept = analytics.retention(scope=scope_unit(current_user), by=by, **filters)
    return render_template("assessments/gain.html", rows=rows, courses=courses, args=args,
                           label=label, by=by, retention=kept, unit_code=unit_code,
                           unit_found=unit_found)


@bp.route("/course/<slug>/items")
@role_required("admin", "trainer")
def items(slug: str):
    """Item analysis of a course's bank, optionally for one cohort's members."""
    course = _course(slug)
    if not can_analyse_items(current_user):
        abort(403)
    cohort, cohort_id = None, id_arg("cohort")
    if cohort_id:
        cohort = db.session.get(Cohort, cohort_id)
        if cohort is None or cohort.course_id != course.id:
            abort(404)
        if not can_view_cohort(current_user, cohort):
            abort(403)
    kind = request.args.get("kind", "final")
    if quiz_config(course, kind) is None and kind not in KINDS:
        abort(404)
    stats = analytics.item_analysis(course, cohort=cohort, kind=kind)
    cohorts = [c for c in db.session.scalars(select(Cohort).where(Cohort.course_id == course.id)
                                             .order_by(Cohort.starts_on.desc()))
               if can_view_cohort(current_user, c)]
    return render_template("assessments/items.html", course=course, cohort=cohort, kind=kind,
                           items=stats, cohorts=cohorts, minimum=analytics.min_responses(),
                           thresholds=(analytics.TOO_EASY, analytics.TOO_HARD,
                                       analytics.LOW_DISCRIMINATION))


@bp.route("/course/<slug>/paper-test.pdf")
@role_required("admin", "trainer")
def paper_test(slug: str):
    """A printable test drawn from the bank: questions, the answer grid with the paper's code,
    then the answer key. Without `seed` a new one is chosen (the URL then names it); the
    drawn paper is kept (get or create) so per-item answers can be entered against it."""
    course = _course(slug)
    if not can_analyse_items(current_user):
        abort(403)
    kind = request.args.get("kind", "final")
    if quiz_config(course, kind) is None and kind not in KINDS:
        abort(404)
    try:
        seed = int_arg(request.args.get("seed"), min=0, max=ID_MAX)
    except BadParameter:
        return redirect(url_for("assessments.paper_test", slug=slug, kind=kind,
                                seed=random.SystemRandom().randint(1, 999_999)))
    form = services.paper_form(course, kind, seed)
    paper = services.paper_test(course, kind, layout=form.layout)
    if not paper:
        db.session.rollback()
        flash(_("Ngân hàng câu hỏi của khóa học chưa có câu hỏi nào."), "error")
        return redirect(url_for("assessments.course", slug=slug))
    db.session.commit()
    data = paper_test_pdf(course.title, paper, paper_labels(kind, course.title), code=form.id)
    return send_download(data, f"de-{course.slug}-{kind}-{form.id}.pdf", inline=True)


# --- per-item paper answers and paper scores --------------------------------------------------

def _cohort_for_scores(cohort_id: int) -> Cohort:
    return _checked(db.session.get(Cohort, cohort_id), can_enter_paper_scores)


def _paper_form_of(cohort: Cohort, form_id: str) -> PaperForm | None:
    form_id = int_arg(form_id, min=1, max=ID_MAX, default=None)
    form = db.session.get(PaperForm, form_id) if form_id else None
    if form is not None and form.course_id != cohort.course_id:
        abort(404)
    return form


def _save(save, message: str) -> Outcome:
    """Run `save()` (checks every row, then writes all or nothing; returns how many changed),
    commit and flash `message` with that number, or flash the errors (or that the cohort is
    closed)."""
    with commit_or_flash(ImportFailed, CohortError) as done:
        done.success = message % {"n": save()}
    return done


def _upload(importer, message: str) -> Outcome:
    """`_save` of the uploaded CSV/XLSX through `importer(data, file name)`; a bad upload
    form is flashed and saves nothing."""
    upload = PaperScoreUploadForm()
    if not upload.validate_on_submit():
        for messages in upload.errors.values():
            for text in messages:
                flash(text, "error")
        return Outcome()
    file = upload.file.data
    return _save(lambda: importer(file.read(), file.filename or "upload.csv"), message)


def _answers_page(cohort: Cohort, form: PaperForm | None, errors=(), values=None):
    forms = db.session.scalars(select(PaperForm).where(PaperForm.course_id == cohort.course_id)
                               .order_by(PaperForm.id.desc())).all()
    table = services.paper_answer_table(cohort, form) if form is not None else []
    return render_template("assessments/paper_answers.html", cohort=cohort, forms=forms,
                           form=form, table=table, errors=errors, upload=PaperScoreUploadForm(),
                           form_values=values or {}), 400 if errors else 200


def _scores_page(cohort: Cohort, errors=(), values=None):
    return render_template("assessments/paper_scores.html", cohort=cohort,
                           table=services.paper_score_table(cohort), errors=errors,
                           upload=PaperScoreUploadForm(),
                           form_values=values or {}), 400 if errors else 200


@bp.route("/cohorts/<int:cohort_id>/paper-answers", methods=["GET", "POST"])
@role_required("admin", "trainer")
def paper_answers(cohort_id: int):
    """Enter each member's answers to a printed paper (its code is on the paper): one row per
    member, one cell per question with the letters marked; checked first, all or nothing, then
    graded like an online attempt."""
    cohort = _cohort_for_scores(cohort_id)
    form = _paper_form_of(cohort, request.values.get("form", ""))
    if form is None or request.method != "POST":
        return _answers_page(cohort, form)
    questions = range(1, len(form.layout) + 1)
    headers = {"staff_id": _("Mã nhân sự"), **{f"c{n}": _("câu %(n)s", n=n) for n in questions}}
    rows = [(number, {"staff_id": person.staff_id,
                      **{f"c{n}": request.form.get(f"a_{person.id}_{n}", "") for n in questions}})
            for number, (person, _letters, _score)
            in enumerate(services.paper_answer_table(cohort, form), start=2)]
    done = _save(lambda: services.apply_paper_answers(
        cohort, form, services.check_paper_answers(cohort, form, rows, headers), by=current_user),
        _("Đã lưu bài làm trên giấy: %(n)s người thay đổi."))
    if done.ok:
        return redirect(url_for("assessments.paper_answers", cohort_id=cohort_id, form=form.id))
    return _answers_page(cohort, form, done.errors, request.form)


@bp.route("/cohorts/<int:cohort_id>/paper-answers/upload", methods=["POST"])
@role_required("admin", "trainer")
def paper_answers_upload(cohort_id: int):
    """Upload per-item paper answers as CSV/XLSX (`ma_nhan_su, cau_1 … cau_N`)."""
    cohort = _cohort_for_scores(cohort_id)
    form = _paper_form_of(cohort, request.form.get("form", ""))
    if form is None:
        abort(404)
    done = _upload(lambda data, name: services.import_paper_answers(cohort, form, data, name,
                                                                    by=current_user),
                   _("Đã nhập bài làm trên giấy: %(n)s người thay đổi."))
    if done.errors:
        return _answers_page(cohort, form, done.errors)
    return redirect(url_for("assessments.paper_answers", cohort_id=cohort_id, form=form.id))


@bp.route("/cohorts/<int:cohort_id>/paper-scores", methods=["GET", "POST"])
@role_required("admin", "trainer")
def paper_scores(cohort_id: int):
    """Enter paper pre/post scores for a cohort's members in a table (0–100, empty = not
    taken); every cell is checked first and nothing is written on any error."""
    cohort = _cohort_for_scores(cohort_id)
    if request.method != "POST":
        return _scores_page(cohort)
    headers = {"staff_id": _("Mã nhân sự"), "pre_score": _("Điểm trước"),
               "post_score": _("Điểm sau")}
    rows = [(number, {"staff_id": person.staff_id,
                      "pre_score": request.form.get(f"pre_{person.id}", ""),
                      "post_score": request.form.get(f"post_{person.id}", "")})
            for number, (person, _score) in enumerate(services.paper_score_table(cohort), start=2)
            if f"pre_{person.id}" in request.form or f"post_{person.id}" in request.form]
    done = _save(lambda: services.apply_paper_scores(
        cohort, services.check_paper_rows(cohort, rows, headers), by=current_user),
        _("Đã lưu điểm: %(n)s dòng thay đổi."))
    if done.ok:
        return redirect(url_for("assessments.paper_scores", cohort_id=cohort_id))
    return _scores_page(cohort, done.errors, request.form)


@bp.route("/cohorts/<int:cohort_id>/paper-scores/upload", methods=["POST"])
@role_required("admin", "trainer")
def paper_scores_upload(cohort_id: int):
    """Upload paper scores as CSV/XLSX (`ma_nhan_su, diem_truoc, diem_sau`), all or nothing."""
    cohort = _cohort_for_scores(cohort_id)
    done = _upload(lambda data, name: services.import_paper_scores(cohort, data, name,
                                                                   by=current_user),
                   _("Đã nhập điểm: %(n)s dòng thay đổi."))
    if done.errors:
        return _scores_page(cohort, done.errors)
    return redirect(url_for("assessments.paper_scores", cohort_id=cohort_id))
