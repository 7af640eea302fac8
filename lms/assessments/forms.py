"""Forms of the assessments room."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired


class PaperScoreUploadForm(FlaskForm):
    """A CSV/XLSX file of paper pre/post scores for one cohort."""

    file = FileField(_l("Tệp điểm (CSV hoặc XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx"], _l("Chỉ nhận tệp .csv hoặc .xlsx"))])
