"""What the rooms' views share: a service's domain error becomes a rollback and a flash message,
success a commit (one commit per request); files go out as named downloads."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO

from flask import Response, flash, send_file
from flask_babel import gettext as _

from lms.core.tabular import ImportFailed, RowError
from lms.core.text import unmark
from lms.extensions import db


@dataclass
class Outcome:
    """How a `commit_or_flash` block ended: `ok` once committed; `errors`, the row errors of
    an ImportFailed (listed on the re-shown page); `success`, flashed after the commit."""

    ok: bool = False
    errors: list[RowError] = field(default_factory=list)
    success: str | None = None


@contextmanager
def commit_or_flash(*errors: type[Exception], success: str | None = None,
                    form=None) -> Iterator[Outcome]:
    """Run the block; when it raises one of `errors`, roll back and flash the error (the view
    goes on after the block with `ok` False), else commit and flash `success` (`ok` True).

    An ImportFailed is flashed as its count of errors, which are kept in `errors`. An error
    whose `field` names a field of `form` is shown beside that field instead of flashed.

    :param errors: the domain errors the block's services raise for bad input
    :param success: the message after the commit (or set `outcome.success` in the block)
    :param form: the submitted form, for errors about one of its fields
    """
    outcome = Outcome(success=success)
    try:
        yield outcome
    except errors as exc:
        db.session.rollback()
        if isinstance(exc, ImportFailed):
            outcome.errors = exc.errors
            flash(_("Không lưu được: %(n)s lỗi. Chưa ghi dữ liệu nào.", n=len(exc.errors)),
                  "error")
        elif form is not None and getattr(exc, "field", None) in form:
            form[exc.field].errors = [*form[exc.field].errors, str(exc)]
        else:
            flash(str(exc), "error")
        return
    db.session.commit()
    outcome.ok = True
    if outcome.success:
        flash(outcome.success, "success")


def send_download(data: bytes, name: str, *, inline: bool = False,
                  mimetype: str | None = None) -> Response:
    """`data` as a file named `name` (the type guessed from it unless given), to save or with
    `inline` to show in the browser. Never stored by a cache: downloads here hold personal
    data or a test's answer key.
    """
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=not inline,
                         download_name=name, etag=False, conditional=False)
    response.headers["Cache-Control"] = "no-store"
    return response


_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(*parts, ext: str) -> str:
    """A file name made of free text (a person's, a unit's, a username), for a download or a ZIP
    member: Vietnamese letters without their marks, anything but letters, digits, ".", "_" and
    "-" turned into "-", at most 120 characters before `.ext`. Never a path, a quote or a line
    break, whatever the text holds ("Đặng Thị Hà", "../x", '"=cmd"' → "Dang-Thi-Ha", "x", "cmd").
    """
    words = [_UNSAFE_IN_NAME.sub("-", unmark(str(part))).strip("-.") for part in parts]
    stem = re.sub(r"-{2,}", "-", "-".join(w for w in words if w))[:120].strip("-.")
    return f"{stem or 'tep'}.{ext}"

