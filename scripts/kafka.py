#!/usr/bin/env python3
"""Start, stop and check a local one-node Apache Kafka broker (KRaft mode).

The broker is the real Apache Kafka server (version pinned in
scripts/kafka/pom.xml), run from jars that Maven copies into var/kafka/lib.
It listens on 127.0.0.1 only. Tests, CI and the local demo stack use it.
This script needs only the Python standard library, so it runs before the
virtual environment exists.

Requirements: Java 17 or newer (`java` on PATH, or JAVA_HOME) and, until the
jars are cached, Maven 3 (`mvn` on PATH) with access to Maven Central.

Usage:
    python3 scripts/kafka.py start [--data-dir DIR] [--port 9092]
                                   [--controller-port 9093] [--foreground]
                                   [--timeout SECONDS]
    python3 scripts/kafka.py wait   [--data-dir DIR] [--port 9092] [--timeout SECONDS]
    python3 scripts/kafka.py status [--data-dir DIR] [--port 9092]
    python3 scripts/kafka.py stop   [--data-dir DIR] [--timeout SECONDS]

start   Resolve the classpath (once per change of pom.xml), write
        server.properties, format the storage (once), start the broker in
        its own process group and wait until it responds to Kafka requests.
        Does nothing when the broker of this data dir already runs and
        responds. With --foreground the broker replaces this process and logs
        warnings to the terminal; stop it with Ctrl+C.
wait    Wait until a broker responds on --port (exit 1 on timeout).
status  Print whether the broker runs and responds (exit 0 only if it responds).
stop    Send SIGTERM to the broker's process group, then SIGKILL after
        --timeout seconds. Exits 0 when no broker was running.

Files (default data dir var/kafka, relative to the repository root):
    var/kafka/lib/             jars of the broker (shared by every data dir)
    DIR/server.properties      broker configuration, rewritten on each start
    DIR/kraft-logs/            topic partitions and cluster metadata
    DIR/logs/server.log        broker log (see scripts/kafka/log4j2.xml)
    DIR/kafka.out              stdout and stderr of the Java process
    DIR/kafka.pid              process id of the running broker

Example:
    python3 scripts/kafka.py start && python3 scripts/kafka.py status
    python3 scripts/kafka.py stop
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import hashlib
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
POM_DIR = REPO_ROOT / "scripts" / "kafka"
POM_FILE = POM_DIR / "pom.xml"
LOG4J_CONFIG = POM_DIR / "log4j2.xml"
LIB_DIR = REPO_ROOT / "var" / "kafka" / "lib"
LIB_MARKER = LIB_DIR / ".complete"
LIB_LOCK = LIB_DIR.parent / "lib.lock"
DEFAULT_DATA_DIR = REPO_ROOT / "var" / "kafka"

NODE_ID = 1
MIN_JAVA_MAJOR = 17  # Kafka 4.x brokers require Java 17.
MAVEN_TIMEOUT_SECONDS = 900
LOG_TAIL_LINES = 20
LOG_TAIL_LINE_CHARS = 400

log = logging.getLogger("kafka.py")


class KafkaScriptError(Exception):
    """Failure that ends the command with a message and exit status 1."""


# ---------------------------------------------------------------------------
# Paths of one data dir


class BrokerPaths:
    """Files that belong to the broker of one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.config = data_dir / "server.properties"
        self.log_dirs = data_dir / "kraft-logs"
        self.meta_properties = self.log_dirs / "meta.properties"
        self.logs = data_dir / "logs"
        self.server_log = self.logs / "server.log"
        self.stdout_log = data_dir / "kafka.out"
        self.pid_file = data_dir / "kafka.pid"
        self.lock_file = data_dir / ".lock"


@contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive flock on lock_path, so that concurrent callers run one at a time."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    # Kafka logs whole partition lists on one line, so long lines are cut.
    tail = [line[:LOG_TAIL_LINE_CHARS] for line in text.splitlines()[-lines:]]
    return "\n".join(tail) if tail else f"({path} is empty)"


def log_tails(paths: BrokerPaths) -> str:
    return (
        f"--- last lines of {paths.stdout_log} ---\n{read_log_tail(paths.stdout_log)}\n"
        f"--- last lines of {paths.server_log} ---\n{read_log_tail(paths.server_log)}"
    )


# ---------------------------------------------------------------------------
# Tools: java and mvn


