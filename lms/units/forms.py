"""Roster upload and vocabulary forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class RosterImportForm(FlaskForm):
    """A CSV/XLSX roster file and how to date it; the upload is always previewed first."""

    file = FileField(_l("Tệp danh sách (CSV hoặc XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx", "txt", "tsv"],
                                   _l("Chỉ nhận tệp .xlsx, .csv hoặc .txt (Unicode Text)"))])
    as_of = DateField(_l("Danh sách tính đến ngày (để trống = hôm nay)"),
                      validators=[Optional()])
    initial = BooleanField(_l("Danh sách ban đầu: người mới có mặt từ đầu kỳ số liệu"))
    legacy_codes = BooleanField(_l("Cột mã xã dùng mã cũ (trước 01/7/2025)"))


class ConfirmImportForm(FlaskForm):
    """Confirm a preview, choosing whether the people missing from the file have left."""

    mark_left = BooleanField(_l("Đánh dấu những người không có trong tệp là đã nghỉ"))
    left_on = DateField(_l("Ngày nghỉ"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """The date is needed only with the choice (Optional() alone ends the field's checks)."""
        if not super().validate(extra_validators):
            return False
        if self.mark_left.data and not self.left_on.data:
            self.left_on.errors.append(_l("Hãy chọn ngày nghỉ."))
            return False
        return True


class PositionAliasForm(FlaskForm):
    """Another name offices use for a position."""

    label = StringField(_l("Tên gọi khác"), validators=[DataRequired(), Length(max=200)])
    position = SelectField(_l("Chức danh"), validators=[DataRequired()])
