"""Grafana dashboards and alert rules against deploy/grafana/metrics.txt."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_support import (
    DEPLOY_DIR,
    K8S_DIR,
    MetricSpec,
    label_values_query,
    load_metrics_list,
    promql_names,
)

DASHBOARD_DIR = DEPLOY_DIR / "grafana" / "dashboards"
METRICS_FILE = DEPLOY_DIR / "grafana" / "metrics.txt"
ALERTS_FILE = K8S_DIR / "base" / "alerts" / "prometheusrule.yaml"
PROVISIONED_DATASOURCES = {"prometheus": "prometheus", "tempo": "tempo"}
# Labels that every series has, whatever the metric: job and instance come
# from the resource attributes, le from histogram buckets.
COMMON_LABELS = {"job", "instance"}

# The metric names that the services must export, by their OTel names.
REQUIRED_OTEL_METRICS = {
    "http.server.request.duration",
    "platform.outbox.backlog",
    "platform.consumer.lag",
    "platform.dead_letters",
    "platform.events.published",
    "platform.events.consumed",
    "business.registrations",
    "business.payments",
    "business.classes_opened",
    "business.courses_completed",
    "business.quizzes_passed",
    "business.certificates_issued",
    "business.pipeline.latency",
}

DASHBOARD_FILES = sorted(DASHBOARD_DIR.glob("*.json"))


def load_dashboard(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def all_panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def prometheus_queries(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Yield (where, PromQL) for every Prometheus query of a dashboard."""
    for panel in all_panels(dashboard):
        for target in panel.get("targets", []):
            datasource = target.get("datasource") or panel.get("datasource") or {}
            if datasource.get("type") == "prometheus":
                yield f"panel {panel['title']!r} target {target['refId']}", target["expr"]
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
        parts = label_values_query(query)
        if parts:
            yield f"variable {variable['name']}", parts[0]
        else:
            yield f"variable {variable['name']}", query


def alert_queries() -> Iterator[tuple[str, str]]:
    rule_file = yaml.safe_load(ALERTS_FILE.read_text(encoding="utf-8"))
    for group in rule_file["spec"]["groups"]:
        for rule in group["rules"]:
            yield f"alert {rule['alert']}", rule["expr"]


def allowed_labels(metric: str, specs: dict[str, MetricSpec]) -> set[str]:
    for spec in specs.values():
        if metric in spec.series_names():
            labels = set(spec.labels) | COMMON_LABELS
            if metric.endswith("_bucket") and spec.type == "histogram":
                labels.add("le")
            return labels
    return set()


def check_query(where: str, expr: str, specs: dict[str, MetricSpec]) -> list[str]:
    """Return the problems of one query: unknown metrics and unknown labels."""
    known_series = set().union(*(spec.series_names() for spec in specs.values()))
    names = promql_names(expr)
    problems = []
    if not names.metrics:
        problems.append(f"{where}: no metric found in {expr!r}")
    for metric, labels in names.selectors:
        if metric not in known_series:
            problems.append(f"{where}: metric {metric} is not in metrics.txt")
            continue
        unknown = labels - allowed_labels(metric, specs)
        if unknown:
            problems.append(f"{where}: {metric} has no label(s) {sorted(unknown)}")
    grouping_allowed = {"le"} | COMMON_LABELS
    for metric in names.metrics:
        grouping_allowed |= allowed_labels(metric, specs)
    unknown_grouping = names.grouping_labels - grouping_allowed
    if unknown_grouping:
        problems.append(f"{where}: groups by unknown label(s) {sorted(unknown_grouping)}")
    return problems


@pytest.fixture(scope="module")
def specs() -> dict[str, MetricSpec]:
    return load_metrics_list(METRICS_FILE)


# ------------------------------------------------------------ the scanner


@pytest.mark.parametrize(
    ("expr", "metrics", "grouping"),
    [
        ("up", {"up"}, set()),
        ('sum by (job) (rate(a_total{job=~"gqjy/${service}"}[$__rate_interval]))', {"a_total"}, {"job"}),
        (
            "histogram_quantile(0.95, sum by (job, le) (rate(h_bucket[5m])))",
            {"h_bucket"},
            {"job", "le"},
        ),
        ("deriv(sum by (job) (g)[15m:1m]) > 0 and on (job) x offset 5m", {"g", "x"}, {"job"}),
        ('a / on (job) group_left (route) b{code=~"5.."} > 1e3', {"a", "b"}, {"job", "route"}),
        ("topk(10, max without (instance) (m))", {"m"}, {"instance"}),
    ],
)
def test_promql_scanner_finds_names(expr, metrics, grouping):
    names = promql_names(expr)
    assert names.metrics == metrics
    assert names.grouping_labels == grouping


def test_promql_scanner_reads_label_matchers():
    names = promql_names('rate(m_count{job="a", code=~"5..", path!="/x{y}"}[5m])')
    assert names.selectors == [("m_count", {"job", "code", "path"})]


def test_promql_scanner_rejects_unbalanced_brackets():
    with pytest.raises(ValueError):
        promql_names("sum(rate(m[5m])")


