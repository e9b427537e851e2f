"""Run one part of a sample service in its own process (the crash tests kill it).

    python run_sample_part.py relay|consumer --settings-json '{...}'

A separate script, because running ``sample_service.py`` itself would load it
twice (as ``__main__`` and as ``sample_service``), and the relay's
``isinstance`` checks would then miss the stored events' classes.
"""

import argparse
import asyncio
import json
import sys

from sample_service import build_mirror, build_roster

from eventplatform.runtime import serve
from eventplatform.settings import ServiceSettings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=["relay", "consumer"])
    parser.add_argument("--settings-json", required=True)
    args = parser.parse_args()
    settings = ServiceSettings(**json.loads(args.settings_json))
    if args.part == "consumer":
        return asyncio.run(serve(build_mirror(settings), "consumers"))
    return asyncio.run(serve(build_roster(settings), "relay"))


if __name__ == "__main__":
    sys.exit(main())
