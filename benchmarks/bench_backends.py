"""SQLite and PostgreSQL side by side, in one run, through the store protocol.

    .venv/bin/python benchmarks/bench_backends.py [--reports 10000] [--paragraphs 10]
        [--backends sqlite,postgresql] [--pg-url URL | --pg-port 5455] [--duration 60]
        [--clients 50] [--port 8751] [--replica] [--out benchmarks/results/backends.md]

For each backend:
  1. ingest the sample report end to end (`Library.ingest`: read, structure, citations, store;
     embeddings off: they cost the same on both and dominate on this machine);
  2. store `--reports` generated reports of `--paragraphs` paragraphs each (`store.save_report`,
     one transaction per report, with embeddings and cited footnotes), prepared once in memory
     beforehand (200 recurring sources' footnotes parsed once) so that only the store is timed;
  3. search the resulting library (the sample + the generated paragraphs): p50/p95 of lexical and
     hybrid search (`Searcher.search`, end to end) over caseworker questions in both languages,
     and the first hybrid query's vector load from the database;
  4. `corroborate serve` over the sample alone, `--clients` concurrent clients on /api/search for
     `--duration` s (benchmarks/bench_load.py), twice: the dev questions rotating, then each
     request made distinct (`--unique` there: no cache can answer): requests/s, p50/p95, errors,
     server CPU per request (serve and PostgreSQL's processes), server RSS.
With `--replica` (PostgreSQL), step 4 runs again with a streaming replica in
CORROBORATE_DB_REPLICAS, killed a third of the way through: the errors column must stay 0.

PostgreSQL is a scratch cluster (store/pg_cluster.py) started in a temporary folder unless
`--pg-url` names one. Wall-clock figures on a shared machine: the load average is recorded.

A library of a million paragraphs takes longer to store than a measuring window on a shared
machine: `--keep DIR --no-search` builds both libraries in DIR (steps 1-2) and keeps them (the
cluster stopped, its data in DIR/pg), and a later `--reuse DIR` (same --reports/--paragraphs and
--pg-port) runs step 3 on both, side by side, with whatever code is checked out then.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import platform
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_load  # noqa: E402
from bench_search import CENTRES, QUESTIONS, percentiles, sample_vocabulary  # noqa: E402

from corroborate import Library  # noqa: E402
from corroborate.models import Footnote, Marker, Paragraph, Report, Section, assign_paragraph_ids  # noqa: E402
from corroborate.search.embed import DIM  # noqa: E402
from corroborate.search.engine import Searcher  # noqa: E402
from corroborate.search.expand import library_vocabulary  # noqa: E402
from corroborate.settings import Settings  # noqa: E402
from corroborate.store import open_store  # noqa: E402
from corroborate.store.pg_cluster import PgCluster  # noqa: E402

SAMPLE = ROOT / "samples" / "euaa-peru-country-focus-2023.txt"
COUNTRIES = ["PE", "CO", "VE", "EC", "BO", "HN", "SV", "GT", "MX", "NI"]
PUBLISHERS = ["EUAA", "UK Home Office", "ACCORD", "Immigration and Refugee Board of Canada", "UNHCR"]
CITING_EVERY = 5  # one paragraph in five has a footnote
SOURCES = 200


# --- the generated library ------------------------------------------------------------------------


def footnote_text(src: int) -> str:
    return (f"{PUBLISHERS[src % len(PUBLISHERS)]}, Generated source number {src} on country conditions, "
            f"{1 + src % 28} March 20{10 + src % 14}, https://example.org/source/{src}")


def cited_sources() -> tuple[list[Footnote], list]:
    """The 200 recurring sources' footnotes, parsed once by the real citation pipeline."""
    report = Report(title="Sources", sections=[Section(number="1", title="Sources", paragraphs=[
        Paragraph(text=f"Statement {k}.", order=k, markers=[Marker(n=k + 1, offset=12)]) for k in range(SOURCES)])],
        footnotes=[Footnote(n=k + 1, text=footnote_text(k)) for k in range(SOURCES)])
    with Library(":memory:", settings=Settings(embeddings=False)) as lib:
        sources = lib.prepare(report, "sources")
    return report.footnotes, sources


