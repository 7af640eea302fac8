"""The cohort factories, for the trainer's resets, bulk runs and joining."""

from tests.cohorts.conftest import fill, make_cohort, make_course  # noqa: F401
