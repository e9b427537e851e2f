"""Helpers of the deploy tests: rendering, object lookup, PromQL names and a
NetworkPolicy evaluator.

Kept out of conftest.py so the tests can import the functions by name.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DIR = REPO_ROOT / "deploy"
K8S_DIR = DEPLOY_DIR / "k8s"
OVERLAYS = ("staging", "production")
KUSTOMIZE = REPO_ROOT / "var" / "tools" / "bin" / "kustomize"

APP_NAMESPACE = "gqjy"
SERVICES = ("identity", "enrollment", "payment", "learning", "assessment", "credential", "portal")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


# ---------------------------------------------------------------- rendering


def render_overlay(kustomize: Path, overlay: str) -> list[dict[str, Any]]:
    """Run `kustomize build` on one overlay and return its objects."""
    result = subprocess.run(
        [str(kustomize), "build", str(K8S_DIR / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"kustomize build of overlay {overlay!r} failed:\n{result.stderr}")
    return [document for document in yaml.safe_load_all(result.stdout) if document]


def object_id(document: dict[str, Any]) -> str:
    """Name an object as Kind/namespace/name (namespace "-" when cluster-scoped)."""
    meta = document.get("metadata", {})
    return f"{document['kind']}/{meta.get('namespace', '-')}/{meta.get('name')}"


def find(documents: Iterable[dict[str, Any]], kind: str, name: str | None = None, namespace: str | None = None):
    """Yield the objects of one kind, optionally filtered by name and namespace."""
    for document in documents:
        if document["kind"] != kind:
            continue
        meta = document["metadata"]
        if name is not None and meta["name"] != name:
            continue
        if namespace is not None and meta.get("namespace") != namespace:
            continue
        yield document


def get_one(documents: Iterable[dict[str, Any]], kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
    matches = list(find(documents, kind, name, namespace))
    assert len(matches) == 1, f"expected one {kind} {namespace}/{name}, found {len(matches)}"
    return matches[0]


def pod_template(workload: dict[str, Any]) -> dict[str, Any]:
    """Return the pod template of a workload object."""
    if workload["kind"] == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]
    return workload["spec"]["template"]


def workloads(documents: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for document in documents:
        if document["kind"] in WORKLOAD_KINDS:
            yield document


def service_workloads(documents: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (service, role, Deployment) for the platform's own services."""
    for document in find(documents, "Deployment", namespace=APP_NAMESPACE):
        labels = document["metadata"].get("labels", {})
        service = labels.get("app.kubernetes.io/name")
        role = labels.get("app.kubernetes.io/component")
        if service in SERVICES:
            yield service, role, document


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Evaluate a Kubernetes LabelSelector (matchLabels and matchExpressions)."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            raise ValueError(f"unknown selector operator {operator!r}")
    return True


def glob_any(value: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)


# ------------------------------------------------- custom resource schemas

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

# The built-in API groups, whose kinds kubernetes-validate has schemas for.
BUILTIN_GROUPS = {
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
}


def api_group(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


def custom_schema_path(document: dict[str, Any]) -> Path:
    group, version = document["apiVersion"].split("/")
    return SCHEMA_DIR / f"{group}_{version}_{document['kind']}.yaml"


@cache
def schema_registry() -> Registry:
    common = yaml.safe_load((SCHEMA_DIR / "_common.yaml").read_text(encoding="utf-8"))
    return Registry().with_resource("_common.yaml", Resource.from_contents(common))


@cache
def load_custom_schema(path: Path) -> dict[str, Any]:
    schema = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


# ------------------------------------------------------------------ PromQL

# Words of PromQL that look like metric names but are not: keywords and
# operators. Function and aggregation names are recognised by the "(" that
# follows them.
PROMQL_WORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"}
)
GROUPING_WORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
# Aggregation operators may be followed by "by (...)" instead of "(".
AGGREGATIONS = frozenset(
    {
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
        "bottomk", "topk", "quantile", "limitk", "limit_ratio",
    }
)

_IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_NUMBER_OR_DURATION = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:ms|[smhdwy])?(?:\d+(?:ms|[smhdwy]))*")
_LABEL_MATCHER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)")


@dataclass
class PromQLNames:
    """Metric names and label names that one PromQL expression uses."""

    selectors: list[tuple[str, set[str]]] = field(default_factory=list)
    grouping_labels: set[str] = field(default_factory=set)

    @property
    def metrics(self) -> set[str]:
        return {name for name, _ in self.selectors}


def _skip_string(expr: str, index: int) -> int:
    quote = expr[index]
    index += 1
    while index < len(expr) and expr[index] != quote:
        index += 2 if expr[index] == "\\" and quote != "`" else 1
    return index + 1


