"""The slash-command grammar and the plain-words parser: pure functions from what a climber
typed to validated input models (no I/O, no clock: "today" is passed in)."""
