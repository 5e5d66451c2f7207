"""Sealed content: sealing and opening a 1 GiB document beside `openssl speed`, and peak memory.

* Throughput: `ztdf.seal` from a 1 GiB file into a container file, and `open_container` +
  `copy_to` from the container into a plaintext file, both in one temporary directory (files
  in the page cache, streamed segment by segment at the default 1 MiB), beside
  ``openssl speed -evp aes-256-gcm`` run in the same session (its 16384-byte column: AES-GCM
  alone, in memory). Target: at least 70 % of openssl's rate. The same seal and open into a
  discarding sink are measured too, to tell the container code's cost from the disk's.
* Memory: the peak resident set (``ru_maxrss``) of a child process that seals and opens the
  same file, beside a child that only imports comity: streaming means the difference stays a
  few segments' worth whatever the file's size.

Run with ``make bench``; the figures go to docs/performance.md. COMITY_BENCH_ZTDF_MIB sets the
size (default 1024).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from comity.crypto import ztdf
from comity.domain.security import labels

MIB = int(os.environ.get("COMITY_BENCH_ZTDF_MIB", "1024"))
SIZE = MIB * 1024 * 1024
LABEL = labels.parse("TUR | GİZLİ | Releasable To (permissive): AZE, TUR")
EXPECTED = ztdf.ExpectedBinding("bench-document", 1, LABEL)


def _pedantic(benchmark: BenchmarkFixture) -> Callable[..., object]:
    # pytest-benchmark's pedantic() is untyped; one typed door keeps the benchmarks strict.
    pedantic: Callable[..., object] = benchmark.pedantic
    return pedantic


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A temporary directory holding a SIZE-byte random file (written once, 1 MiB at a time)."""
    directory = tmp_path_factory.mktemp("ztdf")
    block = os.urandom(1024 * 1024)
    with (directory / "plain.bin").open("wb") as out:
        for _ in range(MIB):
            out.write(block)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def key_provider() -> ztdf.MemoryKeyProvider:
    return ztdf.MemoryKeyProvider("https://bench.comity.example/kas")


@pytest.fixture(scope="module")
def openssl_bytes_per_s() -> float:
    """AES-256-GCM in memory, 16 KiB blocks, as `openssl speed` measures it on this machine."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is not on PATH: the comparison needs it", pytrace=False)
    result = subprocess.run(
        ["openssl", "speed", "-evp", "aes-256-gcm", "-seconds", "3", "-bytes", "16384"],
        capture_output=True,
        text=True,
        check=True,
    )
    # The last line reads: "AES-256-GCM  <k bytes/s for each block size>".
    line = [row for row in result.stdout.splitlines() if row.upper().startswith("AES-256-GCM")][-1]
    figure = re.findall(r"([\d.]+)k", line)[-1]
    return float(figure) * 1000


def _seal(source: Path, target: Path | None, key_provider: ztdf.KeyProvider) -> None:
    with source.open("rb") as plaintext, (target or Path(os.devnull)).open("wb") as out:
        ztdf.seal(
            plaintext,
            out,
            label=LABEL,
            namespace="comity.example",
            document_id=EXPECTED.document_id,
            version=EXPECTED.version,
            key_provider=key_provider,
        )


def _open(source: Path, target: Path | None, key_provider: ztdf.KeyProvider) -> None:
    with source.open("rb") as container, (target or Path(os.devnull)).open("wb") as out:
        opened = ztdf.open_container(container, key_provider=key_provider, expected=EXPECTED)
        assert opened.copy_to(out) == SIZE


def _report(benchmark: BenchmarkFixture, openssl: float, **info: Any) -> None:
    assert benchmark.stats is not None
    rate = SIZE / benchmark.stats.stats.min
    info |= {
        "bytes": SIZE,
        "bytes_per_s": rate,
        "openssl_16k_bytes_per_s": openssl,
        "vs_openssl": rate / openssl,
    }
    benchmark.extra_info.update(info)
    print(
        "\n"
        + ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in info.items())
    )


@pytest.mark.parametrize("sink", ["file", "discard"])
def test_sealing_a_large_file_beside_openssl(
    benchmark: BenchmarkFixture,
    workdir: Path,
    key_provider: ztdf.MemoryKeyProvider,
    openssl_bytes_per_s: float,
    sink: str,
) -> None:
    target = workdir / "sealed.tdf" if sink == "file" else None
    _pedantic(benchmark)(
        _seal, args=(workdir / "plain.bin", target, key_provider), rounds=3, iterations=1
    )
    _report(benchmark, openssl_bytes_per_s, operation="seal", sink=sink)


@pytest.mark.parametrize("sink", ["file", "discard"])
def test_opening_a_large_container_beside_openssl(
    benchmark: BenchmarkFixture,
    workdir: Path,
    key_provider: ztdf.MemoryKeyProvider,
    openssl_bytes_per_s: float,
    sink: str,
) -> None:
    container = workdir / "sealed.tdf"
    if not container.exists():
        _seal(workdir / "plain.bin", container, key_provider)
    target = workdir / "opened.bin" if sink == "file" else None
    _pedantic(benchmark)(_open, args=(container, target, key_provider), rounds=3, iterations=1)
    _report(benchmark, openssl_bytes_per_s, operation="open", sink=sink)


_CHILD = """
import resource, sys, tracemalloc
from pathlib import Path
sys.path.insert(0, {bench!r})
import bench_ztdf as b
from comity.crypto import ztdf
work = Path({work!r})
provider = ztdf.MemoryKeyProvider("https://bench.comity.example/kas")
tracemalloc.start()
if {run!r}:
    b._seal(work / "plain.bin", work / "memory.tdf", provider)
    b._open(work / "memory.tdf", work / "memory.bin", provider)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, tracemalloc.get_traced_memory()[1])
"""


def _child_peaks(workdir: Path, *, run: bool) -> tuple[int, int]:
    """The child's peak resident set (KiB) and peak traced Python allocation (bytes)."""
    code = _CHILD.format(bench=str(Path(__file__).parent), work=str(workdir), run=run)
    env = {**os.environ, "COMITY_BENCH_ZTDF_MIB": str(MIB)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    rss, traced = result.stdout.strip().splitlines()[-1].split()
    return int(rss), int(traced)


def test_peak_memory_of_sealing_and_opening_stays_a_few_segments(
    benchmark: BenchmarkFixture, workdir: Path
) -> None:
    peaks: dict[str, tuple[int, int]] = {}

    def measure() -> None:
        peaks["baseline"] = _child_peaks(workdir, run=False)
        peaks["seal_and_open"] = _child_peaks(workdir, run=True)

    _pedantic(benchmark)(measure, rounds=1, iterations=1)
    traced_mib = peaks["seal_and_open"][1] / 2**20
    info = {
        "bytes": SIZE,
        "baseline_peak_rss_mib": peaks["baseline"][0] / 1024,
        "seal_and_open_peak_rss_mib": peaks["seal_and_open"][0] / 1024,
        "seal_and_open_peak_traced_mib": traced_mib,
    }
    benchmark.extra_info.update(info)
    print("\n" + ", ".join(f"{k}={v:.3g}" for k, v in info.items()))
    # Streaming: a few 1 MiB segment buffers and the manifest, never the document.
    assert traced_mib < 64
