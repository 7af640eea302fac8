"""Units: administrative units and the staff roster (the denominator of every report)."""

from flask import Blueprint

bp = Blueprint("units", __name__, url_prefix="/units", template_folder="templates")