def generated_reports(n: int, per_report: int, seed: int = 15) -> list[tuple[Report, list, list[bytes]]]:
    """`n` reports of `per_report` paragraphs in sections of five, one paragraph in five citing
    one of 200 recurring sources in a footnote (parsed once, as `ingest` parses them), with
    content-derived paragraph ids as `ingest` gives them."""
    rng = np.random.default_rng(seed)
    vocab, prob, lengths = sample_vocabulary()
    centres = rng.standard_normal((CENTRES, DIM)).astype(np.float32)
    notes, sources = cited_sources()
    by_id = {s.id: s for s in sources}
    out = []
    t0 = time.perf_counter()
    for i in range(n):
        lens = rng.choice(lengths, size=per_report)
        words = rng.choice(len(vocab), size=int(lens.sum()), p=prob)
        sections, footnotes, used, pos = [], [], {}, 0
        for k, length in enumerate(lens):
            if k % 5 == 0:
                sections.append(Section(number=str(k // 5 + 1), title=" ".join(vocab[w] for w in words[pos:pos + 3])))
            text = " ".join(vocab[w] for w in words[pos:pos + length]) + "."
            pos += length
            if k % CITING_EVERY:
                sections[-1].paragraphs.append(Paragraph(text=text, order=k))
                continue
            note = notes[int(rng.integers(0, SOURCES))].model_copy(update={"n": len(footnotes) + 1})
            sections[-1].paragraphs.append(Paragraph(text=text, order=k, markers=[Marker(n=note.n, offset=len(text))]))
            footnotes.append(note)
            used.update({c.source_id: by_id[c.source_id] for c in note.citations if c.source_id in by_id})
        family = f"generated-{i:05d}"
        report = Report(
            id=family, title=f"Generated report {i}", publisher=PUBLISHERS[i % len(PUBLISHERS)],
            published=f"20{10 + i % 14}-{1 + i % 12:02d}-01", language="en", country=COUNTRIES[i % len(COUNTRIES)],
            document_type="country-report", source_hash=hashlib.sha256(f"generated-{i}".encode()).hexdigest(),
            sections=sections, footnotes=footnotes)
        assign_paragraph_ids(report, family)
        v = centres[rng.integers(0, CENTRES, per_report)] + 0.9 * rng.standard_normal((per_report, DIM)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        out.append((report, list(used.values()), [row.astype(np.float32).tobytes() for row in v]))
        if (i + 1) % 200 == 0:
            print(f"  prepared {i + 1}/{n} reports ({time.perf_counter() - t0:.0f} s)", flush=True)
    return out


# --- measurements -----------------------------------------------------------------------------------


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cluster_cpu_seconds(cluster: PgCluster | None) -> float:
    """CPU used so far by the cluster's live server processes (postmaster and its children)."""
    if cluster is None:
        return 0.0
    total = 0.0
    for p in cluster.server_pids():
        try:
            total += bench_load.cpu_seconds(p)
        except OSError:  # a backend process that has just ended
            continue
    return total


def measure(label: str, db: str, corpus, repeat: int, cluster: PgCluster | None, build: bool = True,
            search: bool = True) -> dict:
    """Ingest and search figures; CPU counts this process plus the PostgreSQL server's.
    `build` ingests the sample and stores `corpus`; `search` times the searches of what is stored."""
    row: dict = {"backend": label}

    def cpu() -> float:
        return cpu_seconds() + cluster_cpu_seconds(cluster)

    if build:
        settings = Settings(db=db, embeddings=False)
        t, c = time.perf_counter(), cpu()
        with Library(db, settings=settings) as lib:
            res = lib.ingest(SAMPLE)
        row["sample_ingest_s"] = time.perf_counter() - t
        row["sample_ingest_cpu_s"] = cpu() - c
        row["sample_paragraphs"] = res.paragraphs

    store = open_store(db)
    try:
        if build:
            t, c = time.perf_counter(), cpu()
            for report, sources, vectors in corpus:
                store.save_report(report, report.id, sources, vectors)
            row["generated_s"] = time.perf_counter() - t
            row["generated_cpu_s"] = cpu() - c
            row["generated_reports"] = len(corpus)
            print(f"  {label}: stored {len(corpus)} reports in {row['generated_s']:.0f} s", flush=True)
        row["paragraphs"] = sum(r["paragraphs"] for r in store.list_reports())
        if not search:
            return row

        searcher = Searcher(store, Settings(db=db))
        t = time.perf_counter()
        searcher.search(QUESTIONS[0], k=10, mode="hybrid")  # loads the vectors from the database
        row["first_hybrid_s"] = time.perf_counter() - t
        # The library's vocabulary for query expansion (one scan of every paragraph, then cached),
        # loaded by the first question holding a word the index lacks: timed apart, not as one query.
        t = time.perf_counter()
        library_vocabulary(searcher)
        row["vocabulary_s"] = time.perf_counter() - t
        for mode in ("lexical", "hybrid"):
            times, cpus = [], []
            for _ in range(repeat):
                for q in QUESTIONS:
                    t, c = time.perf_counter(), cpu()
                    searcher.search(q, k=10, mode=mode)
                    times.append(time.perf_counter() - t)
                    cpus.append(cpu() - c)
            row[mode] = percentiles(times)
            row[f"{mode}_cpu"] = percentiles(cpus)
            print(f"  {label}: {mode} p50/p95 {row[mode][0]:.1f} / {row[mode][1]:.1f} ms", flush=True)
    finally:
        store.close()
    return row


def load_run(label: str, db: str, port: int, clients: int, duration: float, log: Path,
             cluster: PgCluster | None = None, env: dict[str, str] | None = None, during=None,
             unique: tuple[bool, ...] = (False, True)) -> list[dict]:
    """`clients` clients on /api/search for `duration` s against `serve` over `db`, once per
    entry of `unique`: the dev questions rotating (after one unmeasured pass over them, as a
    server meets popular questions again) and made distinct per request (no cache can answer)."""
    out = []
    with bench_load.served(db, port, log, env=env) as proc:
        base = f"http://127.0.0.1:{port}"
        rss_start = bench_load.rss_mb(proc.pid)
        asyncio.run(bench_load.first_pass(base, bench_load.endpoints()["/api/search"], len(bench_load.questions())))
        for distinct in unique:
            if during is not None:
                threading.Timer(duration / 3, during).start()
            cluster0 = cluster_cpu_seconds(cluster)
            r = bench_load.measured_level(base, proc.pid, bench_load.endpoints(distinct)["/api/search"],
                                          "/api/search", clients, duration)
            server_cpu = r.server_cpu + cluster_cpu_seconds(cluster) - cluster0
            out.append({"backend": label, "queries": "unique" if distinct else "rotating", "clients": clients,
                        "rps": r.rps, "p50": r.percentile(50), "p95": r.percentile(95),
                        "requests": r.ok + r.error_count, "errors": dict(r.errors),
                        "cpu_ms": r.cpu_ms(server_cpu), "rss_start": rss_start, "rss_end": bench_load.rss_mb(proc.pid),
                        "load": r.load})
            print(f"  {label}: {out[-1]}", flush=True)
    return out


# --- the run ----------------------------------------------------------------------------------------


def render(rows: list[dict], loads: list[dict], args, loadavg: list[tuple[str, tuple]]) -> str:
    n = rows[0]["paragraphs"] if rows else 0
    lines = [
        "# SQLite and PostgreSQL side by side",
        "",
        f"Command: `python benchmarks/bench_backends.py {' '.join(sys.argv[1:])}` — "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}.",
        "",
        "Load average (1/5/15 min) — the machine is shared with other engineers' jobs, so every "
        "wall-clock figure is an upper bound: " + "; ".join(f"{k} {'/'.join(f'{x:.1f}' for x in v)}" for k, v in loadavg) + ".",
        "",
        f"Library: the sample report plus {args.reports:,} generated reports of {args.paragraphs} paragraphs "
        f"(one paragraph in {CITING_EVERY} citing one of 200 recurring sources in a footnote; a 512-d embedding each) = "
        f"{n:,} paragraphs. Search: {len(QUESTIONS)} questions x {args.repeat}, k=10, end to end. "
        "CPU adds this process's and the PostgreSQL server processes' (clock ticks from /proc): "
        "it is what a query costs, whatever else runs on the machine.",
        "",
        "| measure | " + " | ".join(r["backend"] for r in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]

    def line(name: str, fmt) -> None:
        lines.append(f"| {name} | " + " | ".join(fmt(r) for r in rows) + " |")

    if not args.reuse:
        line("ingest the sample, end to end, no embeddings (s wall / s CPU incl. server)",
             lambda r: f"{r['sample_ingest_s']:.2f} / {r['sample_ingest_cpu_s']:.2f}")
        line(f"store {args.reports:,} generated reports, one transaction each (s wall)",
             lambda r: f"{r['generated_s']:.0f}")
        line("… reports/s, paragraphs/s (wall)",
             lambda r: f"{r['generated_reports'] / r['generated_s']:.0f}, "
                       f"{r['generated_reports'] * args.paragraphs / r['generated_s']:.0f}")
        line("… CPU, this process + PostgreSQL's server processes (s)", lambda r: f"{r['generated_cpu_s']:.0f}")
    line("paragraphs in the library", lambda r: f"{r['paragraphs']:,}")
    if args.no_search:
        return "\n".join(lines) + "\n"
    line("first hybrid search (loads the vectors; from 100k paragraphs also the term statistics) (s)", lambda r: f"{r['first_hybrid_s']:.2f}")
    line("then the vocabulary for query expansion (one scan of every paragraph) (s)", lambda r: f"{r['vocabulary_s']:.2f}")
    line("lexical search p50 / p95 (ms)", lambda r: f"{r['lexical'][0]:.1f} / {r['lexical'][1]:.1f}")
    line("hybrid search p50 / p95 (ms)", lambda r: f"{r['hybrid'][0]:.1f} / {r['hybrid'][1]:.1f}")
    line("lexical search CPU per query p50 / p95 (ms, incl. server)",
         lambda r: f"{r['lexical_cpu'][0]:.1f} / {r['lexical_cpu'][1]:.1f}")
    line("hybrid search CPU per query p50 / p95 (ms, incl. server)",
         lambda r: f"{r['hybrid_cpu'][0]:.1f} / {r['hybrid_cpu'][1]:.1f}")
    if loads:
        lines += ["", f"`corroborate serve` over the sample, {args.clients} concurrent clients on /api/search for "
                  f"{args.duration:.0f} s (bench_load.py's client, on the same cores). Errors: a number is an HTTP "
                  f"status the server answered; ReadTimeout is the client giving up after "
                  f"{bench_load.REQUEST_TIMEOUT:.0f} s in the queue. Rotating: the {len(bench_load.questions())} dev "
                  "questions in turn, after one unmeasured pass over them; unique: each request's question "
                  "made distinct, so nothing comes from a cache. Server CPU counts `serve` and the primary's "
                  "processes (not the replica's).", "",
                  "| backend | questions | requests/s | p50 ms | p95 ms | requests | errors "
                  "| server CPU ms/request (serve + PostgreSQL) | server RSS start / end (MB) | load (1 min) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in loads:
            errors = ", ".join(f"{k}: {v}" for k, v in sorted(r["errors"].items())) or "0"
            lines.append(f"| {r['backend']} | {r['queries']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
                         f"{r['requests']} | {errors} | {r['cpu_ms']:.0f} | {r['rss_start']:.0f} / {r['rss_end']:.0f} "
                         f"| {r['load']:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--paragraphs", type=int, default=10, help="paragraphs per generated report")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", help="an empty PostgreSQL database (default: a scratch cluster)")
    parser.add_argument("--pg-port", type=int, default=5455, help="port of the scratch cluster (and +1 replica)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per backend; 0 skips it")
    parser.add_argument("--port", type=int, default=8751)
    parser.add_argument("--replica", action="store_true", help="also a load run with a replica killed mid-run")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "backends.md")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build the libraries in DIR (SQLite file, scratch cluster) and keep them")
    parser.add_argument("--reuse", type=Path, metavar="DIR",
                        help="search the libraries a --keep run left in DIR (no ingest, no store)")
    parser.add_argument("--no-search", action="store_true", help="ingest and store only (with --keep)")
    args = parser.parse_args()
    if args.keep and args.reuse:
        parser.error("--keep builds, --reuse searches: one or the other")
    if args.no_search and not args.keep:
        parser.error("--no-search keeps nothing to search: add --keep DIR")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    loadavg = [("start", os.getloadavg())]

    corpus: list = []
    if not args.reuse:
        print(f"preparing {args.reports} generated reports …", flush=True)
        corpus = generated_reports(args.reports, args.paragraphs)
    kept = args.keep or args.reuse
    if kept:
        kept.mkdir(parents=True, exist_ok=True)
        tmp = kept.resolve()
    else:
        tmp = Path(tempfile.mkdtemp(prefix="corroborate-bench-"))
    tmp.chmod(0o755)  # a scratch cluster's server user must enter it
    cluster = replica = None
    rows, loads = [], []
    try:
        for backend in backends:
            if backend == "sqlite":
                db, sample_db = str(tmp / "library.db"), str(tmp / "sample.db")
            else:
                if args.pg_url:
                    db, sample_db = args.pg_url, None
                elif args.reuse:
                    cluster = PgCluster(root=tmp / "pg", port=args.pg_port).start()
                    db, sample_db = cluster.url("library"), cluster.url("sample")
                else:
                    cluster = PgCluster(root=tmp / "pg", port=args.pg_port).init().start()
                    db = cluster.create_database("library")
                    sample_db = cluster.create_database("sample")
            print(f"{backend}: {db}", flush=True)
            rows.append(measure(backend, db, corpus, args.repeat, cluster if backend != "sqlite" else None,
                                build=not args.reuse, search=not args.no_search))
            loadavg.append((f"after {backend} ingest+search", os.getloadavg()))
            if args.duration > 0 and sample_db is not None and not args.no_search:
                with Library(sample_db, settings=Settings(db=sample_db)) as lib:
                    lib.ingest(SAMPLE)  # with embeddings: serve runs hybrid search
                loads += load_run(backend, sample_db, args.port, args.clients, args.duration, tmp / f"{backend}.log",
                                  cluster if backend != "sqlite" else None)
                loadavg.append((f"after {backend} load", os.getloadavg()))
                if backend == "postgresql" and args.replica and cluster is not None:
                    replica = cluster.replica(tmp / "replica", args.pg_port + 1).start()
                    replica.wait_replayed()
                    loads += load_run("postgresql + replica killed at 1/3", sample_db, args.port, args.clients,
                                      args.duration, tmp / "replica.log", cluster,
                                      env={"CORROBORATE_DB_REPLICAS": replica.url("sample")},
                                      during=replica.kill, unique=(False,))
                    loadavg.append(("after the replica run", os.getloadavg()))
    finally:
        for c in (replica, cluster):
            if c is None:
                continue
            if kept and c is cluster:
                c.stop()  # its data stays in DIR/pg for a --reuse run
            else:
                c.destroy()
        if not kept:
            shutil.rmtree(tmp, ignore_errors=True)
    loadavg.append(("end", os.getloadavg()))
    text = render(rows, loads, args, loadavg)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
