"""Settings of the portal, read from ``PORTAL_*`` environment variables."""

from pathlib import Path

from typing import ClassVar

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from eventplatform.settings import ServiceSettings


class PortalSettings(ServiceSettings):
    """The portal has no event store: only downstream URLs, session and page settings."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")
    uses_database: ClassVar[bool] = False

    service_name: str = "portal"
    http_port: int = 8000

    identity_url: str = Field(default="http://127.0.0.1:8001", description="Identity API base URL.")
    enrollment_url: str = Field(
        default="http://127.0.0.1:8002", description="Enrollment API base URL."
    )
    payment_url: str = Field(default="http://127.0.0.1:8003", description="Payment API base URL.")
    learning_url: str = Field(default="http://127.0.0.1:8004", description="Learning API base URL.")
    assessment_url: str = Field(
        default="http://127.0.0.1:8005", description="Assessment API base URL."
    )
    credential_url: str = Field(
        default="http://127.0.0.1:8006", description="Credential API base URL."
    )
    downstream_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Timeout of one call to another service, in seconds."
    )

    session_secret: str = Field(
        default="development",
        description="Secret the session cookie is encrypted with; any length, a real one in production.",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, description="A session without requests for this many minutes expires."
    )
    session_max_hours: int = Field(
        default=8, ge=1, description="A session expires this many hours after login at the latest."
    )
    support_hotline: str = Field(
        default="400-000-0000", description="Support phone number shown on every help screen."
    )

    @model_validator(mode="after")
    def _check_secrets(self) -> "PortalSettings":
        self.require_secret("PORTAL_SESSION_SECRET", self.session_secret)
        return self

    @property
    def portal_data_dir(self) -> Path:
        """Directory of the info centre's file (announcements and manuals)."""
        return self.data_dir / "portal"

    @property
    def secure_cookies(self) -> bool:
        """Send cookies over HTTPS only in production, where TLS ends before the portal."""
        return self.environment == "production"
