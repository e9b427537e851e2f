"""Entry point: ``python -m learning_service [serve|rebuild-read-models|redrive-dlq|seed-demo]``."""

import sys

from eventplatform.cli import main

from learning_service.bootstrap import build
from learning_service.demo import seed_demo

if __name__ == "__main__":
    sys.exit(main(build, extra_commands={"seed-demo": seed_demo}))
