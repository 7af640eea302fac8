"""The confirmation step of a destructive action (revoke, close, reopen, delete, anonymise):
a GET page saying what will happen, then a POST with CSRF that carries `confirm=yes` (sent only
by that page's button) and, where the audit log needs one, a reason. A POST without them is
refused on the same page, with the error, and nothing is done.

It works without JavaScript: the page is the confirmation.
"""

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from lms.core.text import clean


class ConfirmForm(FlaskForm):
    """`confirm` comes from the confirmation page's button; `reason` is checked when the action
    needs one (`ConfirmForm(reason=True)`)."""

    confirm = StringField()
    reason = TextAreaField(_l("Lý do (ghi vào nhật ký)"), validators=[Length(max=300)])

    def __init__(self, *args, reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_reason = reason

    def validate_confirm(self, field) -> None:
        """Only the confirmation page's button sends `confirm=yes`."""
        if field.data != "yes":
            raise ValidationError(_l("Chưa xác nhận: hãy đọc điều sẽ xảy ra rồi bấm nút xác "
                                     "nhận trên trang này."))

    def validate_reason(self, field) -> None:
        """A reason, when the action needs one."""
        field.data = clean(field.data)
        if self.needs_reason and not field.data:
            raise ValidationError(_l("Hãy ghi lý do: nó được lưu trong nhật ký."))


def confirm_page(form: ConfirmForm, *, title: str, effects: list[str], button: str,
                 back: str, template: str = "confirm.html", **context):
    """The confirmation page (400 when a POST was refused).

    :param title: what is about to be done, as a heading
    :param effects: what will happen, one sentence each
    :param button: the confirming button's label
    :param back: where "Hủy" leads
    """
    html = render_template(template, form=form, title=title, effects=effects, button=button,
                           back=back, **context)
    return html, 400 if request.method == "POST" else 200
