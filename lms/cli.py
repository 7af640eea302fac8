"""The `flask lms …` command group; each room contributes its commands from `<room>/cli.py`."""

from importlib import import_module

from flask.cli import AppGroup

lms_group = AppGroup("lms", help="Tập Huấn administration commands.")

ROOMS = ("core", "accounts", "units", "courses", "assessments", "cohorts", "certificates",
         "reports", "ops")

for room in ROOMS:
    for command in import_module(f"lms.{room}.cli").commands:
        lms_group.add_command(command)
