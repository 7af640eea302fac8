"""Certificates: issuing, numbering, verification, PDF.

Importing `services` connects the receiver that issues a certificate when an online or cohort
completion is recorded (`services.on_completion_recorded`).
"""

from flask import Blueprint

bp = Blueprint("certificates", __name__, url_prefix="/certificates", template_folder="templates")
# Public, login-free verification: /verify/<code> and /api/v1/certificates/<code>.
verify_bp = Blueprint("verify", __name__, template_folder="templates")
