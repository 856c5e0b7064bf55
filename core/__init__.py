"""Types every layer shares; imports nothing of the project."""
