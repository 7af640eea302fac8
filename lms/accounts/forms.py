"""Login and user-administration forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from lms.accounts.models import ROLES
from lms.units.fields import UnitField


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    """The current password (or the one-time one) and the new one, twice."""

    current = PasswordField(_l("Mật khẩu hiện tại (hoặc mật khẩu một lần)"),
                            validators=[DataRequired(), Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(max=200)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"),
                            validators=[DataRequired(), Length(max=200)],
                            render_kw={"autocomplete": "new-password"})


class UserForm(FlaskForm):
    """Create or edit an account: role, unit scope, roster link, activation."""

    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=80)])
    full_name = StringField(_l("Họ và tên"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Vai trò"), choices=[SelectChoice(k, v) for k, v in ROLES.items()])
    unit_code = UnitField(_l("Đơn vị giới hạn (để trống: toàn quốc)"),
                          validators=[Optional(), Length(max=200)])
    staff_id = StringField(_l("Mã nhân sự (học viên)"), validators=[Optional(), Length(max=50)])
    password = PasswordField(_l("Mật khẩu (để trống: tự sinh / giữ nguyên)"),
                             validators=[Optional(), Length(min=8, max=200)])
    active = BooleanField(_l("Đang hoạt động"), default=True)


class FromRosterForm(FlaskForm):
    """The unit whose roster people get accounts; a preview only counts."""

    unit_code = UnitField(_l("Đơn vị (tỉnh hoặc xã)"),
                          validators=[DataRequired(), Length(max=200)])
    dry_run = BooleanField(_l("Chỉ xem trước (chưa tạo tài khoản)"))


class JoinCodeForm(FlaskForm):
    """The code shown on the projector."""

    code = StringField(_l("Mã tham gia lớp"), validators=[DataRequired(), Length(max=20)],
                       render_kw={"autocapitalize": "characters", "autocomplete": "off"})


class JoinForm(FlaskForm):
    """Who is joining: staff id and birth year, matched to the roster."""

    staff_id = StringField(_l("Mã nhân sự"), validators=[DataRequired(), Length(max=50)],
                           render_kw={"autocapitalize": "characters", "autocomplete": "off"})
    birth_year = StringField(_l("Năm sinh"), validators=[DataRequired(), Length(min=4, max=4)],
                             render_kw={"inputmode": "numeric", "autocomplete": "bday-year"})
