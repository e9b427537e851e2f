"""Entry point: ``python -m assessment_service [serve|seed-demo|...] [--role ...]``."""

import sys

from eventplatform.cli import main

from assessment_service.bootstrap import build, seed_demo_command

if __name__ == "__main__":
    sys.exit(main(build, extra_commands={"seed-demo": seed_demo_command}))
