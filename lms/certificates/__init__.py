"""Certificates: issuing, numbering, verification, PDF."""

from flask import Blueprint

bp = Blueprint("certificates", __name__, url_prefix="/certificates", template_folder="templates")

from lms.certificates import views  # noqa: E402,F401
