"""Assessments: question bank, quizzes, attempts, grading, item analysis."""

from flask import Blueprint

bp = Blueprint("assessments", __name__, url_prefix="/quizzes", template_folder="templates")
