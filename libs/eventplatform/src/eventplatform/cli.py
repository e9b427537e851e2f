"""Command line shared by every service's ``__main__``.

    python -m <service>_service [serve] [--role api|relay|consumers|all]
    python -m <service>_service rebuild-read-models
    python -m <service>_service redrive-dlq
    python -m <service>_service <extra command>   (e.g. seed-demo)
"""

import argparse
import asyncio
from collections.abc import Callable

from eventplatform.operations import rebuild_read_models, redrive_dead_letters
from eventplatform.runtime import ServiceDefinition, serve
from eventplatform.telemetry import setup_logging


ExtraCommand = Callable[[ServiceDefinition], int]


def main(
    build: Callable[[], ServiceDefinition],
    argv: list[str] | None = None,
    extra_commands: dict[str, ExtraCommand] | None = None,
) -> int:
    """Parse the command line and run the chosen command; return the exit code."""
    extra_commands = extra_commands or {}
    parser = argparse.ArgumentParser(description="Run or operate this service.")
    parser.add_argument("command", nargs="?", default="serve",
                        choices=["serve", "rebuild-read-models", "redrive-dlq", *extra_commands])
    parser.add_argument("--role", default="all", choices=["api", "relay", "consumers", "all"],
                        help="Which parts to run with 'serve' (default: all).")
    args = parser.parse_args(argv)

    definition = build()
    if args.command == "serve":
        return asyncio.run(serve(definition, args.role))

    setup_logging()
    definition.prepare()
    try:
        if args.command in extra_commands:
            return extra_commands[args.command](definition)
        if args.command == "rebuild-read-models":
            counts = asyncio.run(rebuild_read_models(definition))
            print(f"rebuilt: {counts['local_events']} local events, {counts['topic_records']} topic records")
        else:
            count = asyncio.run(redrive_dead_letters(definition))
            print(f"re-drove {count} dead letters")
    finally:
        definition.close()
    return 0


