"""Roster upload form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField


class RosterImportForm(FlaskForm):
    """A CSV/XLSX roster file, optionally checked without writing."""

    file = FileField(_l("Tệp danh sách (CSV hoặc XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx"], _l("Chỉ nhận tệp .csv hoặc .xlsx"))])
    dry_run = BooleanField(_l("Chỉ kiểm tra, không ghi"))
    legacy_codes = BooleanField(_l("Cột mã xã dùng mã cũ (trước 01/7/2025)"))
