"""Coverage pages, exports, the JSON API and the records upload: thin views over services."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from lms.accounts.permissions import (
    REPORT_ROLES,
    can_import_records,
    can_view_reports,
    role_required,
    scope_unit,
)
from lms.core.tabular import ImportFailed
from lms.core.timeutil import today
from lms.core.web import commit_or_flash, send_download
from lms.courses.models import Course
from lms.extensions import csrf, db
from lms.reports import bp, charts, dhis2, exports, records, services, sheets, untrained
from lms.reports.forms import RecordsImportForm
from lms.units.picker import filter_unit
from lms.units.positions import GENDERS, POSITIONS, gender_label, position_label

ROW_SORTS = ("code", "name", "target", "trained", "coverage", "person_times", "people",
             "units_total", "units_reached", "units_at_target")
PEOPLE_SORTS = ("full_name", "staff_id", "position", "in_target", "trained",
                "last_completed_on", "person_times")


class BadRequest(ValueError):
    """A query argument that cannot be used."""


def _date_arg(name: str) -> date | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(_("ngày '%(v)s' không hợp lệ (yyyy-mm-dd)", v=value)) from None


def _params(strict: bool):
    """Unit, dates, mode, course, position and rule from the query string, checked against
    scope.

    :param strict: the API refuses a unit outside the scope (403); the pages show the
        viewer's own unit instead when an enclosing unit (e.g. the country) is asked for
    """
    code = (request.args.get("unit") or "").strip()
    scope = scope_unit(current_user)
    unit = services.find_unit(code) if code else (scope or services.root_unit())
    if unit is None:
        abort(404)
    if not can_view_reports(current_user, unit):
        if not strict and scope is not None and scope.path.startswith(unit.path):
            unit = scope
        else:
            abort(403)
    date_to = _date_arg("to") or today()
    date_from = _date_arg("from") or date(date_to.year, 1, 1)
    mode = request.args.get("mode") or "cumulative"
    slug = (request.args.get("course") or "").strip()
    course = services.find_course(slug)
    if slug and course is None:
        raise BadRequest(_("không có khóa học mã '%(c)s'", c=slug))
    position = (request.args.get("position") or "").strip() or None
    rule = request.args.get("rule") or "any"
    services.check_params(unit, date_from, date_to, mode, course, position, rule)
    return unit, date_from, date_to, mode, course, position, rule


def _sorted(items: list[dict], allowed: tuple, default: str) -> tuple[list[dict], str, str]:
    """Order table rows by the `sort`/`dir` query arguments (None values last)."""
    key = request.args.get("sort") if request.args.get("sort") in allowed else default
    desc = request.args.get("dir") == "desc"
    present = [i for i in items if i.get(key) is not None]
    missing = [i for i in items if i.get(key) is None]
    present.sort(key=lambda i: i[key], reverse=desc)
    return present + missing, key, "desc" if desc else "asc"


def _crumbs(unit) -> list:
    """The unit's ancestors the viewer may open, from the top down."""
    chain, node = [], unit.parent
    while node is not None:
        if can_view_reports(current_user, node):
            chain.append(node)
        node = node.parent
    return list(reversed(chain))


@bp.route("/coverage")
@role_required(*REPORT_ROLES)
def coverage():
    """Coverage of a unit: totals, units one level below (or a commune's people), breakdowns,
    quarterly trend and charts."""
    try:
        unit, date_from, date_to, mode, course, position, rule = _params(strict=False)
    except (BadRequest, services.ReportError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("reports.coverage", unit=request.args.get("unit") or None))
    doc = services.coverage(unit, date_from, date_to, mode, course, position, rule)
    points = services.trend(unit, date_from, date_to, course, position)
    people, rows, chart_svg = None, doc["rows"], None
    if unit.kind == "commune":
        people, sort, direction = _sorted(
            services.commune_people(unit, date_from, date_to, mode, course, position, rule),
            PEOPLE_SORTS, "full_name")
    else:
        rows, sort, direction = _sorted(doc["rows"], ROW_SORTS, "code")
        if rows:
            # charts.py escapes every text it writes into the SVG
            # lagging units first, whatever the table's order; units without a target last
            lagging = sorted(rows, key=lambda r: (r["coverage"] is None, r["coverage"] or 0,
                                                  r["code"]))
            chart_svg = Markup(charts.coverage_svg(  # noqa: S704
                charts.coverage_chart(lagging, *exports.chart_texts(doc))))
    trend_svg = Markup(charts.trend_svg(charts.trend_chart(  # noqa: S704
        points, *exports.trend_texts(doc, points))))
    courses = db.session.scalars(select(Course).order_by(Course.title)).all()
    filters = {"unit": unit.code, "from": date_from.isoformat(), "to": date_to.isoformat(),
               "mode": mode, "course": course.slug if course else "",
               "position": position or "", "rule": rule}
    return render_template(
        "reports/coverage.html", unit=unit, doc=doc, rows=rows, people=people, points=points,
        chart_svg=chart_svg, trend_svg=trend_svg, sort=sort, direction=direction,
        filters=filters, courses=courses, positions=POSITIONS, genders=GENDERS,
        position_label=position_label, gender_label=gender_label,
        ethnicity_label=sheets.ethnicity_label, crumbs=_crumbs(unit),
        definitions=services.definitions(), date_from=date_from, date_to=date_to,
        dhis2_period=f"{date_to.year}Q{(date_to.month - 1) // 3 + 1}")


