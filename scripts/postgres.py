#!/usr/bin/env python3
"""Start, stop and check a throwaway local PostgreSQL server for tests.

The server is Debian's PostgreSQL (the newest major version under
/usr/lib/postgresql/*/bin). It listens on 127.0.0.1 only, on port 55432 by
default, and trusts every connection, so it is for tests, CI and the local
demo stack only. This script needs only the Python standard library, so it
runs before the virtual environment exists.

Usage:
    python3 scripts/postgres.py start  [--data-dir DIR] [--port 55432] [--timeout SECONDS]
    python3 scripts/postgres.py stop   [--data-dir DIR] [--timeout SECONDS]
    python3 scripts/postgres.py status [--data-dir DIR] [--port 55432]
    python3 scripts/postgres.py url    [--port 55432]

start   Install the server if it is missing (root only: apt-get install -y
        postgresql), create the cluster on first use, and start it. Returns
        when pg_isready succeeds over TCP. Does nothing when the cluster
        already runs and accepts connections on --port.
stop    Stop the cluster with `pg_ctl stop -m fast`. Exits 0 when it was not
        running.
status  Print whether the cluster runs and accepts connections (exit 0 only
        then).
url     Print the SQLAlchemy URL of the server, for example
        postgresql+psycopg://postgres@127.0.0.1:55432/postgres

Cluster location: DIR (default var/postgres in the repository) contains
    data/        the PostgreSQL data directory (PGDATA)
    run/         the Unix socket directory
    server.log   the server log
PostgreSQL refuses to run as root. When this script runs as root, it runs
initdb, pg_ctl and the server as the `postgres` system user (created if
missing) through `runuser`, and DIR is owned by that user. That user must be
able to reach DIR: if it cannot (for example, a clone under /root, which is
mode 0700) or if the socket path would exceed the Unix limit of 107 bytes,
the cluster lives in /tmp/education-postgres-<uid>-<hash of DIR> instead,
and DIR becomes a symlink to it. A cluster under /tmp is lost on reboot;
`start` then creates a new, empty one.

Example:
    python3 scripts/postgres.py start
    psql "$(python3 scripts/postgres.py url | sed 's/+psycopg//')" -c 'select 1'
    python3 scripts/postgres.py stop
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import logging
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "var" / "postgres"
DEFAULT_PORT = 55432
SERVER_USER = "postgres"
SUPERUSER = "postgres"
DEBIAN_SERVER_ROOT = Path("/usr/lib/postgresql")
REQUIRED_PROGRAMS = ("initdb", "pg_ctl", "postgres", "pg_isready")
# sun_path has room for 108 bytes, including the terminating NUL.
MAX_SOCKET_PATH_BYTES = 107
APT_TIMEOUT_SECONDS = 1800
LOG_TAIL_LINES = 30

log = logging.getLogger("postgres.py")


class PostgresScriptError(Exception):
    """Failure that ends the command with a message and exit status 1."""


def is_root() -> bool:
    return os.geteuid() == 0


# ---------------------------------------------------------------------------
# Server binaries and the server user


def server_bin_dirs() -> dict[int, Path]:
    """Return {major version: bin dir} of every complete Debian server install."""
    found = {}
    for bin_dir in DEBIAN_SERVER_ROOT.glob("*/bin"):
        version = bin_dir.parent.name
        if version.isdigit() and all((bin_dir / name).is_file() for name in REQUIRED_PROGRAMS):
            found[int(version)] = bin_dir
    return found


def install_server() -> None:
    """Install Debian's postgresql package, retrying once after `apt-get update`."""
    if not is_root():
        raise PostgresScriptError(
            f"PostgreSQL server binaries not found in {DEBIAN_SERVER_ROOT}/*/bin. "
            f"Install them (Debian: sudo apt-get install -y postgresql) or run this script as root"
        )

    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # Wait for the dpkg lock instead of failing while another apt-get runs.
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "postgresql"]
    update = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "update"]

    def run_apt(command: list[str]) -> subprocess.CompletedProcess:
        log.info("running %s", " ".join(command))
        try:
            return subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                env=environment,
                timeout=APT_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired as error:
            raise PostgresScriptError(
                f"{' '.join(command)} did not finish within {APT_TIMEOUT_SECONDS} s"
            ) from error

    result = run_apt(install)
    if result.returncode != 0:
        log.warning(
            "apt-get install failed (exit %d); updating the package lists and trying again",
            result.returncode,
        )
        run_apt(update)
        result = run_apt(install)
    if result.returncode != 0:
        output = "\n".join((result.stdout + result.stderr).strip().splitlines()[-LOG_TAIL_LINES:])
        raise PostgresScriptError(
            f"apt-get install -y postgresql failed (exit {result.returncode}):\n{output}"
        )


