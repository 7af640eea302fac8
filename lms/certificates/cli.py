"""`flask lms …` commands of the certificates room."""

commands = []