@bp.route("/coverage.<any(csv, xlsx, pdf):fmt>")
@role_required(*REPORT_ROLES)
def export(fmt: str):
    """The report as CSV, XLSX or PDF; a commune's names are audited."""
    try:
        unit, date_from, date_to, mode, course, position, rule = _params(strict=False)
    except (BadRequest, services.ReportError) as exc:
        abort(400, str(exc))
    data, name = services.export(fmt, unit, date_from, date_to, mode, course, position,
                                 by=current_user, rule=rule)
    db.session.commit()
    return send_download(data, name)


@bp.route("/dhis2.<any(json, csv):fmt>")
@role_required(*REPORT_ROLES)
def dhis2_export(fmt: str):
    """Aggregate coverage of a unit's communes for a period (`?period=2026Q4`) as a DHIS2 data
    value set; a unit outside the viewer's scope is refused."""
    try:
        unit, _from, _to, _mode, course, _position, rule = _params(strict=True)
        data, name = dhis2.export(fmt, unit, request.args.get("period", ""), course, rule)
    except (BadRequest, services.ReportError) as exc:
        abort(400, str(exc))
    return send_download(data, name)


def _untrained_params():
    """Unit (picker text, within scope), day, course and position of the untrained list; the
    unit is None (with the picker's matches) until a province or a commune is chosen."""
    scope = scope_unit(current_user)
    text = (request.args.get("unit") or "").strip()
    if text:
        unit, found = filter_unit(text, within=scope)
    else:
        unit, found = scope, []
    if unit is not None and (unit.kind == "country" or not can_view_reports(current_user, unit)):
        unit = None
    day = _date_arg("to") or today()
    slug = (request.args.get("course") or "").strip()
    course = services.find_course(slug)
    if slug and course is None:
        raise BadRequest(_("không có khóa học mã '%(c)s'", c=slug))
    position = request.args.get("position") if request.args.get("position") in POSITIONS \
        else None
    rule = request.args.get("rule") or "any"
    services.check_params(unit, day, day, "cumulative", course, position, rule)
    return unit, found, text, day, course, position, rule


@bp.route("/untrained")
@role_required(*REPORT_ROLES)
def untrained_list():
    """Who is not yet trained, commune by commune, each with a message to send to it."""
    try:
        unit, found, text, day, course, position, rule = _untrained_params()
    except (BadRequest, services.ReportError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("reports.untrained_list"))
    communes = []
    if unit is not None:
        communes = services.untrained_by_commune(unit, day, course, position, rule)
        for commune in communes:
            commune["message"] = untrained.message(commune, day, course, rule)
    elif text and not found:
        flash(_("Không tìm thấy đơn vị '%(q)s' trong phạm vi của bạn.", q=text), "error")
    filters = {"unit": unit.code if unit else "", "to": day.isoformat(),
               "course": course.slug if course else "", "position": position or "",
               "rule": rule}
    courses = db.session.scalars(select(Course).order_by(Course.title)).all()
    return render_template("reports/untrained.html", unit=unit, found=found,
                           unit_text=unit.code if unit else text, communes=communes,
                           total=sum(len(c["people"]) for c in communes),
                           filters=filters, courses=courses, positions=POSITIONS, day=day,
                           position_label=position_label)


@bp.route("/untrained.<any(csv, xlsx):fmt>")
@role_required(*REPORT_ROLES)
def untrained_export(fmt: str):
    """The untrained list as CSV or XLSX (audited)."""
    try:
        unit, _found, _text, day, course, position, rule = _untrained_params()
    except (BadRequest, services.ReportError) as exc:
        abort(400, str(exc))
    if unit is None:
        abort(404)
    data = untrained.export(fmt, unit, day, course, position, by=current_user, rule=rule)
    db.session.commit()
    return send_download(data, f"chua-tap-huan-{unit.code}-{day.isoformat()}.{fmt}")


def api_coverage():
    """GET /api/v1/coverage: the coverage document as JSON (login and scope required)."""
    if not current_user.is_authenticated:  # the app has no 401 page: answer in JSON here
        return {"error": 401, "message": "login required"}, 401
    if not current_user.has_role(*REPORT_ROLES):
        abort(403, "forbidden")
    try:
        unit, date_from, date_to, mode, course, _position, rule = _params(strict=True)
    except (BadRequest, services.ReportError) as exc:
        abort(400, str(exc))
    return services.coverage(unit, date_from, date_to, mode, course, rule=rule)


@bp.record_once
def _register_api(state) -> None:
    """The API lives outside the blueprint's /reports prefix."""
    state.app.add_url_rule("/api/v1/coverage", "reports.api_coverage", api_coverage,
                           methods=["GET"])
    csrf.exempt(api_coverage)


@bp.route("/records/template.xlsx")
@role_required("admin")
def records_template():
    """The blank records workbook with drop-downs and instructions."""
    if not can_import_records(current_user):
        abort(403)
    return send_download(records.records_template(), "mau-ho-so.xlsx")


@bp.route("/records/import", methods=["GET", "POST"])
@role_required("admin")
def records_import():
    """Upload historical completions: all rows checked, every error listed, nothing written
    on error."""
    if not can_import_records(current_user):
        abort(403)
    form = RecordsImportForm()
    errors = []
    if form.validate_on_submit():
        upload = form.file.data
        with commit_or_flash(ImportFailed) as done:
            result = records.import_records(upload.read(), upload.filename or "upload.csv",
                                            by=current_user)
            done.success = _("Đã nhập: %(a)s lần hoàn thành mới, %(b)s trùng.", a=result.new,
                             b=result.duplicates)
        errors = done.errors
        if done.ok:
            if result.ignored or result.notes:
                flash(_("Cột bỏ qua: %(c)s. Dòng bỏ qua: %(n)s.",
                        c=", ".join(result.ignored) or "—", n=len(result.notes)), "info")
            return redirect(url_for("reports.coverage"))
    return render_template("reports/records_import.html", form=form, errors=errors)
