"""Cohort forms: the class itself, sessions, member upload, closing and admin corrections."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.core.params import StrictIntegerField, strict_id
from lms.units.fields import UnitField

MODE_LABELS = {"in_person": _l("Trực tiếp"), "online": _l("Trực tuyến"),
               "blended": _l("Kết hợp")}
STATUS_LABELS = {"planned": _l("Dự kiến"), "running": _l("Đang học"), "closed": _l("Đã đóng")}
ATTENDANCE_LABELS = {"present": _l("Có mặt"), "absent": _l("Vắng"),
                     "excused": _l("Vắng có phép")}


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as a list of check boxes (works without JS, big targets)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CohortForm(FlaskForm):
    """Create or edit a cohort; cross-record rules are checked by the service."""

    course_id = SelectField(_l("Khóa học"), coerce=strict_id, validators=[DataRequired()])
    name = StringField(_l("Tên lớp"), validators=[DataRequired(), Length(max=300)])
    trainer_ids = MultiCheckboxField(_l("Giảng viên"), coerce=strict_id)
    host_unit_code = UnitField(_l("Đơn vị tổ chức (tỉnh hoặc xã/phường/đặc khu)"),
                               validators=[DataRequired(), Length(max=200)])
    venue = StringField(_l("Địa điểm"), validators=[Optional(), Length(max=300)])
    starts_on = StringField(_l("Ngày bắt đầu (dd/mm/yyyy)"), validators=[DataRequired()])
    ends_on = StringField(_l("Ngày kết thúc (dd/mm/yyyy)"), validators=[DataRequired()])
    mode = SelectField(_l("Hình thức"),
                       choices=[SelectChoice(k, v) for k, v in MODE_LABELS.items()])
    capacity = StrictIntegerField(_l("Sĩ số tối đa (để trống: không giới hạn)"),
                                  validators=[Optional(), NumberRange(min=1, max=10000)])
    status = SelectField(_l("Trạng thái"), choices=[
        SelectChoice("planned", STATUS_LABELS["planned"]),
        SelectChoice("running", STATUS_LABELS["running"])])
    min_attendance_pct = StrictIntegerField(_l("Tỷ lệ dự tối thiểu để hoàn thành (%)"),
                                            default=80, validators=[NumberRange(min=0, max=100)])
    require_final_test = BooleanField(_l("Yêu cầu đạt bài kiểm tra cuối (nếu khóa học có)"),
                                      default=True)


class SessionForm(FlaskForm):
    """One session (buổi): date, times, topic."""

    date = StringField(_l("Ngày (dd/mm/yyyy)"), validators=[DataRequired()])
    start_time = StringField(_l("Giờ bắt đầu (hh:mm)"), validators=[Optional(), Length(max=5)])
    end_time = StringField(_l("Giờ kết thúc (hh:mm)"), validators=[Optional(), Length(max=5)])
    topic = StringField(_l("Nội dung"), validators=[Optional(), Length(max=300)])


class MemberUploadForm(FlaskForm):
    """A list of staff ids (column ma_nhan_su or staff_id)."""

    file = FileField(_l("Tệp danh sách mã nhân sự (CSV hoặc XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "xlsx"], _l("Chỉ nhận tệp .csv hoặc .xlsx"))])


class ReasonForm(FlaskForm):
    """An admin's correction: the reason is required and audited."""

    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=300)])


class OutcomeForm(ReasonForm):
    """Change one member's outcome in a closed cohort."""

    completed = SelectField(_l("Kết quả"), choices=[
        SelectChoice("1", _l("Hoàn thành")), SelectChoice("0", _l("Không hoàn thành"))])
