"""Entry point: ``python -m enrollment_service [serve|seed-demo|...] [--role ...]``."""

import sys

from eventplatform.cli import main

from enrollment_service.bootstrap import build
from enrollment_service.demo import seed_demo

if __name__ == "__main__":
    sys.exit(main(build, extra_commands={"seed-demo": seed_demo}))
