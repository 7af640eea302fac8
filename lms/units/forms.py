"""Roster upload and vocabulary forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length


class RosterImportForm(FlaskForm):
    """A CSV/XLSX roster file, optionally checked without writing."""

    file = FileField(_l("Tệp danh sách (CSV hoặc XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx", "txt", "tsv"],
                                   _l("Chỉ nhận tệp .xlsx, .csv hoặc .txt (Unicode Text)"))])
    dry_run = BooleanField(_l("Chỉ kiểm tra, không ghi"))
    legacy_codes = BooleanField(_l("Cột mã xã dùng mã cũ (trước 01/7/2025)"))


class PositionAliasForm(FlaskForm):
    """Another name offices use for a position."""

    label = StringField(_l("Tên gọi khác"), validators=[DataRequired(), Length(max=200)])
    position = SelectField(_l("Chức danh"), validators=[DataRequired()])
