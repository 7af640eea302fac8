"""Routes of the courses room: thin views over services."""

from lms.courses import bp  # noqa: F401
