"""Routes of the reports room: thin views over services."""

from lms.reports import bp  # noqa: F401
