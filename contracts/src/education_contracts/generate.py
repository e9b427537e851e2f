"""Write or check the committed JSON Schemas and AsyncAPI document.

Usage: ``education-contracts write`` regenerates ``contracts/schemas`` and
``contracts/asyncapi.yaml``; ``education-contracts check`` exits 1 when they
differ from what the code generates.
"""

import json
import sys
from pathlib import Path

import yaml

from education_contracts.asyncapi import build_asyncapi
from education_contracts.schemas import all_event_schemas

CONTRACTS_DIR = Path(__file__).resolve().parents[2]
SCHEMA_DIR = CONTRACTS_DIR / "schemas"
ASYNCAPI_PATH = CONTRACTS_DIR / "asyncapi.yaml"


def render_artifacts() -> dict[Path, str]:
    """Render every generated file as text, keyed by its path."""
    files: dict[Path, str] = {}
    for event_type, schema in all_event_schemas().items():
        files[SCHEMA_DIR / f"{event_type}.json"] = (
            json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        )
    files[ASYNCAPI_PATH] = yaml.safe_dump(build_asyncapi(), allow_unicode=True, sort_keys=False)
    return files


def stale_artifacts() -> list[Path]:
    """List generated files whose committed text differs from the code's."""
    stale = [path for path, text in render_artifacts().items() if _read(path) != text]
    expected = set(render_artifacts())
    stale += [path for path in SCHEMA_DIR.glob("*.json") if path not in expected]
    return stale


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "write":
        SCHEMA_DIR.mkdir(exist_ok=True)
        for path, text in render_artifacts().items():
            path.write_text(text, encoding="utf-8")
        return 0
    if command == "check":
        stale = stale_artifacts()
        for path in stale:
            print(f"out of date: {path} (run 'education-contracts write')", file=sys.stderr)
        return 1 if stale else 0
    print("usage: education-contracts write|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
