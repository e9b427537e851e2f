"""Entry point: ``python -m payment_service [serve] [--role api|relay|consumers|all]``."""

import sys

from eventplatform.cli import main
from payment_service.bootstrap import build

if __name__ == "__main__":
    sys.exit(main(build))
