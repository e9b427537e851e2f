#!/usr/bin/env bash
# Create .venv and install every pinned dependency plus this repository's
# packages (editable). Safe to run again: it only syncs what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
if ! command -v "$PYTHON" >/dev/null; then
  echo "bootstrap: $PYTHON not found; install Python 3.11 first" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
# install, not sync: sync would uninstall the editable local packages below
# for a moment, which breaks anything running from this venv meanwhile.
.venv/bin/uv pip install --quiet --python .venv/bin/python -r requirements.lock

# Local packages go in without dependencies: the lock file already pins them.
packages=(-e libs/eventplatform -e contracts)
for service in services/*/; do
  if [ -f "$service/pyproject.toml" ]; then
    packages+=(-e "$service")
  fi
done
.venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps "${packages[@]}"
