#!/usr/bin/env bash
# Re-resolve requirements.in into requirements.lock (run after changing a pin).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/uv pip compile --python 3.11 requirements.in -o requirements.lock
