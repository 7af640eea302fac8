"""Routes of the courses room: catalogue, course page, enrolment, lessons, dashboard."""

from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts.permissions import (
    can_enrol_others,
    can_enrol_self,
    can_read_lessons,
    role_required,
)
from lms.assessments.services import quiz_step
from lms.core.home import sections
from lms.courses import bp, pagecache, services
from lms.courses.forms import EnrolManyForm, EnrolOneForm
from lms.courses.loader import IMAGE_SUFFIXES
from lms.courses.models import Completion, Course, Enrolment, Lesson
from lms.courses.pdf import default_labels, lesson_handout
from lms.extensions import db
from lms.units.services import lookup_unit

ALL_ROLES = ("admin", "trainer", "viewer", "trainee")


def _course_or_404(slug: str) -> Course:
    course = services.get_course(slug)
    if course is None:
        abort(404)
    return course


def _my_person():
    """The roster person linked to the current account (trainees), or None."""
    return current_user.person if current_user.person_id else None


@bp.route("/")
@role_required(*ALL_ROLES)
def catalogue():
    """Active courses, the learner's own position first, searchable without diacritics."""
    q = (request.args.get("q") or "").strip()[:100]
    person = _my_person()
    courses = services.catalogue(person.position if person else None, q)
    counts = services.active_lesson_counts()
    enrolments, progress = {}, {}
    if person is not None:
        enrolments = {e.course_id: e for e in services.enrolments_of(person)}
        progress = services.progress_by_enrolment([e.id for e in enrolments.values()])
    return render_template("courses/index.html", courses=courses, counts=counts, q=q,
                           enrolments=enrolments, progress=progress,
                           position=person.position if person else None)


@bp.route("/me")
@role_required(*ALL_ROLES)
def dashboard():
    """The learner's home: each course with its progress and next step (pre-test, lesson,
    final, follow-up test), the courses completed, and the rooms' sections (certificates to
    download)."""
    person = _my_person()
    items, completions = [], []
    if person is not None:
        enrolments = services.enrolments_of(person)
        progress = services.progress_by_enrolment([e.id for e in enrolments])
        items = []
        for enrolment in enrolments:
            done, total = progress.get(enrolment.id, (0, 0))
            items.append((enrolment, (done, total), services.resume_lesson(enrolment),
                          quiz_step(person.id, enrolment.course, done >= total)))
        completions = db.session.scalars(
            select(Completion).where(Completion.person_id == person.id)
            .order_by(Completion.completed_on.desc())).all()
    return render_template("courses/dashboard.html", person=person, items=items,
                           completions=completions, sections=sections(current_user),
                           has_certificates="certificates.mine" in current_app.view_functions)


@bp.route("/<slug>")
@role_required(*ALL_ROLES)
def detail(slug: str):
    """The course page: summary, outline, hours, sources, progress, enrol or continue."""
    course = _course_or_404(slug)
    enrolment = services.find_enrolment(_my_person(), course)
    done, progress, resume, step = set(), (0, len(course.active_lessons)), None, None
    if enrolment is not None:
        done = services.done_lesson_ids(enrolment)
        progress = services.progress(enrolment)
        resume = services.resume_lesson(enrolment)
        step = quiz_step(enrolment.person_id, course, progress[0] >= progress[1])
    return render_template("courses/detail.html", course=course, enrolment=enrolment,
                           done=done, progress=progress, resume=resume, step=step,
                           can_enrol_self=can_enrol_self(current_user),
                           can_enrol_others=can_enrol_others(current_user),
                           can_read=can_read_lessons(current_user, enrolment))


@bp.route("/<slug>/enrol", methods=["POST"])
@role_required(*ALL_ROLES)
def enrol(slug: str):
    """Self-enrolment of the logged-in trainee."""
    course = _course_or_404(slug)
    try:
        _enrolment, created = services.enrol(_my_person(), course, by=current_user)
    except services.CourseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("courses.detail", slug=slug))
    db.session.commit()
    if created:
        flash(_("Đã ghi danh khóa học %(t)s.", t=course.title), "success")
    return redirect(url_for("courses.detail", slug=slug))


@bp.route("/<slug>/enrol-people", methods=["GET", "POST"])
@role_required("admin", "trainer")
def enrol_people(slug: str):
    """Trainers and admins enrol roster people: one by staff id, or many by filter."""
    course = _course_or_404(slug)
    one, many = EnrolOneForm(prefix="one"), EnrolManyForm(prefix="many")
    if request.method == "POST":
        try:
            if "one-staff_id" in request.form and one.validate_on_submit():
                enrolment, created = services.enrol_by_staff_id(one.staff_id.data, course,
                                                                by=current_user)
                db.session.commit()
                name = enrolment.person.full_name
                flash(_("Đã ghi danh %(n)s.", n=name) if created else
                      _("%(n)s đã ghi danh từ trước.", n=name), "success")
                return redirect(url_for("courses.enrol_people", slug=slug))
            if "many-position" in request.form and many.validate_on_submit():
                people = _people_filter(many)
                if "many-preview" in request.form:
                    flash(_("%(n)s người phù hợp, chưa ghi danh.",
                            n=services.count_enrollable(course, people, by=current_user)),
                          "info")
                    return render_template("courses/enrol_people.html", course=course,
                                           one=one, many=many)
                count = services.enrol_many(course, people, by=current_user)
                db.session.commit()
                flash(_("Đã ghi danh %(n)s người.", n=count), "success")
                return redirect(url_for("courses.enrol_people", slug=slug))
        except services.CourseError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return render_template("courses/enrol_people.html", course=course, one=one, many=many)


