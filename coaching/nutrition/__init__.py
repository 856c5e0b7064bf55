"""Fuelling: daily targets computed from the nutrition profile and the logged training, and
intake against them (see docs/nutrition.md for the formulas and worked examples)."""

from __future__ import annotations

# The analytics package reads this one (its 7-day summary is `insights`), and this one builds on
# its models: loading it first means `coaching.nutrition.targets` or `.insights` can be the first
# import of a process without meeting a half-loaded module.
import coaching.analytics  # noqa: F401
