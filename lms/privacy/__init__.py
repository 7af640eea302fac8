"""Privacy: personal-data duties of Decree 13/2023/NĐ-CP (a person's export, anonymisation)."""

from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/privacy")