def select_bin_dir(cluster: Cluster | None, install: bool = False) -> Path:
    """Return the bin dir matching an existing cluster's major version, else the newest one.

    With install=True, missing binaries are installed first (root only).
    """
    dirs = server_bin_dirs()
    if not dirs and not install:
        raise PostgresScriptError(
            f"PostgreSQL server binaries not found in {DEBIAN_SERVER_ROOT}/*/bin"
        )
    if not dirs:
        install_server()
        dirs = server_bin_dirs()
        if not dirs:
            raise PostgresScriptError(
                f"postgresql was installed, but {DEBIAN_SERVER_ROOT}/*/bin is still missing"
            )

    existing = cluster.major_version() if cluster else None
    if existing is None:
        return dirs[max(dirs)]
    if existing in dirs:
        return dirs[existing]
    raise PostgresScriptError(
        f"the cluster in {cluster.data} was created by PostgreSQL {existing}, "
        f"which is not installed (installed: {sorted(dirs)}). It is a throwaway test "
        f"cluster: delete {cluster.root} and run start again"
    )


def ensure_server_user() -> pwd.struct_passwd:
    """Return the postgres system user, creating it when missing (root only)."""
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        pass
    log.info("creating the system user %s", SERVER_USER)
    command = [
        "useradd",
        "--system",
        "--user-group",
        "--no-create-home",
        "--home-dir",
        "/var/lib/postgresql",
        "--shell",
        "/usr/sbin/nologin",
        SERVER_USER,
    ]
    result = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        raise PostgresScriptError(f"useradd {SERVER_USER} failed: {result.stderr.strip()}")
    return pwd.getpwnam(SERVER_USER)


def as_server_user(command: list[str]) -> list[str]:
    """Prefix command with runuser when we are root, because PostgreSQL rejects root."""
    if not is_root():
        return command
    runuser = shutil.which("runuser")
    if not runuser:
        raise PostgresScriptError(
            "runuser not found; it is part of util-linux (apt-get install -y util-linux)"
        )
    return [runuser, "-u", SERVER_USER, "--", *command]


def run_tool(command: list[str], timeout: float, cwd: Path | None = None) -> tuple[int, str]:
    """Run a PostgreSQL tool as the server user and return (exit status, combined output).

    Output goes through a temporary file, not a pipe, so that a server
    process that inherits it cannot keep this call waiting.
    """
    with tempfile.TemporaryFile() as output:
        try:
            returncode = subprocess.run(
                as_server_user(command),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                # The server user may be unable to read the caller's working directory.
                cwd=cwd or "/",
                timeout=timeout,
            ).returncode
        except subprocess.TimeoutExpired as error:
            raise PostgresScriptError(
                f"{command[0]} did not finish within {timeout:.0f} s"
            ) from error
        output.seek(0)
        return returncode, output.read().decode("utf-8", errors="replace").strip()


# ---------------------------------------------------------------------------
# Cluster location


