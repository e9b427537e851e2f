"""One learner action through real service processes, exported over OTLP to an in-test collector."""

import re
import time
import uuid

import httpx
import pytest
from otlp_collector import OtlpCollector
from processes import ServiceProcess, free_port, service_env

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SPAN_KIND_PRODUCER = 4
SPAN_KIND_CONSUMER = 5
EXPECTED_METRICS = {
    "http.server.request.duration",
    "platform.events.published",
    "platform.events.consumed",
    "platform.outbox.backlog",
    "platform.consumer.lag",
    "messaging.process.duration",
    "business.registrations",
}
# A person on the demo roster without an account (see identity's seed-demo).
ROSTER_NAME = "赵丽华"
ROSTER_ID_NUMBER = "320601198206090049"


@pytest.fixture
def collector():
    receiver = OtlpCollector()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def services(collector, tmp_path, kafka_bootstrap_servers):
    topic_prefix = f"t{uuid.uuid4().hex[:8]}."
    ports = {name: free_port() for name in ("identity", "enrollment", "credential")}
    jwks = f"http://127.0.0.1:{ports['identity']}/.well-known/jwks.json"
    telemetry = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_METRICS_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "OTEL_METRIC_EXPORT_INTERVAL": "1000",
    }
    started = {}
    for name in ports:
        prefix = name.upper()
        env = service_env(prefix, tmp_path / "data", ports[name], topic_prefix,
                          {**telemetry, f"{prefix}_JWKS_URL": jwks})
        started[name] = ServiceProcess(name, f"{name}_service", env, tmp_path, ["serve", "--role", "all"])

    started["identity"].run_command("seed-demo")
    try:
        for name, process in started.items():
            process.start()
            process.wait_ready(f"http://127.0.0.1:{ports[name]}/healthz/ready")
        yield {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    finally:
        for process in started.values():
            process.stop()


def activate_account(identity_url: str) -> None:
    mobile = "13900000009"
    with httpx.Client(base_url=identity_url, timeout=30) as client:
        sent = client.post("/api/activation/sms", json={"name": ROSTER_NAME, "id_number": ROSTER_ID_NUMBER, "mobile": mobile})
        assert sent.status_code == 200, sent.text
        outbox = client.get("/api/dev/sms-outbox", params={"mobile": mobile}).json()["messages"]
        code = re.search(r"\d{6}", outbox[0]["text"]).group(0)
        activated = client.post(
            "/api/activation",
            json={"name": ROSTER_NAME, "id_number": ROSTER_ID_NUMBER, "mobile": mobile,
                  "sms_code": code, "password": "Trace#Learner2026"},
        )
        assert activated.status_code == 201, activated.text


def wait_for(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def test_activation_is_one_trace_across_services(collector, services):
    activate_account(services["identity"])

    def consumer_spans():
        spans = collector.snapshot()
        request = [s for s in spans if s.service == "gqjy-identity" and s.name == "POST /api/activation"]
        if not request:
            return None
        trace = [s for s in spans if s.trace_id == request[0].trace_id]
        handled_by = {s.service for s in trace if s.kind == SPAN_KIND_CONSUMER}
        return trace if {"gqjy-enrollment", "gqjy-credential"} <= handled_by else None

    trace = wait_for(consumer_spans)

    (send,) = [s for s in trace if s.kind == SPAN_KIND_PRODUCER and s.name.endswith("gqjy.identity.learner")]
    assert send.service == "gqjy-identity"
    processes = [s for s in trace if s.kind == SPAN_KIND_CONSUMER]
    assert {s.service for s in processes} == {"gqjy-enrollment", "gqjy-credential"}
    for process in processes:
        assert process.name.startswith("process ")
        assert process.parent_span_id == send.span_id


def test_metrics_exported_during_the_flow(collector, services):
    activate_account(services["identity"])

    names = wait_for(lambda: EXPECTED_METRICS <= collector.metric_names and collector.metric_names, timeout=60)

    assert EXPECTED_METRICS <= names
