"""Personal-data actions on a roster entry's page (admins within scope; audited)."""

from flask import abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import can_view_person, role_required
from lms.core.confirm import ConfirmForm, confirm_page
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


@bp.route("/person/<int:person_id>/anonymise", methods=["GET", "POST"])
@role_required("admin")
def anonymise(person_id: int):
    """Anonymise someone who has left the post (keeps every count; audited), once confirmed."""
    entry = db.get_or_404(Person, person_id)
    if not can_view_person(current_user, entry):
        abort(404)
    back = url_for("units.person", person_id=entry.id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with commit_or_flash(PrivacyError, success=_("Đã ẩn danh hồ sơ.")):
            anonymise_person(entry, by=current_user)
        return redirect(back)
    return confirm_page(form, title=_("Ẩn danh hồ sơ %(n)s", n=entry.full_name), back=back,
                        button=_("Ẩn danh hồ sơ này"), effects=[
        _("Họ tên, mã nhân sự, số điện thoại, năm sinh, dân tộc và tài khoản đăng nhập của người "
          "này bị xóa ở mọi nơi (cả nhật ký và giấy chứng nhận); tài khoản không đăng nhập được "
          "nữa."),
        _("Các số liệu tổng hợp (đã tập huấn, lượt, điểm trước/sau) được giữ nguyên."),
        _("Giấy chứng nhận vẫn có hiệu lực nhưng trang xác minh chỉ còn ghi “ẩn danh”."),
        _("Không hoàn tác được.")])
