"""Upload form for historical training records."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class RecordsImportForm(FlaskForm):
    """A CSV/XLSX file of completions (ma_nhan_su, ma_khoa_hoc, ngay_hoan_thanh, ghi_chu)."""

    file = FileField(_l("Tệp hồ sơ tập huấn (CSV hoặc XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx", "txt", "tsv"],
                                   _l("Chỉ nhận tệp .xlsx, .csv hoặc .txt (Unicode Text)"))])
