"""Settings of the learning service (environment prefix ``LEARNING_``)."""

from pathlib import Path

from eventplatform.settings import ServiceSettings
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict


class LearningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEARNING_", extra="ignore")

    service_name: str = "learning"
    http_port: int = 8004
    media_dir: Path | None = Field(
        default=None,
        description="Directory of the chapter video files. Empty means <data_dir>/learning/media.",
    )
    max_playback_speed: float = Field(
        default=1.25, ge=1.0, le=4.0,
        description="Fastest playback rate that still counts, as a multiple of real time.",
    )
    max_heartbeat_gap_seconds: float = Field(
        default=90.0, gt=0,
        description=(
            "Longest wall-clock gap between two heartbeats of one player that can still be "
            "credited; a longer gap (tab closed, network lost) starts a new base position."
        ),
    )
    heartbeat_tolerance_seconds: float = Field(
        default=2.0, ge=0,
        description="Seconds of network jitter allowed on top of the speed limit per heartbeat.",
    )
    completion_slack_seconds: float = Field(
        default=1.0, ge=0,
        description="A chapter with at most this many unwatched seconds counts as fully watched.",
    )

    @model_validator(mode="after")
    def _fill_media_dir(self) -> "LearningSettings":
        if self.media_dir is None:
            self.media_dir = self.data_dir / self.service_name / "media"
        return self

    @property
    def media_path(self) -> Path:
        assert self.media_dir is not None  # filled by the validator above
        return self.media_dir
