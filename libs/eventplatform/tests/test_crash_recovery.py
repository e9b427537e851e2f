"""SIGKILL the relay and the consumer at random moments: nothing is lost or applied twice."""

import asyncio
import json
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sample_service import build_mirror, build_roster, mirrored_rows

from eventplatform.testing import eventually

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]

SCRIPT = Path(__file__).with_name("run_sample_part.py")
EVENT_COUNT = 300


class Part:
    """One sample-service process that can be killed and restarted."""

    def __init__(self, part: str, settings_json: str, log_path: Path) -> None:
        self.command = [sys.executable, str(SCRIPT), part, "--settings-json", settings_json]
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


async def test_sigkill_at_random_moments_loses_and_duplicates_nothing(make_settings, tmp_path):
    roster_settings = make_settings("roster", relay_batch_size=7)
    mirror_settings = make_settings("mirror")
    roster = build_roster(roster_settings)
    mirror = build_mirror(mirror_settings)
    roster.prepare()
    mirror.prepare()
    relay = Part("relay", json.dumps(roster_settings.model_dump(mode="json")), tmp_path / "relay.log")
    consumer = Part("consumer", json.dumps(mirror_settings.model_dump(mode="json")), tmp_path / "consumer.log")
    chaos = random.Random(20261204)

    relay.start()
    consumer.start()
    try:
        for round_number in range(6):
            for n in range(EVENT_COUNT // 6):
                await asyncio.to_thread(roster.application.register, f"学员{round_number}-{n}")
            await asyncio.sleep(chaos.uniform(1.0, 5.0))
            victim = chaos.choice([relay, consumer])
            victim.kill()
            await asyncio.sleep(chaos.uniform(0.0, 0.5))
            victim.start()

        rows = await eventually(
            lambda: len(mirrored_rows(mirror.database)) >= EVENT_COUNT and mirrored_rows(mirror.database),
            timeout=120,
        )
    finally:
        relay.stop()
        consumer.stop()
        roster.close()

    assert relay.kills + consumer.kills == 6
    assert len(rows) == EVENT_COUNT
    assert [row for row in rows if row[2] != 1] == []
    mirror.close()
