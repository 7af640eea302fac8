"""Routes of the certificates room: thin views over services, and the public verification."""

import re

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from lms.accounts import audit
from lms.accounts.permissions import (
    can_edit_issuer,
    can_manage_certificates,
    can_print_cohort_certificates,
    can_view_certificate,
    role_required,
    scope_unit,
)
from lms.certificates import bp, pdf, services, verify_bp
from lms.certificates.forms import IssuerForm, ReissueForm
from lms.certificates.models import EXPIRED, REVOKED, SUPERSEDED, Certificate
from lms.cohorts.models import Cohort
from lms.core import reasons
from lms.core.confirm import ConfirmForm, confirm_page
from lms.core.params import id_arg, int_arg
from lms.core.timeutil import to_local, today
from lms.core.web import commit_or_flash, send_download
from lms.extensions import db, limiter
from lms.units.models import Unit
from lms.units.picker import filter_unit

_CODE = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


def _verify_limit() -> str:
    return current_app.config.get("VERIFY_RATE_LIMIT", "60 per minute")


def _certificate_or_404(cert_id: int) -> Certificate:
    """A certificate the current user may see; 404 otherwise (a trainee never learns that
    another person's certificate exists)."""
    cert = db.session.get(Certificate, cert_id)
    if cert is None or not can_view_certificate(current_user, cert):
        abort(404)
    return cert


def _printable_cohorts():
    """Cohorts the current user may print: a trainer's own, an admin's within scope."""
    stmt = select(Cohort).join(Unit, Cohort.host_unit_id == Unit.id)
    if current_user.has_role("trainer"):
        stmt = stmt.where(Cohort.trainers.any(id=current_user.id))
    scope = scope_unit(current_user)
    if scope is not None:
        stmt = stmt.where(Unit.path.startswith(scope.path, autoescape=True))
    return db.session.scalars(stmt.order_by(Cohort.starts_on.desc(), Cohort.id.desc())
                              .limit(300)).all()


@bp.route("/")
@role_required("admin", "trainer")
def index():
    """Certificates within scope, filtered by cohort and unit."""
    unit_code = (request.args.get("unit") or "").strip()[:200]
    cohort_id = id_arg("cohort")
    unit, unit_found = None, None
    if unit_code:
        unit, unit_found = filter_unit(unit_code, within=scope_unit(current_user))
        if unit is not None:
            unit_code = unit.code
        elif not unit_found:
            flash(_("Không tìm thấy đơn vị '%(q)s' trong phạm vi của bạn.", q=unit_code), "error")
    cohort = db.session.get(Cohort, cohort_id) if cohort_id else None
    if cohort is not None and not can_print_cohort_certificates(current_user, cohort):
        cohort = None
    stmt = services.certificates_query(current_user, unit=unit,
                                       cohort_id=cohort.id if cohort else None)
    page = db.paginate(stmt, per_page=50, error_out=False)
    return render_template("certificates/index.html", page=page, cohorts=_printable_cohorts(),
                           cohort=cohort, unit_code=unit_code, unit_found=unit_found,
                           today=today(),
                           can_issuer=can_edit_issuer(current_user))


@bp.route("/mine")
@role_required("trainee")
def mine():
    """The trainee's own certificates, to view and download (superseded ones are replaced by
    their re-issue and left out)."""
    certs = []
    if current_user.person_id is not None:
        certs = db.session.scalars(
            select(Certificate).where(Certificate.person_id == current_user.person_id,
                                      Certificate.status != SUPERSEDED)
            .order_by(Certificate.issued_on.desc(), Certificate.id.desc())).all()
    return render_template("certificates/mine.html", certs=certs, today=today())


@bp.route("/<int:cert_id>")
@role_required("admin", "trainer", "trainee")
def detail(cert_id: int):
    """One certificate: what it says, its status, and (for admins) revoke and re-issue."""
    cert = _certificate_or_404(cert_id)
    manage = can_manage_certificates(current_user, cert)
    return render_template("certificates/detail.html", cert=cert, status=cert.shown_status(today()),
                           manage=manage,
                           reissue_form=ReissueForm(prefix="reissue", full_name=cert.holder_name),
                           verify_url=services.verify_url(cert.code))


