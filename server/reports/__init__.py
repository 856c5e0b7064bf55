"""Email the climber gets without asking each time: the weekly report and the reminder to log
a planned session, as scheduled jobs (`server.jobs.job.UserJob`), their rendering, and the
signed unsubscribe link that works without signing in."""
