"""One learner action is one trace: HTTP request, relay publish, consumer handling."""

import pytest
from opentelemetry.trace import SpanKind
from sample_service import build_mirror, build_roster, mirrored_rows

from eventplatform.runtime import instrument
from eventplatform.testing import eventually, running

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_request_publish_and_handling_share_one_trace(make_settings, finished_spans):
    roster = build_roster(make_settings("roster"))
    mirror = build_mirror(make_settings("mirror"))
    instrument(roster)

    async with running(roster) as roster_harness, running(mirror):
        response = await roster_harness.client.post("/people", json={"name": "追踪学员"})
        assert response.status_code == 200
        await eventually(lambda: mirrored_rows(mirror.database))

        spans = await eventually(lambda: _spans_named(finished_spans, "process "))

    (process,) = spans
    (send,) = _spans_named(finished_spans, "send ")
    (request,) = [
        s for s in finished_spans.get_finished_spans()
        if s.kind is SpanKind.SERVER and s.attributes.get("http.route") == "/people"
    ]
    trace_id = request.context.trace_id
    assert send.context.trace_id == trace_id
    assert process.context.trace_id == trace_id
    assert process.parent.span_id == send.context.span_id
    assert send.kind is SpanKind.PRODUCER
    assert process.kind is SpanKind.CONSUMER
    assert send.attributes["messaging.system"] == "kafka"
    assert process.attributes["messaging.consumer.group.name"] == mirror.settings.consumer_group
    assert process.attributes["messaging.message.id"] == send.attributes["messaging.message.id"]


def _spans_named(exporter, prefix: str):
    return [span for span in exporter.get_finished_spans() if span.name.startswith(prefix)]
