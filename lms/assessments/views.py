"""Routes of the assessments room: thin views over services."""

from lms.assessments import bp  # noqa: F401
