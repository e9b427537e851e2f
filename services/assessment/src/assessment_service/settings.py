"""Settings of the assessment service (environment prefix ``ASSESSMENT_``)."""

from eventplatform.settings import ServiceSettings
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict


class AssessmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ASSESSMENT_", extra="ignore")

    service_name: str = "assessment"
    http_port: int = 8005
    questions_per_attempt: int = Field(
        default=10, ge=1, le=100, description="Questions drawn for each test attempt."
    )
    demo_banks: bool = Field(
        default=False,
        description=(
            "Generate a demo question bank for every course announced by CoursePublished. "
            "Development only; refused in production."
        ),
    )
    demo_bank_size: int = Field(default=30, ge=1, le=200, description="Questions per demo bank.")

    @model_validator(mode="after")
    def _demo_banks_outside_production(self) -> "AssessmentSettings":
        if self.demo_banks and self.environment == "production":
            raise ValueError("ASSESSMENT_DEMO_BANKS must stay off in production")
        return self
