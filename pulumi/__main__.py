"""Pulumi entry point: read the stack's config, declare the stack, export its outputs."""

from __future__ import annotations

from v7infra import config, program

import pulumi

settings = config.load()
for name, value in program.build(settings, config.load_secrets(settings)).items():
    pulumi.export(name, value)
