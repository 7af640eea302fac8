"""`flask lms …` commands of the assessments room."""

commands = []
