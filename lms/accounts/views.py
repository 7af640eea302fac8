"""Login, logout and user administration."""

import zipfile
from io import BytesIO

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from lms.accounts import audit, bp, bulk, joining, passwords, services, sessions
from lms.accounts.forms import ChangePasswordForm, FromRosterForm, LoginForm, UserForm
from lms.accounts.models import AuditLog, User
from lms.accounts.pdf import slips_pdf
from lms.accounts.permissions import role_required
from lms.cohorts.models import Cohort
from lms.core.tabular import write_xlsx
from lms.core.text import clean
from lms.core.timeutil import parse_date
from lms.core.urls import safe_target
from lms.core.web import commit_or_flash, send_download
from lms.extensions import db
from lms.units.models import Person


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in (throttled by account and by client address); `?u=` fills in the username (the
    QR code of a login slip)."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if request.method == "GET" and request.args.get("u"):
        form.username.data = request.args["u"][:80]
    status = 200
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data,
                                       request.remote_addr or "?")
        db.session.commit()
        if result.user is not None:
            login_user(result.user)
            sessions.started()
            if result.user.must_change_password:
                return redirect(url_for("accounts.change_password"))
            return redirect(safe_target(request.args.get("next"), url_for("core.index")))
        flash(result.error, "error")
        status = 429 if result.locked_until else 200
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out (POST, with CSRF): ends every session of the user, on every device."""
    if current_user.is_authenticated:
        services.end_sessions(db.session.get(User, current_user.id))
        db.session.commit()
    logout_user()
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("core.index"))


@bp.app_context_processor
def account_helpers():
    """`cohort_accounts(cohort)` and `join_requests(cohort)` for the cohort page."""
    return {"cohort_accounts": services.cohort_accounts, "join_requests": joining.pending}


# Endpoints open to a user who must still replace a one-time password.
_BEFORE_NEW_PASSWORD = {"accounts.change_password", "accounts.logout", "static", "assets",
                        "core.healthz", "core.set_language"}


@bp.before_app_request
def require_new_password():
    """A user signed in with a one-time password goes to the change-password page first."""
    if request.endpoint in _BEFORE_NEW_PASSWORD or request.endpoint is None:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("accounts.change_password"))
    return None


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Replace one's password; every other session of the user ends."""
    user = db.session.get(User, current_user.id)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with commit_or_flash(services.AccountError, success=_("Đã đổi mật khẩu.")) as done:
            services.change_password(user, form.current.data, form.new.data, form.confirm.data)
        if done.ok:
            login_user(user)  # this session goes on under the new session version
            sessions.started()
            return redirect(url_for("core.index"))
    minimum = (passwords.TRAINEE_MIN_LENGTH if user.role == "trainee"
               else passwords.STAFF_MIN_LENGTH)
    return render_template("accounts/password.html", form=form, user=user, minimum=minimum)


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
@role_required("admin", "trainer")
def reset_password(user_id: int):
    """Issue a new one-time password and download its slip (admins in scope; trainers for
    members of their cohorts)."""
    user = db.get_or_404(User, user_id)
    if not services.can_reset_password(current_user, user):
        abort(404)
    password = services.reset_password(user, by=current_user)
    db.session.commit()
    pdf = slips_pdf([bulk.slip_for(user, password)], current_app.config["BASE_URL"])
    return send_download(pdf, f"phieu-dang-nhap-{user.username}.pdf")


@bp.route("/users")
@role_required("admin")
def users():
    """List accounts within the admin's scope, 50 a page (`?q=` searches names)."""
    q = (request.args.get("q") or "").strip()[:80]
    page = db.paginate(services.visible_users(current_user, q), per_page=50, error_out=False)
    return render_template("accounts/users.html", users=page.items, page=page, q=q)


def _resolve_form(form: UserForm):
    unit = services.find_unit(form.unit_code.data)
    if unit is None and current_user.unit_id is not None:
        unit = current_user.unit  # a scoped admin can only create accounts inside the scope
    person = None
    if form.staff_id.data:
        person = db.session.scalar(select(Person).where(Person.staff_id == form.staff_id.data))
        if person is None:
            raise services.AccountError(_("Không có mã nhân sự %(s)s.", s=form.staff_id.data))
    return unit, person


