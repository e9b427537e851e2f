"""Start services as real processes for cross-service tests, each on a free loopback port."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServiceProcess:
    """One service started with ``python -m <module>``; logs go to a file."""

    def __init__(self, name: str, module: str, env: dict[str, str], log_dir: Path, args: list[str]) -> None:
        self.name = name
        self.module = module
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None

    def run_command(self, command: str, timeout: float = 300) -> None:
        """Run a one-off command of the service (e.g. ``seed-demo``) and wait for it."""
        with self.log_path.open("ab") as log:
            subprocess.run(
                [sys.executable, "-m", self.module, command],
                cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, check=True, timeout=timeout,
            )

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, *self.args],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited: {self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise AssertionError(f"{self.name} not ready at {url}: {self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def service_env(prefix: str, data_dir: Path, port: int, topic_prefix: str, extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            f"{prefix}_DATA_DIR": str(data_dir),
            f"{prefix}_HTTP_PORT": str(port),
            f"{prefix}_TOPIC_PREFIX": topic_prefix,
            f"{prefix}_CONSUMER_GROUP": f"{topic_prefix}{prefix.lower()}",
            f"{prefix}_ENVIRONMENT": "test",
        }
    )
    env.update(extra)
    return env
