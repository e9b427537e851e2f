"""Entry point: ``python -m identity_service [serve|seed-demo|...] [--role ...]``."""

import sys

from eventplatform.cli import main

from identity_service.bootstrap import build
from identity_service.seed import seed_demo


def run() -> int:
    return main(build, extra_commands={"seed-demo": seed_demo})


if __name__ == "__main__":
    sys.exit(run())
