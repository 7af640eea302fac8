"""Writing the audit log (who, what, when)."""

from flask import has_request_context, request

from lms.accounts.models import AuditLog
from lms.extensions import db


def record(action: str, actor=None, target: str = "", **detail) -> AuditLog:
    """Add an audit entry (caller commits).

    :param action: dotted name, e.g. `login.success`, `roster.import`, `user.role_change`
    :param actor: the acting User, or None for the system / an anonymous client
    :param target: what was acted on, e.g. a username or a file name
    """
    entry = AuditLog(
        action=action,
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "") or "",
        target=str(target)[:200],
        detail=detail or None,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry
