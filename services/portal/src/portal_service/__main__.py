"""Entry point: ``python -m portal_service [serve] [--role api|all]``."""

import sys

from eventplatform.cli import main

from portal_service.bootstrap import build

if __name__ == "__main__":
    sys.exit(main(build))
