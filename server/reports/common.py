"""What the report and the reminder share: when a user is due in their own time zone, the
links an email carries, and mailing it."""

from __future__ import annotations

from datetime import datetime

from core.zones import zone_of
from server.jobs.job import JobEnv, Outcome, UserResult
from server.mail import Email
from server.reports import unsubscribe
from server.reports.render import Rendered
from store.records.user import User
from store.repos.mail_keys import unsubscribe_key


def local_now(user: User, now: datetime) -> datetime:
    """`now` on the climber's clock (their zone; UTC until they set one)."""
    return now.astimezone(zone_of(user.preferences.timezone))


def site(env: JobEnv) -> str:
    """The site's origin, which links in an email point at: the first of
    `Settings.websocket_origins` (`V7_ALLOWED_ORIGINS` in a deployment)."""
    return env.settings.websocket_origins[0]


async def unsubscribe_link(env: JobEnv, user: User, purpose: unsubscribe.Purpose) -> str:
    key = await unsubscribe_key(env.table)
    return unsubscribe.link(site(env), unsubscribe.sign(key, user.id, purpose))


async def deliver(
    env: JobEnv, user: User, rendered: Rendered, link: str, *, dry_run: bool
) -> UserResult:
    """Send `rendered` to `user` with the one-click unsubscribe headers for `link`; with
    `dry_run`, send nothing and return it as a preview."""
    email = Email(
        to=user.email,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        headers=unsubscribe.headers(link),
    )
    if dry_run:
        return UserResult(
            Outcome.DONE,
            "dry run: nothing sent",
            preview={"to": email.to, "subject": email.subject, "text": email.text},
        )
    message_id = await env.mailer.send(email)
    return UserResult(Outcome.DONE, f"sent {message_id}")
