"""Print a CloudNativePG Cluster that restores one service's database from its backups.

The output is the Cluster that the overlay deploys, with two changes. Its
bootstrap becomes a recovery from the object store: the base backup plus the
WAL, up to a target time or to the end of the archive. Its backup server name
becomes a new one, so the restored cluster archives into a fresh folder.
Review the output, then apply it after deleting the damaged cluster
(deploy/RUNBOOK.md, "Restore a database"). Example:

    python deploy/k8s/restore_cluster.py --overlay production --service payment \\
        --target-time "2026-11-30 00:00:00+08" --new-server-name payment-db-r1
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

K8S_DIR = Path(__file__).resolve().parent
REPO_ROOT = K8S_DIR.parents[1]
DEFAULT_KUSTOMIZE = REPO_ROOT / "var" / "tools" / "bin" / "kustomize"
BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io"


def render_overlay(kustomize: Path, overlay: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [str(kustomize), "build", str(K8S_DIR / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"kustomize build of overlay {overlay!r} failed:\n{result.stderr}")
    return [document for document in yaml.safe_load_all(result.stdout) if document]


def recovery_cluster(
    cluster: dict[str, Any], new_server_name: str, target_time: str | None
) -> dict[str, Any]:
    """Return a copy of ``cluster`` that bootstraps from its own backups."""
    spec = dict(cluster["spec"])
    plugin = next((entry for entry in spec["plugins"] if entry["name"] == BARMAN_PLUGIN), None)
    if plugin is None:
        raise SystemExit(f"cluster {cluster['metadata']['name']} has no {BARMAN_PLUGIN} plugin: nothing to restore from")
    origin_server_name = plugin["parameters"].get("serverName", cluster["metadata"]["name"])
    if new_server_name == origin_server_name:
        raise SystemExit(
            f"--new-server-name must differ from the current one ({origin_server_name}): "
            "barman will not archive into a folder that holds the old cluster's WAL"
        )

    recovery: dict[str, Any] = {"source": "origin"}
    if target_time:
        recovery["recoveryTarget"] = {"targetTime": target_time}
    spec["bootstrap"] = {"recovery": recovery}
    spec["externalClusters"] = [
        {
            "name": "origin",
            "plugin": {
                "name": BARMAN_PLUGIN,
                "parameters": {
                    "barmanObjectName": plugin["parameters"]["barmanObjectName"],
                    "serverName": origin_server_name,
                },
            },
        }
    ]
    new_plugin = {**plugin, "parameters": {**plugin["parameters"], "serverName": new_server_name}}
    spec["plugins"] = [new_plugin if entry is plugin else entry for entry in spec["plugins"]]
    return {
        "apiVersion": cluster["apiVersion"],
        "kind": cluster["kind"],
        "metadata": {
            "name": cluster["metadata"]["name"],
            "namespace": cluster["metadata"]["namespace"],
            "labels": cluster["metadata"].get("labels", {}),
        },
        "spec": spec,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlay", required=True, choices=["staging", "production"], help="overlay to take the Cluster from")
    parser.add_argument("--service", required=True, help="service whose database to restore, e.g. payment")
    parser.add_argument(
        "--target-time",
        help="restore up to this time (PostgreSQL timestamp with zone, e.g. '2026-11-30 00:00:00+08'); "
        "omit to replay the whole WAL archive",
    )
    parser.add_argument(
        "--new-server-name",
        required=True,
        help="backup folder of the restored cluster, e.g. payment-db-r1; record it in "
        "BACKUP_SERVER_NAMES of deploy/k8s/generate_base.py afterwards",
    )
    parser.add_argument("--kustomize", type=Path, default=DEFAULT_KUSTOMIZE, help="kustomize binary (default: %(default)s)")
    args = parser.parse_args(argv)

    documents = render_overlay(args.kustomize, args.overlay)
    name = f"{args.service}-db"
    clusters = [d for d in documents if d["kind"] == "Cluster" and d["metadata"]["name"] == name]
    if not clusters:
        raise SystemExit(f"overlay {args.overlay} has no Cluster named {name}")
    restored = recovery_cluster(clusters[0], args.new_server_name, args.target_time)
    sys.stdout.write(yaml.safe_dump(restored, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
