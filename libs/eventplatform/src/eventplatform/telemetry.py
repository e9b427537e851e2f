"""OpenTelemetry setup: traces, metrics and trace ids in logs.

Exporters follow the standard variables: ``OTEL_TRACES_EXPORTER`` and
``OTEL_METRICS_EXPORTER`` accept ``otlp``, ``console`` or ``none`` (the
default, so nothing leaves the process unless asked). The OTLP exporters read
``OTEL_EXPORTER_OTLP_ENDPOINT`` themselves.
"""

import logging
import os
from functools import cache

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    MetricExporter,
    MetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)

LOG_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s "
    "[trace_id=%(trace_id)s span_id=%(span_id)s] %(message)s"
)

_configured_service: str | None = None


def setup_telemetry(service_name: str) -> None:
    """Install the tracer and meter providers and the log format, once per process."""
    global _configured_service
    if _configured_service is not None:
        return
    _configured_service = service_name
    # Emit the stable HTTP semantic conventions (http.server.request.duration)
    # that the dashboards query, instead of the instrumentation's older names.
    os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http")

    resource = Resource.create(
        {
            "service.name": os.environ.get("OTEL_SERVICE_NAME", f"gqjy-{service_name}"),
            "service.namespace": "gqjy",
        }
    )

    tracer_provider = TracerProvider(resource=resource)
    span_exporter = _span_exporter()
    if span_exporter is not None:
        tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
    trace.set_tracer_provider(tracer_provider)

    readers: list[MetricReader] = []
    metric_exporter = _metric_exporter()
    if metric_exporter is not None:
        interval = int(os.environ.get("OTEL_METRIC_EXPORT_INTERVAL", "10000"))
        readers.append(
            PeriodicExportingMetricReader(metric_exporter, export_interval_millis=interval)
        )
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=readers))

    setup_logging()


def shutdown_telemetry() -> None:
    """Flush spans and metrics still buffered; call when the process stops."""
    tracer_provider = trace.get_tracer_provider()
    if isinstance(tracer_provider, TracerProvider):
        tracer_provider.shutdown()
    meter_provider = metrics.get_meter_provider()
    if isinstance(meter_provider, MeterProvider):
        meter_provider.shutdown()


def _span_exporter() -> SpanExporter | None:
    choice = os.environ.get("OTEL_TRACES_EXPORTER", "none").strip().lower()
    if choice == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if choice == "console":
        return ConsoleSpanExporter()
    return None


def _metric_exporter() -> MetricExporter | None:
    choice = os.environ.get("OTEL_METRICS_EXPORTER", "none").strip().lower()
    if choice == "otlp":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        return OTLPMetricExporter()
    if choice == "console":
        return ConsoleMetricExporter()
    return None


class TraceIdFilter(logging.Filter):
    """Add the current trace and span ids to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")
            record.span_id = format(context.span_id, "016x")
        else:
            record.trace_id = "-"
            record.span_id = "-"
        return True


def setup_logging(level: str | None = None) -> None:
    """Configure the root logger with trace ids in each line."""
    handler = logging.StreamHandler()
    handler.addFilter(TraceIdFilter())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level or os.environ.get("LOG_LEVEL", "INFO"))
    # aiokafka logs every rebalance step at INFO; warnings are what operators need.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


def tracer() -> trace.Tracer:
    return trace.get_tracer("eventplatform")


class PlatformMetrics:
    """Instruments shared by every service; names match deploy/grafana/metrics.txt."""

    def __init__(self) -> None:
        meter = metrics.get_meter("eventplatform")
        self.events_published = meter.create_counter(
            "platform.events.published", unit="{event}", description="Events sent to Kafka."
        )
        self.events_consumed = meter.create_counter(
            "platform.events.consumed", unit="{event}", description="Events handled."
        )
        self.dead_letters = meter.create_counter(
            "platform.dead_letters", unit="{event}", description="Events dead-lettered."
        )
        self.outbox_backlog = meter.create_gauge(
            "platform.outbox.backlog",
            unit="{event}",
            description="Events recorded in the store but not yet published.",
        )
        self.consumer_lag = meter.create_gauge(
            "platform.consumer.lag",
            unit="{event}",
            description="Messages between the committed offset and the partition end.",
        )
        self.handling_duration = meter.create_histogram(
            "messaging.process.duration", unit="s", description="Time to handle one message."
        )

    def business_histogram(self, name: str, unit: str, description: str) -> metrics.Histogram:
        """Return the histogram ``business.<name>`` (e.g. pipeline latency in seconds)."""
        return metrics.get_meter("business").create_histogram(
            f"business.{name}", unit=unit, description=description
        )

    def business_counter(self, name: str, description: str) -> metrics.Counter:
        """Return the counter ``business.<name>`` (registrations, payments, ...)."""
        return metrics.get_meter("business").create_counter(
            f"business.{name}", unit="{event}", description=description
        )


@cache
def platform_metrics() -> PlatformMetrics:
    """Return the process-wide instruments, created after the meter provider is set."""
    return PlatformMetrics()