@bp.route("/<int:cert_id>.pdf")
@role_required("admin", "trainer", "trainee")
def download(cert_id: int):
    """The certificate as a PDF (a trainee gets only their own)."""
    cert = _certificate_or_404(cert_id)
    data = pdf.certificate_pdf(cert, services.verify_url(cert.code))
    return send_download(data, services.zip_name(cert), inline=True)


@bp.route("/<int:cert_id>/revoke", methods=["GET", "POST"])
@role_required("admin")
def revoke(cert_id: int):
    """Revoke, once confirmed with a reason (shown on the verification page, audited)."""
    cert = _certificate_or_404(cert_id)
    if not can_manage_certificates(current_user, cert):
        abort(403)
    back = url_for("certificates.detail", cert_id=cert.id)
    form = ConfirmForm(reason=True)
    form.reason.label.text = _("Lý do thu hồi (hiện trên trang xác minh)")
    if form.validate_on_submit():
        with commit_or_flash(services.CertificateError) as done:
            services.revoke(cert, form.reason.data, by=current_user)
            done.success = _("Đã thu hồi giấy chứng nhận %(n)s.", n=cert.number)
        if done.ok:
            return redirect(back)
    return confirm_page(form, title=_("Thu hồi giấy chứng nhận số %(n)s", n=cert.number),
                        back=back, button=_("Thu hồi giấy chứng nhận"), effects=[
        _("Giấy của %(h)s không còn hiệu lực: ai quét mã QR hay mở trang xác minh sẽ thấy "
          "“đã thu hồi”, ngày thu hồi và lý do bạn ghi dưới đây.", h=cert.holder_name),
        _("Người này vẫn giữ kết quả hoàn thành khóa học (vẫn tính là đã tập huấn); bản PDF "
          "vẫn tải được nhưng không còn xác minh được."),
        _("Không hoàn tác được: giấy đã thu hồi không có hiệu lực lại.")])


@bp.route("/<int:cert_id>/reissue", methods=["POST"])
@role_required("admin")
def reissue(cert_id: int):
    """Re-issue (e.g. after a name correction): the old one is superseded by a new one."""
    cert = _certificate_or_404(cert_id)
    if not can_manage_certificates(current_user, cert):
        abort(403)
    form = ReissueForm(prefix="reissue")
    if not form.validate_on_submit():
        abort(400)
    try:
        new = services.reissue(cert, by=current_user, full_name=form.full_name.data)
    except services.CertificateError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("certificates.detail", cert_id=cert.id))
    db.session.commit()
    flash(_("Đã cấp lại: số %(n)s thay cho số %(o)s.", n=new.number, o=cert.number), "success")
    return redirect(url_for("certificates.detail", cert_id=new.id))


def _cohort_for_print(cohort_id: int) -> Cohort:
    cohort = db.get_or_404(Cohort, cohort_id)
    if not can_print_cohort_certificates(current_user, cohort):
        abort(403)
    return cohort


@bp.route("/cohort/<int:cohort_id>.pdf")
@role_required("admin", "trainer")
def cohort_pdf(cohort_id: int):
    """A cohort's certificates as one PDF, a page each."""
    cohort = _cohort_for_print(cohort_id)
    audit.record("certificates.print", current_user, f"cohort {cohort.id}", format="pdf")
    db.session.commit()
    data = services.batch_pdf(services.cohort_certificates(cohort.id))
    return send_download(data, f"chung-nhan-lop-{cohort.id}.pdf")


