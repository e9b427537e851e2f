"""deploy/k8s/restore_cluster.py: the recovery Cluster it prints for a restore."""

from __future__ import annotations

import importlib.util
from typing import Any

import jsonschema
import pytest

from deploy_support import K8S_DIR, OVERLAYS, custom_schema_path, find, load_custom_schema, schema_registry


def load_restore_module() -> Any:
    spec = importlib.util.spec_from_file_location("restore_cluster", K8S_DIR / "restore_cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


restore_cluster = load_restore_module()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_recovery_cluster_reads_the_current_archive(rendered, overlay):
    for cluster in find(rendered[overlay], "Cluster"):
        name = cluster["metadata"]["name"]
        current = cluster["spec"]["plugins"][0]["parameters"]["serverName"]
        restored = restore_cluster.recovery_cluster(cluster, f"{name}-r9", "2026-11-30 00:00:00+08")

        assert restored["metadata"]["name"] == name, "the database URL names <service>-db-rw"
        assert restored["spec"]["bootstrap"] == {
            "recovery": {"source": "origin", "recoveryTarget": {"targetTime": "2026-11-30 00:00:00+08"}}
        }
        origin = restored["spec"]["externalClusters"][0]
        assert origin["plugin"]["parameters"]["serverName"] == current, f"{name}: restore from the live archive"
        assert restored["spec"]["plugins"][0]["parameters"]["serverName"] == f"{name}-r9"
        assert cluster["spec"]["bootstrap"].get("initdb"), "the rendered Cluster must stay unchanged"

        validator = jsonschema.Draft202012Validator(
            load_custom_schema(custom_schema_path(restored)), registry=schema_registry()
        )
        errors = [error.message for error in validator.iter_errors(restored)]
        assert not errors, f"{name}: {errors}"


def test_recovery_without_target_replays_whole_archive(rendered):
    cluster = next(find(rendered["production"], "Cluster", "payment-db"))
    restored = restore_cluster.recovery_cluster(cluster, "payment-db-r1", None)
    assert restored["spec"]["bootstrap"] == {"recovery": {"source": "origin"}}


def test_recovery_rejects_the_current_server_name(rendered):
    cluster = next(find(rendered["production"], "Cluster", "payment-db"))
    with pytest.raises(SystemExit, match="must differ"):
        restore_cluster.recovery_cluster(cluster, "payment-db", None)
