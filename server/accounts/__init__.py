"""Account operations behind `/auth/*`, one interface for both modes.

`LocalAccounts` keeps accounts in the store (argon2id hashes, revocable refresh tokens) and mints
tokens with the local issuer; `CognitoAccounts` delegates to a Cognito user pool. Either way the
climber's `User` record in the store is created on sign-up (or on first sign-in) with the id of
the token's `sub`, so the rest of the app never cares which mode it runs in.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import quote, urlencode

import segno
from pydantic import BaseModel, ConfigDict, Field, RootModel
from pydantic.alias_generators import to_camel

from server.auth.cognito import ChallengeName as ChallengeName

ISSUER = "V7 Coach"
"""The name an authenticator app shows beside the climber's email."""


class TokenSet(BaseModel):
    """What a successful sign-in or refresh returns (camelCase on the wire)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    access_token: str
    id_token: str
    refresh_token: str | None = None
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


class SignUpOutcome(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    user_id: str
    confirmation_required: bool
    tokens: TokenSet | None = None


class Challenge(BaseModel):
    """A sign-in that needs one more step: no tokens yet. `SOFTWARE_TOKEN_MFA`: send the code
    from the authenticator app to `/auth/mfa`. `MFA_SETUP`: the pool demands two-step sign-in
    and the account has none: get a key from `/auth/mfa/setup`, then send a code to
    `/auth/mfa` with `challenge: "MFA_SETUP"`."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    challenge: ChallengeName
    session: str = Field(description="Cognito's session for the answer (about 3 minutes)")
    message: str


class SignInResult(RootModel[TokenSet | Challenge]):
    """What `/auth/signin` answers: tokens, or a challenge to answer first."""


MFA_MESSAGES: dict[ChallengeName, str] = {
    "SOFTWARE_TOKEN_MFA": "Enter the 6-digit code from your authenticator app",
    "MFA_SETUP": "Two-step sign-in is required: add the key to your authenticator app, "
    "then enter its 6-digit code",
}


class TotpSecret(BaseModel):
    """A TOTP key to add to an authenticator app: `secret` is base32, `otpauth_uri` the same
    key as a link and `qr_code` that link as a QR code (an SVG `data:` URI for an `<img>`; both
    absent when the email is unknown). For an MFA_SETUP challenge, `session` replaces the
    challenge's session: send it with the code to `/auth/mfa`."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    secret: str
    otpauth_uri: str | None = None
    qr_code: str | None = None
    session: str | None = None


def totp_secret(secret: str, email: str | None, session: str | None = None) -> TotpSecret:
    """The key as the climber adds it: text, link and QR code (on a computer the phone scans
    the code; typing 32 characters into a phone is where set-ups fail)."""
    if not email:
        return TotpSecret(secret=secret, session=session)
    uri = otpauth_uri(email, secret)
    qr = segno.make(uri, error="m").svg_data_uri(scale=4, border=2)
    return TotpSecret(secret=secret, otpauth_uri=uri, qr_code=qr, session=session)


class TotpStatus(BaseModel):
    """Whether sign-in asks this climber for an authenticator code, and whether this server
    offers two-step sign-in at all (`available` false: local accounts; every other TOTP route
    answers 404 there). A client reads it to decide whether to offer the set-up."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    enabled: bool
    available: bool = True


def otpauth_uri(email: str, secret: str) -> str:
    """`otpauth://totp/V7%20Coach:{email}?secret=…&issuer=V7%20Coach` (the Key Uri Format
    authenticator apps read)."""
    label = quote(f"{ISSUER}:{email}", safe=":@")
    return f"otpauth://totp/{label}?" + urlencode(
        {"secret": secret, "issuer": ISSUER}, quote_via=quote
    )


class Accounts(Protocol):
    """Every method raises `AuthError` with a message safe to show; none reveals whether an
    email is registered except sign-up (which must say the address is taken)."""

    async def sign_up(
        self, email: str, password: str, name: str, timezone: str | None = None
    ) -> SignUpOutcome:
        """Create the account and the climber's `User`, in `timezone` (an IANA name already
        validated; None leaves it unset)."""

    async def confirm_sign_up(self, email: str, code: str) -> None:
        """Confirm a sign-up with the emailed code (`code_mismatch`, `code_expired`)."""

    async def resend_code(self, email: str) -> None:
        """Send the sign-up code again; answers alike for unknown emails."""

    async def sign_in(self, email: str, password: str) -> TokenSet | Challenge: ...

    async def answer_challenge(
        self, challenge: ChallengeName, email: str, session: str, code: str
    ) -> TokenSet:
        """Answer a sign-in challenge with a TOTP code (`code_mismatch`, `session_expired`);
        the climber's `User` exists afterwards, as after a sign-in."""

    async def mfa_setup_key(self, session: str, email: str | None) -> TotpSecret:
        """A TOTP key for an MFA_SETUP challenge."""

    async def totp_status(self, access_token: str) -> TotpStatus: ...

    async def totp_begin(self, access_token: str, email: str | None) -> TotpSecret:
        """A new TOTP key for the signed-in climber (not in use until `totp_verify`)."""

    async def totp_verify(self, access_token: str, code: str) -> None:
        """Check a code from the new key and turn two-step sign-in on."""

    async def totp_disable(self, access_token: str) -> None: ...

    async def refresh(self, refresh_token: str) -> TokenSet: ...

    async def sign_out(self, refresh_token: str) -> None: ...

    async def forgot_password(self, email: str) -> None: ...

    async def confirm_password(self, email: str, code: str, new_password: str) -> None: ...
