"""Roster pages: browse a unit's people, search without diacritics, import and export."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from lms.accounts.permissions import (
    can_edit_roster,
    can_view_person,
    can_view_roster,
    role_required,
    scope_unit,
    unit_in_scope,
)
from lms.core.confirm import ConfirmForm, confirm_page
from lms.core.tabular import normalise_id
from lms.core.text import fold
from lms.core.timeutil import today
from lms.core.web import commit_or_flash, send_download
from lms.courses.models import Completion, Course
from lms.extensions import db
from lms.units import bp, jobs, services
from lms.units.forms import ConfirmImportForm, PositionAliasForm, RosterImportForm
from lms.units.models import CURRENT, ImportJob, Person, PositionAlias, Unit
from lms.units.picker import find_units, resolve_unit
from lms.units.positions import BUILT_IN_ALIASES, POSITIONS


def _unit_or_scope(code: str | None) -> Unit:
    """The unit named in the URL, or the user's scope (or the country)."""
    if code:
        unit = db.session.scalar(select(Unit).where(Unit.system == CURRENT, Unit.code == code))
        if unit is None:
            abort(404)
    else:
        unit = scope_unit(current_user) or db.session.scalar(
            select(Unit).where(Unit.system == CURRENT, Unit.code == services.ROOT_CODE))
        if unit is None:
            abort(404)
    if not can_view_roster(current_user, unit):
        abort(403)
    return unit


def trained_person_ids():
    """Select of person ids with a completion of a course that counts toward the target."""
    return (select(Completion.person_id).join(Course, Completion.course_id == Course.id)
            .where(Course.counts_toward_target.is_(True)))


@bp.route("/")
@bp.route("/<code>")
@role_required("admin", "trainer", "viewer")
def roster(code: str | None = None):
    """A unit's roster: sub-units with head counts, and its people, filtered and searched."""
    unit = _unit_or_scope(code)
    children = db.session.execute(
        select(Unit, func.count(Person.id))
        .outerjoin(Person, Person.commune_id == Unit.id)
        .where(Unit.parent_id == unit.id).group_by(Unit.id).order_by(Unit.code)).all()
    if unit.kind == "country":
        children = [(u, n) for u, n in children if unit_in_scope(current_user, u)]
    position = request.args.get("position") or None
    trained = request.args.get("trained") or None
    q = (request.args.get("q") or "").strip()[:100]
    stmt = services.roster_query(unit)
    if position in POSITIONS:
        stmt = stmt.where(Person.position == position)
    if trained == "yes":
        stmt = stmt.where(Person.id.in_(trained_person_ids()))
    elif trained == "no":
        stmt = stmt.where(Person.id.not_in(trained_person_ids()))
    if q:
        stmt = stmt.where(Person.name_search.contains(fold(q), autoescape=True)
                          | (Person.staff_id == normalise_id(q)))
    page = db.paginate(stmt, per_page=50, error_out=False)
    # the breadcrumb leads up only to a unit the user may open (not the country when scoped)
    parent = unit.parent if can_view_roster(current_user, unit.parent) else None
    return render_template("units/roster.html", unit=unit, children=children, page=page,
                           parent=parent, positions=POSITIONS, position=position,
                           trained=trained, q=q, can_edit=can_edit_roster(current_user))


@bp.route("/import", methods=["GET", "POST"])
@role_required("admin")
def roster_import():
    """Upload a roster file: it is stored and previewed by a background job at once."""
    form = RosterImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        entry = jobs.queue_import(upload.read(), upload.filename or "upload.csv",
                                  by=current_user, legacy_codes=form.legacy_codes.data,
                                  as_of=form.as_of.data, initial=form.initial.data)
        db.session.commit()
        jobs.start(entry)
        return redirect(url_for("units.import_job", job_id=entry.id))
    return render_template("units/import.html", form=form)


def _own_job(job_id: int) -> ImportJob:
    """An import job of the current user (anyone else's is a 404)."""
    entry = db.get_or_404(ImportJob, job_id)
    if entry.created_by_id != current_user.id:
        abort(404)
    return entry


@bp.route("/import/jobs/<int:job_id>")
@role_required("admin")
def import_job(job_id: int):
    """A job's progress while it runs (the page refreshes itself), then its preview or
    result: counts, changes old → new, new and missing people, warnings, errors."""
    entry = _own_job(job_id)
    form = ConfirmImportForm()
    form.left_on.data = form.left_on.data or today()
    return render_template("units/import_job.html", job=entry, form=form,
                           positions=POSITIONS)


