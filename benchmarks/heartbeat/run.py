"""Benchmark the learning service's heartbeat endpoint against PostgreSQL.

Not a test. It creates a scratch database on the local PostgreSQL server
(127.0.0.1:55432) and imports the demo catalog. It writes opened classes and
course selections for ``--learners`` learners straight into the read model.
Then it sends heartbeats round-robin over the learners, with ``--concurrency``
requests in flight, until ``--requests`` are done or ``--max-seconds`` have
passed. It prints the requests per second of the one server process and the
p50/p99 latency seen by the client.

    .venv/bin/python benchmarks/heartbeat/run.py --mode uvicorn --learners 500 --requests 20000

``--mode uvicorn`` (default) runs the API in a child process under uvicorn on
127.0.0.1 and drives it over HTTP; ``--mode inprocess`` calls the ASGI app in
the same process (no HTTP parsing, client and server share one CPU).
No relay or consumer runs, so Kafka is not needed.
"""

import argparse
import asyncio
import shutil
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventplatform.auth import AUDIENCE, ISSUER, TokenVerifier
from eventplatform.clock import SHANGHAI
from learning_service.bootstrap import LearningDefinition, build
from learning_service.demo import demo_courses, seed_demo
from learning_service.readmodels import ChapterRow, ClassRow, SelectedCourseRow
from learning_service.settings import LearningSettings
from sqlalchemy.engine import make_url

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:55432/postgres"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Drive POST /api/learning/heartbeats and report throughput.")
    parser.add_argument("--mode", choices=["uvicorn", "inprocess"], default="uvicorn")
    parser.add_argument("--learners", type=int, default=500, help="Learners with an opened class (default 500).")
    parser.add_argument("--requests", type=int, default=20_000, help="Heartbeats to send at most (default 20000).")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="Stop sending after this many seconds.")
    parser.add_argument("--concurrency", type=int, default=32, help="Requests in flight (default 32).")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--public-key-file", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def admin_execute(statement: str) -> None:
    url = make_url(ADMIN_URL)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database,
                         autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def build_service(database_url: str, verifier: TokenVerifier, data_dir: Path) -> LearningDefinition:
    settings = LearningSettings(database_url=database_url, environment="test", data_dir=data_dir)
    definition = build(settings, verifier=verifier)
    definition.prepare()
    return definition


def seed(definition: LearningDefinition, learners: int) -> list[dict[str, str]]:
    """Import the demo catalog and open a class with three selected courses per learner."""
    seed_demo(definition)
    courses = [course for course in demo_courses() if not course.code.startswith("TEST-")]
    today = datetime.now(SHANGHAI).date()
    plans = []
    with definition.database.transaction() as session:
        for index in range(learners):
            learner_id, class_id = uuid.uuid4(), uuid.uuid4()
            session.add(ClassRow(class_id=class_id, learner_id=learner_id, training_year=today.year,
                                 window_starts_on=today - timedelta(days=1), window_ends_on=today + timedelta(days=1),
                                 opened_at=datetime.now(UTC)))
            picked = [courses[(index + offset * 15) % len(courses)] for offset in range(3)]
            for course in picked:
                session.add(SelectedCourseRow(class_id=class_id, course_id=course.course_id, learner_id=learner_id,
                                              training_year=today.year, category=course.category,
                                              credit_hours=course.credit_hours, selected_at=datetime.now(UTC)))
            course = picked[0]
            chapter = session.query(ChapterRow).filter_by(course_id=course.course_id, number=1).one()
            plans.append({"learner_id": str(learner_id), "class_id": str(class_id),
                          "course_id": str(course.course_id), "chapter_id": str(chapter.chapter_id),
                          "session_id": str(uuid.uuid4())})
    return plans


def token(key: Ed25519PrivateKey, learner_id: str) -> str:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": learner_id, "role": "learner", "learner_id": learner_id,
              "exp": datetime.now(UTC) + timedelta(hours=2)}
    return jwt.encode(claims, key, algorithm="EdDSA")


async def drive(client: httpx.AsyncClient, plans: list[dict[str, str]], key: Ed25519PrivateKey,
                args: argparse.Namespace) -> tuple[list[float], int, float]:
    headers = [{"Authorization": f"Bearer {token(key, plan['learner_id'])}"} for plan in plans]
    positions = [0.0] * len(plans)
    latencies: list[float] = []
    failures = 0
    next_request = 0
    deadline = time.monotonic() + args.max_seconds

    async def worker() -> None:
        nonlocal next_request, failures
        while next_request < args.requests and time.monotonic() < deadline:
            index = next_request % len(plans)
            next_request += 1
            plan = plans[index]
            positions[index] = (positions[index] + 10.0) % 1200
            body = {**{k: plan[k] for k in ("class_id", "course_id", "chapter_id", "session_id")},
                    "position_seconds": positions[index]}
            started = time.perf_counter()
            response = await client.post("/api/learning/heartbeats", json=body, headers=headers[index])
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    return latencies, failures, time.perf_counter() - started


def report(args: argparse.Namespace, latencies: list[float], failures: int, elapsed: float) -> None:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(f"mode={args.mode} learners={args.learners} concurrency={args.concurrency} "
          f"requests={len(ordered)} failures={failures} seconds={elapsed:.1f}")
    print(f"throughput={len(ordered) / elapsed:.0f} req/s (one server process)  p50={p50:.1f} ms  p99={p99:.1f} ms")


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"benchmark server did not listen on 127.0.0.1:{port} within {timeout}s")


def serve_child(args: argparse.Namespace) -> int:
    """Child process of ``--mode uvicorn``: serve the API only."""
    import uvicorn

    public_key = serialization.load_pem_public_key(Path(args.public_key_file).read_bytes())
    data_dir = Path(args.public_key_file).parent
    definition = build_service(args.database_url, TokenVerifier(public_keys=[public_key]), data_dir)
    uvicorn.run(definition.api, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
    return 0


@contextlib.contextmanager
def uvicorn_child(database_url: str, key: Ed25519PrivateKey, workdir: Path) -> Iterator[int]:
    """Run the API in a child uvicorn process on a free loopback port; yield the port."""
    key_file = workdir / "public.pem"
    key_file.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    child = subprocess.Popen([sys.executable, __file__, "--serve", "--database-url", database_url,
                              "--public-key-file", str(key_file), "--port", str(port)])
    try:
        wait_for_port(port)
        yield port
    finally:
        child.terminate()
        child.wait(timeout=15)


async def run_uvicorn(args: argparse.Namespace, port: int, key: Ed25519PrivateKey,
                      plans: list[dict[str, str]]) -> None:
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30) as client:
        report(args, *await drive(client, plans, key, args))


async def run_inprocess(args: argparse.Namespace, definition: LearningDefinition, key: Ed25519PrivateKey,
                        plans: list[dict[str, str]]) -> None:
    transport = httpx.ASGITransport(app=definition.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.test", timeout=30) as client:
        report(args, *await drive(client, plans, key, args))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        return serve_child(args)

    name = f"bench_heartbeat_{uuid.uuid4().hex[:8]}"
    admin_execute(f'CREATE DATABASE "{name}"')
    database_url = str(make_url(ADMIN_URL).set(database=name))
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / name
    workdir.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    definition = build_service(database_url, TokenVerifier(public_keys=[key.public_key()]), workdir)
    try:
        plans = seed(definition, args.learners)
        if args.mode == "uvicorn":
            with uvicorn_child(database_url, key, workdir) as port:
                asyncio.run(run_uvicorn(args, port, key, plans))
        else:
            asyncio.run(run_inprocess(args, definition, key, plans))
    finally:
        definition.close()
        admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
