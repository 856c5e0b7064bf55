"""REST resources. Each module exposes `endpoints: list[Endpoint]`."""
