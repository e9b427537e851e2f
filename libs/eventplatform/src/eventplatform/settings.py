"""Settings shared by every service.

Each service subclasses ``ServiceSettings`` with ``env_prefix`` set to its
upper-cased name, so ``IDENTITY_DATABASE_URL`` configures the identity service.
"""

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_VAR_DIR = Path.cwd() / "var"

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "dev-secret", "development"}


class ServiceSettings(BaseSettings):
    """Settings every service reads; subclasses add their own fields."""

    model_config = SettingsConfigDict(extra="ignore")

    # False for a service without a database of its own (the portal): no
    # database URLs are derived and production does not ask for PostgreSQL.
    uses_database: ClassVar[bool] = True

    service_name: str = Field(description="Short service name, e.g. 'identity'.")
    environment: Literal["development", "test", "production"] = Field(
        default="development",
        description="'production' rejects placeholder secrets and SQLite.",
    )
    database_url: str = Field(
        default="",
        description=(
            "SQLAlchemy URL of the service's own database (read models, tracking, "
            "relay position). Empty means a SQLite file under var/<service>/."
        ),
    )
    event_store_url: str = Field(
        default="",
        description=(
            "URL of the event store. Empty means the same PostgreSQL database as "
            "database_url, or var/<service>/events.sqlite next to a SQLite read model."
        ),
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Comma-separated Kafka bootstrap servers."
    )
    topic_prefix: str = Field(
        default="",
        description="Prefix added to every topic name; tests use it to isolate runs.",
    )
    consumer_group: str = Field(
        default="",
        description="Kafka consumer group id. Empty means 'gqjy.<service>'.",
    )
    jwks_url: str = Field(
        default="http://127.0.0.1:8001/.well-known/jwks.json",
        description="JWK Set of the identity service, used to verify access tokens offline.",
    )
    http_host: str = Field(default="127.0.0.1", description="Address the HTTP API binds to.")
    http_port: int = Field(default=8000, description="Port the HTTP API binds to.")
    data_dir: Path = Field(
        default=REPO_VAR_DIR, description="Directory for SQLite files and local artifacts."
    )
    relay_batch_size: int = Field(
        default=500, ge=1, le=10_000, description="Notifications the relay reads per batch."
    )
    relay_poll_seconds: float = Field(
        default=0.05, gt=0, description="Seconds the relay waits between polls of an empty outbox."
    )
    consumer_max_attempts: int = Field(
        default=5, ge=1, description="Handler attempts before a message is dead-lettered."
    )
    consumer_retry_backoff_seconds: float = Field(
        default=0.2, ge=0, description="First retry delay; doubles on each further attempt."
    )

    @model_validator(mode="after")
    def _fill_defaults(self) -> "ServiceSettings":
        if not self.consumer_group:
            self.consumer_group = f"gqjy.{self.service_name}"
        if not self.uses_database:
            return self
        service_dir = self.data_dir / self.service_name
        if not self.database_url:
            self.database_url = f"sqlite:///{service_dir / 'readmodels.sqlite'}"
        if not self.event_store_url:
            if self.database_url.startswith("sqlite"):
                self.event_store_url = f"sqlite:///{service_dir / 'events.sqlite'}"
            else:
                self.event_store_url = self.database_url
        if self.environment == "production" and self.database_url.startswith("sqlite"):
            raise ValueError("production requires a PostgreSQL database_url, not SQLite")
        return self

    def topic(self, name: str) -> str:
        """Return the deployed name of a contract topic."""
        return f"{self.topic_prefix}{name}"

    def require_secret(self, name: str, value: str) -> str:
        """Reject a placeholder secret outside development and tests."""
        if self.environment == "production" and value.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(f"setting {name} must be set to a real secret in production")
        return value
