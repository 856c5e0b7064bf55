"""Fuelling: daily targets computed from the nutrition profile and the logged training, and
intake against them (see docs/nutrition.md for the formulas and worked examples)."""
