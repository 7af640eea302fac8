"""Courses: catalogue, lessons, enrolment, progress, the content loader."""

from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates")

from lms.courses import models, views  # noqa: E402,F401
