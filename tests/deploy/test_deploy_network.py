"""Who may talk to whom, evaluated from the rendered NetworkPolicies.

Pods of the rendered workloads are taken from their pod templates. Pods that
operators create (Kafka brokers, PostgreSQL instances, the collector,
Prometheus, Alertmanager) and pods outside these manifests (the ingress
controller, cluster DNS) are stand-ins with the labels those operators and
installations set. Strimzi writes the NetworkPolicy of a listener itself;
the model adds an equivalent policy from the listener's networkPolicyPeers.
"""

from __future__ import annotations

from typing import Any

import pytest
from deploy_support import (
    APP_NAMESPACE,
    OVERLAYS,
    NetworkPolicyModel,
    Pod,
    find,
    get_one,
    make_external,
    make_pod,
    pod_template,
    workloads,
)

BACKENDS = ("identity", "enrollment", "payment", "learning", "assessment", "credential")
TOKEN_VERIFIERS = ("enrollment", "payment", "learning", "assessment", "credential")
ROLES = ("api", "relay", "consumers")


def inventory(documents: list[dict[str, Any]]) -> dict[str, Pod]:
    """Return the pods of an overlay keyed by a short name (Deployment name,
    or the stand-in's name)."""
    pods: dict[str, Pod] = {}
    for workload in workloads(documents):
        template = pod_template(workload)
        ports = [
            (port.get("name", ""), port["containerPort"], port.get("protocol", "TCP"))
            for container in template["spec"]["containers"]
            for port in container.get("ports", [])
        ]
        pods[workload["metadata"]["name"]] = make_pod(
            workload["metadata"]["name"], workload["metadata"]["namespace"], template["metadata"]["labels"], ports
        )

    pods["kafka-broker"] = make_pod(
        "kafka-broker",
        "gqjy-kafka",
        {"strimzi.io/cluster": "gqjy", "strimzi.io/kind": "Kafka", "strimzi.io/name": "gqjy-kafka"},
        [("tcp-clients", 9092, "TCP")],
    )
    for cluster in find(documents, "Cluster"):
        name = cluster["metadata"]["name"]
        pods[name] = make_pod(name, "gqjy-db", {"cnpg.io/cluster": name, "cnpg.io/podRole": "instance"}, [("postgresql", 5432, "TCP")])
    pods["collector"] = make_pod(
        "collector",
        "gqjy-observability",
        {"app.kubernetes.io/component": "opentelemetry-collector", "app.kubernetes.io/instance": "gqjy-observability.gqjy"},
        [("otlp-grpc", 4317, "TCP"), ("otlp-http", 4318, "TCP")],
    )
    pods["prometheus"] = make_pod(
        "prometheus", "gqjy-observability", {"app.kubernetes.io/name": "prometheus"}, [("web", 9090, "TCP")]
    )
    pods["alertmanager"] = make_pod(
        "alertmanager", "gqjy-observability", {"app.kubernetes.io/name": "alertmanager"}, [("web", 9093, "TCP")]
    )
    pods["ingress-controller"] = make_pod(
        "ingress-controller", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}
    )
    pods["kube-dns"] = make_pod(
        "kube-dns", "kube-system", {"k8s-app": "kube-dns"}, [("dns", 53, "UDP"), ("dns-tcp", 53, "TCP")]
    )
    pods["cnpg-operator"] = make_pod("cnpg-operator", "cnpg-system", {"app.kubernetes.io/name": "cloudnative-pg"})
    pods["stranger"] = make_pod("stranger", "default", {"app": "stranger"})
    # Addresses outside the cluster, inside the placeholder ranges of the
    # generated egress rules (SMS gateway, bank), and one elsewhere.
    pods["sms-gateway"] = make_external("sms-gateway", "198.51.100.10")
    pods["bank"] = make_external("bank", "203.0.113.10")
    pods["internet"] = make_external("internet", "192.0.2.10")
    return pods


