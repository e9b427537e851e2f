"""deploy/images/images.yaml against the overlays and the Dockerfiles."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from deploy_support import (
    DEPLOY_DIR,
    K8S_DIR,
    OVERLAYS,
    REPO_ROOT,
    SERVICES,
    pod_template,
    workloads,
)

IMAGES_FILE = DEPLOY_DIR / "images" / "images.yaml"
COMPONENT_FILE = K8S_DIR / "components" / "images" / "kustomization.yaml"
KUSTOMIZE_FIELDS = ("name", "newName", "newTag", "digest")

# Custom resource fields that hold an image (see
# deploy/k8s/components/images/image-fields.yaml).
CUSTOM_IMAGE_FIELDS = {
    "Cluster": ("spec", "imageName"),
    "OpenTelemetryCollector": ("spec", "image"),
    "Prometheus": ("spec", "image"),
    "Alertmanager": ("spec", "image"),
}

# A reference that names a tag or a digest: registry/path:tag[@sha256:...].
PINNED_IMAGE = re.compile(r"^[a-z0-9.\-/:]+?:[A-Za-z0-9._-]+(@sha256:[a-f0-9]{64})?$|^[a-z0-9.\-/]+@sha256:[a-f0-9]{64}$")


def images_document() -> dict[str, Any]:
    return yaml.safe_load(IMAGES_FILE.read_text(encoding="utf-8"))


def expected_references() -> set[str]:
    """Return the image references that images.yaml makes the overlays use."""
    references = set()
    for entry in images_document()["images"]:
        reference = entry.get("newName", entry["name"])
        if "newTag" in entry:
            reference += f":{entry['newTag']}"
        if "digest" in entry:
            reference += f"@{entry['digest']}"
        references.add(reference)
    return references


def rendered_images(documents: list[dict[str, Any]]) -> dict[str, str]:
    """Map each image reference in the rendered objects to one object that uses it."""
    found: dict[str, str] = {}
    for workload in workloads(documents):
        spec = pod_template(workload)["spec"]
        for container in spec.get("initContainers", []) + spec["containers"]:
            found.setdefault(container["image"], f"{workload['kind']}/{workload['metadata']['name']}")
    for document in documents:
        path = CUSTOM_IMAGE_FIELDS.get(document["kind"])
        if path:
            value = document
            for key in path:
                value = value[key]
            found.setdefault(value, f"{document['kind']}/{document['metadata']['name']}")
    return found


def test_component_carries_images_yaml_entries():
    component = yaml.safe_load(COMPONENT_FILE.read_text(encoding="utf-8"))
    expected = [
        {key: str(entry[key]) for key in KUSTOMIZE_FIELDS if key in entry} for entry in images_document()["images"]
    ]
    assert component["images"] == expected, "run: python deploy/images/sync_images.py"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_includes_images_component(overlay):
    kustomization = yaml.safe_load((K8S_DIR / "overlays" / overlay / "kustomization.yaml").read_text(encoding="utf-8"))
    assert "../../components/images" in kustomization.get("components", [])
    assert "images" not in kustomization, "set images only in deploy/images/images.yaml"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rendered_images_are_listed_and_pinned(rendered, overlay):
    expected = expected_references()
    for reference, user in rendered_images(rendered[overlay]).items():
        assert reference in expected, f"{user} uses {reference}, which deploy/images/images.yaml does not list"
        assert PINNED_IMAGE.match(reference), f"{user} uses {reference} without a tag or digest"


def test_every_listed_image_is_used(rendered):
    used = set()
    for overlay in OVERLAYS:
        used.update(rendered_images(rendered[overlay]))
    unused = expected_references() - used
    assert not unused, f"images.yaml lists images that no overlay uses: {sorted(unused)}"


def test_every_service_has_an_image_entry():
    names = {entry["name"] for entry in images_document()["images"]}
    for service in SERVICES:
        assert f"gqjy/{service}" in names


# -------------------------------------------------------------- Dockerfiles


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """Split a Dockerfile into (INSTRUCTION, arguments), joining continued lines."""
    instructions = []
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        current += " " + stripped.rstrip("\\").strip() if current else stripped.rstrip("\\").strip()
        if not stripped.endswith("\\"):
            keyword, _, arguments = current.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
            current = ""
    return instructions


@pytest.mark.parametrize("service", SERVICES)
def test_dockerfile_builds_service_as_non_root(service):
    entry = next(entry for entry in images_document()["images"] if entry["name"] == f"gqjy/{service}")
    dockerfile = REPO_ROOT / entry["dockerfile"]
    assert dockerfile.exists(), f"images.yaml names {entry['dockerfile']}, which does not exist"
    instructions = dockerfile_instructions(dockerfile.read_text(encoding="utf-8"))
    base_image = images_document()["base_images"]["python"]

    stages = [arguments for keyword, arguments in instructions if keyword == "FROM"]
    assert len(stages) >= 2, "the Dockerfile must be multi-stage (build, runtime)"
    for stage in stages:
        image = stage.split()[0]
        assert image == base_image or image.startswith(base_image + "@sha256:"), (
            f"{dockerfile.name}: FROM {image}, expected base_images.python {base_image}"
        )

    runtime = instructions[max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM") :]
    users = [arguments for keyword, arguments in runtime if keyword == "USER"]
    assert users and users[-1].split(":")[0] == "10001", f"{dockerfile.name}: runtime stage must end as USER 10001"

    entrypoints = [arguments for keyword, arguments in runtime if keyword == "ENTRYPOINT"]
    assert entrypoints, f"{dockerfile.name}: no ENTRYPOINT in the runtime stage"
    assert yaml.safe_load(entrypoints[-1]) == ["python", "-m", f"{service}_service"]

    runs = " ".join(arguments for keyword, arguments in instructions if keyword == "RUN")
    assert "--constraint requirements.lock" in runs, f"{dockerfile.name}: install pinned by requirements.lock"
    assert f"./services/{service}" in runs

    ignore_file = dockerfile.with_name(dockerfile.name + ".dockerignore")
    assert ignore_file.exists(), f"missing {ignore_file.name}: the build context is the whole repository"
    assert f"!services/{service}/" in ignore_file.read_text(encoding="utf-8")


def test_only_service_dockerfiles_exist():
    dockerfiles = {path.name for path in (DEPLOY_DIR / "images").glob("*.Dockerfile")}
    assert dockerfiles == {f"{service}.Dockerfile" for service in SERVICES}