def test_query_check_reports_unknown_metric_and_label(specs):
    problems = check_query("example", 'sum by (pod) (platform_outbox_backlog{topic="x"}) + nope_total', specs)
    assert any("nope_total" in problem for problem in problems)
    assert any("topic" in problem for problem in problems)
    assert any("pod" in problem for problem in problems)


# ------------------------------------------------------------ metrics.txt


def test_metrics_list_covers_required_metrics(specs):
    exported = {spec.otel_name for spec in specs.values()}
    assert REQUIRED_OTEL_METRICS <= exported, f"missing from metrics.txt: {sorted(REQUIRED_OTEL_METRICS - exported)}"


def test_metric_names_follow_prometheus_translation(specs):
    # OTel -> Prometheus: dots to underscores, "s" adds _seconds, counters
    # add _total, units in braces add nothing.
    for spec in specs.values():
        expected = spec.otel_name.replace(".", "_")
        if spec.unit == "s":
            expected += "_seconds"
        if spec.type == "counter":
            expected += "_total"
        assert spec.name == expected, f"{spec.otel_name} reaches Prometheus as {expected}, not {spec.name}"
        assert spec.unit != "1", f"{spec.otel_name}: unit 1 would add a _ratio suffix to a gauge"


def test_every_listed_metric_is_queried(specs):
    queried = set()
    for path in DASHBOARD_FILES:
        for _, expr in prometheus_queries(load_dashboard(path)):
            queried |= promql_names(expr).metrics
    for _, expr in alert_queries():
        queried |= promql_names(expr).metrics
    unused = [spec.name for spec in specs.values() if not spec.series_names() & queried]
    assert not unused, f"metrics.txt lists metrics that no dashboard or alert queries: {unused}"


# ------------------------------------------------------------- dashboards


def test_dashboards_exist():
    names = {path.name for path in DASHBOARD_FILES}
    assert {"platform-health.json", "learner-pipeline.json"} <= names


def test_dashboard_files_are_in_the_configmap():
    kustomization = yaml.safe_load((DEPLOY_DIR / "grafana" / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {Path(entry).name for entry in kustomization["configMapGenerator"][0]["files"]}
    assert files == {path.name for path in DASHBOARD_FILES}


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda path: path.name)
def test_dashboard_is_valid(path):
    dashboard = load_dashboard(path)
    assert dashboard.get("uid"), "dashboard without uid"
    assert dashboard.get("title")
    ids = [panel["id"] for panel in all_panels(dashboard)]
    assert len(ids) == len(set(ids)), f"duplicate panel ids in {path.name}"
    for panel in all_panels(dashboard):
        if panel["type"] == "row":
            continue
        datasource = panel.get("datasource", {})
        assert PROVISIONED_DATASOURCES.get(datasource.get("type")) == datasource.get("uid"), (
            f"panel {panel['title']!r} uses datasource {datasource}, which Grafana's provisioning does not define"
        )
        assert panel.get("targets"), f"panel {panel['title']!r} has no query"


def test_dashboard_uids_are_unique():
    uids = [load_dashboard(path)["uid"] for path in DASHBOARD_FILES]
    assert len(uids) == len(set(uids))


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda path: path.name)
def test_dashboard_queries_use_listed_metrics(path, specs):
    problems = []
    for where, expr in prometheus_queries(load_dashboard(path)):
        problems += check_query(where, expr, specs)
    assert not problems, "\n".join(problems)


def test_alert_queries_use_listed_metrics(specs):
    problems = []
    for where, expr in alert_queries():
        problems += check_query(where, expr, specs)
    assert not problems, "\n".join(problems)


def test_latency_panels_link_to_traces():
    dashboard = load_dashboard(DASHBOARD_DIR / "platform-health.json")
    latency_panels = [
        panel
        for panel in all_panels(dashboard)
        if any("http_server_request_duration_seconds_bucket" in target.get("expr", "") for target in panel.get("targets", []))
        and panel["type"] == "timeseries"
    ]
    assert latency_panels, "no latency panel"
    for panel in latency_panels:
        assert all(target.get("exemplar") for target in panel["targets"]), (
            f"panel {panel['title']!r}: exemplars must be on, they link slow requests to traces"
        )
        for link in panel.get("links", []):
            query = urllib.parse.urlparse(link["url"]).query
            panes = json.loads(urllib.parse.parse_qs(query)["panes"][0])
            assert any(pane["datasource"] == "tempo" for pane in panes.values())

    tempo_panels = [panel for panel in all_panels(dashboard) if panel.get("datasource", {}).get("type") == "tempo"]
    assert tempo_panels, "platform health needs a Tempo panel of slow traces"


def test_grafana_datasource_links_exemplars_to_tempo():
    grafana = list(yaml.safe_load_all((K8S_DIR / "base" / "observability" / "grafana.yaml").read_text(encoding="utf-8")))
    provisioning = next(document for document in grafana if document["metadata"]["name"] == "grafana-provisioning")
    datasources = yaml.safe_load(provisioning["data"]["datasources.yaml"])["datasources"]
    by_uid = {datasource["uid"]: datasource for datasource in datasources}
    assert set(by_uid) == set(PROVISIONED_DATASOURCES.values())
    destinations = by_uid["prometheus"]["jsonData"]["exemplarTraceIdDestinations"]
    assert {"name": "trace_id", "datasourceUid": "tempo"} in destinations
