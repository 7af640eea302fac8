"""Personal-data actions on a roster entry's page (admins within scope; audited)."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import can_view_person, role_required
from lms.core.web import commit_or_flash, send_download
from lms.extensions import db
from lms.privacy import bp
from lms.privacy.services import PrivacyError, anonymise_person, export_person, to_json
from lms.units.models import Person


@bp.route("/person/<int:person_id>/export.json")
@role_required("admin")
def export(person_id: int):
    """Everything held about the person, as JSON (audited)."""
    entry = db.get_or_404(Person, person_id)
    if not can_view_person(current_user, entry):
        abort(404)
    data = export_person(entry, by=current_user)
    db.session.commit()
    return send_download(to_json(data), f"person-{entry.staff_id}.json")


@bp.route("/person/<int:person_id>/anonymise", methods=["POST"])
@role_required("admin")
def anonymise(person_id: int):
    """Anonymise someone who has left the post (keeps every count; audited)."""
    entry = db.get_or_404(Person, person_id)
    if not can_view_person(current_user, entry):
        abort(404)
    if request.form.get("confirm") != "yes":
        flash(_("Hãy đánh dấu xác nhận trước khi ẩn danh."), "error")
        return redirect(url_for("units.person", person_id=entry.id))
    with commit_or_flash(PrivacyError, success=_("Đã ẩn danh hồ sơ.")):
        anonymise_person(entry, by=current_user)
    return redirect(url_for("units.person", person_id=entry.id))
