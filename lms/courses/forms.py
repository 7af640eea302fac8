"""Enrolment forms of the courses room."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from lms.units.fields import UnitField
from lms.units.positions import POSITIONS


class EnrolOneForm(FlaskForm):
    """Enrol one roster person by staff id."""

    staff_id = StringField(_l("Mã nhân sự"), validators=[DataRequired(), Length(max=50)])


class EnrolManyForm(FlaskForm):
    """Enrol everyone matching a filter within the user's scope."""

    unit = UnitField(_l("Đơn vị (tỉnh hoặc xã; để trống: cả phạm vi của bạn)"),
                     validators=[Optional(), Length(max=200)])
    position = SelectField(_l("Chức danh"), validators=[Optional()])
    not_trained = BooleanField(_l("Chỉ người chưa hoàn thành khóa học này"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.position.choices = [("", _l("Tất cả"))] + [(k, v) for k, v in POSITIONS.items()]
