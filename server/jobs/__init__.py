"""Scheduled work: jobs, the one scheduler abstraction that runs them (in process on a laptop,
from EventBridge Scheduler in AWS), and `v7 jobs`."""
