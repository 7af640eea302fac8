"""`flask lms …` commands of the reports room."""

commands = []
