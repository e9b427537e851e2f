"""Rules of this platform that the rendered overlays must keep.

They cover roles and replicas, probes and security settings, settings and
secrets, topics, databases and backups, and references between objects.
"""

from __future__ import annotations

from typing import Any

import pytest
from deploy_support import (
    APP_NAMESPACE,
    OVERLAYS,
    find,
    get_one,
    object_id,
    pod_template,
    selector_matches,
    service_workloads,
    workloads,
)

try:
    from education_contracts.topics import ALL_TOPICS, Topics
except ImportError:  # the contracts package is not installed
    ALL_TOPICS, Topics = None, None

EVENT_TOPICS = (
    "gqjy.identity.learner",
    "gqjy.enrollment.order",
    "gqjy.enrollment.class",
    "gqjy.payment.payment",
    "gqjy.learning.catalog",
    "gqjy.learning.progress",
    "gqjy.assessment.quiz",
    "gqjy.credential.certificate",
)
CONSUMING_SERVICES = ("enrollment", "payment", "learning", "assessment", "credential")
DEAD_LETTER_TOPICS = tuple(f"gqjy.dlq.{service}" for service in CONSUMING_SERVICES)

# Topics each service consumes (the event flow between the services).
CONSUMED_TOPICS = {
    "identity": (),
    "enrollment": (
        "gqjy.identity.learner",
        "gqjy.payment.payment",
        "gqjy.learning.catalog",
        "gqjy.credential.certificate",
    ),
    "payment": ("gqjy.enrollment.order",),
    "learning": ("gqjy.enrollment.class",),
    "assessment": ("gqjy.learning.progress", "gqjy.learning.catalog", "gqjy.enrollment.class"),
    "credential": ("gqjy.identity.learner", "gqjy.enrollment.class", "gqjy.assessment.quiz"),
}
# Identity consumes nothing, so it has no consumers role; the portal is API only.
EXPECTED_ROLES = {service: {"api", "relay", "consumers"} for service in CONSUMING_SERVICES} | {
    "identity": {"api", "relay"},
    "portal": {"api"},
}
DATABASE_SERVICES = ("identity", "enrollment", "payment", "learning", "assessment", "credential")
DEAD_LETTER_RETENTION_MS = 30 * 24 * 3600 * 1000


def app_container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = pod_template(deployment)["spec"]["containers"]
    assert len(containers) == 1, f"{object_id(deployment)} should run one container"
    return containers[0]


