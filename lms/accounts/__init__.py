"""Accounts: users, roles, login with throttling, the audit log, permissions."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/accounts", template_folder="templates")

# views before join_views: importing views first loads the units room before the permissions
# module (they import each other).
from lms.accounts import models, views  # noqa: E402,F401, I001
from lms.accounts import join_views  # noqa: E402,F401
