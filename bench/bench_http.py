"""HTTP throughput and tail latency of the app under a local load generator.

Workload: uvicorn (one process, `bench/http_target.py`) on 127.0.0.1 and a free port, serving
comity on a migrated SQLite database holding the founding agreement, and beside it a bare
Starlette endpoint (``/bare``) in the same process. A bounded asyncio loop of httpx clients
(CONCURRENCY requests in flight, for DURATION seconds after a warm-up) asks for:

- ``/bare`` — the floor: uvicorn + Starlette with no middleware, routing or database;
- ``/api/agreements/{id}/state`` — JSON: authentication by API token, one read transaction,
  the stored file parsed and the state derived (nothing is cached);
- ``/agreements/{id}`` — the agreement page: the same state plus events, SVG timeline and
  Jinja2 rendering.

Each test records requests per second and p50/p99 latency in pytest-benchmark's ``extra_info``
and prints them; the figure to read is each endpoint's throughput as a fraction of ``/bare``'s
in the same run. The load generator shares the machine's cores with the server, so absolute
figures are lower than a remote client would see. Run with ``make bench``; figures go to
docs/performance.md ("HTTP").
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from comity.domain.actors import Actor
from comity.persistence import migrate
from comity.persistence.db import make_engine, write_session
from comity.services import accounts, lifecycle

BENCH_DIR = Path(__file__).resolve().parent
EXAMPLE_ID = "tr-az-defence-industry-2017"
EXAMPLE = BENCH_DIR.parent / "examples" / "agreements" / f"{EXAMPLE_ID}.toml"
ACTOR = Actor.local_operator("bench")
CONCURRENCY = 8
WARM_UP = 1.0
DURATION = 5.0

RESULTS: dict[str, dict[str, float]] = {}


@dataclass(frozen=True)
class Server:
    base_url: str
    headers: dict[str, str]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("http")
    url = f"sqlite:///{directory / 'comity.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with write_session(engine) as session, session.begin():
        lifecycle.import_agreement(
            session, ACTOR, text=EXAMPLE.read_text("utf-8"), source=EXAMPLE.name
        )
        accounts.add_user(
            session, ACTOR, "bench", display_name="Bench", party="TUR", password="bench passphrase"
        )
        accounts.grant_role(
            session, ACTOR, "bench", role="treaty_officer", valid_from=date(2000, 1, 1)
        )
        secret = accounts.issue_token(session, ACTOR, "bench", name="bench", scopes=["read"]).secret
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "COMITY_DATABASE_URL": url, "COMITY_DATA_DIR": str(directory)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "http_target:make",
            "--factory",
            "--app-dir",
            str(BENCH_DIR),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process)
        yield Server(base_url, {"Authorization": f"Bearer {secret}"})
    finally:
        process.terminate()
        process.wait(timeout=10)
        _print_results()


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("uvicorn exited before it served")
        try:
            if httpx.get(f"{base_url}/bare", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("uvicorn did not start within 30 s")


async def _load(server: Server, path: str) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(
        base_url=server.base_url, headers=server.headers, limits=limits, timeout=30
    ) as client:
        start = time.perf_counter()
        measuring_from = start + WARM_UP
        stop = measuring_from + DURATION

        async def worker() -> None:
            nonlocal errors
            while (begun := time.perf_counter()) < stop:
                response = await client.get(path)
                ended = time.perf_counter()
                if response.status_code != 200:
                    errors += 1
                if begun >= measuring_from:
                    latencies.append(ended - begun)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    latencies.sort()
    count = len(latencies)
    return {
        "requests_per_second": count / DURATION,
        "p50_ms": 1000 * latencies[count // 2],
        "p99_ms": 1000 * latencies[min(count - 1, int(count * 0.99))],
        "requests": count,
        "errors": errors,
    }


def _measure(benchmark: BenchmarkFixture, server: Server, name: str, path: str) -> None:
    # One round: the figure is the load run's own throughput and latency, not its duration.
    result: dict[str, float] = benchmark.pedantic(  # type: ignore[no-untyped-call]
        lambda: asyncio.run(_load(server, path)), rounds=1, iterations=1
    )
    assert result["errors"] == 0, f"{name}: {result['errors']} failed requests"
    benchmark.extra_info.update(result)
    RESULTS[name] = result


def _print_results() -> None:
    bare = RESULTS.get("bare", {}).get("requests_per_second")
    print(f"\nHTTP, {CONCURRENCY} in flight, {DURATION:.0f} s each:")
    for name, result in RESULTS.items():
        ratio = f"{result['requests_per_second'] / bare:.3f}" if bare else "-"
        print(
            f"  {name:<8} {result['requests_per_second']:8.1f} req/s  "
            f"p50 {result['p50_ms']:7.2f} ms  p99 {result['p99_ms']:7.2f} ms  x bare {ratio}"
        )


def test_bare_starlette_endpoint(benchmark: BenchmarkFixture, server: Server) -> None:
    _measure(benchmark, server, "bare", "/bare")


def test_api_state_on_a_date(benchmark: BenchmarkFixture, server: Server) -> None:
    _measure(benchmark, server, "state", f"/api/agreements/{EXAMPLE_ID}/state?on=2026-11-29")


def test_agreement_page(benchmark: BenchmarkFixture, server: Server) -> None:
    _measure(benchmark, server, "page", f"/agreements/{EXAMPLE_ID}?on=2026-11-29")