def _people_filter(form: EnrolManyForm) -> services.PeopleFilter:
    unit = None
    if form.unit.data:
        unit = lookup_unit(form.unit.data)
        if unit is None:
            raise services.CourseError(_("Không có đơn vị mã %(c)s.", c=form.unit.data))
    return services.PeopleFilter(unit=unit, position=form.position.data or None,
                                 not_trained=form.not_trained.data)


def _lesson_context(slug: str, lesson_slug: str):
    course = _course_or_404(slug)
    # The course's lessons are already loaded with it: no second query for the one wanted.
    lesson = next((item for item in course.active_lessons if item.slug == lesson_slug), None)
    if lesson is None:
        abort(404)
    enrolment = services.find_enrolment(_my_person(), course)
    if not can_read_lessons(current_user, enrolment):
        flash(_("Hãy ghi danh khóa học để đọc bài."), "info")
        return course, lesson, None, redirect(url_for("courses.detail", slug=slug))
    return course, lesson, enrolment, None


@bp.route("/<slug>/lessons/<lesson_slug>")
@role_required(*ALL_ROLES)
def lesson(slug: str, lesson_slug: str):
    """One lesson: sanitised HTML, previous / next, mark complete, progress bar."""
    # The most read page: one query for the course's version and the learner's enrolment and
    # done lessons; outline and body come from the per-process cache (lms/courses/pagecache.py).
    state = pagecache.read_state(slug, current_user.person_id)
    if state is None:
        abort(404)
    outline = pagecache.outline(current_app._get_current_object(), slug, state)
    index = outline.find(lesson_slug)
    if index is None:
        abort(404)
    enrolment = state.enrolment
    if not can_read_lessons(current_user, enrolment):
        flash(_("Hãy ghi danh khóa học để đọc bài."), "info")
        return redirect(url_for("courses.detail", slug=slug))
    lessons = outline.lessons
    lesson = lessons[index]
    done, progress = set(), (0, len(lessons))
    if enrolment is not None:
        if enrolment.last_lesson_id != lesson.id:
            # Commit only on a change: the usual reload of the lesson last opened writes nothing.
            services.record_visit(db.session.get(Enrolment, enrolment.id),
                                  db.session.get(Lesson, lesson.id))
            db.session.commit()
        done = state.done
        progress = (len(done & {item.id for item in lessons}), len(lessons))
    return render_template(
        "courses/lesson.html", course=outline, lesson=lesson,
        body=pagecache.lesson_body(outline, lesson.id), enrolment=enrolment, done=done,
        progress=progress, index=index, total=len(lessons),
        prev=lessons[index - 1] if index > 0 else None,
        next=lessons[index + 1] if index + 1 < len(lessons) else None)


@bp.route("/<slug>/lessons/<lesson_slug>/complete", methods=["POST"])
@role_required(*ALL_ROLES)
def complete(slug: str, lesson_slug: str):
    """Mark a lesson complete, then go on to the next one (or back to the course)."""
    course, lesson, enrolment, denied = _lesson_context(slug, lesson_slug)
    if denied:
        return denied
    if enrolment is None:
        abort(403)
    try:
        finished = services.mark_lesson_complete(enrolment, lesson, by=current_user)
    except services.CourseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("courses.lesson", slug=slug, lesson_slug=lesson_slug))
    following = services.next_lesson(enrolment)
    if following is not None:
        services.record_visit(enrolment, following)
    db.session.commit()
    if finished:
        flash(_("Chúc mừng! Bạn đã hoàn thành khóa học %(t)s.", t=course.title), "success")
        return redirect(url_for("courses.detail", slug=slug))
    if following is None:
        if enrolment.status != "completed":
            flash(_("Bạn đã học xong các bài. Hãy làm bài kiểm tra cuối khóa."), "info")
        return redirect(url_for("courses.detail", slug=slug))
    return redirect(url_for("courses.lesson", slug=slug, lesson_slug=following.slug))


@bp.route("/<slug>/handout")
@role_required(*ALL_ROLES)
def handout(slug: str):
    """A printable handout of the whole course, or of one lesson (`?lesson=slug`)."""
    course = _course_or_404(slug)
    enrolment = services.find_enrolment(_my_person(), course)
    if not can_read_lessons(current_user, enrolment):
        abort(403)
    lessons = course.active_lessons
    wanted = request.args.get("lesson")
    if wanted:
        lessons = [lesson for lesson in lessons if lesson.slug == wanted]
        if not lessons:
            abort(404)
    return render_template("courses/handout.html", course=course, lessons=lessons,
                           single=bool(wanted))


@bp.route("/<slug>/lessons/<lesson_slug>/handout.pdf")
@role_required(*ALL_ROLES)
def lesson_pdf(slug: str, lesson_slug: str):
    """The lesson's large-type A5 handout (key points, things to do, referral numbers)."""
    course, lesson, _enrolment, denied = _lesson_context(slug, lesson_slug)
    if denied:
        return denied
    data = lesson_handout(course.title, lesson.title, lesson.body_md, default_labels())
    return data, 200, {"Content-Type": "application/pdf",
                       "Content-Disposition": f"inline; filename={slug}-{lesson_slug}.pdf"}


@bp.route("/<slug>/media/<filename>")
@login_required
def media(slug: str, filename: str):
    """An image beside the lessons of a course (cached for a day)."""
    course = _course_or_404(slug)
    if Path(filename).suffix.lower() not in IMAGE_SUFFIXES:
        abort(404)
    folder = Path(current_app.config["CONTENT_DIR"]) / course.slug / "lessons"
    return send_from_directory(folder, filename, max_age=86400)
