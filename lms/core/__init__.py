"""Core room: home page, language switch, health check, shared helpers (text, files, assets)."""

from flask import Blueprint

bp = Blueprint("core", __name__, template_folder="templates")
