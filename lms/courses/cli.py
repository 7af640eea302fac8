"""`flask lms …` commands of the courses room."""

commands = []
