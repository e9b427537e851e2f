"""Entry point: ``python -m credential_service [serve|...] [--role ...]``."""

import sys

from eventplatform.cli import main

from credential_service.bootstrap import build

if __name__ == "__main__":
    sys.exit(main(build))
