#!/usr/bin/env python3
"""Start or stop the whole platform on this machine, with demo data.

    python3 scripts/stack.py up [--detach]   # Kafka, every service, the portal
    python3 scripts/stack.py down            # stop everything this script started
    python3 scripts/stack.py status

`up` creates the virtual environment when it is missing, starts the local
Kafka broker (scripts/kafka.py), loads the demo data (each service's
`seed-demo` command), starts every service with `--role all` on its port
(SQLite files under var/<service>/ unless <SERVICE>_DATABASE_URL is set) and
waits until each responds to its health check. Without --detach it stays in the
foreground and Ctrl+C stops everything. Logs: var/stack/logs/<service>.log.
Standard library only, so it runs before the virtual environment exists.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
STACK_DIR = REPO / "var" / "stack"
LOG_DIR = STACK_DIR / "logs"
PID_DIR = STACK_DIR / "pids"
# Present when `up` started the Kafka broker, so `down` stops only a broker it owns.
KAFKA_OWNED_MARKER = STACK_DIR / "kafka-started-by-stack"


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    port: int
    health_path: str = "/healthz/ready"
    seeds_demo: bool = False


# Start order: identity first, because every other service verifies tokens
# with its key set; the portal last.
SERVICES = (
    Service("identity", "identity_service", 8001, seeds_demo=True),
    Service("enrollment", "enrollment_service", 8002, seeds_demo=True),
    Service("payment", "payment_service", 8003),
    Service("learning", "learning_service", 8004, seeds_demo=True),
    Service("assessment", "assessment_service", 8005),
    Service("credential", "credential_service", 8006),
    Service("banksim", "banksim", 8009, health_path="/healthz/live"),
    Service("portal", "portal_service", 8000, health_path="/healthz/live"),
)


def service_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ASSESSMENT_DEMO_BANKS", "true")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def ensure_venv() -> None:
    if VENV_PYTHON.exists():
        return
    print("stack: creating .venv (first run, a few minutes)", flush=True)
    subprocess.run([str(REPO / "scripts" / "bootstrap.sh")], check=True)


def run_checked(args: list[str], step: str) -> None:
    result = subprocess.run(args, cwd=REPO, env=service_environment())
    if result.returncode != 0:
        sys.exit(f"stack: {step} failed (exit {result.returncode}); see the output above")


def seed_demo_data() -> None:
    for service in SERVICES:
        if service.seeds_demo:
            print(f"stack: loading demo data of {service.name}", flush=True)
            run_checked([str(VENV_PYTHON), "-m", service.module, "seed-demo"], f"{service.name} seed-demo")


def start_service(service: Service) -> None:
    pid_file = PID_DIR / f"{service.name}.pid"
    if pid_file.exists() and _alive(int(pid_file.read_text())):
        print(f"stack: {service.name} already running", flush=True)
        return
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    PID_DIR.mkdir(parents=True, exist_ok=True)
    log = (LOG_DIR / f"{service.name}.log").open("ab")
    args = [str(VENV_PYTHON), "-m", service.module]
    if service.name not in ("banksim", "portal"):
        args += ["serve", "--role", "all"]
    process = subprocess.Popen(
        args, cwd=REPO, env=service_environment(), stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    pid_file.write_text(str(process.pid))


def wait_healthy(service: Service, timeout: float = 90.0) -> None:
    url = f"http://127.0.0.1:{service.port}{service.health_path}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        pid_file = PID_DIR / f"{service.name}.pid"
        if pid_file.exists() and not _alive(int(pid_file.read_text())):
            sys.exit(f"stack: {service.name} exited during start; see {LOG_DIR / (service.name + '.log')}")
        time.sleep(0.5)
    sys.exit(f"stack: {service.name} not healthy at {url} after {timeout:.0f}s; see its log in {LOG_DIR}")


def up(detach: bool) -> None:
    ensure_venv()
    kafka_script = str(REPO / "scripts" / "kafka.py")
    already_running = subprocess.run([sys.executable, kafka_script, "status"], cwd=REPO,
                                     capture_output=True).returncode == 0
    run_checked([sys.executable, kafka_script, "start"], "starting Kafka")
    if not already_running:
        STACK_DIR.mkdir(parents=True, exist_ok=True)
        KAFKA_OWNED_MARKER.touch()
    seed_demo_data()
    for service in SERVICES:
        start_service(service)
    for service in SERVICES:
        wait_healthy(service)
    print(
        "\nThe platform is running.\n"
        "  Portal:       http://127.0.0.1:8000/\n"
        "  Demo logins:  see services/identity/API.md (section 'Demo data')\n"
        "  Stop:         python3 scripts/stack.py down\n",
        flush=True,
    )
    if detach:
        return
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    down()


def down() -> None:
    for service in reversed(SERVICES):
        pid_file = PID_DIR / f"{service.name}.pid"
        if not pid_file.exists():
            continue
        _stop_group(int(pid_file.read_text()), service.name)
        pid_file.unlink()
    if KAFKA_OWNED_MARKER.exists():
        subprocess.run([sys.executable, str(REPO / "scripts" / "kafka.py"), "stop"], cwd=REPO)
        KAFKA_OWNED_MARKER.unlink()


def status() -> int:
    running = 0
    for service in SERVICES:
        pid_file = PID_DIR / f"{service.name}.pid"
        alive = pid_file.exists() and _alive(int(pid_file.read_text()))
        running += alive
        print(f"{service.name:12} {'running' if alive else 'stopped'}  port {service.port}")
    return 0 if running == len(SERVICES) else 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_group(pid: int, name: str, timeout: float = 20.0) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _group_alive(pid):
        time.sleep(0.2)
    if _group_alive(pid):
        print(f"stack: {name} did not stop within {timeout:.0f}s; killing it", flush=True)
        os.killpg(pid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # A zombie still counts for killpg; reap ours if it is our child.
    try:
        finished, _ = os.waitpid(pgid, os.WNOHANG)
        return finished == 0
    except ChildProcessError:
        return _not_zombie(pgid)


def _not_zombie(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--detach", action="store_true", help="with 'up': return once every service responds")
    args = parser.parse_args()
    if args.command == "up":
        up(args.detach)
        return 0
    if args.command == "down":
        down()
        return 0
    return status()


if __name__ == "__main__":
    sys.exit(main())
