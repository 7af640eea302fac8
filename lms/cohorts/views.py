"""Routes of the cohorts room: thin views over services."""

from lms.cohorts import bp  # noqa: F401
