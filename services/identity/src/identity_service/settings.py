"""Settings of the identity service (environment prefix ``IDENTITY_``)."""

from pathlib import Path
from typing import Literal

from eventplatform.settings import ServiceSettings
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    service_name: str = "identity"
    http_port: int = 8001

    signing_key_path: Path | None = Field(
        default=None,
        description=(
            "PEM file of the Ed25519 private key that signs access tokens. Empty means "
            "<data_dir>/identity/signing-key.pem, generated on first use outside production."
        ),
    )
    token_lifetime_minutes: int = Field(default=120, ge=5, le=24 * 60,
                                        description="Lifetime of an access token, in minutes.")

    captcha_ttl_seconds: int = Field(default=300, ge=30, description="Lifetime of a login captcha.")
    login_slowdown_after: int = Field(
        default=3, ge=1, description="Failed logins after which each retry must wait."
    )
    login_slowdown_seconds: int = Field(
        default=5, ge=0, description="Wait after the first slowed-down failure; doubles each time."
    )
    login_max_failures: int = Field(
        default=6, ge=2, description="Consecutive failed logins that lock the login name."
    )
    login_lock_minutes: int = Field(default=15, ge=1, description="How long a lock lasts.")

    sms_backend: Literal["outbox", "http"] = Field(
        default="outbox",
        description="'outbox' stores messages in the service database (development and tests); "
        "'http' posts them to the SMS gateway.",
    )
    sms_gateway_url: str = Field(default="", description="URL the HTTP SMS gateway accepts posts on.")
    sms_gateway_key: str = Field(default="", description="API key sent to the SMS gateway.")
    sms_gateway_timeout_seconds: float = Field(default=5.0, gt=0, description="Gateway timeout.")
    sms_code_ttl_seconds: int = Field(default=300, ge=60, description="Lifetime of an SMS code.")
    sms_resend_seconds: int = Field(
        default=60, ge=0, description="Minimum wait between two codes to one person."
    )
    sms_max_sends_per_hour: int = Field(default=5, ge=1, description="Codes per person per hour.")
    sms_max_guesses: int = Field(
        default=5, ge=1, description="Wrong entries after which a code stops working."
    )

    support_hotline: str = Field(
        default="025-00001234",
        description="Support hotline shown when self-service cannot help (invented default).",
    )

    @model_validator(mode="after")
    def _check_identity_settings(self) -> "IdentitySettings":
        if self.environment == "production":
            if self.signing_key_path is None:
                raise ValueError("production requires IDENTITY_SIGNING_KEY_PATH")
            if self.sms_backend != "http":
                raise ValueError("production requires IDENTITY_SMS_BACKEND=http")
            self.require_secret("sms_gateway_key", self.sms_gateway_key)
        if self.sms_backend == "http" and not self.sms_gateway_url:
            raise ValueError("IDENTITY_SMS_GATEWAY_URL is required with the http SMS backend")
        return self

    @property
    def resolved_signing_key_path(self) -> Path:
        return self.signing_key_path or self.data_dir / self.service_name / "signing-key.pem"

    @property
    def dev_endpoints_enabled(self) -> bool:
        return self.environment in ("development", "test")