def _matching_close(expr: str, index: int, opening: str, closing: str) -> int:
    depth = 0
    while index < len(expr):
        char = expr[index]
        if char in "\"'`":
            index = _skip_string(expr, index)
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ValueError(f"unbalanced {opening!r} in PromQL: {expr}")


def _check_balanced(expr: str) -> None:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    index = 0
    while index < len(expr):
        char = expr[index]
        if char in "\"'`":
            index = _skip_string(expr, index)
            continue
        if char in "([{":
            stack.append(char)
        elif char in pairs and (not stack or stack.pop() != pairs[char]):
            raise ValueError(f"unbalanced {char!r} at {index} in PromQL: {expr}")
        index += 1
    if stack:
        raise ValueError(f"unclosed {stack[-1]!r} in PromQL: {expr}")


def _label_names_in_matchers(block: str) -> set[str]:
    names = set()
    index = 0
    while index < len(block):
        if block[index] in "\"'`":
            index = _skip_string(block, index)
            continue
        match = _LABEL_MATCHER.match(block, index)
        if match:
            names.add(match.group(1))
            index = match.end()
        else:
            index += 1
    return names


def promql_names(expr: str) -> PromQLNames:
    """Extract the metric names, their label matchers and the grouping labels
    of a PromQL expression (Grafana variables allowed in strings and ranges).

    A small scanner, not a full PromQL parser. It recognises selectors,
    strings, range brackets, function calls and grouping clauses, which covers
    the expressions in this repository. Raises ValueError on unbalanced
    brackets.
    """
    _check_balanced(expr)
    names = PromQLNames()
    index = 0
    last_metric: tuple[str, set[str]] | None = None
    while index < len(expr):
        char = expr[index]
        if char.isspace():
            index += 1
            continue
        if char in "\"'`":
            index = _skip_string(expr, index)
            last_metric = None
            continue
        if char == "{":
            close = _matching_close(expr, index, "{", "}")
            labels = _label_names_in_matchers(expr[index + 1 : close])
            if last_metric is None:
                raise ValueError(f"selector without a metric name at {index} in: {expr}")
            last_metric[1].update(labels)
            last_metric = None
            index = close + 1
            continue
        if char == "[":
            index = _matching_close(expr, index, "[", "]") + 1
            continue
        if char == "$":
            # A Grafana variable outside a string or range, e.g. ${service}.
            match = re.match(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)", expr[index:])
            index += match.end() if match else 1
            continue
        if char.isdigit() or (char == "." and index + 1 < len(expr) and expr[index + 1].isdigit()):
            match = _NUMBER_OR_DURATION.match(expr, index if char.isdigit() else index + 1)
            index = match.end() if match else index + 1
            last_metric = None
            continue
        match = _IDENTIFIER.match(expr, index)
        if not match:
            index += 1
            last_metric = None
            continue
        word = match.group(0)
        index = match.end()
        rest = expr[index:].lstrip()
        if word in GROUPING_WORDS:
            if rest.startswith("("):
                start = expr.index("(", index)
                close = _matching_close(expr, start, "(", ")")
                names.grouping_labels.update(
                    label.strip() for label in expr[start + 1 : close].split(",") if label.strip()
                )
                index = close + 1
            last_metric = None
            continue
        if word.lower() in PROMQL_WORDS or word in AGGREGATIONS:
            last_metric = None
            continue
        if rest.startswith("("):
            # Function or aggregation call.
            last_metric = None
            continue
        selector = (word, set())
        names.selectors.append(selector)
        last_metric = selector
    return names


def label_values_query(query: str) -> tuple[str, str] | None:
    """Split a Grafana `label_values(selector, label)` query into its parts."""
    match = re.fullmatch(r"\s*label_values\((.*),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*", query, re.DOTALL)
    if not match:
        return None
    return match.group(1), match.group(2)


@dataclass(frozen=True)
class MetricSpec:
    name: str
    type: str
    otel_name: str
    unit: str
    labels: frozenset[str]

    def series_names(self) -> set[str]:
        if self.type == "histogram":
            return {f"{self.name}_bucket", f"{self.name}_sum", f"{self.name}_count"}
        return {self.name}


def load_metrics_list(path: Path) -> dict[str, MetricSpec]:
    """Read deploy/grafana/metrics.txt into specs keyed by Prometheus name."""
    specs: dict[str, MetricSpec] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        columns = line.split()
        if len(columns) != 5:
            raise ValueError(f"{path}:{number}: expected 5 columns, got {len(columns)}: {line}")
        name, kind, otel_name, unit, labels = columns
        if kind not in ("counter", "gauge", "histogram"):
            raise ValueError(f"{path}:{number}: unknown metric type {kind!r}")
        label_set = frozenset() if labels == "-" else frozenset(labels.split(","))
        specs[name] = MetricSpec(name, kind, otel_name, unit, label_set)
    return specs


