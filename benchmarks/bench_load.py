"""Load test: `corroborate serve` on the sample report under 1, 4, 16 and 50 concurrent clients.

    .venv/bin/python benchmarks/bench_load.py [--duration 60] [--levels 1,4,16,50] [--port 8711]

Ingests the sample into a temporary database (or uses `--db`), starts `corroborate serve` as a
real subprocess on 127.0.0.1, and for each endpoint and each level runs that many asyncio+httpx
clients, each sending its next request as soon as the last one is answered, for `--duration`
seconds. Queries rotate through the dev questions (tests/data/eval/dev-questions.jsonl), so
repeated questions are served as a real server serves popular ones; `--unique` makes every
query distinct (nothing can come from a cache). Reports requests/s, p50/p95/p99 latency, errors
(any status other than 200, any connection failure or timeout) and the server's RSS before and
after. Stops the server by itself. Results go to stdout and benchmarks/results/load.md.

The client runs on the same machine and takes CPU from the server: figures are a lower bound.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "euaa-peru-country-focus-2023.txt"
REPORT_ID = "euaa-peru-country-focus-2023"
QUESTIONS = ROOT / "tests" / "data" / "eval" / "dev-questions.jsonl"
CORROBORATE = Path(sys.executable).with_name("corroborate")
REQUEST_TIMEOUT = 30.0  # seconds; a slower answer counts as an error


def questions() -> list[str]:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


def endpoints(unique: bool = False) -> dict[str, Callable[[int], str]]:
    """Endpoint name -> the URL of its i-th request."""
    qs = questions()

    def q(i: int) -> str:
        text = qs[i % len(qs)] + (f" {i}" if unique else "")
        return quote(text)

    return {
        "/api/search": lambda i: f"/api/search?q={q(i)}",
        "/api/ask": lambda i: f"/api/ask?q={q(i)}",
        "/api/reports/{id}": lambda i: f"/api/reports/{REPORT_ID}",
        "/search": lambda i: f"/search?q={q(i)}",
    }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextlib.contextmanager
def served(db: Path | str, port: int, log: Path | None = None, startup: float = 180.0,
           env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """`corroborate serve` on 127.0.0.1:`port` over `db` (a path or URL), as a subprocess with
    `env` added to this one's environment; stopped on exit. The log goes to a file (or nowhere),
    never to a pipe: one nobody reads fills up with access lines and blocks the server."""
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [str(CORROBORATE), "--db", str(db), "serve", "--host", "127.0.0.1", "--port", str(port)],
        stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env} if env else None,
    )
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                said = Path(log).read_text(errors="replace")[-2000:] if log else ""
                raise RuntimeError(f"corroborate serve exited with status {proc.returncode}\n{said}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"corroborate serve did not answer within {startup:.0f} s")
            time.sleep(0.25)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


@dataclass
class LevelResult:
    endpoint: str
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # of successful requests, seconds
    errors: dict[str, int] = field(default_factory=dict)  # status or exception name -> count
    server_cpu: float = float("nan")  # CPU seconds (user + system, all threads) the server used
    client_cpu: float = float("nan")  # CPU seconds this load client used
    load: float = float("nan")  # 1-minute load average at the end of the level

    def cpu_ms(self, seconds: float) -> float:
        """CPU milliseconds per request (answered or not)."""
        n = self.ok + self.error_count
        return seconds / n * 1000 if n else float("nan")

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rps(self) -> float:
        return (self.ok + self.error_count) / self.seconds

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(p) - 1] * 1000


class RawConnection:
    """One keep-alive HTTP/1.1 connection over bare asyncio streams: a load client costing a
    small fraction of httpx's CPU per request, so that on 2 shared cores the client takes
    less of the server's time. Reads the whole body (Content-Length or chunked)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        try:
            self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)}
            if "content-length" in headers:
                body = await self.reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                parts = []
                while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                    parts.append(await self.reader.readexactly(size + 2))
                await self.reader.readuntil(b"\r\n")
                body = b"".join(p[:-2] for p in parts)
            else:
                body = await self.reader.read()
                headers["connection"] = "close"
            if headers.get("connection", "").lower() == "close":
                await self.close()
            return status, body
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        writer, self.reader, self.writer = self.writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def run_level(base: str, url_of: Callable[[int], str], endpoint: str, clients: int,
                    duration: float, client: str = "raw") -> LevelResult:
    """`clients` concurrent clients, each one request at a time, for `duration` seconds.

    `client`: "raw" (bare asyncio streams, `RawConnection`) or "httpx" (httpx.AsyncClient)."""
    counter = itertools.count()
    result = LevelResult(endpoint, clients, duration)
    host, port = base.removeprefix("http://").rsplit(":", 1)
    deadline = time.monotonic() + duration

    async def one_raw_client() -> None:
        conn = RawConnection(host, int(port))
        try:
            while time.monotonic() < deadline:
                url = url_of(next(counter))
                start = time.perf_counter()
                try:
                    status, _ = await asyncio.wait_for(conn.get(url), REQUEST_TIMEOUT)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                    key = type(exc).__name__
                else:
                    if status == 200:
                        result.latencies.append(time.perf_counter() - start)
                        continue
                    key = str(status)
                result.errors[key] = result.errors.get(key, 0) + 1
        finally:
            await conn.close()

    async def one_httpx_client(http: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            url = url_of(next(counter))
            start = time.perf_counter()
            try:
                r = await http.get(url)
                await r.aread()
            except httpx.HTTPError as exc:
                key = type(exc).__name__
            else:
                if r.status_code == 200:
                    result.latencies.append(time.perf_counter() - start)
                    continue
                key = str(r.status_code)
            result.errors[key] = result.errors.get(key, 0) + 1

    started = time.monotonic()
    if client == "httpx":
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT) as http:
            await asyncio.gather(*(one_httpx_client(http) for _ in range(clients)))
    else:
        await asyncio.gather(*(one_raw_client() for _ in range(clients)))
    result.seconds = time.monotonic() - started
    return result


