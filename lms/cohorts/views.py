"""Routes of the cohorts room: thin views over services."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError
from wtforms import SelectChoice

from lms.accounts import audit
from lms.accounts.permissions import (
    can_correct_cohort,
    can_create_cohort,
    can_edit_cohort,
    can_export_cohort,
    can_print_cohort_certificates,
    can_view_cohort,
    role_required,
    scope_unit,
)
from lms.cohorts import bp, services
from lms.cohorts.forms import (
    ATTENDANCE_LABELS,
    MODE_LABELS,
    STATUS_LABELS,
    CohortForm,
    MemberUploadForm,
    OutcomeForm,
    SessionForm,
)
from lms.cohorts.models import ATTENDANCE, STATUSES, Cohort, CohortMember, CohortSession
from lms.cohorts.notice import notice_pdf, notice_text
from lms.cohorts.pdf import signin_sheet as render
from lms.core.confirm import ConfirmForm, confirm_page
from lms.core.params import ID_MAX, int_arg
from lms.core.tabular import ImportFailed
from lms.core.text import format_date
from lms.core.web import commit_or_flash, send_download
from lms.extensions import db
from lms.units.picker import filter_unit
from lms.units.positions import POSITIONS, position_label

STAFF = ("admin", "trainer", "viewer")
EDITORS = ("admin", "trainer")


@bp.context_processor
def labels():
    """Labels shared by every cohort template."""
    return {"mode_labels": MODE_LABELS, "status_labels": STATUS_LABELS,
            "attendance_labels": ATTENDANCE_LABELS, "position_label": position_label}


def _cohort(cohort_id: int, edit: bool = False) -> Cohort:
    """The cohort, or 404 when the user may not read it / 403 when they may not edit it."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not can_view_cohort(current_user, cohort):
        abort(404)
    if edit and not can_edit_cohort(current_user, cohort):
        abort(403)
    return cohort


def _session(cohort: Cohort, session_id: int) -> CohortSession:
    session = db.get_or_404(CohortSession, session_id)
    if session.cohort_id != cohort.id:
        abort(404)
    return session


def _fill_choices(form: CohortForm, cohort: Cohort | None = None) -> None:
    form.course_id.choices = [SelectChoice(c.id, c.title) for c in services.course_choices()]
    trainers = services.trainer_choices(current_user)
    if cohort is not None:  # keep co-trainers from outside the editor's scope selectable
        trainers += [u for u in cohort.trainers if u not in trainers]
    form.trainer_ids.choices = [SelectChoice(u.id, f"{u.full_name or u.username} ({u.username})")
                                for u in trainers]


def _spec(form: CohortForm) -> services.CohortSpec:
    return services.CohortSpec(
        course_id=form.course_id.data, name=form.name.data,
        host_unit_code=form.host_unit_code.data, starts_on=form.starts_on.data,
        ends_on=form.ends_on.data, trainer_ids=form.trainer_ids.data or [],
        venue=form.venue.data or "", mode=form.mode.data, capacity=form.capacity.data,
        status=form.status.data, min_attendance_pct=form.min_attendance_pct.data or 0,
        require_final_test=form.require_final_test.data)


@bp.route("/")
@role_required(*STAFF)
def index():
    """The cohorts the user may read: trainers their own, admins and viewers within scope."""
    status = request.args.get("status") or None
    stmt = services.visible_cohorts(current_user)
    if status in STATUSES:
        stmt = stmt.where(Cohort.status == status)
    stmt = stmt.options(selectinload(Cohort.course), selectinload(Cohort.host_unit))
    page = db.paginate(stmt.order_by(Cohort.starts_on.desc(), Cohort.id.desc()), per_page=30,
                       error_out=False)
    counts = services.member_counts([c.id for c in page.items])
    return render_template("cohorts/index.html", page=page, status=status, statuses=STATUSES,
                           counts=counts, can_create=can_create_cohort(current_user))


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new():
    """Open a cohort; a trainer who opens it runs it."""
    form = CohortForm()
    _fill_choices(form)
    if request.method == "GET":
        scope = scope_unit(current_user)
        form.host_unit_code.data = scope.code if scope is not None else ""
    if form.validate_on_submit():
        with commit_or_flash(services.CohortError, form=form) as done:
            cohort = services.create_cohort(_spec(form), by=current_user)
            done.success = _("Đã tạo lớp %(n)s.", n=cohort.name)
        if done.ok:
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None)


