"""Reports: coverage against the 100% target, exports, charts."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")
