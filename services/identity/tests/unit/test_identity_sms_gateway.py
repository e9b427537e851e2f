"""The HTTP SMS gateway adapter against a mock gateway on the loopback interface."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from identity_service.sms import HttpSmsGateway, SmsDeliveryFailed


class MockGateway(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        MockGateway.received.append({"auth": self.headers["Authorization"], "body": json.loads(body)})
        self.send_response(MockGateway.status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def gateway_url() -> Iterator[str]:
    MockGateway.received = []
    MockGateway.status = 200
    server = HTTPServer(("127.0.0.1", 0), MockGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()
    server.server_close()


def test_gateway_posts_message_with_key(gateway_url):
    HttpSmsGateway(gateway_url, "test-key", 5).send("19900000001", "验证码123456")
    assert MockGateway.received == [
        {"auth": "Bearer test-key", "body": {"mobile": "19900000001", "text": "验证码123456"}}
    ]


def test_gateway_error_status_raises(gateway_url):
    MockGateway.status = 503
    with pytest.raises(SmsDeliveryFailed):
        HttpSmsGateway(gateway_url, "test-key", 5).send("19900000001", "x")


def test_gateway_unreachable_raises():
    # Port 9 (discard) on loopback: nothing listens there in the test environment.
    with pytest.raises(SmsDeliveryFailed):
        HttpSmsGateway("http://127.0.0.1:9/send", "test-key", 2).send("19900000001", "x")