@bp.route("/import/jobs/<int:job_id>/confirm", methods=["POST"])
@role_required("admin")
def import_confirm(job_id: int):
    """Write a previewed file: a second background job, with the mark-left choice."""
    entry = _own_job(job_id)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return render_template("units/import_job.html", job=entry, form=form,
                               positions=POSITIONS), 400
    try:
        confirmed = jobs.confirm_import(entry, by=current_user, mark_left=form.left_on.data
                                        if form.mark_left.data else None)
    except ValueError:
        flash(_("Bản xem trước này đã được xác nhận (hoặc không thành công)."), "error")
        return redirect(url_for("units.import_job", job_id=entry.id))
    db.session.commit()
    jobs.start(confirmed)
    return redirect(url_for("units.import_job", job_id=confirmed.id))


@bp.route("/export.csv")
@bp.route("/<code>/export.csv")
@role_required("admin")
def roster_export(code: str | None = None):
    """The unit's roster as CSV in the import format (audited)."""
    unit = _unit_or_scope(code)
    data = services.export_roster(unit if unit.kind != "country" else None, by=current_user)
    db.session.commit()
    return send_download(data, f"roster-{unit.code}.csv")


@bp.route("/template.xlsx")
@role_required("admin")
def roster_template():
    """The blank roster workbook: drop-downs for the user's communes, instructions."""
    return send_download(services.roster_template(scope_unit(current_user)), "mau-danh-sach.xlsx")


@bp.route("/person/<int:person_id>")
@role_required("admin")
def person(person_id: int):
    """One roster entry with its personal-data actions (admins within scope)."""
    entry = db.get_or_404(Person, person_id)
    if not can_view_person(current_user, entry):
        abort(404)
    return render_template("units/person.html", person=entry, positions=POSITIONS,
                           today=today())


@bp.route("/positions", methods=["GET", "POST"])
@role_required("admin")
def positions():
    """The position catalogue: built-in names, admins' aliases, a form to add one."""
    form = PositionAliasForm()
    form.position.choices = [(code, str(label)) for code, label in POSITIONS.items()]
    if form.validate_on_submit():
        with commit_or_flash(services.VocabularyError,
                             success=_("Đã thêm tên gọi khác.")) as done:
            services.add_position_alias(form.label.data, form.position.data, by=current_user)
        if done.ok:
            return redirect(url_for("units.positions"))
    aliases = db.session.scalars(select(PositionAlias).order_by(PositionAlias.position,
                                                                PositionAlias.label)).all()
    return render_template("units/positions.html", form=form, positions=POSITIONS,
                           built_in=BUILT_IN_ALIASES, aliases=aliases)


@bp.route("/positions/<int:alias_id>/delete", methods=["GET", "POST"])
@role_required("admin")
def position_alias_delete(alias_id: int):
    """Remove an admin's alias (audited), once confirmed."""
    alias = db.get_or_404(PositionAlias, alias_id)
    back = url_for("units.positions")
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_position_alias(alias, by=current_user)
        db.session.commit()
        flash(_("Đã xoá tên gọi khác."), "success")
        return redirect(back)
    return confirm_page(form, title=_("Xoá tên gọi khác “%(l)s”", l=alias.label), back=back,
                        button=_("Xoá tên gọi này"), effects=[
        _("Tệp danh sách ghi chức danh là “%(l)s” sẽ không còn được hiểu là %(p)s.",
          l=alias.label, p=POSITIONS.get(alias.position, alias.position)),
        _("Người đã nhập giữ nguyên chức danh của mình.")])


@bp.route("/search")
@role_required("admin", "trainer", "viewer")
def search():
    """The unit picker's suggestions: `?q=` a code or part of a name, within the user's unit,
    as JSON [{code, label}] (at most 20)."""
    found = find_units(request.args.get("q"), within=scope_unit(current_user))
    return [{"code": m.code, "label": m.label} for m in found]


@bp.app_template_global()
def unit_matches(text: str | None) -> list:
    """The units a GET filter's unit box designates, within the user's unit: the box shows the
    name of the one it holds, or offers the candidates when it holds a name or a short code."""
    if not current_user.is_authenticated:
        return []
    return resolve_unit(text, within=scope_unit(current_user))
