"""Signals of the assessments room, so other rooms react without being imported here."""

from blinker import Namespace

_signals = Namespace()
# Sent when a person passes a course's final (online attempt or paper post-test score):
# sender=the Course, person_id=the person, cohort=the cohort whose final it was (None for a
# final taken outside a cohort). The courses room re-checks completion.
final_passed = _signals.signal("final-passed")
