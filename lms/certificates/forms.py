"""Certificate forms: issuer settings, re-issue (revocation: lms/core/confirm.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class IssuerForm(FlaskForm):
    """The issuing agency and signer printed on new certificates."""

    parent_agency = StringField(_l("Cơ quan chủ quản"), validators=[Optional(), Length(max=300)])
    agency = StringField(_l("Cơ quan cấp"), validators=[DataRequired(), Length(max=300)])
    place = StringField(_l("Địa danh (dòng ngày tháng)"),
                        validators=[Optional(), Length(max=120)])
    signer_title = TextAreaField(_l("Chức vụ người ký (tối đa 2 dòng)"),
                                 validators=[Optional(), Length(max=200)])
    signer_name = StringField(_l("Họ tên người ký"), validators=[Optional(), Length(max=200)])
    issuer_code = StringField(_l("Mã cơ quan cấp trong số hiệu (để trống: mã tỉnh)"),
                              validators=[Optional(), Length(max=20)])


class ReissueForm(FlaskForm):
    """Re-issue, optionally with a corrected name."""

    full_name = StringField(_l("Họ và tên đã đính chính"),
                            validators=[Optional(), Length(max=200)])