# ------------------------------------------------------- network policies


@dataclass(frozen=True)
class Pod:
    """A pod (or a stand-in for operator-managed pods) for policy checks."""

    name: str
    namespace: str
    labels: tuple[tuple[str, str], ...]
    ports: tuple[tuple[str, int, str], ...] = ()  # (name, number, protocol)
    # Set for an address outside the cluster (namespace ""), which only
    # ipBlock peers can match.
    ip: str | None = None

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.labels)

    def resolve_port(self, port: int | str) -> int | None:
        if isinstance(port, int):
            return port
        for name, number, _ in self.ports:
            if name == port:
                return number
        return None


def make_pod(name: str, namespace: str, labels: dict[str, str], ports: Iterable[tuple[str, int, str]] = ()) -> Pod:
    return Pod(name, namespace, tuple(sorted(labels.items())), tuple(ports))


def make_external(name: str, ip: str) -> Pod:
    """Return an address outside the cluster as a policy endpoint."""
    return Pod(name, "", (), (), ip)


class NetworkPolicyModel:
    """Decide whether NetworkPolicies allow one pod to connect to another.

    It follows the rules of networking.k8s.io/v1. A pod that no policy of a
    direction selects allows everything in that direction. Otherwise some
    rule of a selecting policy must allow the peer and the port.

    Supports podSelector, namespaceSelector (matched against the namespace's
    labels, including kubernetes.io/metadata.name), ipBlock with except, and
    ports with numbers, names and endPort. An ipBlock peer matches only
    addresses outside the cluster (endpoints made by make_external): pod IPs
    change, so these policies never select pods by address.
    """

    def __init__(self, policies: list[dict[str, Any]], namespace_labels: dict[str, dict[str, str]]):
        self.policies = policies
        self.namespace_labels = namespace_labels

    def _namespace_labels(self, namespace: str) -> dict[str, str]:
        labels = {"kubernetes.io/metadata.name": namespace}
        labels.update(self.namespace_labels.get(namespace, {}))
        return labels

    def _selecting(self, pod: Pod, policy_type: str) -> list[dict[str, Any]]:
        result = []
        for policy in self.policies:
            if policy["metadata"]["namespace"] != pod.namespace:
                continue
            spec = policy["spec"]
            types = spec.get("policyTypes") or (["Ingress", "Egress"] if "egress" in spec else ["Ingress"])
            if policy_type not in types:
                continue
            if selector_matches(spec.get("podSelector", {}), pod.label_map):
                result.append(policy)
        return result

    def _peer_matches(self, peer: dict[str, Any], policy_namespace: str, other: Pod) -> bool:
        if "ipBlock" in peer:
            if other.ip is None:
                return False
            address = ipaddress.ip_address(other.ip)
            block = peer["ipBlock"]
            excluded = any(address in ipaddress.ip_network(cidr) for cidr in block.get("except", []))
            return address in ipaddress.ip_network(block["cidr"]) and not excluded
        if other.ip is not None:
            return False
        pod_selector = peer.get("podSelector")
        namespace_selector = peer.get("namespaceSelector")
        if namespace_selector is None:
            namespace_ok = other.namespace == policy_namespace
        else:
            namespace_ok = selector_matches(namespace_selector, self._namespace_labels(other.namespace))
        pod_ok = True if pod_selector is None else selector_matches(pod_selector, other.label_map)
        return namespace_ok and pod_ok

    @staticmethod
    def _port_matches(rule: dict[str, Any], destination: Pod, port: int, protocol: str) -> bool:
        ports = rule.get("ports")
        if not ports:
            return True
        for entry in ports:
            if entry.get("protocol", "TCP") != protocol:
                continue
            if "port" not in entry:
                return True
            start = destination.resolve_port(entry["port"])
            if start is None:
                continue
            end = entry.get("endPort", start)
            if start <= port <= end:
                return True
        return False

    def _direction_allows(self, subject: Pod, peer: Pod, destination: Pod, port: int, protocol: str, kind: str) -> bool:
        policies = self._selecting(subject, kind)
        if not policies:
            return True
        rules_key, peers_key = ("ingress", "from") if kind == "Ingress" else ("egress", "to")
        for policy in policies:
            for rule in policy["spec"].get(rules_key) or []:
                peers = rule.get(peers_key)
                peer_ok = not peers or any(
                    self._peer_matches(entry, policy["metadata"]["namespace"], peer) for entry in peers
                )
                if peer_ok and self._port_matches(rule, destination, port, protocol):
                    return True
        return False

    def allows(self, source: Pod, destination: Pod, port: int, protocol: str = "TCP") -> bool:
        egress = self._direction_allows(source, destination, destination, port, protocol, "Egress")
        ingress = self._direction_allows(destination, source, destination, port, protocol, "Ingress")
        return egress and ingress
