"""Settings of the credential service (environment prefix ``CREDENTIAL_``)."""

from eventplatform.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class CredentialSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CREDENTIAL_", extra="ignore")

    service_name: str = "credential"
    http_port: int = 8006
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description=(
            "Public address of the portal; a certificate's QR code encodes "
            "<public_base_url>/verify/<verification code>."
        ),
    )

    def verification_url(self, code: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/verify/{code}"
