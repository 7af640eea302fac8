"""Joining at a conference: the projector screen, the public join page, the trainer's decision
(rules in lms/accounts/joining.py)."""

import segno
from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from lms.accounts import bp, joining, sessions
from lms.accounts.forms import JoinCodeForm, JoinForm
from lms.accounts.models import JoinRequest, User
from lms.accounts.permissions import can_edit_cohort, role_required
from lms.cohorts.models import Cohort
from lms.core.web import commit_or_flash
from lms.extensions import db, limiter

_SESSION_KEY = "join_request"


def _join_limit() -> str:
    return current_app.config["JOIN_RATE_LIMIT"]


def _editable_cohort(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    if not can_edit_cohort(current_user, cohort):
        abort(404)
    return cohort


@bp.route("/cohorts/<int:cohort_id>/join-code", methods=["POST"])
@role_required("admin", "trainer")
def join_code(cohort_id: int):
    """Open a fresh join code (then show it), or close joining by code."""
    cohort = _editable_cohort(cohort_id)
    if request.form.get("action") == "close":
        joining.close_code(cohort, by=current_user)
        db.session.commit()
        flash(_("Đã đóng mã tham gia."), "info")
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    joining.open_code(cohort, by=current_user)
    db.session.commit()
    return redirect(url_for("accounts.join_screen", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/join-screen")
@role_required("admin", "trainer")
def join_screen(cohort_id: int):
    """The join code and its QR code, large, for the projector."""
    cohort = _editable_cohort(cohort_id)
    if not cohort.join_code:
        return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    url = f"{current_app.config['BASE_URL']}/accounts/join/{cohort.join_code}"
    qr = segno.make(url, error="m").svg_data_uri(scale=10, border=2)
    return render_template("accounts/join_screen.html", cohort=cohort, url=url, qr=qr,
                           short_url=f"{current_app.config['BASE_URL']}/accounts/join")


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"])
def join_start():
    """Public: type the code shown on the projector."""
    form = JoinCodeForm()
    if form.validate_on_submit():
        cohort = joining.cohort_for_code(form.code.data)
        if cohort is not None:
            return redirect(url_for("accounts.join", code=cohort.join_code))
        flash(_("Mã tham gia không đúng hoặc lớp đã đóng."), "error")
    return render_template("accounts/join_start.html", form=form)


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"])
def join(code: str):
    """Public: staff id and birth year, matched to the roster; files a request for the
    cohort's trainer to confirm."""
    cohort = joining.cohort_for_code(code)
    if cohort is None:
        abort(404)
    g.no_store = True
    form = JoinForm()
    if form.validate_on_submit():
        try:
            join_request = joining.request_join(cohort, form.staff_id.data,
                                                form.birth_year.data, request.remote_addr)
        except joining.JoinError as exc:
            db.session.commit()  # the audit entry of the miss
            flash(str(exc), "error")
        else:
            db.session.commit()
            session[_SESSION_KEY] = join_request.id
            return redirect(url_for("accounts.join_status"))
    return render_template("accounts/join.html", form=form, cohort=cohort)


@bp.route("/join/status")
def join_status():
    """Public, for the phone that asked: waiting, refused, or (once) signed in."""
    g.no_store = True
    join_request, user = joining.collect(session.get(_SESSION_KEY))
    if join_request is None:
        return redirect(url_for("accounts.join_start"))
    if user is not None:
        db.session.commit()
        session.pop(_SESSION_KEY, None)
        login_user(user)
        sessions.started()
        flash(_("Bạn đã vào lớp %(c)s. Hãy đặt mật khẩu để lần sau đăng nhập.",
                c=join_request.cohort.name), "success")
        return redirect(url_for("accounts.change_password"))
    username = None
    if join_request.status == "confirmed":
        account = db.session.scalar(db.select(User).where(
            User.person_id == join_request.person_id))
        username = account.username if account else None
    return render_template("accounts/join_status.html", join=join_request, username=username)


@bp.route("/join-requests/<int:request_id>/<any(confirm, reject):decision>", methods=["POST"])
@role_required("admin", "trainer")
def join_decide(request_id: int, decision: str):
    """A trainer of the cohort confirms or rejects a join request."""
    join_request = db.get_or_404(JoinRequest, request_id)
    if not can_edit_cohort(current_user, join_request.cohort):
        abort(404)
    with commit_or_flash(joining.JoinError) as done:
        joining.decide(join_request, decision == "confirm", by=current_user)
    if done.ok and decision == "confirm":
        flash(_("Đã xác nhận %(n)s vào lớp.", n=join_request.person.full_name), "success")
    elif done.ok:
        flash(_("Đã từ chối yêu cầu của %(n)s.", n=join_request.person.full_name), "info")
    return redirect(url_for("cohorts.detail", cohort_id=join_request.cohort_id))
