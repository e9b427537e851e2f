"""The bank simulator: hosted page, signed merchant API, notifications and switches."""

import httpx
import pytest
from fastapi import FastAPI, Request

from banksim.bank import Bank
from banksim.settings import BankSettings
from banksim.signing import sign, verify
from banksim.web import create_app
from eventplatform.testing import eventually

KEY = "k"


def merchant_app(received: list[dict]) -> FastAPI:
    app = FastAPI()

    @app.post("/notify")
    async def notify(request: Request) -> dict[str, str]:
        received.append(await request.json())
        return {"result": "success"}

    return app


@pytest.fixture
async def bank_and_client():
    received: list[dict] = []
    bank = Bank(BankSettings(public_base_url="http://bank.test", merchant_keys={"gqjy": KEY}))
    bank.notify_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=merchant_app(received)))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(bank)), base_url="http://bank.test")
    yield bank, client, received
    await client.aclose()
    await bank.close()


async def create(client: httpx.AsyncClient, payment_id: str = "p1", key: str = KEY) -> httpx.Response:
    body = {
        "merchant_id": "gqjy", "payment_id": payment_id, "order_id": "o1", "order_number": "GQ0001",
        "amount_fen": 20000, "channel": "wechat", "notify_url": "http://merchant.test/notify",
        "return_url": "http://portal.test/back",
    }
    return await client.post("/api/merchant/payments", json=body, headers={"X-Signature": sign(body, key)})


async def wait_for_deliveries(bank: Bank, count: int) -> None:
    await eventually(lambda: len(bank.deliveries) >= count)


async def test_unsigned_creation_is_rejected(bank_and_client):
    bank, client, _ = bank_and_client

    response = await create(client, key="wrong")

    assert response.status_code == 401
    assert bank.payments == {}


async def test_page_shows_order_and_buttons(bank_and_client):
    _, client, _ = bank_and_client
    pay_url = (await create(client)).json()["pay_url"]

    page = await client.get(httpx.URL(pay_url).path)

    assert pay_url.startswith("http://bank.test/pay/B")
    assert "GQ0001" in page.text
    assert "¥200.00" in page.text
    assert "微信支付" in page.text
    assert "确认支付" in page.text
    assert "取消" in page.text


async def test_confirm_notifies_and_redirects(bank_and_client):
    bank, client, received = bank_and_client
    path = httpx.URL((await create(client)).json()["pay_url"]).path

    response = await client.post(f"{path}/confirm")
    await wait_for_deliveries(bank, 1)

    assert response.status_code == 303
    assert response.headers["location"] == "http://portal.test/back"
    assert received[0]["status"] == "paid"
    assert received[0]["amount_fen"] == 20000
    assert verify(received[0], received[0]["signature"], KEY)


async def test_creation_is_idempotent(bank_and_client):
    bank, client, _ = bank_and_client

    first = (await create(client)).json()
    second = (await create(client)).json()

    assert first == second
    assert len(bank.payments) == 1


async def test_fail_switch_and_duplicates(bank_and_client):
    bank, client, received = bank_and_client
    switched = await client.put("/admin/switches", json={"fail_payments": True, "duplicate_notifications": 1})
    path = httpx.URL((await create(client)).json()["pay_url"]).path

    await client.post(f"{path}/confirm")
    await wait_for_deliveries(bank, 2)

    assert switched.json()["fail_payments"] is True
    assert [document["status"] for document in received] == ["failed", "failed"]
    assert received[0]["notify_id"] == received[1]["notify_id"]


async def test_drop_switch_keeps_payment_queryable(bank_and_client):
    bank, client, received = bank_and_client
    await client.put("/admin/switches", json={"drop_notifications": True})
    path = httpx.URL((await create(client)).json()["pay_url"]).path

    await client.post(f"{path}/confirm")
    await wait_for_deliveries(bank, 1)
    query = {"merchant_id": "gqjy"}
    status = await client.get("/api/merchant/payments/p1", params=query, headers={"X-Signature": sign(query, KEY)})

    assert received == []
    assert bank.deliveries[0].outcome == "dropped"
    assert status.json()["status"] == "paid"
    assert verify(status.json(), status.json()["signature"], KEY)


async def test_cancel_notifies_cancelled(bank_and_client):
    bank, client, received = bank_and_client
    path = httpx.URL((await create(client)).json()["pay_url"]).path

    response = await client.post(f"{path}/cancel")
    await wait_for_deliveries(bank, 1)

    assert response.status_code == 303
    assert received[0]["status"] == "cancelled"


async def test_unknown_switch_is_rejected(bank_and_client):
    _, client, _ = bank_and_client

    response = await client.put("/admin/switches", json={"explode": True})

    assert response.status_code == 422