@bp.route("/<int:cohort_id>")
@role_required(*STAFF)
def detail(cohort_id: int):
    """The cohort page: details, dashboard figures, sessions and members with their results."""
    cohort = _cohort(cohort_id)
    return render_template(
        "cohorts/detail.html", cohort=cohort, stats=services.cohort_stats(cohort),
        results=services.member_results(cohort),
        need_final=services.final_test_required(cohort),
        can_edit=can_edit_cohort(current_user, cohort),
        can_correct=can_correct_cohort(current_user, cohort),
        can_export=can_export_cohort(current_user, cohort),
        close_refusal=services.close_refusal(cohort, current_user),
        started={s.id for s in cohort.sessions if services.session_started(s)},
        paper_scores_url=_paper_scores_url(cohort),
        certificate_urls=_certificate_urls(cohort))


def _certificate_urls(cohort: Cohort) -> tuple[str, str] | None:
    """The certificates room's batch print (PDF, ZIP) of a closed cohort, when that room
    provides it and the user may print."""
    if cohort.status != "closed" or "certificates.cohort_pdf" not in current_app.view_functions:
        return None
    if not can_print_cohort_certificates(current_user, cohort):
        return None
    return (url_for("certificates.cohort_pdf", cohort_id=cohort.id),
            url_for("certificates.cohort_zip", cohort_id=cohort.id))


def _paper_scores_url(cohort: Cohort) -> str | None:
    """The assessments room's paper-score page for this cohort, when that room provides it."""
    if "assessments.paper_scores" not in current_app.view_functions:
        return None
    for key in ("cohort_id", "id"):
        try:
            return url_for("assessments.paper_scores", **{key: cohort.id})
        except BuildError:
            continue
    return None


@bp.route("/<int:cohort_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit(cohort_id: int):
    """Edit an open cohort."""
    cohort = _cohort(cohort_id, edit=True)
    form = CohortForm(obj=cohort)
    _fill_choices(form, cohort)
    if request.method == "GET":
        form.course_id.data = cohort.course_id
        form.host_unit_code.data = cohort.host_unit.code
        form.starts_on.data = format_date(cohort.starts_on)
        form.ends_on.data = format_date(cohort.ends_on)
        form.trainer_ids.data = [u.id for u in cohort.trainers]
    if form.validate_on_submit():
        with commit_or_flash(services.CohortError, form=form) as done:
            services.update_cohort(cohort, _spec(form), by=current_user)
            done.success = _("Đã lưu lớp %(n)s.", n=cohort.name)
        if done.ok:
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort)


