"""Settings of the web application, read once by the app factory (env prefix ``COMITY_WEB_``).

They sit beside the core `comity.config.Settings` (database, data directory), which the app
receives too; nothing below the web layer reads them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from comity.services.accounts import ThrottlePolicy


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMITY_WEB_", extra="ignore")

    #: How long a signed-in session lasts (absolute, from sign-in).
    session_hours: float = Field(default=12.0, gt=0)
    #: Largest request body accepted; bigger ones get 413 before the app reads them.
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    #: "auto": cookies are Secure when the request came over TLS (directly, or through a proxy
    #: that uvicorn trusts via --forwarded-allow-ips); "always" / "never" force it.
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    throttle_account_limit: int = Field(default=5, gt=0)
    throttle_address_limit: int = Field(default=20, gt=0)
    throttle_window_seconds: int = Field(default=900, gt=0)
    throttle_lockout_seconds: int = Field(default=900, gt=0)

    def session_lifetime(self) -> timedelta:
        return timedelta(hours=self.session_hours)

    def throttle_policy(self) -> ThrottlePolicy:
        return ThrottlePolicy(
            account_limit=self.throttle_account_limit,
            address_limit=self.throttle_address_limit,
            window=timedelta(seconds=self.throttle_window_seconds),
            lockout=timedelta(seconds=self.throttle_lockout_seconds),
        )
