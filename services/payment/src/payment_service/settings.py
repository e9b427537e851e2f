"""Settings of the payment service (environment prefix ``PAYMENT_``)."""

from datetime import date

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from eventplatform.settings import ServiceSettings


class PaymentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PAYMENT_", extra="ignore")

    service_name: str = "payment"
    http_port: int = 8003

    bank_base_url: str = Field(
        default="http://127.0.0.1:8009",
        description="Base URL of the bank's merchant API (the simulator in development).",
    )
    bank_merchant_id: str = Field(default="gqjy", description="Our merchant id at the bank.")
    bank_signing_key: str = Field(
        default="banksim-development-key",
        description="Shared HMAC-SHA256 key that signs requests to and notifications from the bank.",
    )
    bank_timeout_seconds: float = Field(default=10.0, gt=0, description="Timeout of one bank call.")
    notify_url: str = Field(
        default="http://127.0.0.1:8003/api/payments/notifications",
        description="Where the bank posts its asynchronous payment notifications.",
    )
    return_url: str = Field(
        default="http://127.0.0.1:8000/learner/payments/return?order_id={order_id}&payment_id={payment_id}",
        description="Portal page the bank sends the browser back to; {order_id} and {payment_id} are filled in.",
    )

    reconcile_after_seconds: int = Field(
        default=300, ge=0,
        description="A payment still pending this long (by the service clock) is queried at the bank.",
    )
    abandon_after_seconds: int = Field(
        default=86_400, ge=0,
        description="A payment the bank still reports as pending after this long is closed as abandoned.",
    )
    reconcile_interval_seconds: float = Field(
        default=60.0, gt=0, description="Pause between two runs of the reconciliation job."
    )

    invoice_delay_days: int = Field(
        default=7, ge=0, description="The e-invoice can be downloaded from this many days after payment."
    )
    invoice_last_day: str = Field(
        default="12-15",
        pattern=r"^\d{2}-\d{2}$",
        description="Last download day (MM-DD) of an invoice, in its order's training year.",
    )
    invoice_last_day_overrides: dict[int, date] = Field(
        default_factory=dict,
        description="Per training year, a last download day that replaces invoice_last_day.",
    )
    invoice_seller_name: str = Field(
        default="江苏省工勤技能人员继续教育平台（演示）",
        description="Seller name printed on the e-invoice.",
    )
    invoice_seller_credit_code: str = Field(
        default="12320000MB0000000X",
        description="Seller's unified social credit code printed on the e-invoice (demo value).",
    )

    @model_validator(mode="after")
    def _check_secrets(self) -> "PaymentSettings":
        self.require_secret("PAYMENT_BANK_SIGNING_KEY", self.bank_signing_key)
        if self.environment == "production" and self.bank_signing_key == "banksim-development-key":
            raise ValueError("PAYMENT_BANK_SIGNING_KEY must not be the simulator's key in production")
        return self

    def invoice_last_download_day(self, training_year: int) -> date:
        """Return the last day on which invoices of a training year can be downloaded."""
        if training_year in self.invoice_last_day_overrides:
            return self.invoice_last_day_overrides[training_year]
        month, day = (int(part) for part in self.invoice_last_day.split("-"))
        return date(training_year, month, day)

    def return_url_for(self, order_id: object, payment_id: object) -> str:
        return self.return_url.format(order_id=order_id, payment_id=payment_id)
