"""Client-overhead benchmarks: OneSDK against raw httpx/aiohttp and the openai SDK, in one run.

Every figure is measured in fresh processes against ``fake_server.py`` on 127.0.0.1.
``make bench`` writes docs/performance.md; ``make bench BENCH_ARGS=--quick`` only prints.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC = ROOT / "docs" / "performance.md"
PY = sys.executable
N_PLUGINS = 20

# --- what the issue asks for ----------------------------------------------------------------
IMPORT_TARGET = 1.5
RSS_TARGET = 1.3
CALL_TARGET = 1.3
CHUNK_TARGET = 1.5
ASYNC_TARGET = 2.0
FLAT_TOLERANCE = 1.10  # "flat": within 10% (run-to-run noise of a median of fresh processes)


@dataclass(frozen=True)
class Sizes:
    import_runs: int
    calls: int
    call_repeats: int
    streams: int
    stream_chunks: int
    stream_repeats: int
    concurrency: int
    async_rounds: int
    concurrent_streams: int
    short_chunks: int


FULL = Sizes(15, 2000, 3, 5, 2000, 3, 500, 2, 1000, 20)
QUICK = Sizes(5, 500, 1, 2, 2000, 1, 500, 1, 1000, 20)


@dataclass(frozen=True)
class Cold:
    """Medians over fresh processes: wall and CPU ms from import to client, peak RSS MiB."""

    wall: float
    cpu: float
    rss: float

    @classmethod
    def median(cls, samples: list[tuple[float, float, float]]) -> Cold:
        return cls(*(statistics.median(column) for column in zip(*samples, strict=True)))


@dataclass
class Results:
    sizes: Sizes
    imports: dict[str, Cold] = field(default_factory=dict)
    plugins: dict[str, Cold] = field(default_factory=dict)
    plugin_imports: int = 0
    plugin_listed: int = 0
    calls: dict[str, tuple[float, float]] = field(default_factory=dict)  # us cpu, us wall
    chunks: dict[str, float] = field(default_factory=dict)  # us cpu per chunk
    async_calls: dict[str, tuple[float, float, float, int]] = field(default_factory=dict)
    streams: dict[str, tuple[float, float, float, int]] = field(default_factory=dict)
    load: float = 0.0  # 1-minute load average when the run started


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- processes ------------------------------------------------------------------------------


@contextlib.contextmanager
def fake_server(chunks: int, short_chunks: int) -> Iterator[str]:
    """The fake Kimi server in its own process; yields ``http://127.0.0.1:PORT``."""
    sizes = ["--chunks", str(chunks), "--short-chunks", str(short_chunks)]
    proc = subprocess.Popen(
        [PY, str(HERE / "fake_server.py"), "--port", "0", *sizes],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"fake server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def worker(name: str, base: str, *args: str) -> dict[str, Any]:
    """Run one ``workers.py`` measurement in a fresh process; its JSON result."""
    done = subprocess.run(
        [PY, str(HERE / "workers.py"), name, "--base-url", base, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker {name} failed:\n{done.stderr[-3000:]}")
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    if errors:
        log(f"  {name}: {len(errors)} errors, first: {errors[0]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# Peak RSS is VmHWM (this process image only): ru_maxrss also counts the parent's memory
# when the child was started with vfork, as subprocess does.
CHILD = """\
import time, resource, sys
t0, c0 = time.perf_counter(), time.process_time()
{code}
t1, c1 = time.perf_counter(), time.process_time()
dummies = sum(1 for m in sys.modules if m.startswith("bench_dummy_provider_"))
try:
    with open("/proc/self/status") as status:
        peak = next(int(x.split()[1]) for x in status if x.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(t1 - t0, c1 - c0, peak, dummies)
"""

IMPORT_CASES = {
    "python": "pass",
    "httpx": "import httpx; httpx.Client()",
    "openai": "import openai; openai.OpenAI(api_key='x')",
    "onesdk": "import onesdk; onesdk.OneSDK('kimi', {'api_key': 'x'})",
}


def child(code: str, env: dict[str, str]) -> tuple[tuple[float, float, float], int]:
    """(wall ms, CPU ms, peak RSS MiB) of ``code`` in a fresh interpreter; dummies imported."""
    done = subprocess.run(
        [PY, "-c", CHILD.format(code=code)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    wall, cpu, rss_kib, dummies = done.stdout.split()
    return (float(wall) * 1000, float(cpu) * 1000, int(rss_kib) / 1024), int(dummies)


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("PYTHONPATH", "MOONSHOT_API_KEY", "MOONSHOT_BASE_URL", "PYTHONPROFILEIMPORTTIME"):
        env.pop(key, None)
    return env


# --- 1 and 5: cold import ---------------------------------------------------------------------


def bench_imports(results: Results) -> None:
    env = clean_env()
    runs = results.sizes.import_runs
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in IMPORT_CASES}
    for code in IMPORT_CASES.values():
        child(code, env)  # bytecode caches warm, not measured
    for _ in range(runs):  # interleaved, so drift hits every case alike
        for name, code in IMPORT_CASES.items():
            samples[name].append(child(code, env)[0])
    for name, values in samples.items():
        cold = results.imports[name] = Cold.median(values)
        log(f"  import {name}: {cold.wall:.1f} ms wall, {cold.cpu:.1f} ms CPU, {cold.rss:.1f} MiB")


def make_dummy_plugins(where: Path, count: int) -> None:
    """``count`` installed-looking provider distributions (dist-info + module) under ``where``."""
    for i in range(count):
        module = f"bench_dummy_provider_{i}"
        info = where / f"{module}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: bench-dummy-provider-{i}\nVersion: 1.0\n"
        )
        (info / "entry_points.txt").write_text(
            f"[onesdk.providers]\ndummy{i} = {module}:DummyProvider\n"
        )
        (info / "top_level.txt").write_text(module + "\n")
        # Importing one costs 20 ms on purpose: a registry that imports them all shows it.
        (where / f"{module}.py").write_text(
            "import time\ntime.sleep(0.02)\n\n"
            "from onesdk import Provider\n\n\n"
            f"class DummyProvider(Provider):\n    name = 'dummy{i}'\n"
        )


def bench_plugins(results: Results) -> None:
    code = IMPORT_CASES["onesdk"]
    bare = clean_env()
    runs = results.sizes.import_runs
    with tempfile.TemporaryDirectory(prefix="onesdk-bench-plugins-") as tmp:
        make_dummy_plugins(Path(tmp), N_PLUGINS)
        crowded = {**bare, "PYTHONPATH": tmp}
        listed = subprocess.run(
            [PY, "-c", "import onesdk; print(len(onesdk.list_providers()))"],
            capture_output=True,
            text=True,
            env=crowded,
            check=True,
        )
        results.plugin_listed = int(listed.stdout) - 1  # less kimi
        samples: dict[str, list[tuple[float, float, float]]] = {"none": [], "with": []}
        child(code, crowded)
        for _ in range(runs):
            for name, env in (("none", bare), ("with", crowded)):
                measured, dummies = child(code, env)
                samples[name].append(measured)
                if name == "with":
                    results.plugin_imports = max(results.plugin_imports, dummies)
    for name, values in samples.items():
        results.plugins[name] = Cold.median(values)
    log(
        f"  plugins: none {results.plugins['none'].cpu:.1f} ms CPU, {N_PLUGINS} installed "
        f"{results.plugins['with'].cpu:.1f} ms CPU ({results.plugin_listed} listed, "
        f"{results.plugin_imports} imported)"
    )


# --- 2, 3, 4: calls against the fake server ---------------------------------------------------


def bench_calls(results: Results, base: str) -> None:
    s = results.sizes
    cpu: dict[str, list[float]] = {}
    wall: dict[str, list[float]] = {}
    for _ in range(s.call_repeats):
        for client in ("httpx", "openai", "onesdk"):
            out = worker(f"call-{client}", base + "/v1", "--n", str(s.calls), "--warmup", "100")
            cpu.setdefault(client, []).append(out["cpu"] / out["items"] * 1e6)
            wall.setdefault(client, []).append(out["wall"] / out["items"] * 1e6)
    for client in cpu:
        results.calls[client] = (statistics.median(cpu[client]), statistics.median(wall[client]))
        log(f"  call {client}: {results.calls[client][0]:.0f} us CPU")


def bench_chunks(results: Results, base: str) -> None:
    s = results.sizes
    per_chunk: dict[str, list[float]] = {}
    for _ in range(s.stream_repeats):
        for client in ("httpx", "openai", "onesdk"):
            out = worker(f"stream-{client}", base + "/v1", "--n", str(s.streams), "--warmup", "1")
            if out["items"] != s.streams * s.stream_chunks:
                raise RuntimeError(f"stream-{client} saw {out['items']} chunks")
            per_chunk.setdefault(client, []).append(out["cpu"] / out["items"] * 1e6)
    for client, values in per_chunk.items():
        results.chunks[client] = statistics.median(values)
        log(f"  chunk {client}: {results.chunks[client]:.1f} us CPU")


def _walls(out: dict[str, Any]) -> tuple[float, float, float, int]:
    walls = out["walls"]
    # first burst opens the connections (cold); the rest reuse them (warm)
    return walls[0], statistics.median(walls[1:]), out["cpu"], out["errors"]


def bench_async(results: Results, base: str) -> None:
    s = results.sizes
    args = ("--concurrency", str(s.concurrency), "--rounds", str(s.async_rounds + 1))
    for client in ("aiohttp", "httpx", "httpx2", "openai", "onesdk", "onesdk-aiohttp"):
        results.async_calls[client] = _walls(worker(f"acall-{client}", base + "/v1", *args))
        cold, warm, _, errors = results.async_calls[client]
        log(f"  async {client}: cold {cold:.2f} s, warm {warm:.3f} s, {errors} errors")
    args = ("--concurrency", str(s.concurrent_streams), "--rounds", str(s.async_rounds + 1))
    for client in ("aiohttp", "onesdk", "onesdk-aiohttp"):
        results.streams[client] = _walls(worker(f"astream-{client}", base + "/short/v1", *args))
        cold, warm, _, errors = results.streams[client]
        log(f"  streams {client}: cold {cold:.2f} s, warm {warm:.3f} s, {errors} errors")


# --- report -----------------------------------------------------------------------------------


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


# Where the targets that are missed are bounded. Measured by hand (not by this script), on
# 2026-11-26 in benchmarks/.venv, CPU ms = median of 9 fresh `python -c` processes.
BOUNDS = [
    "## Where the misses are bounded",
    "",
    "**Import + construction, RSS.** The dependencies DESIGN.md requires cost most of it. "
    'CPU ms, median of 9 fresh processes (`python -c "import time; t=time.process_time(); '
    '<code>; print(time.process_time()-t)"` in `benchmarks/.venv`):',
    "",
    "| Code | CPU ms | x httpx |",
    "|---|---:|---:|",
    "| `import httpx; httpx.Client()` | 276 | 1.00 |",
    "| `import httpx, pydantic; httpx.Client()` | 365 | 1.32 |",
    "| `import httpx, pydantic, importlib.metadata; httpx.Client()` | 391 | 1.42 |",
    "| `from onesdk import OneSDK; OneSDK('kimi', api_key='x')` | 489 | 1.77 |",
    "",
    "pydantic (the models) and importlib.metadata (entry-point discovery) alone take 1.42x; "
    "OneSDK's own modules and model classes add the last 0.35x (`python -X importtime` shows "
    "`onesdk.types` as the largest: its classes are created at import; their validators are "
    "built on first use, `defer_build=True`). Meeting 1.5x needs pydantic out of the import "
    "path (models loaded on first call), which moves the same cost to the first request "
    "rather than removing it; not done. The openai SDK in the same run costs about 3x more.",
    "",
    "**500 concurrent async calls.** With the default backend the wall time is httpcore's "
    "pool: under cProfile `AsyncConnectionPool._assign_requests_to_connections` "
    "(httpcore `connection_pool.py`) takes about 28 of 32 s, as it scans every connection on "
    "each request state change; raw `httpx.AsyncClient` is as slow. The optional aiohttp "
    "backend (`onesdk-core[aiohttp]`, `http_client=HttpxAiohttpClient()`) removes that and "
    "leaves CPU per call: httpx's request and response objects plus OneSDK's request building "
    "and parsing (the non-stream CPU figure above), against aiohttp's bare session.",
    "",
]


def render(results: Results, command: str, elapsed: float) -> str:
    s = results.sizes
    imp, calls, chunks = results.imports, results.calls, results.chunks
    acalls, streams = results.async_calls, results.streams
    r_import = imp["onesdk"].cpu / imp["httpx"].cpu
    r_rss = imp["onesdk"].rss / imp["httpx"].rss
    r_call = calls["onesdk"][0] / calls["httpx"][0]
    r_chunk = chunks["onesdk"] / chunks["httpx"]
    # Judged on the optional aiohttp backend, the documented choice for high concurrency.
    r_async = acalls["onesdk-aiohttp"][1] / acalls["aiohttp"][1]
    stream_errors = streams["onesdk"][3] + streams["onesdk-aiohttp"][3]
    r_flat = results.plugins["with"].cpu / results.plugins["none"].cpu
    flat = r_flat <= FLAT_TOLERANCE and results.plugin_imports == 0
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    versions = ", ".join(
        f"{d} {_version(d)}" for d in ("onesdk-core", "httpx", "pydantic", "openai", "aiohttp")
    )
    lines = [
        "# Performance",
        "",
        "What OneSDK costs on top of the HTTP library it runs on, measured against raw httpx "
        "(the floor), raw aiohttp (the async floor) and the openai SDK, all in one run against "
        "a minimal fake Kimi server on 127.0.0.1 (`benchmarks/fake_server.py`, its own process, "
        "fixed replies, keep-alive HTTP/1.1, Kimi's SSE framing with usage inside the last "
        "choice). Each figure is taken in fresh processes (`benchmarks/workers.py`); ratios are "
        "to the floor measured in the same run. The benchmarks are not part of `make test`.",
        "",
        f"- Command: `{command}`",
        f"- Date: {now} (run took {elapsed:.0f} s)",
        f"- Machine: {os.cpu_count()} CPUs (nproc), {_cpu_model()}, {platform.system()} "
        f"{platform.release()}; load average {results.load:.2f} at the start",
        f"- Python {platform.python_version()}; {versions}",
        "",
        "## Targets (from the issue)",
        "",
        "| Target | Measured | Status |",
        "|---|---|---|",
        f"| import + construction <= {IMPORT_TARGET}x `import httpx; httpx.Client()` (CPU) "
        f"| {r_import:.2f}x | {_met(r_import <= IMPORT_TARGET)} |",
        f"| RSS after import <= {RSS_TARGET}x httpx's | {r_rss:.2f}x "
        f"| {_met(r_rss <= RSS_TARGET)} |",
        f"| CPU per non-stream call <= {CALL_TARGET}x raw httpx | {r_call:.2f}x "
        f"| {_met(r_call <= CALL_TARGET)} |",
        f"| CPU per stream chunk <= {CHUNK_TARGET}x raw httpx + json.loads | {r_chunk:.2f}x "
        f"| {_met(r_chunk <= CHUNK_TARGET)} |",
        f"| {s.concurrency} concurrent async calls <= {ASYNC_TARGET}x raw aiohttp (wall; "
        "OneSDK with its optional aiohttp backend) "
        f"| {r_async:.1f}x | {_met(r_async <= ASYNC_TARGET)} |",
        f"| {s.concurrent_streams} concurrent async streams: 0 errors | {stream_errors} errors "
        f"| {_met(stream_errors == 0)} |",
        f"| cost flat in installed provider plugins ({N_PLUGINS} vs 0; within "
        f"{FLAT_TOLERANCE:.2f}x, none imported) | {r_flat:.2f}x, "
        f"{results.plugin_imports} imported | {_met(flat)} |",
        "",
        f"## 1. Cold import + client construction (median of {s.import_runs} fresh processes)",
        "",
        "From before the import to after the client exists, inside a fresh `python -c` "
        "(interpreter start-up excluded); peak RSS of that process (VmHWM). The target is "
        "judged on CPU time, which other load on the machine disturbs less than wall time.",
        "",
        "| Code | CPU ms | x httpx | wall ms | peak RSS MiB | x httpx |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    floor = imp["httpx"]
    for name, code in IMPORT_CASES.items():
        cold = imp[name]
        if name == "python":  # the interpreter alone: RSS context, nothing to time
            lines.append(f"| (bare interpreter) | - | - | - | {cold.rss:.1f} | - |")
            continue
        lines.append(
            f"| `{code}` | {cold.cpu:.1f} | {cold.cpu / floor.cpu:.2f} | {cold.wall:.1f} "
            f"| {cold.rss:.1f} | {cold.rss / floor.rss:.2f} |"
        )
    lines += [
        "",
        f"## 2. CPU per non-stream call ({s.calls} sequential calls, median of "
        f"{s.call_repeats} processes)",
        "",
        "`time.process_time()` of the client process; the server runs in another process.",
        "",
        "| Client | CPU us/call | x httpx | wall us/call |",
        "|---|---:|---:|---:|",
    ]
    labels = {
        "httpx": "raw httpx `post` + `.json()` (floor)",
        "openai": "openai `chat.completions.create`",
        "onesdk": "OneSDK `generate`",
    }
    for client, (cpu, wall) in calls.items():
        lines.append(
            f"| {labels[client]} | {cpu:.0f} | {cpu / calls['httpx'][0]:.2f} | {wall:.0f} |"
        )
    lines += [
        "",
        f"## 3. CPU per streamed chunk ({s.streams} streams of {s.stream_chunks} chunks, "
        f"median of {s.stream_repeats} processes)",
        "",
        "| Client | CPU us/chunk | x httpx |",
        "|---|---:|---:|",
    ]
    labels = {
        "httpx": "raw httpx `iter_lines` + `json.loads` (floor)",
        "openai": "openai `create(stream=True)`",
        "onesdk": "OneSDK `stream_generate`",
    }
    for client, per in chunks.items():
        lines.append(f"| {labels[client]} | {per:.1f} | {per / chunks['httpx']:.2f} |")
    lines += [
        "",
        f"## 4. Async concurrency (one client, bursts of concurrent tasks; warm = median of "
        f"{s.async_rounds} bursts on open connections, cold = the first burst)",
        "",
        f"{s.concurrency} concurrent non-stream calls (x httpx: against raw httpx.AsyncClient, "
        "the HTTP library OneSDK runs on):",
        "",
        "| Client | warm wall s | x aiohttp | x httpx | cold wall s | CPU s (warm bursts) "
        "| errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "aiohttp": "raw aiohttp, `TCPConnector(limit=0)` (floor)",
        "httpx": "raw httpx.AsyncClient, unlimited pool",
        "httpx2": "raw httpx2.AsyncClient (openai's httpx fork), unlimited pool",
        "openai": "openai AsyncOpenAI (its default pool)",
        "onesdk": "AsyncOneSDK `generate` (default httpx backend)",
        "onesdk-aiohttp": "AsyncOneSDK `generate`, `http_client=HttpxAiohttpClient()`",
    }
    for client, (cold, warm, cpu, errors) in acalls.items():
        lines.append(
            f"| {labels[client]} | {warm:.3f} | {warm / acalls['aiohttp'][1]:.1f} "
            f"| {warm / acalls['httpx'][1]:.2f} | {cold:.2f} | {cpu:.2f} | {errors} |"
        )
    lines += [
        "",
        f"{s.concurrent_streams} concurrent streams of {s.short_chunks} chunks "
        "(errors: exceptions or streams without usage, over every burst):",
        "",
        "| Client | warm wall s | x aiohttp | cold wall s | CPU s (warm bursts) | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "aiohttp": "raw aiohttp + `json.loads` (floor)",
        "onesdk": "AsyncOneSDK `stream_generate` (default httpx backend)",
        "onesdk-aiohttp": "AsyncOneSDK `stream_generate`, `http_client=HttpxAiohttpClient()`",
    }
    for client, (cold, warm, cpu, errors) in streams.items():
        lines.append(
            f"| {labels[client]} | {warm:.3f} | {warm / streams['aiohttp'][1]:.1f} | {cold:.2f} "
            f"| {cpu:.2f} | {errors} |"
        )
    lines += [
        "",
        f"## 5. Installed provider plugins ({s.import_runs} fresh processes each)",
        "",
        f"`import onesdk; onesdk.OneSDK('kimi', ...)` with {N_PLUGINS} dummy provider "
        "distributions (dist-info with an `onesdk.providers` entry point, on PYTHONPATH; each "
        "module sleeps 20 ms on import, so importing any would show) and with none. "
        f"`list_providers()` saw {results.plugin_listed} of them.",
        "",
        "| Installed plugins | CPU ms | x none | wall ms | dummy modules imported |",
        "|---|---:|---:|---:|---:|",
        f"| none | {results.plugins['none'].cpu:.1f} | 1.00 | {results.plugins['none'].wall:.1f} "
        "| 0 |",
        f"| {N_PLUGINS} | {results.plugins['with'].cpu:.1f} | {r_flat:.2f} "
        f"| {results.plugins['with'].wall:.1f} | {results.plugin_imports} |",
        "",
        *BOUNDS,
    ]
    return "\n".join(lines)


def command_line(argv: list[str]) -> str:
    if os.environ.get("MAKELEVEL"):
        return "make bench" + (f" BENCH_ARGS='{' '.join(argv)}'" if argv else "")
    return " ".join(["uv run --no-sync python benchmarks/run.py", *argv])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (about a minute)")
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"write {DOC.relative_to(ROOT)} (default: on for full runs, off with --quick)",
    )
    raw = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(raw)
    sizes = QUICK if args.quick else FULL
    write = (not args.quick) if args.write is None else args.write
    results = Results(sizes)
    started = time.perf_counter()
    results.load = os.getloadavg()[0]

    def section(title: str) -> None:
        log(f"{title} (at {time.perf_counter() - started:.0f} s)")

    section("1. cold import + construction")
    bench_imports(results)
    section("5. installed plugins")
    bench_plugins(results)
    with fake_server(sizes.stream_chunks, sizes.short_chunks) as base:
        section("2. CPU per call")
        bench_calls(results, base)
        section("3. CPU per chunk")
        bench_chunks(results, base)
        section("4. async")
        bench_async(results, base)
    section("done")
    report = render(results, command_line(raw), time.perf_counter() - started)
    print(report)
    if write:
        DOC.write_text(report)
        log(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