@bp.route("/users/new", methods=["GET", "POST"])
@role_required("admin")
def user_new():
    """Create an account; a generated password is shown once."""
    form = UserForm()
    if form.validate_on_submit():
        with commit_or_flash(services.AccountError) as done:
            unit, person = _resolve_form(form)
            password = form.password.data or services.generate_password()
            user = services.create_user(form.username.data, form.role.data, password,
                                        by=current_user, full_name=form.full_name.data,
                                        unit=unit, person=person)
            done.success = _("Đã tạo tài khoản %(u)s.", u=user.username)
            if not form.password.data:  # a one-time password, replaced at first sign-in
                password = passwords.one_time_password()
                services.set_one_time_password(user, password)
                done.success = _("Đã tạo tài khoản %(u)s. Mật khẩu một lần: %(p)s (chỉ hiện "
                                 "một lần).", u=user.username, p=password)
        if done.ok:
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def user_edit(user_id: int):
    """Edit role, scope, roster link, activation; reset the password."""
    user = db.get_or_404(User, user_id)
    if not services.user_in_scope(current_user, user):
        abort(404)
    form = UserForm(obj=user)
    if request.method == "GET":
        form.unit_code.data = user.unit.code if user.unit else ""
        form.staff_id.data = user.person.staff_id if user.person else ""
    form.username.render_kw = {"readonly": True}
    if form.validate_on_submit():
        with commit_or_flash(services.AccountError,
                             success=_("Đã lưu tài khoản %(u)s.", u=user.username)) as done:
            unit, person = _resolve_form(form)
            services.update_user(user, by=current_user, role=form.role.data,
                                 full_name=form.full_name.data, unit=unit,
                                 active=form.active.data, person=person,
                                 password=form.password.data or None)
        if done.ok:
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user,
                           can_reset=services.can_reset_password(current_user, user))


def _accounts_zip(run, name: str) -> Response:
    """Carry out a bulk run into a ZIP of the login slips (a PDF per commune), the CSV and the
    XLSX (and commit)."""
    out, csv_file = BytesIO(), BytesIO()
    rows: list = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        bulk.write_outputs(run, base_url=current_app.config["BASE_URL"], csv_out=csv_file,
                           slips_zip=archive, xlsx=rows)
        archive.writestr(f"tai-khoan-{name}.csv", csv_file.getvalue())
        archive.writestr(f"tai-khoan-{name}.xlsx",
                         write_xlsx(bulk.CSV_HEADERS, rows, "Tài khoản"))
    db.session.commit()
    return send_download(out.getvalue(), f"tai-khoan-{name}.zip")


@bp.route("/from-roster", methods=["GET", "POST"])
@role_required("admin")
def from_roster():
    """Accounts for every roster person of a unit (within scope) who has none: a ZIP of
    login slips, CSV and XLSX; a preview only counts. `?unit=` fills in the unit."""
    form = FromRosterForm()
    if request.method == "GET" and request.args.get("unit"):  # a link from the home page
        form.unit_code.data = request.args["unit"][:200]
    preview = None
    if form.validate_on_submit():
        try:
            unit = services.find_unit(form.unit_code.data)
            run = bulk.Run(by=current_user, unit=unit, dry_run=form.dry_run.data)
        except (services.AccountError, bulk.BulkError) as exc:
            flash(str(exc), "error")
        else:
            if not form.dry_run.data:
                return _accounts_zip(run, unit.code)
            bulk.write_outputs(run, base_url=current_app.config["BASE_URL"])
            db.session.rollback()
            preview = {"unit": unit, "run": run}
    return render_template("accounts/from_roster.html", form=form, preview=preview)


@bp.route("/from-cohort/<int:cohort_id>", methods=["POST"])
@role_required("admin", "trainer")
def from_cohort(cohort_id: int):
    """Accounts for the members of a cohort who have none (its trainers and admins)."""
    cohort = db.get_or_404(Cohort, cohort_id)
    try:
        run = bulk.Run(by=current_user, cohort=cohort)
    except bulk.BulkError:
        abort(404)
    return _accounts_zip(run, f"lop-{cohort.id}")


def _audit_filters() -> audit.Filters:
    """The audit page's filters from the query string; a date that does not parse is flashed
    and left out."""
    days = {}
    for name in ("from", "to"):
        try:
            days[name] = parse_date((request.args.get(name) or "").strip()[:20])
        except ValueError:
            flash(_("Ngày không hợp lệ: %(v)s (dd/mm/yyyy).", v=request.args[name][:20]), "error")
            days[name] = None
    return audit.Filters(actor=clean(request.args.get("actor", ""))[:80],
                         action=clean(request.args.get("action", ""))[:60],
                         date_from=days["from"], date_to=days["to"])


@bp.route("/audit")
@role_required("admin")
def audit_log():
    """The audit entries the admin may read (their scope), newest first, with filters by actor,
    action and dates."""
    filters = _audit_filters()
    page = db.paginate(audit.entries(current_user, filters), per_page=50)
    codes = set(audit.ACTIONS) | set(db.session.scalars(select(AuditLog.action).distinct()))
    return render_template("accounts/audit.html", page=page, filters=filters,
                           actions=sorted(codes, key=audit.action_label),
                           action_label=audit.action_label, detail_text=audit.detail_text,
                           args={k: v for k, v in request.args.items() if k != "page"})


@bp.route("/audit/export.<fmt>")
@role_required("admin")
def audit_export(fmt: str):
    """The filtered audit entries as CSV or XLSX (audited)."""
    filters = _audit_filters()
    try:
        data, name = audit.export(current_user, filters, fmt)
    except audit.AuditError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("accounts.audit_log", **request.args))
    db.session.commit()
    return send_download(data, name)
