#!/usr/bin/env bash
# Run every test against real Kafka, real PostgreSQL and headless Chromium.
# On a fresh machine it first installs what is missing: Debian packages, the
# Python environment and the Kafka jars from Maven Central. It starts the
# Kafka broker and the PostgreSQL server when they are down, and stops the
# ones it started at the end. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install_system_deps.sh
scripts/bootstrap.sh
if [ -x scripts/k8s_tools.sh ]; then
  scripts/k8s_tools.sh
fi

started=()
if ! python3 scripts/kafka.py status >/dev/null 2>&1; then
  python3 scripts/kafka.py start
  started+=(kafka)
fi
if ! python3 scripts/postgres.py status >/dev/null 2>&1; then
  python3 scripts/postgres.py start
  started+=(postgres)
fi

cleanup() {
  for server in "${started[@]}"; do
    python3 "scripts/${server}.py" stop || true
  done
}
trap cleanup EXIT

mkdir -p test-artifacts
.venv/bin/pytest --junitxml=test-artifacts/junit.xml "$@"