def find_java() -> str:
    """Return the java executable (JAVA_HOME first, then PATH) after checking its version."""
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    if candidate is not None and os.access(candidate, os.X_OK):
        java = str(candidate)
    else:
        java = shutil.which("java") or ""
    if not java:
        raise KafkaScriptError(
            f"java not found (checked JAVA_HOME and PATH). Kafka needs Java "
            f"{MIN_JAVA_MAJOR} or newer; on Debian: apt-get install -y openjdk-17-jre-headless"
        )

    try:
        result = subprocess.run(
            [java, "-version"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise KafkaScriptError(f"running '{java} -version' failed: {error}") from error

    # `java -version` prints e.g. 'openjdk version "17.0.15" 2025-04-15' to stderr.
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr)
    if match is None:
        raise KafkaScriptError(f"cannot read the Java version from: {result.stderr.strip()!r}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # Java 8 and older report "1.8".
        major = int(match.group(2))
    if major < MIN_JAVA_MAJOR:
        raise KafkaScriptError(
            f"{java} is Java {major}, but Kafka needs Java {MIN_JAVA_MAJOR} or newer; "
            f"set JAVA_HOME to a newer JDK or install openjdk-17-jre-headless"
        )
    return java


def find_maven() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise KafkaScriptError(
            f"mvn not found on PATH, and the Kafka jars are not cached in {LIB_DIR}. "
            f"Install Maven 3 (Debian: apt-get install -y maven) and run this again"
        )
    return mvn


def pom_digest() -> str:
    """Hash of the inputs that decide the contents of the lib dir."""
    return hashlib.sha256(POM_FILE.read_bytes()).hexdigest()


def ensure_classpath() -> None:
    """Copy the broker jars into LIB_DIR unless the marker file shows that they match pom.xml.

    Maven copies into a fresh sibling directory, which replaces LIB_DIR only
    after the copy succeeded, so an interrupted run never leaves a half
    filled lib dir behind a valid marker.
    """
    expected = pom_digest()
    if LIB_MARKER.is_file() and LIB_MARKER.read_text(encoding="utf-8").strip() == expected:
        return
    # Brokers of other data dirs share LIB_DIR, so only one caller may resolve it.
    with exclusive_lock(LIB_LOCK):
        if LIB_MARKER.is_file() and LIB_MARKER.read_text(encoding="utf-8").strip() == expected:
            return
        resolve_classpath(expected)


def resolve_classpath(expected: str) -> None:
    mvn = find_maven()
    LIB_DIR.parent.mkdir(parents=True, exist_ok=True)
    staging = LIB_DIR.parent / "lib.partial"
    shutil.rmtree(staging, ignore_errors=True)

    log.info(
        "resolving the Kafka classpath with Maven "
        "(about 45 jars, downloaded into ~/.m2 on the first run)"
    )
    started = time.monotonic()
    command = [
        mvn,
        "-q",
        "-B",
        "-f",
        str(POM_FILE),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}",
    ]
    try:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=MAVEN_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as error:
        raise KafkaScriptError(
            f"Maven did not finish within {MAVEN_TIMEOUT_SECONDS} s; check access to Maven Central"
        ) from error
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()[-LOG_TAIL_LINES:]
        raise KafkaScriptError(
            f"Maven failed (exit {result.returncode}): {' '.join(command)}\n" + "\n".join(output)
        )
    if not any(staging.glob("kafka_2.13-*.jar")):
        raise KafkaScriptError(f"Maven succeeded but {staging} contains no kafka_2.13 jar")

    shutil.rmtree(LIB_DIR, ignore_errors=True)
    staging.rename(LIB_DIR)
    LIB_MARKER.write_text(expected + "\n", encoding="utf-8")
    log.info("Kafka classpath ready in %s (%.1f s)", LIB_DIR, time.monotonic() - started)


def kafka_version() -> str:
    jars = sorted(LIB_DIR.glob("kafka_2.13-*.jar"))
    return jars[0].name[len("kafka_2.13-") : -len(".jar")] if jars else "unknown"


def jvm_command(java: str, paths: BrokerPaths, main_class: str) -> list[str]:
    return [
        java,
        "-Xms256m",
        "-Xmx512m",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
        f"-Dkafka.logs.dir={paths.logs}",
        # Java expands a trailing "*" in a classpath entry to every jar in that dir.
        "-cp",
        str(LIB_DIR / "*"),
        main_class,
    ]


# ---------------------------------------------------------------------------
# Broker configuration and storage


def render_server_properties(paths: BrokerPaths, port: int, controller_port: int) -> str:
    settings = [
        "# Written by scripts/kafka.py on every start; edits here are lost.",
        "# One process is both the KRaft controller and the broker.",
        "process.roles=broker,controller",
        f"node.id={NODE_ID}",
        f"controller.quorum.voters={NODE_ID}@127.0.0.1:{controller_port}",
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        f"log.dirs={paths.log_dirs}",
        "",
        "# One node, so every internal topic has one replica.",
        "default.replication.factor=1",
        "min.insync.replicas=1",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "",
        "# Tests create topics by producing to them and want consumer groups to",
        "# start at once instead of after the default 3 s rebalance delay.",
        "auto.create.topics.enable=true",
        "num.partitions=3",
        "group.initial.rebalance.delay.ms=0",
        "",
        "# The log cleaner allocates this buffer on the heap at startup. The",
        "# default of 128 MiB would take a quarter of the 512 MiB heap used here.",
        "log.cleaner.dedupe.buffer.size=16777216",
    ]
    return "\n".join(settings) + "\n"


def generate_cluster_id() -> str:
    """Return a random Kafka cluster id: 16 bytes, base64url without padding (22 chars).

    Kafka's own Uuid.randomUuid() skips ids that start with "-" so that they
    cannot be taken for a command-line option; this does the same.
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode("ascii")
        if not cluster_id.startswith("-"):
            return cluster_id


def format_storage(java: str, paths: BrokerPaths) -> None:
    """Format the KRaft log dir unless an earlier start already formatted it."""
    if paths.meta_properties.is_file():
        return
    cluster_id = generate_cluster_id()
    log.info("formatting %s with cluster id %s", paths.log_dirs, cluster_id)
    command = jvm_command(java, paths, "kafka.tools.StorageTool") + [
        "format",
        "-t",
        cluster_id,
        "-c",
        str(paths.config),
    ]
    try:
        result = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
        )
    except subprocess.TimeoutExpired as error:
        raise KafkaScriptError(
            "kafka.tools.StorageTool format did not finish within 120 s"
        ) from error
    if result.returncode != 0:
        raise KafkaScriptError(
            f"formatting the Kafka storage failed (exit {result.returncode}):\n"
            f"{(result.stdout + result.stderr).strip()}"
        )


# ---------------------------------------------------------------------------
# Readiness check over the Kafka wire protocol
#
# The check speaks the Kafka protocol over a plain socket because a Java
# client (AdminClient, kafka-broker-api-versions) would add seconds of JVM
# startup to every poll, and a Python client library is not installed when
# this script runs. It sends two small requests that every Kafka 4.x broker
# serves in their non-flexible (fixed-layout) versions:
#   1. ApiVersions v0 (api key 18). A KRaft broker starts handling requests
#      only after it has caught up with the metadata log and was unfenced, so
#      a valid response means the broker is serving clients. If a future
#      broker dropped v0, it would still respond with UNSUPPORTED_VERSION in
#      the v0 layout, which this check reports as not ready.
#   2. Metadata (api key 3) at the highest version from 1 to 8 that the
#      broker supports. The response must list this broker on the port we
#      asked for, which is what a client needs to bootstrap.

API_KEY_METADATA = 3
API_KEY_API_VERSIONS = 18
METADATA_MAX_NON_FLEXIBLE_VERSION = 8
CLIENT_ID = b"kafka.py-readiness"


class ProtocolError(Exception):
    """Response from the peer that is not the expected Kafka response."""


def receive_exact(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ProtocolError("connection closed by the peer")
        chunks.extend(chunk)
    return bytes(chunks)


def send_request(
    sock: socket.socket, api_key: int, api_version: int, correlation_id: int, body: bytes
) -> bytes:
    """Send one request with header v1 and return the response body after header v0."""
    header = struct.pack(">hhih", api_key, api_version, correlation_id, len(CLIENT_ID)) + CLIENT_ID
    message = header + body
    sock.sendall(struct.pack(">i", len(message)) + message)

    (size,) = struct.unpack(">i", receive_exact(sock, 4))
    if size < 4 or size > 16 * 1024 * 1024:
        raise ProtocolError(f"implausible response size {size}")
    response = receive_exact(sock, size)
    (received_id,) = struct.unpack_from(">i", response, 0)
    if received_id != correlation_id:
        raise ProtocolError(f"correlation id {received_id} != {correlation_id}")
    return response[4:]


class Reader:
    """Sequential decoder of Kafka's fixed-layout primitive types."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def unpack(self, fmt: str) -> tuple:
        try:
            values = struct.unpack_from(fmt, self.data, self.offset)
        except struct.error as error:
            raise ProtocolError(f"truncated response: {error}") from error
        self.offset += struct.calcsize(fmt)
        return values

    def int16(self) -> int:
        return self.unpack(">h")[0]

    def int32(self) -> int:
        return self.unpack(">i")[0]

    def nullable_string(self) -> str | None:
        length = self.int16()
        if length < 0:
            return None
        raw = self.data[self.offset : self.offset + length]
        if len(raw) != length:
            raise ProtocolError("truncated string in response")
        self.offset += length
        return raw.decode("utf-8", errors="replace")


def request_api_versions(sock: socket.socket) -> dict[int, tuple[int, int]]:
    """Return {api_key: (min_version, max_version)} from an ApiVersions v0 response."""
    reader = Reader(send_request(sock, API_KEY_API_VERSIONS, 0, 1, b""))
    error_code = reader.int16()
    if error_code != 0:
        raise ProtocolError(f"ApiVersions returned error code {error_code}")
    versions = {}
    for _ in range(reader.int32()):
        api_key, min_version, max_version = reader.unpack(">hhh")
        versions[api_key] = (min_version, max_version)
    return versions


def request_broker_ports(
    sock: socket.socket, version: int
) -> tuple[list[tuple[int, str, int]], int]:
    """Send a Metadata request for no topics and return ([(node_id, host, port)], controller_id)."""
    body = struct.pack(">i", 0)  # topics: empty array, so no topic is listed or created
    if version >= 4:
        body += b"\x00"  # allow_auto_topic_creation = false
    if version >= 8:
        body += b"\x00\x00"  # include cluster / topic authorized operations = false
    reader = Reader(send_request(sock, API_KEY_METADATA, version, 2, body))

    if version >= 3:
        reader.int32()  # throttle_time_ms
    brokers = []
    for _ in range(reader.int32()):
        node_id = reader.int32()
        host = reader.nullable_string() or ""
        port = reader.int32()
        reader.nullable_string()  # rack
        brokers.append((node_id, host, port))
    if version >= 2:
        reader.nullable_string()  # cluster_id
    controller_id = reader.int32()
    return brokers, controller_id


def probe_broker(port: int, timeout: float = 3.0) -> str | None:
    """Return None when a Kafka broker serves clients on 127.0.0.1:port, else the reason."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            versions = request_api_versions(sock)
            for required in (0, 1, API_KEY_METADATA):  # Produce, Fetch, Metadata
                if required not in versions:
                    return f"ApiVersions response lacks api key {required}"

            min_version, max_version = versions[API_KEY_METADATA]
            version = min(max_version, METADATA_MAX_NON_FLEXIBLE_VERSION)
            if version < max(min_version, 1):
                # NOTE: a broker that only serves flexible Metadata versions (9+)
                # is accepted on the ApiVersions response alone.
                return None
            brokers, controller_id = request_broker_ports(sock, version)
    except OSError as error:
        return f"127.0.0.1:{port}: {error}"
    except ProtocolError as error:
        return f"127.0.0.1:{port} is not a Kafka broker yet: {error}"

    if not any(broker_port == port for _, _, broker_port in brokers):
        return f"Metadata response lists no broker on port {port}: {brokers}"
    if controller_id < 0:
        return "Metadata response has no controller yet"
    return None


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# ---------------------------------------------------------------------------
# Process handling


def process_state(pid: int) -> str | None:
    """Return the /proc state letter of pid, or None if there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) may contain spaces, so split after its closing ")".
    return stat.rsplit(")", 1)[1].split()[0]


