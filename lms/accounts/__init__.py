"""Accounts: users, roles, login with throttling, the audit log, permissions."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/accounts", template_folder="templates")