def strimzi_listener_policies(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    policies = []
    for kafka in find(documents, "Kafka"):
        for listener in kafka["spec"]["kafka"]["listeners"]:
            policies.append(
                {
                    "metadata": {"name": f"strimzi-{listener['name']}", "namespace": kafka["metadata"]["namespace"]},
                    "spec": {
                        "podSelector": {
                            "matchLabels": {"strimzi.io/cluster": kafka["metadata"]["name"], "strimzi.io/kind": "Kafka"}
                        },
                        "policyTypes": ["Ingress"],
                        "ingress": [
                            {
                                "from": listener.get("networkPolicyPeers", []),
                                "ports": [{"protocol": "TCP", "port": listener["port"]}],
                            }
                        ],
                    },
                }
            )
    return policies


@pytest.fixture(scope="module", params=OVERLAYS)
def network(request, rendered) -> tuple[NetworkPolicyModel, dict[str, Pod]]:
    documents = rendered[request.param]
    policies = list(find(documents, "NetworkPolicy")) + strimzi_listener_policies(documents)
    namespace_labels = {
        namespace["metadata"]["name"]: namespace["metadata"].get("labels", {}) for namespace in find(documents, "Namespace")
    }
    return NetworkPolicyModel(policies, namespace_labels), inventory(documents)


def service_pods(pods: dict[str, Pod], service: str) -> list[Pod]:
    return [pods[f"{service}-{role}"] for role in ROLES if f"{service}-{role}" in pods]


def test_app_namespace_denies_by_default(rendered):
    for overlay in OVERLAYS:
        policy = get_one(rendered[overlay], "NetworkPolicy", "default-deny-all", APP_NAMESPACE)
        assert policy["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_public_traffic_reaches_only_portal_and_payment(network):
    model, pods = network
    controller = pods["ingress-controller"]
    assert model.allows(controller, pods["portal-api"], 8080)
    assert model.allows(controller, pods["payment-api"], 8080), "bank notification callback"
    for service in ("identity", "enrollment", "learning", "assessment", "credential"):
        assert not model.allows(controller, pods[f"{service}-api"], 8080), service
    for service in BACKENDS:
        for pod in service_pods(pods, service):
            if pod.name.endswith("-api"):
                continue
            assert not model.allows(controller, pod, 8080), pod.name


def test_only_portal_calls_service_apis(network):
    model, pods = network
    for service in BACKENDS:
        assert model.allows(pods["portal-api"], pods[f"{service}-api"], 8080), service
        for pod in service_pods(pods, service):
            if not pod.name.endswith("-api"):
                assert not model.allows(pods["portal-api"], pod, 8080), pod.name
    assert not model.allows(pods["identity-api"], pods["payment-api"], 8080), "services call each other only via events"
    assert not model.allows(pods["enrollment-api"], pods["learning-api"], 8080)
    assert not model.allows(pods["enrollment-consumers"], pods["learning-api"], 8080)
    assert not model.allows(pods["stranger"], pods["portal-api"], 8080)


def test_backend_apis_fetch_identity_keys(network):
    # Access tokens are verified offline against identity's JWK Set.
    model, pods = network
    for service in TOKEN_VERIFIERS:
        assert model.allows(pods[f"{service}-api"], pods["identity-api"], 8080), service
        for role in ("relay", "consumers"):
            assert not model.allows(pods[f"{service}-{role}"], pods["identity-api"], 8080), f"{service}-{role}"


def test_external_egress_is_narrow(network):
    model, pods = network
    assert model.allows(pods["identity-api"], pods["sms-gateway"], 443)
    assert model.allows(pods["payment-api"], pods["bank"], 443)
    assert model.allows(pods["payment-relay"], pods["bank"], 443), "the reconciliation job runs in the relay"
    assert not model.allows(pods["payment-consumers"], pods["bank"], 443)
    assert not model.allows(pods["identity-api"], pods["bank"], 443)
    assert not model.allows(pods["payment-api"], pods["bank"], 80)
    for pod in pods.values():
        if pod.namespace == APP_NAMESPACE:
            assert not model.allows(pod, pods["internet"], 443), f"{pod.name} -> the internet"


def test_services_reach_their_dependencies(network):
    model, pods = network
    for service in BACKENDS:
        for pod in service_pods(pods, service):
            assert model.allows(pod, pods[f"{service}-db"], 5432), f"{pod.name} -> own database"
            assert model.allows(pod, pods["kafka-broker"], 9092), f"{pod.name} -> Kafka"
    for service in BACKENDS + ("portal",):
        for pod in service_pods(pods, service):
            assert model.allows(pod, pods["collector"], 4318), f"{pod.name} -> OTel collector"
            assert model.allows(pod, pods["kube-dns"], 53, "UDP"), f"{pod.name} -> DNS"
    # The portal keeps no database and uses no Kafka.
    assert not model.allows(pods["portal-api"], pods["kafka-broker"], 9092)


def test_services_cannot_reach_other_databases(network):
    model, pods = network
    for service in BACKENDS + ("portal",):
        others = [other for other in BACKENDS if other != service]
        for pod in service_pods(pods, service):
            for other in others:
                assert not model.allows(pod, pods[f"{other}-db"], 5432), f"{pod.name} -> {other}-db"
    assert not model.allows(pods["stranger"], pods["identity-db"], 5432)


def test_services_have_no_other_egress(network):
    model, pods = network
    for service in BACKENDS:
        for pod in service_pods(pods, service):
            assert not model.allows(pod, pods["prometheus"], 9090), f"{pod.name} -> Prometheus"
            assert not model.allows(pod, pods["tempo"], 4317), f"{pod.name} -> Tempo"
            assert not model.allows(pod, pods["stranger"], 8080), f"{pod.name} -> a pod elsewhere"
            assert not model.allows(pod, pods["kafka-broker"], 9093), f"{pod.name} -> Kafka's other ports"


def test_kafka_accepts_only_the_app_namespace(network):
    model, pods = network
    assert model.allows(pods["identity-relay"], pods["kafka-broker"], 9092)
    assert not model.allows(pods["stranger"], pods["kafka-broker"], 9092)
    assert not model.allows(pods["grafana"], pods["kafka-broker"], 9092)


def test_database_operator_access(network):
    model, pods = network
    assert model.allows(pods["cnpg-operator"], pods["identity-db"], 8000)
    assert model.allows(pods["identity-db"], pods["identity-db"], 5432), "streaming replication"


def test_observability_paths(network):
    model, pods = network
    tempo = pods["tempo"]
    assert model.allows(pods["collector"], tempo, 4317)
    assert model.allows(pods["collector"], pods["prometheus"], 9090)
    assert model.allows(pods["grafana"], pods["prometheus"], 9090)
    assert model.allows(pods["grafana"], tempo, 3200)
    assert model.allows(pods["prometheus"], pods["alertmanager"], 9093)
    assert not model.allows(pods["stranger"], pods["collector"], 4318)
    assert not model.allows(pods["stranger"], pods["grafana"], 3000)
    assert not model.allows(pods["identity-api"], pods["grafana"], 3000)
