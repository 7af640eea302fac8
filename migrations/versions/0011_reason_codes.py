"""reason codes: the reasons the system wrote as sentences (a member's outcome when a cohort
closed, a certificate revoked by a cohort's closing or correction) become codes, rendered in
the reader's language (lms/core/reasons.py)

Revision ID: 0011_reason_codes
Revises: 0010_roster_history
Create Date: 2026-12-08 01:40:00

Data only. A stored text becomes codes only when all of it matches the known sentences, in
Vietnamese or in English (a cohort closed from the English interface wrote English); any other
text (a reason an admin typed) stays as typed. Downgrade writes the Vietnamese sentences back.
"""
import json
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_reason_codes'
down_revision = '0010_roster_history'
branch_labels = None
depends_on = None

# code → (Vietnamese, English) as they were written: in an outcome every %(x)s is a number, in
# a revocation %(c)s is a cohort's name and %(r)s an outcome's reasons or an admin's text.
OUTCOME = {
    "no_sessions": ("lớp chưa có buổi học nào được ghi",
                    "no sessions have been recorded for the class"),
    "absent_all": ("không dự buổi nào", "attended no sessions"),
    "excused_all": ("vắng có phép cả %(n)s buổi", "excused from all sessions (%(n)s)"),
    "attendance_low_excused": (
        "dự %(p)s/%(c)s buổi (%(r)s%%) < %(m)s%% (%(e)s buổi vắng có phép không tính)",
        "attended %(p)s/%(c)s sessions (%(r)s%%) < %(m)s%% (excused sessions not counted: "
        "%(e)s)"),
    "attendance_low": ("dự %(p)s/%(c)s buổi (%(r)s%%) < %(m)s%%",
                       "attended %(p)s/%(c)s sessions (%(r)s%%) < %(m)s%%"),
    "final_not_passed": ("chưa đạt bài kiểm tra cuối", "has not passed the final test"),
}
REVOKED = {
    "cohort_reclosed": ("Lớp %(c)s được đóng lại; người này không còn đạt: %(r)s",
                        "Class %(c)s was closed again; this person no longer completes: %(r)s"),
    "outcome_corrected": ("Điều chỉnh kết quả lớp: %(r)s", "Class result corrected: %(r)s"),
}


def _pattern(template: str, numbers: bool) -> re.Pattern:
    parts = re.split(r"%\((\w)\)s", template.replace("%%", "%"))
    regex = ""
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex += re.escape(part)
        else:
            regex += f"(?P<{part}>\\d+)" if numbers else f"(?P<{part}>.+)"
    return re.compile(regex + r"\Z")


PATTERNS = {kind: [(code, _pattern(t, kind == "outcome")) for code, texts in known.items()
                   for t in texts]
            for kind, known in (("outcome", OUTCOME), ("revoked", REVOKED))}


def _outcome_codes(text: str):
    """The outcome codes of a "; "-joined verdict, or None when a part is not a known one."""
    codes = []
    for part in text.split("; "):
        for code, pattern in PATTERNS["outcome"]:
            match = pattern.match(part)
            if match:
                codes.append([code, {k: int(v) for k, v in match.groupdict().items()}])
                break
        else:
            return None
    return codes


def _revoked_codes(text: str):
    for code, pattern in PATTERNS["revoked"]:
        match = pattern.match(text)
        if match is None:
            continue
        params = match.groupdict()
        if code == "cohort_reclosed":
            params["r"] = _outcome_codes(params["r"])
            if params["r"] is None:
                return None
        return [[code, params]]
    return None


def _encode(codes) -> str:
    return json.dumps(codes, ensure_ascii=False, separators=(",", ":"))


def _decode(stored):
    if not stored or not stored.startswith("[["):
        return None
    try:
        return json.loads(stored)
    except ValueError:
        return None


def _vietnamese(codes) -> str:
    known = {**OUTCOME, **REVOKED}
    parts = []
    for code, params in codes:
        values = {k: _vietnamese(v) if isinstance(v, list) else v for k, v in params.items()}
        parts.append(known[code][0] % values)
    return "; ".join(parts)


COLUMNS = (("cohort_members", "outcome_reason", _outcome_codes),
           ("certificates", "revoked_reason", _revoked_codes))


def _rewrite(convert) -> None:
    bind = op.get_bind()
    for table_name, column, to_codes in COLUMNS:
        table = sa.table(table_name, sa.column("id", sa.Integer), sa.column(column, sa.String))
        rows = bind.execute(sa.select(table.c.id, table.c[column])
                            .where(table.c[column].is_not(None))).all()
        for row_id, text in rows:
            new = convert(text, to_codes)
            if new is not None and new != text:
                bind.execute(table.update().where(table.c.id == row_id).values({column: new}))


def upgrade():
    def to_codes(text, parse):
        if _decode(text) is not None:
            return None
        codes = parse(text)
        return _encode(codes) if codes else None

    _rewrite(to_codes)


def downgrade():
    def to_text(text, _parse):
        codes = _decode(text)
        return _vietnamese(codes) if codes else None

    _rewrite(to_text)
