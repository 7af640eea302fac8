"""Courses: catalogue, lessons, enrolment, progress, the content loader."""

from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates")