async def first_pass(base: str, url_of: Callable[[int], str], n: int) -> tuple[int, dict[str, int]]:
    """One client asking each of the first `n` requests once, unmeasured by the levels: what a
    server does the first time it is asked something (and may remember) is then paid before
    the levels, not by whichever level happens to come first. Returns (answered, errors)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    conn, ok, errors = RawConnection(host, int(port)), 0, {}
    try:
        for i in range(n):
            try:
                status, _ = await asyncio.wait_for(conn.get(url_of(i)), REQUEST_TIMEOUT * 4)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            if status == 200:
                ok += 1
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1
    finally:
        await conn.close()
    return ok, errors


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, all its threads (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured_level(base: str, pid: int, url_of: Callable[[int], str], endpoint: str, clients: int,
                   duration: float, client: str = "raw") -> LevelResult:
    """`run_level` with the CPU the server and this client spent on it."""
    server0, client0 = cpu_seconds(pid), time.process_time()
    r = asyncio.run(run_level(base, url_of, endpoint, clients, duration, client))
    r.server_cpu, r.client_cpu = cpu_seconds(pid) - server0, time.process_time() - client0
    r.load = os.getloadavg()[0]
    return r


def render(rows: list[LevelResult], rss: list[tuple[str, float]], command: str, notes: list[str]) -> str:
    lines = [
        "# Load: `corroborate serve` on the sample report",
        "",
        f"Command: `{command}`",
        "",
        *notes,
        "",
        "| endpoint | clients | requests/s | p50 ms | p95 ms | p99 ms | requests | errors "
        "| server CPU ms/request | client CPU ms/request | load (1 min) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(r.errors.items())) or "0"
        lines.append(f"| {r.endpoint} | {r.clients} | {r.rps:.1f} | {r.percentile(50):.0f} | "
                     f"{r.percentile(95):.0f} | {r.percentile(99):.0f} | {r.ok + r.error_count} | {errors} "
                     f"| {r.cpu_ms(r.server_cpu):.1f} | {r.cpu_ms(r.client_cpu):.1f} | {r.load:.1f} |")
    lines += ["", "Server RSS (MB):", ""]
    lines += [f"- {label}: {mb:.0f}" for label, mb in rss]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per endpoint and level")
    parser.add_argument("--levels", default="1,4,16,50", help="concurrent clients, comma-separated")
    parser.add_argument("--endpoints", default=",".join(endpoints()), help="comma-separated")
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--db", type=Path, help="an ingested database (default: ingest the sample)")
    parser.add_argument("--unique", action="store_true", help="every query distinct (no cache hits)")
    parser.add_argument("--no-first-pass", dest="first_pass", action="store_false",
                        help="skip asking each distinct question once before an endpoint's levels")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="load client: bare asyncio keep-alive connections (cheap) or httpx")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "load.md")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    urls = endpoints(args.unique)
    chosen = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    unknown = [e for e in chosen if e not in urls]
    if unknown:
        parser.error(f"unknown endpoint(s) {unknown}: use {', '.join(urls)}")

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sample.db"
        if args.db:
            shutil.copy(args.db, db)
        else:
            from corroborate import Library

            with Library(db) as lib:
                lib.ingest(SAMPLE)
        load_before = os.getloadavg()
        rows: list[LevelResult] = []
        rss: list[tuple[str, float]] = []
        firsts: list[tuple[str, int, dict, float, float]] = []
        with served(db, args.port, Path(tmp) / "server.log") as proc:
            base = f"http://127.0.0.1:{args.port}"
            rss.append(("after start (model and vectors loaded)", rss_mb(proc.pid)))
            for endpoint in chosen:
                if args.first_pass:
                    started, cpu0 = time.monotonic(), cpu_seconds(proc.pid)
                    ok, errors = asyncio.run(first_pass(base, urls[endpoint], len(questions())))
                    firsts.append((endpoint, ok, errors, time.monotonic() - started, cpu_seconds(proc.pid) - cpu0))
                    print(f"{endpoint:20} first pass: {ok} answered, errors {errors or 0}, "
                          f"{firsts[-1][4] / max(ok, 1) * 1000:.0f} ms CPU per request", flush=True)
                for clients in levels:
                    r = measured_level(base, proc.pid, urls[endpoint], endpoint, clients, args.duration,
                                       args.client)
                    rows.append(r)
                    print(f"{endpoint:20} {clients:3} clients: {r.rps:7.1f} req/s  p50 {r.percentile(50):6.0f} ms  "
                          f"p95 {r.percentile(95):6.0f} ms  p99 {r.percentile(99):6.0f} ms  errors {r.errors or 0}  "
                          f"CPU ms/request server {r.cpu_ms(r.server_cpu):.1f} client {r.cpu_ms(r.client_cpu):.1f}  "
                          f"load {r.load:.1f}",
                          flush=True)
                rss.append((f"after {endpoint}", rss_mb(proc.pid)))
        load_after = os.getloadavg()
    command = "python benchmarks/bench_load.py " + " ".join(sys.argv[1:])
    notes = [
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}. "
        f"Load average (1/5/15 min) before: {'/'.join(f'{x:.1f}' for x in load_before)}, "
        f"after: {'/'.join(f'{x:.1f}' for x in load_after)}.",
        f"{args.duration:.0f} s per endpoint and level; queries rotate through the "
        f"{len(questions())} dev questions{' made unique per request' if args.unique else ''}. "
        f"The load client ({args.client}) runs on the same cores as the server. CPU ms/request: "
        "user + system time of the server process (all threads) and of the client, divided by the "
        "requests of that level; unlike requests/s it hardly depends on what else the machine runs.",
    ]
    if firsts:
        notes += ["", f"First pass before each endpoint's levels (one client, each of the {len(questions())} "
                  "distinct requests once, not in the table): what the server computes before it can "
                  "remember anything.", ""]
        notes += [f"- {e}: {ok} answered, errors {err or 0}, {secs:.1f} s, "
                  f"{cpu / max(ok + sum(err.values()), 1) * 1000:.0f} ms server CPU per request"
                  for e, ok, err, secs, cpu in firsts]
    text = render(rows, rss, command.strip(), notes)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