@bp.route("/<int:cohort_id>/delete", methods=["GET", "POST"])
@role_required(*EDITORS)
def delete(cohort_id: int):
    """Delete an open cohort (members, sessions and attendance with it), once confirmed."""
    cohort = _cohort(cohort_id, edit=True)
    back = url_for("cohorts.detail", cohort_id=cohort_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with commit_or_flash(services.CohortError, success=_("Đã xóa lớp.")) as done:
            services.delete_cohort(cohort, by=current_user)
        return redirect(url_for("cohorts.index") if done.ok else back)
    stats = services.cohort_stats(cohort)
    return confirm_page(form, title=_("Xóa lớp %(n)s", n=cohort.name), back=back,
                        button=_("Xóa hẳn lớp này"), effects=[
        _("Lớp, %(m)s học viên trong lớp, %(s)s buổi học và điểm danh của các buổi bị xóa hẳn; "
          "không hoàn tác được.", m=stats.members, s=stats.sessions),
        _("Học viên vẫn giữ ghi danh khóa học và những gì đã học trực tuyến."),
        _("Lớp đã có điểm bài kiểm tra giấy thì không xóa được.")])


# --- members ----------------------------------------------------------------------------------

@bp.route("/<int:cohort_id>/members", methods=["GET", "POST"])
@role_required(*EDITORS)
def members(cohort_id: int):
    """Find roster people by filter or name and add the ticked ones; or upload staff ids."""
    cohort = _cohort(cohort_id, edit=True)
    upload = MemberUploadForm()
    if request.method == "POST":
        with commit_or_flash(services.CohortError) as done:
            ids = [int_arg(v, min=1, max=ID_MAX) for v in request.form.getlist("person_id")]
            added = services.add_members(cohort, ids, by=current_user)
            done.success = _("Đã thêm %(n)s người vào lớp.", n=added)
        if done.ok:
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    args = request.values
    unit_code = (args.get("unit") or "").strip()
    unit, unit_found = None, None
    if unit_code:
        unit, unit_found = filter_unit(unit_code, within=scope_unit(current_user))
        if unit is not None:
            unit_code = unit.code
        elif not unit_found:
            flash(_("Không tìm thấy đơn vị '%(q)s' trong phạm vi của bạn.", q=unit_code), "error")
    position = args.get("position") if args.get("position") in POSITIONS else None
    untrained = args.get("untrained") == "1"
    q = (args.get("q") or "").strip()[:100]
    searched = bool(unit or position or untrained or q)
    people, total = [], 0
    if searched:
        stmt = services.candidates(cohort, current_user, unit=unit, position=position,
                                   untrained=untrained, q=q)
        page = db.paginate(stmt, per_page=services.SEARCH_LIMIT, error_out=False)
        people, total = page.items, page.total
    return render_template("cohorts/members.html", cohort=cohort, upload=upload, people=people,
                           total=total, searched=searched, unit_code=unit_code,
                           unit_found=unit_found,
                           position=position, untrained=untrained, q=q, positions=POSITIONS,
                           member_count=services.member_count(cohort), errors=[])


@bp.route("/<int:cohort_id>/members/upload", methods=["POST"])
@role_required(*EDITORS)
def members_upload(cohort_id: int):
    """Add the people listed in an uploaded file of staff ids (all or nothing)."""
    cohort = _cohort(cohort_id, edit=True)
    form = MemberUploadForm()
    errors = []
    if form.validate_on_submit():
        data = form.file.data
        with commit_or_flash(ImportFailed, services.CohortError) as done:
            added, already = services.add_members_from_file(
                cohort, data.read(), data.filename or "upload.csv", by=current_user)
            done.success = _("Đã thêm %(a)s người; %(b)s người đã có trong lớp.", a=added,
                             b=already)
        if done.ok:
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
        errors = done.errors
    else:
        for message in form.file.errors:
            flash(str(message), "error")
    html = render_template("cohorts/members.html", cohort=cohort, upload=form, people=[],
                           total=0, searched=False, unit_code="", position=None,
                           untrained=False, q="", positions=POSITIONS,
                           member_count=services.member_count(cohort), errors=errors)
    return html, 400 if errors else 200


@bp.route("/<int:cohort_id>/members/<int:member_id>/remove", methods=["GET", "POST"])
@role_required(*EDITORS)
def member_remove(cohort_id: int, member_id: int):
    """Remove a member before the cohort closes, once confirmed."""
    cohort = _cohort(cohort_id, edit=True)
    member = db.get_or_404(CohortMember, member_id)
    if member.cohort_id != cohort.id:
        abort(404)
    back = url_for("cohorts.detail", cohort_id=cohort.id)
    name = member.person.full_name
    form = ConfirmForm()
    if form.validate_on_submit():
        with commit_or_flash(services.CohortError) as done:
            services.remove_member(member, by=current_user)
            done.success = _("Đã bỏ %(n)s khỏi lớp.", n=name)
        return redirect(back)
    return confirm_page(form, title=_("Bỏ %(n)s khỏi lớp", n=name), back=back,
                        button=_("Bỏ khỏi lớp"), effects=[
        _("%(n)s không còn trong lớp %(c)s; điểm danh của người này ở các buổi của lớp bị xóa.",
          n=name, c=cohort.name),
        _("Ghi danh khóa học và những gì đã học trực tuyến vẫn được giữ; có thể thêm lại vào "
          "lớp (điểm danh phải ghi lại).")])


# --- sessions and attendance ------------------------------------------------------------------

@bp.route("/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
@bp.route("/<int:cohort_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def session_form(cohort_id: int, session_id: int | None = None):
    """Add or edit a session (buổi)."""
    cohort = _cohort(cohort_id, edit=True)
    session = _session(cohort, session_id) if session_id else None
    form = SessionForm()
    if request.method == "GET" and session is not None:
        form.date.data = format_date(session.date)
        form.start_time.data = f"{session.start_time:%H:%M}" if session.start_time else ""
        form.end_time.data = f"{session.end_time:%H:%M}" if session.end_time else ""
        form.topic.data = session.topic
    if form.validate_on_submit():
        with commit_or_flash(services.CohortError, form=form) as done:
            saved = services.save_session(cohort, by=current_user, day=form.date.data,
                                          start=form.start_time.data, end=form.end_time.data,
                                          topic=form.topic.data or "", session=session)
            done.success = _("Đã lưu buổi %(d)s.", d=format_date(saved.date))
        if done.ok:
            if session is None and services.session_started(saved):
                return redirect(url_for("cohorts.attendance", cohort_id=cohort.id,
                                        session_id=saved.id))
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("cohorts/session_form.html", cohort=cohort, session=session,
                           form=form)


@bp.route("/<int:cohort_id>/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@role_required(*EDITORS)
def session_delete(cohort_id: int, session_id: int):
    """Delete a session and its attendance, once confirmed."""
    cohort = _cohort(cohort_id, edit=True)
    session = _session(cohort, session_id)
    back = url_for("cohorts.detail", cohort_id=cohort.id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with commit_or_flash(services.CohortError) as done:
            services.delete_session(session, by=current_user)
            done.success = _("Đã xóa buổi học.")
        return redirect(back)
    return confirm_page(form, title=_("Xóa buổi học ngày %(d)s", d=format_date(session.date)),
                        back=back, button=_("Xóa buổi học"), effects=[
        _("Buổi học và %(n)s dòng điểm danh của buổi bị xóa; không hoàn tác được.",
          n=len(services.attendance_map(session))),
        _("Tỷ lệ dự của mỗi học viên được tính lại trên các buổi còn lại.")])


@bp.route("/<int:cohort_id>/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@role_required(*STAFF)
def attendance(cohort_id: int, session_id: int):
    """Attendance of every member on one screen; a new session starts as "all present"."""
    cohort = _cohort(cohort_id)
    session = _session(cohort, session_id)
    editable = can_edit_cohort(current_user, cohort)
    not_yet = services.attendance_refusal(session)
    results = services.member_results(cohort)
    recorded = services.attendance_map(session)
    if request.method == "POST":
        if not editable:
            abort(403)
        if not_yet:  # the page offers no form; a hand-made POST gets the same answer
            flash(not_yet, "error")
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
        if request.form.get("all_present"):
            statuses = {r.member.id: "present" for r in results}
        else:
            statuses = {r.member.id: request.form.get(f"m{r.member.id}", "") for r in results}
        with commit_or_flash(services.CohortError) as done:
            services.record_attendance(session, statuses, by=current_user)
            done.success = _("Đã lưu điểm danh buổi %(d)s.", d=format_date(session.date))
        if done.ok:
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    current = {r.member.id: recorded.get(r.member.id, "present") for r in results}
    return render_template("cohorts/attendance.html", cohort=cohort, session=session,
                           results=results, current=current, new=not recorded,
                           choices=ATTENDANCE, editable=editable and not not_yet,
                           not_yet=not_yet)


@bp.route("/<int:cohort_id>/sessions/<int:session_id>/sign-in.pdf")
@role_required(*EDITORS)
def signin_sheet(cohort_id: int, session_id: int):
    """The printable sign-in sheet of one session (PDF, A4 portrait; audited)."""
    cohort = _cohort(cohort_id)
    if not can_export_cohort(current_user, cohort):
        abort(403)
    session = _session(cohort, session_id)
    people = [r.person for r in services.member_results(cohort)]
    data = render(session, people)
    audit.record("cohort.signin_sheet", actor=current_user, target=f"cohort {cohort.id}",
                 session=session.id, rows=len(people))
    db.session.commit()
    return send_download(data, f"ky-ten-lop-{cohort.id}-{session.date:%Y%m%d}.pdf", inline=True)


# --- the notice to communes ------------------------------------------------------------------

def _notice_links(cohort: Cohort) -> tuple[str, str | None]:
    """The sign-in address and, while the cohort has a join code, its join page, as LMS_BASE_URL
    says (the links leave the server in a message)."""
    base = current_app.config["BASE_URL"]
    join = base + url_for("accounts.join", code=cohort.join_code) if cohort.join_code else None
    return base + url_for("accounts.login"), join


@bp.route("/<int:cohort_id>/notice")
@role_required(*STAFF)
def notice(cohort_id: int):
    """The message to paste into the communes' groups (readonly text to copy) and a link to
    the printable notice."""
    cohort = _cohort(cohort_id)
    return render_template("cohorts/notice.html", cohort=cohort,
                           text=notice_text(cohort, *_notice_links(cohort)))


@bp.route("/<int:cohort_id>/notice.pdf")
@role_required(*STAFF)
def notice_print(cohort_id: int):
    """The notice as an A4 PDF in the official layout."""
    cohort = _cohort(cohort_id)
    return send_download(notice_pdf(cohort, *_notice_links(cohort)),
                         f"thong-bao-lop-{cohort.id}.pdf", inline=True)


# --- closing, corrections, exports ------------------------------------------------------------

@bp.route("/<int:cohort_id>/close", methods=["GET", "POST"])
@role_required(*EDITORS)
def close(cohort_id: int):
    """Preview who completes and why others do not, and what closing does; the confirmed POST
    closes the cohort in one step. When it cannot close, the page says why and offers no
    button."""
    cohort = _cohort(cohort_id, edit=True)
    back = url_for("cohorts.detail", cohort_id=cohort.id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with commit_or_flash(services.CohortError) as done:
            results = services.close_cohort(cohort, by=current_user)
            done.success = _("Đã đóng lớp: %(a)s/%(b)s học viên hoàn thành.",
                             a=sum(r.completes for r in results), b=len(results))
        if done.ok:
            return redirect(back)
    results = services.member_results(cohort)
    completers = sum(r.completes for r in results)
    return confirm_page(
        form, template="cohorts/close.html", cohort=cohort, results=results,
        need_final=services.final_test_required(cohort), completers=completers,
        refusal=services.close_refusal(cohort, current_user),
        title=_("Đóng lớp: xem trước kết quả"), back=back,
        button=_("Đóng lớp và ghi nhận hoàn thành"), effects=[
            _("%(a)s/%(b)s học viên được ghi nhận hoàn thành khóa học, ngày %(d)s, và được cấp "
              "giấy chứng nhận.", a=completers, b=len(results), d=format_date(cohort.ends_on)),
            _("Người không hoàn thành được ghi lý do như trong bảng."),
            _("Lớp chỉ xem được từ đó: không thêm, sửa, điểm danh hay nhập điểm; mã tham gia "
              "hết hiệu lực. Chỉ quản trị viên mở lại hay sửa kết quả được (có lý do, ghi nhật "
              "ký).")])


@bp.route("/<int:cohort_id>/reopen", methods=["GET", "POST"])
@role_required("admin")
def reopen(cohort_id: int):
    """An admin reopens a closed cohort, once confirmed with a reason (audited)."""
    cohort = _cohort(cohort_id)
    if not can_correct_cohort(current_user, cohort):
        abort(403)
    back = url_for("cohorts.detail", cohort_id=cohort.id)
    form = ConfirmForm(reason=True)
    if form.validate_on_submit():
        with commit_or_flash(services.CohortError) as done:
            services.reopen_cohort(cohort, form.reason.data, by=current_user)
            done.success = _("Đã mở lại lớp.")
        if done.ok:
            return redirect(back)
    return confirm_page(form, title=_("Mở lại lớp %(n)s", n=cohort.name), back=back,
                        button=_("Mở lại lớp"), effects=[
        _("Giảng viên lại sửa được học viên, buổi học, điểm danh và điểm của lớp."),
        _("Các hoàn thành và giấy chứng nhận đã cấp giữ nguyên cho tới khi đóng lớp lần nữa; "
          "khi đó ai không còn đạt sẽ bị rút hoàn thành và thu hồi giấy."),
        _("Lý do được ghi vào nhật ký.")])


@bp.route("/<int:cohort_id>/members/<int:member_id>/outcome", methods=["GET", "POST"])
@role_required("admin")
def outcome(cohort_id: int, member_id: int):
    """An admin corrects one member's outcome in a closed cohort (audited)."""
    cohort = _cohort(cohort_id)
    if not can_correct_cohort(current_user, cohort):
        abort(403)
    member = db.get_or_404(CohortMember, member_id)
    if member.cohort_id != cohort.id:
        abort(404)
    form = OutcomeForm()
    if request.method == "GET":
        form.completed.data = "1" if member.completed else "0"
    if form.validate_on_submit():
        with commit_or_flash(services.CohortError) as done:
            services.correct_outcome(member, form.completed.data == "1", form.reason.data,
                                     by=current_user)
            done.success = _("Đã sửa kết quả của %(n)s.", n=member.person.full_name)
        if done.ok:
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    return render_template("cohorts/correct.html", cohort=cohort, form=form, member=member)


@bp.route("/<int:cohort_id>/export.<fmt>")
@role_required(*EDITORS)
def export(cohort_id: int, fmt: str):
    """Members, attendance, scores and outcome as CSV or XLSX (audited)."""
    cohort = _cohort(cohort_id)
    if not can_export_cohort(current_user, cohort):
        abort(403)
    if fmt == "csv":
        data = services.export_csv(cohort, by=current_user)
    elif fmt == "xlsx":
        data = services.export_xlsx(cohort, by=current_user)
    else:
        abort(404)
    db.session.commit()
    return send_download(data, f"lop-{cohort.id}.{fmt}")
