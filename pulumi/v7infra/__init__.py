"""V7 Coach's AWS deployment as a Pulumi program; `program.build` declares one stack."""
