"""Settings of the enrollment service (environment prefix ENROLLMENT_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from eventplatform.settings import ServiceSettings


class EnrollmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ENROLLMENT_", extra="ignore")

    service_name: str = "enrollment"
    http_port: int = 8002
    default_fee_fen: int = Field(
        default=20000, gt=0,
        description="Fee in fen that seed-demo gives each year it creates (20000 fen = 200 CNY).",
    )
    order_ttl_minutes: int = Field(
        default=120, ge=1,
        description="Minutes an unpaid order stays payable (cut at the end of its window's last day).",
    )
    make_up_years_back: int = Field(
        default=3, ge=1, le=20,
        description="How many years before the current one can be made up (往年补学).",
    )
    demo_training_year: int = Field(
        default=2099, ge=2000, le=2100,
        description="Training year number seed-demo uses for the demo year whose windows include today.",
    )
    job_poll_seconds: float = Field(
        default=5.0, gt=0,
        description="Seconds between runs of the order-expiry and pending-class-opening jobs.",
    )
