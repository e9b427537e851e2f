"""Settings of the bank simulator (environment prefix ``BANKSIM_``)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BankSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BANKSIM_", extra="ignore")

    http_host: str = Field(default="127.0.0.1", description="Address the simulator binds to.")
    http_port: int = Field(default=8009, description="Port the simulator binds to.")
    public_base_url: str = Field(
        default="http://127.0.0.1:8009",
        description="Base URL browsers use to reach the hosted payment page.",
    )
    merchant_keys: dict[str, str] = Field(
        default={"gqjy": "banksim-development-key"},
        description="Shared HMAC-SHA256 key of each merchant id (JSON object).",
    )
    notify_timeout_seconds: float = Field(default=10.0, gt=0, description="Timeout of one notification POST.")
