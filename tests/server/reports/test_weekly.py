"""The weekly report job: who is due when (in their own time zone, Monday 08:00 to the end of
Wednesday), the tier and preference gates, and the email it sends through the outbox."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from core.zones import zone_of
from quotas import load_policy
from server.jobs.job import JobEnv, Outcome
from server.mailers import OutboxMailer
from server.reports import unsubscribe
from server.reports.weekly import WeeklyReport
from server.settings import Settings
from store.records.user import Subscription, SubscriptionStatus, Tier, User, UserIn
from store.repos import JournalRepo, SendRepo
from store.repos.mail_keys import unsubscribe_key
from store.repos.users import UserRepo
from store.table import Table
from tests.clock import FrozenClock, at
from tests.coaching.builders import send, session

POLICY = load_policy()
JOB = WeeklyReport(POLICY)
SITE = "https://v7.example"
MONDAY = date(2026, 11, 30)  # 2026-W49


def climber(
    zone: str | None = None,
    *,
    tier: Tier = Tier.PRO,
    reports: bool = True,
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    name: str = "Ada",
) -> User:
    now = at("2026-01-01T00:00:00")
    return User(
        email="ada@example.com",
        name=name,
        created_at=now,
        updated_at=now,
        preferences={"timezone": zone, "emailReports": reports},
        subscription=Subscription(tier=tier, status=status),
    )


@pytest.mark.parametrize(
    ("zone", "local", "week"),
    [
        (None, "2026-12-07T07:59", None),  # Monday before 08:00
        (None, "2026-12-07T08:00", "2026-W49"),
        ("Australia/Sydney", "2026-12-07T08:00", "2026-W49"),
        ("America/Los_Angeles", "2026-12-07T08:00", "2026-W49"),
        ("America/Los_Angeles", "2026-12-09T23:59", "2026-W49"),  # Wednesday, late
        ("America/Los_Angeles", "2026-12-10T00:00", None),  # Thursday: too old to be news
        ("Europe/Berlin", "2026-12-06T23:00", None),  # Sunday: the week is not over
        ("Europe/Berlin", "2027-01-04T08:00", "2026-W53"),  # 2026 has 53 ISO weeks
    ],
)
def test_due_from_monday_0800_to_wednesday_on_the_climbers_clock(
    zone: str | None, local: str, week: str | None
) -> None:
    instant = datetime.fromisoformat(local).replace(tzinfo=zone_of(zone))
    assert JOB.period(climber(zone), instant) == week


def test_the_same_instant_is_due_in_one_zone_and_not_yet_in_another() -> None:
    instant = at("2026-12-06T22:00:00")  # Monday 09:00 in Sydney, Sunday 23:00 in Berlin
    assert JOB.period(climber("Australia/Sydney"), instant) == "2026-W49"
    assert JOB.period(climber("Europe/Berlin"), instant) is None


@pytest.mark.parametrize(
    "user",
    [
        climber(tier=Tier.FREE),
        climber(reports=False),
        climber(tier=Tier.PREMIUM, status=SubscriptionStatus.EXPIRED),
    ],
    ids=["free tier", "preference off", "lapsed premium"],
)
def test_no_report_without_the_tier_and_the_preference(user: User) -> None:
    assert JOB.period(user, at("2026-12-07T09:00:00")) is None
    assert JOB.period(climber(tier=Tier.PREMIUM), at("2026-12-07T09:00:00")) == "2026-W49"


async def _stored(table: Table, user: User) -> User:
    data = UserIn(email=f"{user.id}@example.com", name=user.name, preferences=user.preferences)
    return await UserRepo(table).create(user.id, data, subscription=user.subscription)


def _env(table: Table, clock: FrozenClock, outbox: Path) -> JobEnv:
    settings = Settings(data_dir=outbox.parent, allowed_origins=[SITE])
    mailer = OutboxMailer(outbox, settings.mail_from, clock)
    return JobEnv(table, None, clock, settings, POLICY, mailer)


def _mails(outbox: Path) -> list[EmailMessage]:
    if not outbox.exists():
        return []
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(outbox.iterdir())
    ]


def _body(message: EmailMessage, kind: str) -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    return str(part.get_content())


async def test_a_week_is_mailed_with_its_figures_and_hostile_text_stays_data(
    frozen_table: Table, clock: FrozenClock, tmp_path: Path
) -> None:
    user = await _stored(frozen_table, climber("Europe/Berlin", name="<script>x()</script>"))
    journal, sends = JournalRepo(frozen_table), SendRepo(frozen_table)
    for offset, minutes, rpe in ((0, 90, 7), (2, 60, 8), (4, 120, 6), (6, 45, None)):
        await journal.insert(user.id, session(MONDAY + timedelta(days=offset), minutes, rpe))
    hostile = '<script>alert("route")</script> & <img src=x onerror=y>'
    await sends.insert(user.id, send(MONDAY + timedelta(days=4), "V5", name=hostile))
    await journal.insert(user.id, session(MONDAY + timedelta(days=7), 60, 6))  # the week after
    outbox = tmp_path / "outbox"
    env = _env(frozen_table, clock, outbox)

    period = JOB.period(user, clock())
    assert period == "2026-W49"
    preview = await JOB.run_for(env, user, period, dry_run=True)
    assert preview.outcome is Outcome.DONE
    assert preview.preview["subject"] == "Your week in climbing: 4 sessions, load 1,830 AU"
    assert _mails(outbox) == []  # a dry run sends nothing

    result = await JOB.run_for(env, user, period, dry_run=False)
    assert result.outcome is Outcome.DONE
    [mail] = _mails(outbox)
    assert mail["To"] == user.email
    assert mail["Subject"] == preview.preview["subject"]
    text, html = _body(mail, "plain"), _body(mail, "html")
    # 630 + 480 + 720 AU; the 45 minutes without an RPE carry none. First weeks: no change yet.
    for figure in ("4 sessions, 5 h 15 min (4 gym)", "1,830 AU", "1 session without an RPE"):
        assert figure in text
    assert "2,190" not in text  # the Monday after (360 AU) is not this week's
    assert "Load comparisons start" in text
    assert "Boulder: 1 benchmark send, hardest V5" in text
    assert hostile in text  # plain text is not HTML: shown as written
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&#34;route&#34;)&lt;/script&gt; &amp; &lt;img" in html
    assert "Hi &lt;script&gt;x()&lt;/script&gt;," in html
    assert "1,830 AU" in html
    # The one-click link names this user and this email, and verifies with the table's key.
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(mail["List-Unsubscribe"]).strip("<>")
    assert url.startswith(f"{SITE}/email/unsubscribe?token=")
    assert url in text
    token = parse_qs(urlsplit(url).query)["token"][0]
    key = await unsubscribe_key(frozen_table)
    assert unsubscribe.verify(key, token) == unsubscribe.Subscriber(user.id, "email_reports")


async def test_a_week_with_nothing_logged_is_skipped_and_sends_nothing(
    frozen_table: Table, clock: FrozenClock, tmp_path: Path
) -> None:
    user = await _stored(frozen_table, climber())
    outbox = tmp_path / "outbox"
    result = await JOB.run_for(_env(frozen_table, clock, outbox), user, "2026-W49", dry_run=False)
    assert result.outcome is Outcome.SKIPPED
    assert _mails(outbox) == []


async def test_a_tier_lost_since_the_period_was_chosen_sends_nothing(
    frozen_table: Table, clock: FrozenClock, tmp_path: Path
) -> None:
    user = await _stored(frozen_table, climber(tier=Tier.FREE))
    await JournalRepo(frozen_table).insert(user.id, session(MONDAY, 60, 6))
    outbox = tmp_path / "outbox"
    result = await JOB.run_for(_env(frozen_table, clock, outbox), user, "2026-W49", dry_run=False)
    assert result.outcome is Outcome.SKIPPED
    assert _mails(outbox) == []