def is_alive(pid: int) -> bool:
    # A zombie has exited already; it only waits for its parent to reap it.
    return process_state(pid) not in (None, "Z", "X")


def is_our_broker(pid: int, paths: BrokerPaths) -> bool:
    """Check that pid runs kafka.Kafka with this data dir's config (a guard against pid reuse)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    return b"kafka.Kafka" in cmdline and str(paths.config).encode() in cmdline


def find_broker_pids(paths: BrokerPaths) -> list[int]:
    """Return live broker processes of this data dir: the pid file first, then a /proc scan.

    The scan finds a broker whose pid file was deleted, so that stop leaves
    no Java process behind.
    """
    pids: list[int] = []
    try:
        recorded = int(paths.pid_file.read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        recorded = None
    if recorded is not None and is_alive(recorded) and is_our_broker(recorded, paths):
        pids.append(recorded)

    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            pid = int(entry.name)
            if pid not in pids and is_alive(pid) and is_our_broker(pid, paths):
                pids.append(pid)
    return pids


def configured_port(paths: BrokerPaths) -> int | None:
    """Return the PLAINTEXT port in the server.properties that the running broker uses."""
    try:
        text = paths.config.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    match = re.search(r"^advertised\.listeners=PLAINTEXT://[^:]+:(\d+)", text, re.MULTILINE)
    return int(match.group(1)) if match else None


def wait_until_ready(
    port: int, timeout: float, paths: BrokerPaths | None, process: subprocess.Popen | None
) -> None:
    """Poll the broker until it responds, it exits, or timeout seconds pass."""
    deadline = time.monotonic() + timeout
    reason = "not checked yet"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tails = f"\n{log_tails(paths)}" if paths else ""
            raise KafkaScriptError(
                f"the Kafka broker exited with status {process.returncode} during startup{tails}"
            )
        reason = probe_broker(port) or ""
        if not reason:
            return
        time.sleep(0.5)
    tails = f"\n{log_tails(paths)}" if paths else ""
    raise KafkaScriptError(
        f"timed out after {timeout:.0f} s waiting for Kafka on 127.0.0.1:{port} "
        f"(last check: {reason}){tails}"
    )


def signal_group(pid: int, signum: int) -> None:
    """Signal the process group that pid leads, or only pid if it leads none.

    A detached broker leads its own group. A broker started with --foreground
    runs in the group of the terminal, which must not receive the signal.
    """
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)
    except ProcessLookupError:
        pass


def wait_for_exit(pids: list[int], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    remaining = [pid for pid in pids if is_alive(pid)]
    while remaining and time.monotonic() < deadline:
        time.sleep(0.2)
        remaining = [pid for pid in remaining if is_alive(pid)]
    return remaining


# ---------------------------------------------------------------------------
# Commands


def command_start(args: argparse.Namespace) -> int:
    paths = BrokerPaths(args.data_dir)
    java = find_java()

    with exclusive_lock(paths.lock_file):
        running = find_broker_pids(paths)
        if running:
            port = configured_port(paths) or args.port
            if port != args.port:
                raise KafkaScriptError(
                    f"a broker of {paths.data_dir} already runs (pid {running[0]}) on port {port}, "
                    f"not {args.port}; stop it first"
                )
            wait_until_ready(port, args.timeout, paths, None)
            log.info("Kafka already running (pid %d) on 127.0.0.1:%d", running[0], port)
            return 0

        for port in (args.port, args.controller_port):
            if port_in_use(port):
                raise KafkaScriptError(
                    f"port {port} on 127.0.0.1 is already in use by another process; "
                    f"stop it or choose --port / --controller-port"
                )

        ensure_classpath()
        paths.logs.mkdir(parents=True, exist_ok=True)
        paths.config.write_text(
            render_server_properties(paths, args.port, args.controller_port), encoding="utf-8"
        )
        format_storage(java, paths)
        command = jvm_command(java, paths, "kafka.Kafka") + [str(paths.config)]

        if args.foreground:
            log.info(
                "starting Kafka %s in the foreground on 127.0.0.1:%d", kafka_version(), args.port
            )
            paths.pid_file.write_text(f"{os.getpid()}\n", encoding="utf-8")
            sys.stdout.flush()
            sys.stderr.flush()
            os.execv(command[0], command)  # keeps this pid, so the pid file stays right

        log.info(
            "starting Kafka %s on 127.0.0.1:%d (controller %d)",
            kafka_version(),
            args.port,
            args.controller_port,
        )
        # Truncated on each start so that a startup failure shows only this run's output.
        with open(paths.stdout_log, "wb") as output:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=paths.data_dir,
                # Own session and process group, so that stop can signal the group.
                start_new_session=True,
            )
        paths.pid_file.write_text(f"{process.pid}\n", encoding="utf-8")

        started = time.monotonic()
        try:
            wait_until_ready(args.port, args.timeout, paths, process)
        except (KafkaScriptError, KeyboardInterrupt):
            # A broker that never became ready is not left running.
            signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            paths.pid_file.unlink(missing_ok=True)
            raise
        log.info(
            "Kafka ready on 127.0.0.1:%d after %.1f s (pid %d, log %s)",
            args.port,
            time.monotonic() - started,
            process.pid,
            paths.server_log,
        )
        return 0


def command_stop(args: argparse.Namespace) -> int:
    paths = BrokerPaths(args.data_dir)
    with exclusive_lock(paths.lock_file):
        pids = find_broker_pids(paths)
        if not pids:
            log.info("Kafka is not running (data dir %s)", paths.data_dir)
            paths.pid_file.unlink(missing_ok=True)
            return 0

        log.info("stopping Kafka (pid %s)", ", ".join(map(str, pids)))
        for pid in pids:
            signal_group(pid, signal.SIGTERM)
        remaining = wait_for_exit(pids, args.timeout)
        if remaining:
            log.warning(
                "Kafka did not exit within %.0f s after SIGTERM; sending SIGKILL", args.timeout
            )
            for pid in remaining:
                signal_group(pid, signal.SIGKILL)
            remaining = wait_for_exit(remaining, 10)
        if remaining:
            raise KafkaScriptError(f"Kafka processes {remaining} are still alive after SIGKILL")

        paths.pid_file.unlink(missing_ok=True)
        log.info("Kafka stopped")
        return 0


def command_status(args: argparse.Namespace) -> int:
    paths = BrokerPaths(args.data_dir)
    pids = find_broker_pids(paths)
    port = configured_port(paths) if pids else None
    port = port or args.port
    problem = probe_broker(port)
    if pids and problem is None:
        print(f"running: pid {pids[0]}, Kafka {kafka_version()} responds on 127.0.0.1:{port}")
        return 0
    if pids:
        print(f"starting or unhealthy: pid {pids[0]}, {problem}")
        return 1
    if problem is None:
        print(
            f"a Kafka broker responds on 127.0.0.1:{port}, "
            f"but it was not started from {paths.data_dir}"
        )
        return 0
    print(f"not running (data dir {paths.data_dir})")
    return 1


def command_wait(args: argparse.Namespace) -> int:
    wait_until_ready(args.port, args.timeout, BrokerPaths(args.data_dir), None)
    log.info("Kafka responds on 127.0.0.1:%d", args.port)
    return 0


def port_number(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value}: expected 1-65535")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Run a local one-node Apache Kafka broker on 127.0.0.1.",
        epilog="See the docstring at the top of scripts/kafka.py for details.",
    )
    subcommands = parser.add_subparsers(dest="command", required=True)

    def add_common(
        sub: argparse.ArgumentParser, timeout: float | None, timeout_help: str = ""
    ) -> None:
        sub.add_argument(
            "--data-dir",
            type=lambda text: Path(text).resolve(),
            default=DEFAULT_DATA_DIR,
            help="directory of configuration, data, logs and pid file "
            f"(default {DEFAULT_DATA_DIR})",
        )
        if timeout is not None:
            sub.add_argument("--timeout", type=float, default=timeout, help=timeout_help)

    start = subcommands.add_parser("start", help="start the broker and wait until it responds")
    add_common(start, 120.0, "seconds to wait for the broker to respond (default 120)")
    start.add_argument(
        "--port", type=port_number, default=9092, help="client (PLAINTEXT) port (default 9092)"
    )
    start.add_argument(
        "--controller-port",
        type=port_number,
        default=9093,
        help="KRaft controller port (default 9093)",
    )
    start.add_argument(
        "--foreground",
        action="store_true",
        help="run the broker in this terminal instead of detached",
    )
    start.set_defaults(handler=command_start)

    stop = subcommands.add_parser("stop", help="stop the broker of the data dir")
    add_common(stop, 30.0, "seconds between SIGTERM and SIGKILL (default 30)")
    stop.set_defaults(handler=command_stop)

    status = subcommands.add_parser("status", help="report whether the broker runs and responds")
    add_common(status, None)
    status.add_argument(
        "--port", type=port_number, default=9092, help="client port to check (default 9092)"
    )
    status.set_defaults(handler=command_status)

    wait = subcommands.add_parser("wait", help="wait until a broker responds on the port")
    add_common(wait, 120.0, "seconds to wait (default 120)")
    wait.add_argument(
        "--port", type=port_number, default=9092, help="client port to check (default 9092)"
    )
    wait.set_defaults(handler=command_wait)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="kafka.py: %(message)s", stream=sys.stderr)
    args = build_parser().parse_args(argv)
    if args.command == "start" and args.port == args.controller_port:
        log.error("--port and --controller-port must differ (both are %d)", args.port)
        return 2
    try:
        return args.handler(args)
    except KafkaScriptError as error:
        log.error("%s", error)
        return 1
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
