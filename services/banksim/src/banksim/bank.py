"""In-memory state of the simulated bank and its notification sender."""

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from banksim.settings import BankSettings
from banksim.signing import sign

logger = logging.getLogger(__name__)


class UnknownMerchant(Exception):
    pass


@dataclass
class Switches:
    """Failure modes an operator can turn on through ``PUT /admin/switches``."""

    fail_payments: bool = False
    notification_delay_seconds: float = 0.0
    drop_notifications: bool = False
    duplicate_notifications: int = 0  # extra copies sent after the first notification

    def update(self, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            if name not in self.__dataclass_fields__:
                raise ValueError(f"unknown switch {name!r}")
            setattr(self, name, type(getattr(self, name))(value))
        if self.notification_delay_seconds < 0 or self.duplicate_notifications < 0:
            raise ValueError("delay and duplicate count must not be negative")


@dataclass
class BankPayment:
    bank_payment_id: str
    merchant_id: str
    payment_id: str
    order_id: str
    order_number: str
    amount_fen: int
    channel: str
    notify_url: str
    return_url: str
    created_at: datetime
    status: str = "pending"  # pending, paid, failed or cancelled
    paid_at: datetime | None = None


@dataclass
class Delivery:
    notify_id: str
    bank_payment_id: str
    outcome: str  # HTTP status code, "dropped" or the transport error


@dataclass
class Bank:
    settings: BankSettings
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    notify_client: httpx.AsyncClient | None = None
    switches: Switches = field(default_factory=Switches)
    payments: dict[str, BankPayment] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def key_of(self, merchant_id: str) -> str:
        key = self.settings.merchant_keys.get(merchant_id)
        if key is None:
            raise UnknownMerchant(merchant_id)
        return key

    # --- merchant API -------------------------------------------------------

    def create_payment(self, fields: dict[str, Any]) -> BankPayment:
        """Register a merchant's payment; the same merchant payment id returns the same payment."""
        existing = self.find(fields["merchant_id"], str(fields["payment_id"]))
        if existing is not None:
            return existing
        payment = BankPayment(
            bank_payment_id="B" + uuid.uuid4().hex[:20].upper(),
            merchant_id=str(fields["merchant_id"]),
            payment_id=str(fields["payment_id"]),
            order_id=str(fields["order_id"]),
            order_number=str(fields["order_number"]),
            amount_fen=int(fields["amount_fen"]),
            channel=str(fields["channel"]),
            notify_url=str(fields["notify_url"]),
            return_url=str(fields["return_url"]),
            created_at=self.now(),
        )
        self.payments[payment.bank_payment_id] = payment
        logger.info("bank payment %s created for merchant payment %s", payment.bank_payment_id, payment.payment_id)
        return payment

    def find(self, merchant_id: str, payment_id: str) -> BankPayment | None:
        for payment in self.payments.values():
            if payment.merchant_id == merchant_id and payment.payment_id == payment_id:
                return payment
        return None

    def status_document(self, payment: BankPayment) -> dict[str, Any]:
        """Return the signed status a merchant's query receives."""
        document = {
            "merchant_id": payment.merchant_id,
            "payment_id": payment.payment_id,
            "order_id": payment.order_id,
            "bank_payment_id": payment.bank_payment_id,
            "amount_fen": payment.amount_fen,
            "status": payment.status,
            "paid_at": payment.paid_at.isoformat() if payment.paid_at else None,
        }
        document["signature"] = sign(document, self.key_of(payment.merchant_id))
        return document

    # --- payer actions on the hosted page -------------------------------------

    def confirm(self, payment: BankPayment) -> bool:
        """Pay (or fail, when switched to) a pending payment; return False if it was not pending."""
        if payment.status != "pending":
            return False
        if self.switches.fail_payments:
            payment.status = "failed"
        else:
            payment.status = "paid"
            payment.paid_at = self.now()
        logger.info("bank payment %s %s by the payer", payment.bank_payment_id, payment.status)
        self.schedule_notification(payment)
        return True

    def cancel(self, payment: BankPayment) -> bool:
        if payment.status != "pending":
            return False
        payment.status = "cancelled"
        logger.info("bank payment %s cancelled by the payer", payment.bank_payment_id)
        self.schedule_notification(payment)
        return True

    # --- notifications --------------------------------------------------------

    def notification(self, payment: BankPayment) -> dict[str, Any]:
        document = self.status_document(payment)
        del document["signature"]
        document["notify_id"] = "N" + uuid.uuid4().hex[:20].upper()
        document["signature"] = sign(document, self.key_of(payment.merchant_id))
        return document

    def schedule_notification(self, payment: BankPayment) -> None:
        task = asyncio.get_running_loop().create_task(self.send_notifications(payment))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def send_notifications(self, payment: BankPayment) -> None:
        """Send the notification after the configured delay, with the configured duplicates."""
        switches = Switches(**asdict(self.switches))  # the switches at the time of payment
        if switches.notification_delay_seconds:
            await asyncio.sleep(switches.notification_delay_seconds)
        document = self.notification(payment)
        if switches.drop_notifications:
            logger.info("notification %s of payment %s dropped by switch", document["notify_id"], payment.bank_payment_id)
            self.deliveries.append(Delivery(document["notify_id"], payment.bank_payment_id, "dropped"))
            return
        for _ in range(1 + switches.duplicate_notifications):
            await self._post(payment, document)

    async def _post(self, payment: BankPayment, document: dict[str, Any]) -> None:
        client = self.notify_client
        if client is None:
            client = self.notify_client = httpx.AsyncClient(timeout=self.settings.notify_timeout_seconds)
        try:
            response = await client.post(payment.notify_url, json=document)
            outcome = str(response.status_code)
        except httpx.HTTPError as error:
            outcome = f"{type(error).__name__}: {error}"
        logger.info("notification %s of payment %s delivered: %s", document["notify_id"], payment.bank_payment_id, outcome)
        self.deliveries.append(Delivery(document["notify_id"], payment.bank_payment_id, outcome))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self.notify_client is not None:
            await self.notify_client.aclose()
