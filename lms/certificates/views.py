"""Routes of the certificates room: thin views over services."""

from lms.certificates import bp  # noqa: F401
