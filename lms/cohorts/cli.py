"""`flask lms …` commands of the cohorts room."""

commands = []
