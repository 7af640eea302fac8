"""The unit picker's form field: type a code or part of a name, get the unit's code."""

from flask_babel import gettext as _
from flask_login import current_user
from wtforms import StringField
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

from lms.accounts.permissions import scope_unit
from lms.core.text import clean
from lms.units.picker import LIMIT, Match, resolve_unit


class UnitField(StringField):
    """A unit typed as a code (zeros optional) or part of a name, resolved within the signed-in
    user's unit; after validation `data` is the unit's zero-padded code, as views read it.

    Several matches are an error listing them in `candidates`: the form shows them as radio
    buttons named `pick_name`, and the next submission takes the one chosen (the search step
    that works without JavaScript).
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.candidates: list[Match] = []
        self.more = False

    @property
    def pick_name(self) -> str:
        """The name of the radio buttons offering the candidates."""
        return f"{self.name}-pick"

    def process(self, formdata, data=unset_value, extra_filters=None):
        """Read the typed text, or the candidate chosen in the search step when there is one."""
        super().process(formdata, data, extra_filters)
        if formdata is not None and formdata.get(self.pick_name):
            self.data = formdata.get(self.pick_name)

    def pre_validate(self, form):
        """Resolve the text to one unit within the user's scope, or stop with the reason."""
        text = clean(self.data)[:200]
        self.data = text
        if not text:
            return
        scope = scope_unit(current_user)
        found = resolve_unit(text, within=scope, limit=LIMIT + 1)
        if len(found) == 1:
            self.data = found[0].code
            return
        if not found:
            outside = resolve_unit(text, limit=2) if scope is not None else []
            if len(outside) == 1:  # unit names are public: saying where it lies helps
                raise StopValidation(_("%(u)s nằm ngoài phạm vi của bạn (%(s)s).",
                                       u=outside[0].label, s=scope.name))
            raise StopValidation(_("Không tìm thấy đơn vị '%(q)s' trong phạm vi của bạn.",
                                   q=text))
        self.candidates, self.more = found[:LIMIT], len(found) > LIMIT
        raise StopValidation(_("Có nhiều đơn vị khớp với '%(q)s': hãy chọn một đơn vị dưới "
                               "đây hoặc gõ rõ hơn (thêm tên tỉnh).", q=text))

    def chosen(self) -> Match | None:
        """The unit the current value designates, to show its name beside the code."""
        if self.errors or not self.data:
            return None
        found = resolve_unit(str(self.data), within=scope_unit(current_user), limit=2)
        return found[0] if len(found) == 1 else None
