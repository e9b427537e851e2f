"""Render every overlay and validate each object offline.

Built-in kinds are validated with kubernetes-validate's strict schemas (no
unknown fields) for the oldest and the newest Kubernetes version we target.
Custom resources are validated against the partial schemas in schemas/.
"""

from __future__ import annotations

import subprocess
import sys

import jsonschema
import kubernetes_validate
import pytest
from deploy_support import (
    BUILTIN_GROUPS,
    OVERLAYS,
    REPO_ROOT,
    SCHEMA_DIR,
    api_group,
    custom_schema_path,
    load_custom_schema,
    object_id,
    schema_registry,
)

# Oldest and newest Kubernetes minor versions the manifests must fit. 1.33 is
# the oldest with the pod lifecycle "sleep" action enabled by default and
# still in upstream support when this was written; 1.37 is the newest that
# kubernetes-validate 1.37.0 ships schemas for.
KUBERNETES_VERSIONS = ("1.33", "1.37")

def test_generated_base_is_current():
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "deploy" / "k8s" / "generate_base.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_images_component_is_current():
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "deploy" / "images" / "sync_images.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_has_no_duplicate_objects(rendered, overlay):
    ids = [object_id(document) for document in rendered[overlay]]
    duplicates = sorted({item for item in ids if ids.count(item) > 1})
    assert ids, f"overlay {overlay} rendered no objects"
    assert not duplicates, f"objects rendered twice: {duplicates}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_kind_has_a_schema(rendered, overlay):
    missing = []
    for document in rendered[overlay]:
        if api_group(document["apiVersion"]) in BUILTIN_GROUPS:
            continue
        if not custom_schema_path(document).exists():
            missing.append(f"{document['apiVersion']} {document['kind']}")
    assert not missing, f"custom resources without a schema in {SCHEMA_DIR}: {sorted(set(missing))}"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_builtin_objects_match_kubernetes_schema(rendered, overlay, version):
    errors = []
    for document in rendered[overlay]:
        if api_group(document["apiVersion"]) not in BUILTIN_GROUPS:
            continue
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            errors.append(f"{object_id(document)}: {path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            errors.append(f"{object_id(document)}: {error.message}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_match_partial_schemas(rendered, overlay):
    errors = []
    for document in rendered[overlay]:
        if api_group(document["apiVersion"]) in BUILTIN_GROUPS:
            continue
        path = custom_schema_path(document)
        if not path.exists():
            continue  # reported by test_every_kind_has_a_schema
        validator = jsonschema.Draft202012Validator(load_custom_schema(path), registry=schema_registry())
        for error in validator.iter_errors(document):
            location = ".".join(str(part) for part in error.absolute_path)
            errors.append(f"{object_id(document)}: {location}: {error.message}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_namespaced_objects_name_their_namespace(rendered, overlay):
    cluster_scoped = {"Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass"}
    missing = [
        object_id(document)
        for document in rendered[overlay]
        if document["kind"] not in cluster_scoped and not document["metadata"].get("namespace")
    ]
    assert not missing, f"objects without a namespace: {missing}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_namespaces_are_declared(rendered, overlay):
    declared = {document["metadata"]["name"] for document in rendered[overlay] if document["kind"] == "Namespace"}
    used = {document["metadata"].get("namespace") for document in rendered[overlay]} - {None}
    assert used <= declared, f"namespaces used but not declared: {sorted(used - declared)}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_collector_pipelines_use_defined_components(rendered, overlay):
    collectors = [document for document in rendered[overlay] if document["kind"] == "OpenTelemetryCollector"]
    assert collectors, "no OpenTelemetryCollector rendered"
    for collector in collectors:
        config = collector["spec"]["config"]
        for name, pipeline in config["service"]["pipelines"].items():
            for section in ("receivers", "processors", "exporters"):
                for component in pipeline.get(section, []):
                    assert component in config.get(section, {}), (
                        f"pipeline {name} of {object_id(collector)} uses {section[:-1]} {component!r}, "
                        f"which config.{section} does not define"
                    )
        pipelines = config["service"]["pipelines"]
        assert "traces" in pipelines, "the collector must have a traces pipeline (to Tempo)"
        assert "metrics" in pipelines, "the collector must have a metrics pipeline (to Prometheus)"