class Cluster:
    """Directories of one test cluster."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.socket_dir = root / "run"
        self.server_log = root / "server.log"
        self.config = self.data / "local-test.conf"

    def major_version(self) -> int | None:
        try:
            return int((self.data / "PG_VERSION").read_text(encoding="ascii").strip())
        except (FileNotFoundError, ValueError):
            return None

    def is_initialized(self) -> bool:
        return self.major_version() is not None

    def running_port(self) -> int | None:
        """Return the port from postmaster.pid (line 4), if the file exists."""
        try:
            lines = (self.data / "postmaster.pid").read_text(encoding="utf-8").splitlines()
            return int(lines[3])
        except (FileNotFoundError, IndexError, ValueError):
            return None


def fallback_root(requested: Path) -> Path:
    digest = hashlib.sha256(str(requested).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"education-postgres-{os.geteuid()}-{digest}"


def socket_path_fits(root: Path, port: int) -> bool:
    socket_path = Cluster(root).socket_dir / f".s.PGSQL.{port}"
    return len(os.fsencode(str(socket_path))) <= MAX_SOCKET_PATH_BYTES


def server_user_can_reach(directory: Path) -> bool:
    """Check that the server user may search directory and every directory above it."""
    if not is_root():
        return os.access(directory, os.X_OK)
    returncode, _ = run_tool(["test", "-x", str(directory)], timeout=30)
    return returncode == 0


def choose_cluster_root(requested: Path, port: int) -> Path:
    """Return the directory to create the cluster in: requested, or the /tmp fallback."""
    candidate = Path(os.path.realpath(requested))
    candidate.parent.mkdir(parents=True, exist_ok=True)
    if not socket_path_fits(candidate, port):
        reason = f"its socket path would exceed {MAX_SOCKET_PATH_BYTES} bytes"
    elif not server_user_can_reach(candidate.parent):
        reason = f"the {SERVER_USER} user cannot reach {candidate.parent}"
    else:
        return candidate

    fallback = fallback_root(requested)
    if not socket_path_fits(fallback, port):
        raise PostgresScriptError(
            f"the socket path under {fallback} is longer than {MAX_SOCKET_PATH_BYTES} bytes"
        )
    if not requested.exists() and not requested.is_symlink():
        requested.symlink_to(fallback, target_is_directory=True)
    log.info("not using %s because %s; the cluster goes to %s", requested, reason, fallback)
    return fallback


def find_existing_cluster(requested: Path) -> Cluster | None:
    """Return the initialized cluster for requested, at its own path or the fallback."""
    for root in (Path(os.path.realpath(requested)), fallback_root(requested)):
        cluster = Cluster(root)
        if cluster.is_initialized():
            return cluster
    return None


def prepare_root(root: Path) -> None:
    """Create root with mode 0700, owned by the server user."""
    root.mkdir(mode=0o700, exist_ok=True)
    if not is_root():
        return
    server = ensure_server_user()
    owner = root.stat().st_uid
    if owner not in (0, server.pw_uid):
        raise PostgresScriptError(
            f"{root} belongs to uid {owner}, not to {SERVER_USER}; remove it or choose --data-dir"
        )
    os.chown(root, server.pw_uid, server.pw_gid)
    os.chmod(root, 0o700)


def write_server_file(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    if is_root():
        server = pwd.getpwnam(SERVER_USER)
        os.chown(path, server.pw_uid, server.pw_gid)
    os.chmod(path, 0o600)


@contextmanager
def exclusive_lock(requested: Path) -> Iterator[None]:
    """Serialize start and stop calls for one --data-dir."""
    requested.parent.mkdir(parents=True, exist_ok=True)
    with open(requested.with_name(requested.name + ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_log_tail(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[-LOG_TAIL_LINES:]
    except (FileNotFoundError, PermissionError) as error:
        return f"(cannot read {path}: {error})"
    return "\n".join(lines) if lines else f"({path} is empty)"


# ---------------------------------------------------------------------------
# Cluster creation and configuration


def initialize_cluster(bin_dir: Path, cluster: Cluster) -> None:
    if cluster.data.exists():
        # A failed initdb can leave files behind, and initdb needs an empty dir.
        shutil.rmtree(cluster.data)
    log.info("creating a PostgreSQL %s cluster in %s", bin_dir.parent.name, cluster.data)
    returncode, output = run_tool(
        [
            str(bin_dir / "initdb"),
            "--pgdata",
            str(cluster.data),
            "--username",
            SUPERUSER,
            # Trust is acceptable only because this throwaway test server
            # listens on 127.0.0.1 and its own socket dir, and contains only test data.
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
            "--no-instructions",
        ],
        timeout=300,
        cwd=cluster.root,
    )
    if returncode != 0:
        raise PostgresScriptError(f"initdb failed (exit {returncode}):\n{output}")
    with open(cluster.data / "postgresql.conf", "a", encoding="utf-8") as config:
        config.write(
            "\n# Test server settings, rewritten by scripts/postgres.py on each start.\n"
            f"include '{cluster.config.name}'\n"
        )


def write_configuration(cluster: Cluster, port: int) -> None:
    cluster.socket_dir.mkdir(mode=0o700, exist_ok=True)
    if is_root():
        server = pwd.getpwnam(SERVER_USER)
        os.chown(cluster.socket_dir, server.pw_uid, server.pw_gid)

    write_server_file(
        cluster.config,
        "\n".join(
            [
                "# Written by scripts/postgres.py on every start; edits here are lost.",
                "listen_addresses = '127.0.0.1'",
                f"port = {port}",
                f"unix_socket_directories = '{cluster.socket_dir}'",
                # Estimate, not measured: seven services with a connection pool each,
                # plus the tests, may need more than the default of 100.
                "max_connections = 200",
                "",
                "# Test speed over durability: a crash of the machine may lose or",
                "# corrupt this cluster, which contains only throwaway test data.",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "",
            ]
        ),
    )
    write_server_file(
        cluster.data / "pg_hba.conf",
        "\n".join(
            [
                "# Written by scripts/postgres.py on every start; edits here are lost.",
                "# Throwaway test server: every local and loopback connection is trusted.",
                "# TYPE  DATABASE  USER  ADDRESS       METHOD",
                "local   all       all                 trust",
                "host    all       all   127.0.0.1/32  trust",
                "",
            ]
        ),
    )


# ---------------------------------------------------------------------------
# Server state


def server_running(bin_dir: Path, cluster: Cluster) -> bool:
    # pg_ctl status exits 0 when a server runs, 3 when none runs, 4 without a data dir.
    returncode, _ = run_tool(
        [str(bin_dir / "pg_ctl"), "status", "--pgdata", str(cluster.data)], timeout=30
    )
    return returncode == 0


def accepts_connections(bin_dir: Path, port: int) -> bool:
    result = subprocess.run(
        [
            str(bin_dir / "pg_isready"),
            "--quiet",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--username",
            SUPERUSER,
            "--dbname",
            "postgres",
            "--timeout",
            "2",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
    )
    return result.returncode == 0


def wait_until_ready(bin_dir: Path, cluster: Cluster, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if accepts_connections(bin_dir, port):
            return
        if not server_running(bin_dir, cluster):
            raise PostgresScriptError(
                f"PostgreSQL exited during startup.\n--- last lines of {cluster.server_log} ---\n"
                f"{read_log_tail(cluster.server_log)}"
            )
        time.sleep(0.3)
    raise PostgresScriptError(
        f"timed out after {timeout:.0f} s waiting for pg_isready on 127.0.0.1:{port}.\n"
        f"--- last lines of {cluster.server_log} ---\n{read_log_tail(cluster.server_log)}"
    )


def database_url(port: int) -> str:
    return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres"


# ---------------------------------------------------------------------------
# Commands


def command_start(args: argparse.Namespace) -> int:
    with exclusive_lock(args.data_dir):
        existing = find_existing_cluster(args.data_dir)
        bin_dir = select_bin_dir(existing, install=True)
        if is_root():
            ensure_server_user()

        cluster = existing or Cluster(choose_cluster_root(args.data_dir, args.port))
        if server_running(bin_dir, cluster):
            port = cluster.running_port()
            if port != args.port:
                raise PostgresScriptError(
                    f"the cluster in {cluster.data} already runs on port {port}, "
                    f"not {args.port}; stop it first"
                )
            wait_until_ready(bin_dir, cluster, port, args.timeout)
            log.info("PostgreSQL already running on 127.0.0.1:%d (%s)", port, cluster.data)
            return 0

        prepare_root(cluster.root)
        if not cluster.is_initialized():
            initialize_cluster(bin_dir, cluster)
        write_configuration(cluster, args.port)

        log.info(
            "starting PostgreSQL %s on 127.0.0.1:%d (%s)",
            bin_dir.parent.name,
            args.port,
            cluster.data,
        )
        started = time.monotonic()
        returncode, output = run_tool(
            [
                str(bin_dir / "pg_ctl"),
                "start",
                "--pgdata",
                str(cluster.data),
                "--log",
                str(cluster.server_log),
                "--wait",
                "--timeout",
                str(int(args.timeout)),
                "--silent",
            ],
            timeout=args.timeout + 30,
            cwd=cluster.root,
        )
        if returncode != 0:
            raise PostgresScriptError(
                f"pg_ctl start failed (exit {returncode}): {output}\n"
                f"--- last lines of {cluster.server_log} ---\n{read_log_tail(cluster.server_log)}"
            )
        wait_until_ready(bin_dir, cluster, args.port, args.timeout)
        log.info(
            "PostgreSQL ready after %.1f s: %s", time.monotonic() - started, database_url(args.port)
        )
        return 0


def command_stop(args: argparse.Namespace) -> int:
    with exclusive_lock(args.data_dir):
        cluster = find_existing_cluster(args.data_dir)
        if cluster is None:
            log.info("PostgreSQL is not running (no cluster for %s)", args.data_dir)
            return 0
        bin_dir = select_bin_dir(cluster)
        if not server_running(bin_dir, cluster):
            log.info("PostgreSQL is not running (%s)", cluster.data)
            return 0

        log.info("stopping PostgreSQL (%s)", cluster.data)
        returncode, output = run_tool(
            [
                str(bin_dir / "pg_ctl"),
                "stop",
                "--pgdata",
                str(cluster.data),
                "--mode",
                "fast",
                "--wait",
                "--timeout",
                str(int(args.timeout)),
                "--silent",
            ],
            timeout=args.timeout + 30,
            cwd=cluster.root,
        )
        if returncode != 0:
            raise PostgresScriptError(f"pg_ctl stop failed (exit {returncode}): {output}")
        log.info("PostgreSQL stopped")
        return 0


def command_status(args: argparse.Namespace) -> int:
    cluster = find_existing_cluster(args.data_dir)
    if cluster is None:
        print(f"not initialized: no cluster for {args.data_dir}")
        return 1
    bin_dir = select_bin_dir(cluster)
    if not server_running(bin_dir, cluster):
        print(f"not running ({cluster.data})")
        return 1
    port = cluster.running_port() or args.port
    if not accepts_connections(bin_dir, port):
        print(f"running but not accepting connections on 127.0.0.1:{port} ({cluster.data})")
        return 1
    print(f"running: {database_url(port)} ({cluster.data})")
    return 0


def command_url(args: argparse.Namespace) -> int:
    print(database_url(args.port))
    return 0


def port_number(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value}: expected 1-65535")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Run a throwaway local PostgreSQL server for tests on 127.0.0.1.",
        epilog="See the docstring at the top of scripts/postgres.py for details.",
    )
    subcommands = parser.add_subparsers(dest="command", required=True)

    def add_data_dir(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--data-dir",
            type=lambda text: Path(text).absolute(),
            default=DEFAULT_DATA_DIR,
            help=f"cluster directory (default {DEFAULT_DATA_DIR})",
        )

    def add_port(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--port",
            type=port_number,
            default=DEFAULT_PORT,
            help=f"TCP port (default {DEFAULT_PORT})",
        )

    start = subcommands.add_parser(
        "start", help="start the server and wait until it accepts connections"
    )
    add_data_dir(start)
    add_port(start)
    start.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for the server (default 60)"
    )
    start.set_defaults(handler=command_start)

    stop = subcommands.add_parser("stop", help="stop the server (pg_ctl stop -m fast)")
    add_data_dir(stop)
    stop.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for the shutdown (default 60)"
    )
    stop.set_defaults(handler=command_stop)

    status = subcommands.add_parser(
        "status", help="report whether the server runs and accepts connections"
    )
    add_data_dir(status)
    add_port(status)
    status.set_defaults(handler=command_status)

    url = subcommands.add_parser("url", help="print the SQLAlchemy URL of the server")
    add_port(url)
    url.set_defaults(handler=command_url)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="postgres.py: %(message)s", stream=sys.stderr)
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except PostgresScriptError as error:
        log.error("%s", error)
        return 1
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