def resolved_environment(deployment: dict[str, Any], documents: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the container's environment: envFrom ConfigMaps, then env entries
    (a plain value, or the valueFrom reference)."""
    namespace = deployment["metadata"]["namespace"]
    environment: dict[str, Any] = {}
    container = app_container(deployment)
    for source in container.get("envFrom", []):
        config_map = get_one(documents, "ConfigMap", source["configMapRef"]["name"], namespace)
        environment.update(config_map["data"])
    for variable in container.get("env", []):
        environment[variable["name"]] = variable.get("value", variable.get("valueFrom"))
    return environment


def topic_partitions(documents: list[dict[str, Any]]) -> dict[str, int]:
    return {topic["metadata"]["name"]: topic["spec"]["partitions"] for topic in find(documents, "KafkaTopic")}


# ---------------------------------------------------------------- workloads


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_runs_its_roles(rendered, overlay):
    roles: dict[str, set[str]] = {service: set() for service in EXPECTED_ROLES}
    for service, role, _ in service_workloads(rendered[overlay]):
        roles[service].add(role)
    assert roles == EXPECTED_ROLES


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_roles_start_the_service_module(rendered, overlay):
    for service, role, deployment in service_workloads(rendered[overlay]):
        container = app_container(deployment)
        assert container["image"].split("/")[-1].split(":")[0] == service
        assert container["args"] == ["--role", role], object_id(deployment)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_relay_is_single_writer(rendered, overlay):
    autoscaled = {
        hpa["spec"]["scaleTargetRef"]["name"] for hpa in find(rendered[overlay], "HorizontalPodAutoscaler")
    }
    relays = [deployment for _, role, deployment in service_workloads(rendered[overlay]) if role == "relay"]
    assert len(relays) == len(DATABASE_SERVICES)
    for relay in relays:
        name = object_id(relay)
        assert relay["spec"]["replicas"] == 1, f"{name}: the relay must run exactly one replica"
        assert relay["spec"]["strategy"]["type"] == "Recreate", f"{name}: a rollout must not overlap two relays"
        assert relay["metadata"]["name"] not in autoscaled, f"{name}: the relay must not be autoscaled"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_consumers_do_not_exceed_partitions(rendered, overlay):
    partitions = topic_partitions(rendered[overlay])
    max_replicas = {
        hpa["spec"]["scaleTargetRef"]["name"]: hpa["spec"]["maxReplicas"]
        for hpa in find(rendered[overlay], "HorizontalPodAutoscaler")
    }
    for service, role, deployment in service_workloads(rendered[overlay]):
        if role != "consumers":
            continue
        replicas = max(deployment["spec"]["replicas"], max_replicas.get(deployment["metadata"]["name"], 0))
        for topic in CONSUMED_TOPICS[service]:
            assert replicas <= partitions[topic], (
                f"{overlay}: {service} consumers may run {replicas} replicas but {topic} has "
                f"{partitions[topic]} partitions; the extra consumers would sit idle"
            )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_api_is_autoscaled_on_cpu(rendered, overlay):
    documents = rendered[overlay]
    for service, role, deployment in service_workloads(documents):
        if role != "api":
            continue
        hpa = get_one(documents, "HorizontalPodAutoscaler", deployment["metadata"]["name"], APP_NAMESPACE)
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": deployment["metadata"]["name"],
        }
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
        assert "replicas" not in deployment["spec"], f"{service}: the autoscaler owns the api replica count"
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


def test_production_api_survives_a_zone(rendered):
    for hpa in find(rendered["production"], "HorizontalPodAutoscaler", namespace=APP_NAMESPACE):
        assert hpa["spec"]["minReplicas"] >= 3, object_id(hpa)


def test_staging_runs_one_replica(rendered):
    for _, role, deployment in service_workloads(rendered["staging"]):
        if role == "api":
            hpa = get_one(rendered["staging"], "HorizontalPodAutoscaler", deployment["metadata"]["name"])
            assert hpa["spec"]["minReplicas"] == 1
        else:
            assert deployment["spec"]["replicas"] == 1, object_id(deployment)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_use_health_endpoints(rendered, overlay):
    for _, role, deployment in service_workloads(rendered[overlay]):
        container = app_container(deployment)
        if role != "api":
            # The runtime serves HTTP (and /healthz) with the API role only.
            assert "ports" not in container, object_id(deployment)
            assert "livenessProbe" not in container, object_id(deployment)
            assert "readinessProbe" not in container, object_id(deployment)
            continue
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        assert ports == {"http": 8080}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz/live", "port": "http"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/healthz/ready", "port": "http"}
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz/live"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workloads_follow_restricted_security(rendered, overlay):
    for workload in workloads(rendered[overlay]):
        name = object_id(workload)
        spec = pod_template(workload)["spec"]
        pod_context = spec.get("securityContext", {})
        assert pod_context.get("runAsNonRoot") is True, f"{name}: runAsNonRoot"
        assert pod_context.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{name}: seccomp"
        assert spec.get("automountServiceAccountToken") is False, f"{name}: no API token needed"
        volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
        for container in spec["containers"]:
            context = container.get("securityContext", {})
            assert context.get("allowPrivilegeEscalation") is False, f"{name}: allowPrivilegeEscalation"
            assert context.get("readOnlyRootFilesystem") is True, f"{name}: readOnlyRootFilesystem"
            assert context.get("capabilities", {}).get("drop") == ["ALL"], f"{name}: drop ALL capabilities"
            assert container["resources"]["requests"] and container["resources"]["limits"], f"{name}: resources"
            tmp_mounts = [mount for mount in container.get("volumeMounts", []) if mount["mountPath"] == "/tmp"]
            assert tmp_mounts, f"{name}: a writable /tmp is needed with a read-only root filesystem"
            assert "emptyDir" in volumes[tmp_mounts[0]["name"]], f"{name}: /tmp must be an emptyDir"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_pods_run_as_uid_10001(rendered, overlay):
    for _, _, deployment in service_workloads(rendered[overlay]):
        context = pod_template(deployment)["spec"]["securityContext"]
        assert context["runAsUser"] == 10001, object_id(deployment)
        assert context["runAsGroup"] == 10001, object_id(deployment)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_disruption_budgets_cover_service_pods(rendered, overlay):
    budgets = list(find(rendered[overlay], "PodDisruptionBudget", namespace=APP_NAMESPACE))
    for _, _, deployment in service_workloads(rendered[overlay]):
        labels = pod_template(deployment)["metadata"]["labels"]
        matching = [budget for budget in budgets if selector_matches(budget["spec"]["selector"], labels)]
        assert len(matching) == 1, f"{object_id(deployment)} is covered by {len(matching)} budgets"
        # maxUnavailable keeps one-replica Deployments drainable.
        assert matching[0]["spec"] == {"maxUnavailable": 1, "selector": matching[0]["spec"]["selector"]}


# ------------------------------------------------------ settings, secrets


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_settings_and_telemetry(rendered, overlay):
    documents = rendered[overlay]
    for service, role, deployment in service_workloads(documents):
        prefix = service.upper() + "_"
        environment = resolved_environment(deployment, documents)
        where = object_id(deployment)
        assert environment[f"{prefix}HTTP_HOST"] == "0.0.0.0", f"{where}: the default 127.0.0.1 is unreachable"
        assert environment[f"{prefix}HTTP_PORT"] == "8080", where
        assert environment[f"{prefix}ENVIRONMENT"] == "production", where
        if service in DATABASE_SERVICES:
            kafka = environment[f"{prefix}KAFKA_BOOTSTRAP_SERVERS"]
            assert kafka == "gqjy-kafka-bootstrap.gqjy-kafka.svc:9092", where
            assert environment[f"{prefix}DATABASE_URL"] == {
                "secretKeyRef": {"name": f"{service}-database", "key": "url"}
            }, where
        if service not in ("identity", "portal"):
            jwks = environment[f"{prefix}JWKS_URL"]
            assert jwks == "http://identity-api.gqjy.svc:8080/.well-known/jwks.json", where
        assert environment["OTEL_SERVICE_NAME"] == service, where
        assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"].startswith("http://gqjy-collector.gqjy-observability.svc:"), where
        assert environment["OTEL_TRACES_EXPORTER"] == "otlp", where
        assert environment["OTEL_METRICS_EXPORTER"] == "otlp", where
        assert environment["OTEL_SEMCONV_STABILITY_OPT_IN"] == "http", where
        assert f"gqjy.role={role}" in environment["OTEL_RESOURCE_ATTRIBUTES"], where


def test_environment_name_per_overlay(rendered):
    for overlay in OVERLAYS:
        platform = next(
            config_map
            for config_map in find(rendered[overlay], "ConfigMap", namespace=APP_NAMESPACE)
            if config_map["metadata"]["name"].startswith("gqjy-platform")
        )
        assert platform["data"]["DEPLOYMENT_ENVIRONMENT"] == overlay


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_specific_secrets(rendered, overlay):
    documents = rendered[overlay]
    for deployment_name, variable, secret in (
        ("payment-api", "PAYMENT_BANK_SIGNING_KEY", "payment-bank"),
        ("payment-relay", "PAYMENT_BANK_SIGNING_KEY", "payment-bank"),
        ("identity-api", "IDENTITY_SMS_GATEWAY_KEY", "identity-sms-gateway"),
        ("portal-api", "PORTAL_SESSION_SECRET", "portal-session"),
    ):
        deployment = get_one(documents, "Deployment", deployment_name, APP_NAMESPACE)
        reference = resolved_environment(deployment, documents)[variable]
        assert reference["secretKeyRef"]["name"] == secret, f"{deployment_name}: {variable}"

    identity = get_one(documents, "Deployment", "identity-api", APP_NAMESPACE)
    spec = pod_template(identity)["spec"]
    key_volume = next(volume for volume in spec["volumes"] if volume.get("secret"))
    assert key_volume["secret"]["secretName"] == "identity-token-signing-key"
    mount = next(m for m in app_container(identity)["volumeMounts"] if m["name"] == key_volume["name"])
    assert mount["readOnly"] is True
    assert "subPath" not in mount, "a directory mount follows key rotation"
    environment = resolved_environment(identity, documents)
    assert environment["IDENTITY_SIGNING_KEY_PATH"].startswith(mount["mountPath"] + "/")
    assert environment["IDENTITY_SMS_BACKEND"] == "http", "production refuses the outbox SMS backend"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_shared_volumes(rendered, overlay):
    documents = rendered[overlay]
    for deployment_name, claim, setting, read_only in (
        ("learning-api", "learning-media", "LEARNING_MEDIA_DIR", True),
        ("portal-api", "portal-data", "PORTAL_DATA_DIR", False),
    ):
        deployment = get_one(documents, "Deployment", deployment_name, APP_NAMESPACE)
        volume = next(
            v for v in pod_template(deployment)["spec"]["volumes"]
            if v.get("persistentVolumeClaim", {}).get("claimName") == claim
        )
        mount = next(m for m in app_container(deployment)["volumeMounts"] if m["name"] == volume["name"])
        assert resolved_environment(deployment, documents)[setting] == mount["mountPath"]
        assert mount.get("readOnly", False) is read_only, f"{deployment_name}: {claim} read-only={read_only}"
        pvc = get_one(documents, "PersistentVolumeClaim", claim, APP_NAMESPACE)
        assert pvc["spec"]["accessModes"] == ["ReadWriteMany"], f"{claim}: every API replica mounts it"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_public_urls_name_the_ingress_host(rendered, overlay):
    documents = rendered[overlay]
    hosts = {rule["host"] for ingress in find(documents, "Ingress") for rule in ingress["spec"]["rules"]}
    assert len(hosts) == 1, f"one public host expected, found {hosts}"
    base = f"https://{hosts.pop()}"
    settings = {}
    for config_map in find(documents, "ConfigMap", namespace=APP_NAMESPACE):
        settings.update(config_map["data"])
    assert settings["PORTAL_PUBLIC_BASE_URL"] == base
    assert settings["CREDENTIAL_PUBLIC_BASE_URL"] == base, "certificate QR codes point at the verification page"
    assert settings["PAYMENT_NOTIFY_URL"] == f"{base}/api/payments/notifications"
    assert settings["PAYMENT_RETURN_URL"].startswith(f"{base}/learner/payments/return?")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_values_in_manifests(rendered, overlay):
    secrets = [object_id(document) for document in rendered[overlay] if document["kind"] == "Secret"]
    assert not secrets, f"Secrets must come from ExternalSecrets, not manifests: {secrets}"


def referenced_secrets(documents: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Return (namespace, name) of every Secret that the objects refer to."""
    references = set()
    for workload in workloads(documents):
        namespace = workload["metadata"]["namespace"]
        spec = pod_template(workload)["spec"]
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                references.add((namespace, volume["secret"]["secretName"]))
        for container in spec["containers"]:
            for variable in container.get("env", []):
                reference = variable.get("valueFrom", {}).get("secretKeyRef")
                if reference:
                    references.add((namespace, reference["name"]))
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    references.add((namespace, source["secretRef"]["name"]))
    for cluster in find(documents, "Cluster"):
        namespace = cluster["metadata"]["namespace"]
        references.add((namespace, cluster["spec"]["bootstrap"]["initdb"]["secret"]["name"]))
        for role in cluster["spec"].get("managed", {}).get("roles", []):
            references.add((namespace, role["passwordSecret"]["name"]))
    for store in find(documents, "ObjectStore"):
        credentials = store["spec"]["configuration"]["s3Credentials"]
        for selector in credentials.values():
            references.add((store["metadata"]["namespace"], selector["name"]))
    return references


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_referenced_secrets_have_external_secrets(rendered, overlay):
    provided = {
        (document["metadata"]["namespace"], document["spec"]["target"]["name"])
        for document in find(rendered[overlay], "ExternalSecret")
    }
    missing = referenced_secrets(rendered[overlay]) - provided
    assert not missing, f"Secrets used but created by no ExternalSecret: {sorted(missing)}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_database_url_matches_the_cluster(rendered, overlay):
    documents = rendered[overlay]
    for service in DATABASE_SERVICES:
        url_secret = get_one(documents, "ExternalSecret", f"{service}-database", APP_NAMESPACE)
        credentials = get_one(documents, "ExternalSecret", f"{service}-db-app", "gqjy-db")
        url = url_secret["spec"]["target"]["template"]["data"]["url"]
        assert url.startswith("postgresql+psycopg://"), "SQLAlchemy with psycopg 3"
        assert f"@{service}-db-rw.gqjy-db.svc:5432/{service}?" in url
        assert "urlquery" in url, "the password must be URL-encoded"
        assert credentials["spec"]["target"]["template"]["type"] == "kubernetes.io/basic-auth"
        remote_keys = {entry["remoteRef"]["key"] for entry in url_secret["spec"]["data"]}
        assert remote_keys == {entry["remoteRef"]["key"] for entry in credentials["spec"]["data"]}, (
            f"{service}: the URL and the database user must come from the same secret store entry"
        )


# ----------------------------------------------------------- references


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_object_references_resolve(rendered, overlay):
    documents = rendered[overlay]
    problems = []
    names = {(document["kind"], document["metadata"].get("namespace"), document["metadata"]["name"]) for document in documents}

    for workload in workloads(documents):
        namespace = workload["metadata"]["namespace"]
        spec = pod_template(workload)["spec"]
        account = spec.get("serviceAccountName")
        if account and ("ServiceAccount", namespace, account) not in names:
            problems.append(f"{object_id(workload)}: ServiceAccount {account} missing")
        for volume in spec.get("volumes", []):
            if "configMap" in volume and ("ConfigMap", namespace, volume["configMap"]["name"]) not in names:
                problems.append(f"{object_id(workload)}: ConfigMap {volume['configMap']['name']} missing")
        for container in spec["containers"]:
            for source in container.get("envFrom", []):
                reference = source.get("configMapRef")
                if reference and ("ConfigMap", namespace, reference["name"]) not in names:
                    problems.append(f"{object_id(workload)}: ConfigMap {reference['name']} missing")

    pods = [(w["metadata"]["namespace"], pod_template(w)) for w in workloads(documents)]
    for service in find(documents, "Service"):
        namespace = service["metadata"]["namespace"]
        selected = [t for ns, t in pods if ns == namespace and selector_matches({"matchLabels": service["spec"]["selector"]}, t["metadata"]["labels"])]
        if not selected:
            problems.append(f"{object_id(service)} selects no pod")
        for port in service["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            for template in selected:
                container_ports = {p.get("name"): p["containerPort"] for c in template["spec"]["containers"] for p in c.get("ports", [])}
                if isinstance(target, str) and target not in container_ports:
                    problems.append(f"{object_id(service)}: targetPort {target} not on the pods")

    for ingress in find(documents, "Ingress"):
        namespace = ingress["metadata"]["namespace"]
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = get_one(documents, "Service", backend["name"], namespace)
                port_names = {port["name"] for port in service["spec"]["ports"]}
                if backend["port"].get("name") not in port_names:
                    problems.append(f"{object_id(ingress)}: port {backend['port']} not on Service {backend['name']}")
        hosts = {rule["host"] for rule in ingress["spec"]["rules"]}
        tls_hosts = {host for entry in ingress["spec"].get("tls", []) for host in entry["hosts"]}
        if hosts != tls_hosts:
            problems.append(f"{object_id(ingress)}: hosts {hosts} but TLS for {tls_hosts}")

    for budget in find(documents, "PodDisruptionBudget"):
        namespace = budget["metadata"]["namespace"]
        if not any(ns == namespace and selector_matches(budget["spec"]["selector"], t["metadata"]["labels"]) for ns, t in pods):
            problems.append(f"{object_id(budget)} selects no pod")

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_public_routes(rendered, overlay):
    routes = {}
    for ingress in find(rendered[overlay], "Ingress", namespace=APP_NAMESPACE):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                routes[path["path"]] = (path["pathType"], path["backend"]["service"]["name"], ingress["metadata"])
    assert routes["/"][:2] == ("Prefix", "portal-api")
    assert routes["/verify"][:2] == ("Prefix", "portal-api")
    bank = routes["/api/payments/notifications"]
    assert bank[:2] == ("Exact", "payment-api"), "only the exact callback path reaches the payment service"
    assert "nginx.ingress.kubernetes.io/whitelist-source-range" in bank[2]["annotations"]
    assert len(routes) == 3, f"unexpected public routes: {sorted(routes)}"


# --------------------------------------------------------------- Kafka


def test_topics_match_the_contracts_package():
    if ALL_TOPICS is None:
        pytest.skip("education_contracts is not installed; run scripts/bootstrap.sh")
    assert set(ALL_TOPICS) == set(EVENT_TOPICS)
    assert {Topics.dead_letter(service) for service in CONSUMING_SERVICES} == set(DEAD_LETTER_TOPICS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_topics_exist_with_retention(rendered, overlay):
    topics = {topic["metadata"]["name"]: topic for topic in find(rendered[overlay], "KafkaTopic")}
    assert set(topics) == set(EVENT_TOPICS) | set(DEAD_LETTER_TOPICS)
    for name in EVENT_TOPICS:
        config = topics[name]["spec"]["config"]
        assert config["retention.ms"] == -1, f"{name}: read models are rebuilt from the whole topic"
        assert config["retention.bytes"] == -1, name
        assert config["cleanup.policy"] == "delete", f"{name}: compaction would drop history"
    for name in DEAD_LETTER_TOPICS:
        assert topics[name]["spec"]["config"]["retention.ms"] == DEAD_LETTER_RETENTION_MS, name


def test_production_topics_are_replicated(rendered):
    for topic in find(rendered["production"], "KafkaTopic"):
        name = topic["metadata"]["name"]
        assert topic["spec"]["replicas"] == 3, name
        assert topic["spec"]["config"]["min.insync.replicas"] == 2, name
        if name in EVENT_TOPICS and name != "gqjy.learning.catalog":
            assert topic["spec"]["partitions"] == 24, name


def test_staging_topics_are_small(rendered):
    for topic in find(rendered["staging"], "KafkaTopic"):
        assert topic["spec"]["partitions"] == 3
        assert topic["spec"]["replicas"] == 1
        assert topic["spec"]["config"]["min.insync.replicas"] == 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_runs_kraft_node_pool(rendered, overlay):
    documents = rendered[overlay]
    kafka = get_one(documents, "Kafka", "gqjy", "gqjy-kafka")
    pool = get_one(documents, "KafkaNodePool", "dual-role", "gqjy-kafka")
    assert pool["metadata"]["labels"]["strimzi.io/cluster"] == "gqjy"
    assert sorted(pool["spec"]["roles"]) == ["broker", "controller"]
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False
    replicas = pool["spec"]["replicas"]
    for topic in find(documents, "KafkaTopic"):
        assert topic["spec"]["replicas"] <= replicas, f"{topic['metadata']['name']}: more replicas than brokers"
        assert topic["spec"]["config"]["min.insync.replicas"] <= topic["spec"]["replicas"]
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "gqjy"
    if overlay == "production":
        assert replicas == 3


# ------------------------------------------------------------ databases


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_has_a_backed_up_database(rendered, overlay):
    documents = rendered[overlay]
    clusters = {cluster["metadata"]["name"] for cluster in find(documents, "Cluster")}
    assert clusters == {f"{service}-db" for service in DATABASE_SERVICES}, "the portal keeps no database"
    for service in DATABASE_SERVICES:
        cluster = get_one(documents, "Cluster", f"{service}-db", "gqjy-db")
        assert cluster["spec"]["bootstrap"]["initdb"]["database"] == service
        plugin = cluster["spec"]["plugins"][0]
        assert plugin["isWALArchiver"] is True
        get_one(documents, "ObjectStore", plugin["parameters"]["barmanObjectName"], "gqjy-db")
        backups = [b for b in find(documents, "ScheduledBackup") if b["spec"]["cluster"]["name"] == f"{service}-db"]
        assert len(backups) == 1, f"{service}: one ScheduledBackup expected"
        assert backups[0]["spec"]["method"] == "plugin"
        assert backups[0]["spec"]["pluginConfiguration"]["name"] == plugin["name"]


def test_production_databases_replicate_synchronously(rendered):
    for cluster in find(rendered["production"], "Cluster"):
        assert cluster["spec"]["instances"] == 3
        assert cluster["spec"]["postgresql"]["synchronous"]["number"] >= 1


def test_staging_databases_are_single_instance(rendered):
    for cluster in find(rendered["staging"], "Cluster"):
        assert cluster["spec"]["instances"] == 1
        assert "synchronous" not in cluster["spec"]["postgresql"], "one instance cannot wait for a standby"