@bp.route("/cohort/<int:cohort_id>.zip")
@role_required("admin", "trainer")
def cohort_zip(cohort_id: int):
    """A cohort's certificates as a ZIP of single PDFs, streamed entry by entry."""
    cohort = _cohort_for_print(cohort_id)
    audit.record("certificates.print", current_user, f"cohort {cohort.id}", format="zip")
    db.session.commit()
    stream = services.iter_cohort_zip(services.cohort_certificates(cohort.id))
    return Response(stream_with_context(stream), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="chung-nhan-lop-{cohort.id}.zip"',
        "Cache-Control": "no-store"})


@bp.route("/expiring")
@role_required("admin", "trainer")
def expiring():
    """Certificates expired or expiring soon: who needs re-training."""
    days = int_arg(request.args.get("days"), min=0, max=3650, default=90)
    on = today()
    page = db.paginate(services.expiring(current_user, within_days=days, on=on), per_page=50,
                       error_out=False)
    return render_template("certificates/expiring.html", page=page, days=days, today=on)


@bp.route("/issuer", methods=["GET", "POST"])
@role_required("admin")
def issuer():
    """Edit the issuing agency and signer printed on new certificates."""
    if not can_edit_issuer(current_user):
        abort(403)
    current = services.issuer_settings()
    form = IssuerForm(data=current)
    if form.validate_on_submit():
        try:
            services.save_issuer_settings(
                {key: getattr(form, key).data for key in services.ISSUER_FIELDS},
                by=current_user)
        except services.CertificateError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Đã lưu thông tin cơ quan cấp. Giấy đã cấp không thay đổi."), "success")
            return redirect(url_for("certificates.issuer"))
    return render_template("certificates/issuer.html", form=form)


# --- public verification ---------------------------------------------------------------------

UNKNOWN_CODE = _l("Không có giấy chứng nhận nào mang mã này. Hãy kiểm tra mã (hoặc quét lại mã "
                  "QR); nếu đúng là mã in trên giấy, hãy hỏi cơ quan đã cấp.")


def _public_certificate(code: str) -> Certificate | None:
    if not _CODE.match(code):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def public_view(cert: Certificate) -> dict:
    """What anyone holding the code may learn: status, holder, course, hours, dates, issuer."""
    status = cert.shown_status(today())
    data = {
        "number": cert.number,
        "status": status,
        "holder_name": cert.holder_name,
        "course_title": cert.course_title,
        "hours": cert.hours,
        "issued_on": cert.issued_on.isoformat(),
        "expires_on": cert.expires_on.isoformat() if cert.expires_on else None,
        "issuer": {"agency": cert.issuer_agency, "parent_agency": cert.parent_agency},
    }
    if status == REVOKED:
        data["revoked_on"] = (to_local(cert.revoked_at).date().isoformat()
                              if cert.revoked_at else None)
        data["revoked_reason"] = reasons.render(cert.revoked_reason)
    if status == SUPERSEDED and cert.superseded_by is not None:
        data["superseded_by"] = services.verify_url(cert.superseded_by.code)
    return data


@verify_bp.route("/verify/<code>")
@limiter.limit(_verify_limit)
def page(code: str):
    """Public verification page opened from the QR code (no login)."""
    cert = _public_certificate(code)
    g.no_store = True
    if cert is None:  # said plainly, not a generic "page not found"
        return render_template("certificates/verify_unknown.html", code=code,
                               message=UNKNOWN_CODE), 404
    return render_template("certificates/verify.html", cert=cert, info=public_view(cert),
                           EXPIRED=EXPIRED, REVOKED=REVOKED, SUPERSEDED=SUPERSEDED)


@verify_bp.route("/api/v1/certificates/<code>")
@limiter.limit(_verify_limit)
def api(code: str):
    """The same verification as JSON, with an ETag: a client that has it gets 304 instead of
    the body, but asks every time (no-cache), so a revocation shows at once."""
    cert = _public_certificate(code)
    if cert is None:
        return {"error": 404, "message": str(UNKNOWN_CODE)}, 404
    response = jsonify(public_view(cert))
    response.add_etag()
    response.cache_control.no_cache = True
    return response.make_conditional(request)
