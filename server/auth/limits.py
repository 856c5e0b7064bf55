"""How much `/auth/*` lets one address, one account and the whole process do: the numbers, in
one typed object (`Settings.auth_limits`, `V7_AUTH_LIMITS` as JSON, e.g.
`{"sign_in_per_ip": {"count": 10, "seconds": 60}}`; limits left out keep these defaults, and a
misspelt one stops the server).

The defaults are what the README's security section promises and why:

* sign-in: 5 failed passwords per account lock it for 15 min; each further lockout within a
  day doubles the lock (30 min, 1 h, 2 h), up to 4 h, which holds an online guesser to about
  50 passwords a day per account. 20 sign-ins per minute per address.
* password reset: 3 codes per hour per account, 10 per hour per address; at most 5 tries at a
  code per account in any hour, across codes (a new code does not give more tries), and a lock
  that doubles after each 5 (so a 6-digit code is found with odds of about 1 in 40,000 a day).
  20 tries per hour per address across accounts.
* sign-up: 10 per hour per address and 5 per hour per email. Confirming it (Cognito mode): 5
  tries at the emailed code per account per hour, then a doubling lock; 20 tries per hour per
  address; the code sent again 3 times per hour per account, 10 per address.
* two-step sign-in (Cognito mode, `/auth/mfa`): 5 wrong authenticator codes per account lock it
  for 15 min, doubling up to a day (a 6-digit TOTP accepts about 3 codes at a time, so a
  guesser holding the password gets odds of about 1 in 4,000 a day); 20 tries per hour per
  address.
* refresh: 10 per minute per refresh token, 60 per minute per address.
* argon2: 1 hash at a time and 8 waiting (one hash is 4 threads for ~0.15 s: it already fills
  a 1-vCPU task, and more at once would only starve the event loop); beyond that `/auth/*`
  sheds with 429 rather than make anyone wait more than about a second and a half.

"Account" means the normalised email address (hashed before it reaches Redis), whether or not an
account has it, so a limit never tells an address that exists from one that does not; for
refresh it is the refresh token itself, so nobody but its holder can spend its allowance.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rate(_Frozen):
    """A GCRA bucket: up to `count` at once, refilled at `count` per `seconds`."""

    count: Annotated[int, Field(ge=1)]
    seconds: Annotated[float, Field(gt=0)]

    @property
    def interval_us(self) -> int:
        """Microseconds between two requests at the sustained rate."""
        return max(1, round(self.seconds * 1_000_000 / self.count))


class Lockout(_Frozen):
    """Failures of one kind per key: `count` failures within `seconds` of the first lock the
    key for `seconds`; each further lockout within a day doubles the lock, up to
    `max_seconds`. An attempt is counted when it starts (so concurrent attempts cannot overshoot)
    and given back if it did not fail."""

    count: Annotated[int, Field(ge=1)]
    seconds: Annotated[float, Field(gt=0)]
    max_seconds: Annotated[float, Field(gt=0)]

    @model_validator(mode="after")
    def _longest_lock_is_a_lock(self) -> Lockout:
        if self.max_seconds < self.seconds:
            raise ValueError("max_seconds must be at least seconds")
        return self


STRIKES_SECONDS = 24 * 3600
"""How long a key's past lockouts count towards doubling the next one."""


class AuthLimits(_Frozen):
    """Every limit of `/auth/*`; see the module docstring for why these numbers."""

    sign_in_failures: Lockout = Field(
        default=Lockout(count=5, seconds=900, max_seconds=4 * 3600),
        description="Wrong passwords per account before it is locked, and the lock.",
    )
    sign_in_per_ip: Rate = Field(
        default=Rate(count=20, seconds=60), description="Sign-ins per client address."
    )
    sign_up_per_email: Rate = Field(
        default=Rate(count=5, seconds=3600), description="Sign-ups per email address."
    )
    sign_up_per_ip: Rate = Field(
        default=Rate(count=10, seconds=3600), description="Sign-ups per client address."
    )
    reset_codes_per_email: Rate = Field(
        default=Rate(count=3, seconds=3600), description="Reset codes sent per account."
    )
    reset_codes_per_ip: Rate = Field(
        default=Rate(count=10, seconds=3600), description="Reset codes asked per address."
    )
    code_tries: Lockout = Field(
        default=Lockout(count=5, seconds=3600, max_seconds=24 * 3600),
        description="Tries at reset codes per account, across codes, and the lock after them.",
    )
    code_tries_per_ip: Rate = Field(
        default=Rate(count=20, seconds=3600),
        description="Tries at reset codes per client address, across accounts.",
    )
    confirm_tries: Lockout = Field(
        default=Lockout(count=5, seconds=3600, max_seconds=24 * 3600),
        description="Tries at sign-up confirmation codes per account, and the lock after them.",
    )
    confirm_tries_per_ip: Rate = Field(
        default=Rate(count=20, seconds=3600),
        description="Tries at sign-up confirmation codes per client address.",
    )
    confirm_codes_per_email: Rate = Field(
        default=Rate(count=3, seconds=3600),
        description="Sign-up confirmation codes sent again per account.",
    )
    confirm_codes_per_ip: Rate = Field(
        default=Rate(count=10, seconds=3600),
        description="Sign-up confirmation codes sent again per client address.",
    )
    mfa_tries: Lockout = Field(
        default=Lockout(count=5, seconds=900, max_seconds=24 * 3600),
        description="Wrong authenticator codes per account at sign-in, and the lock after them.",
    )
    mfa_tries_per_ip: Rate = Field(
        default=Rate(count=20, seconds=3600),
        description="Tries at authenticator codes at sign-in per client address.",
    )
    refresh_per_token: Rate = Field(
        default=Rate(count=10, seconds=60), description="Refreshes per refresh token."
    )
    refresh_per_ip: Rate = Field(
        default=Rate(count=60, seconds=60), description="Refreshes per client address."
    )
    hashes_in_flight: Annotated[int, Field(ge=1, le=64)] = Field(
        default=1,
        description="argon2 hashes computed at once (64 MiB and 4 threads each: one keeps a "
        "1-vCPU task busy, more only starve the event loop).",
    )
    hashes_waiting: Annotated[int, Field(ge=0, le=10_000)] = Field(
        default=8, description="argon2 hashes that may wait for a worker; more get 429."
    )
