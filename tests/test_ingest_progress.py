"""Ingest progress (issue 16, item 6): the library reports each stage to a callback; the command
line shows file name, stage and time left on a terminal for an ingest over a second, and
nothing with --json or when stderr is not a terminal."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time

from conftest import DATA, SAMPLE
from corroborate import Library
from corroborate.ingest_progress import display_name
from corroborate.library import STAGES
from corroborate.settings import Settings

CPIN = DATA / "corpus" / "cpin" / "cpin-colombia-internal-relocation-2026-03.html"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _sample_head(tmp_path, lines: int = 400):
    """The sample's first pages: a real report, small enough to embed in a few seconds."""
    path = tmp_path / "peru-head.txt"
    path.write_text("".join(SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[:lines]), encoding="utf-8")
    return path


def _stages(events):
    return [s for i, s in enumerate(e.stage for e in events) if i == 0 or s != events[i - 1].stage]


def test_the_callback_hears_every_stage_in_order(tmp_path):
    events = []
    with Library(settings=Settings(db=str(tmp_path / "a.db"), embeddings=False)) as lib:
        lib.ingest(SAMPLE, progress=events.append)
        assert _stages(events) == ["reading", "structuring", "citations", "saving", "done"]
        assert {e.path for e in events} == {str(SAMPLE)}
        fractions = [e.fraction for e in events]
        assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
        again = []
        lib.ingest(SAMPLE, progress=again.append)  # unchanged: read, found, done
        assert _stages(again) == ["reading", "done"]
        failed = []
        bad = tmp_path / "empty.txt"
        bad.write_text("")
        try:
            lib.ingest(bad, progress=failed.append)
        except Exception as exc:  # noqa: BLE001
            assert "empty" in str(exc)
        assert _stages(failed) == ["reading"]  # the caller learns the outcome from the exception


def test_embedding_reports_its_batches(tmp_path):
    events = []
    with Library(settings=Settings(db=str(tmp_path / "e.db"))) as lib:
        lib.ingest(_sample_head(tmp_path), progress=events.append)
    assert _stages(events) == [*STAGES, "done"]
    embedding = [e.fraction for e in events if e.stage == "embedding"]
    assert len(embedding) >= 3 and embedding == sorted(embedding) and embedding[-1] > embedding[0]
    # the estimate moves across the embedding stage's whole share, batch by batch
    saving = next(e.fraction for e in events if e.stage == "saving")
    assert abs(embedding[-1] - saving) < 1e-9


def _run_in_terminal(args: list[str], timeout: float = 600) -> tuple[int, str]:
    """Run the CLI with stdout and stderr on a pseudo-terminal, as a person at a terminal does."""
    main_fd, child_fd = pty.openpty()
    env = {**os.environ, "COLUMNS": "80", "LINES": "24", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "corroborate", *args], stdin=child_fd, stdout=child_fd,
                            stderr=child_fd, env=env, close_fds=True)
    os.close(child_fd)
    out = bytearray()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main_fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(main_fd)
    return proc.wait(timeout=30), out.decode("utf-8", "replace")


def test_a_terminal_sees_file_stage_and_time_left_and_json_or_a_pipe_sees_none(tmp_path):
    head = _sample_head(tmp_path)
    db = str(tmp_path / "t.db")
    status, shown = _run_in_terminal(["--db", db, "ingest", str(head), str(CPIN)])
    assert status == 0, shown
    text = ANSI.sub("", shown)
    # the display appears after DELAY: the short first file may be done by then on a quiet machine
    # (its name then never shows), the CPIN takes seconds to embed and is always shown
    assert display_name(str(CPIN)) in text  # a long name's middle elided
    assert "2 of 2 files ingested, 0 failed" in text
    assert "2 files" in text and "ETA" in text
    for stage in ("embedding", "saving"):
        assert re.search(rf"{re.escape(display_name(str(CPIN)))}\s+{stage}", text), stage
    assert re.search(r"ETA\s+(\d+:\d\d:\d\d|-:--:--)", text)
    assert "2 of 2 files ingested, 0 failed" in text  # the results stay after the display goes

    # without embeddings (quicker) the batch still takes over a second here
    status, shown = _run_in_terminal(["--db", str(tmp_path / "j.db"), "ingest", "--no-embeddings", "--json",
                                      str(head), str(CPIN)])
    assert status == 0 and "ETA" not in shown and shown.lstrip().startswith("{")
    piped = subprocess.run([sys.executable, "-m", "corroborate", "--db", str(tmp_path / "p.db"), "ingest",
                            "--no-embeddings", str(head), str(CPIN)], capture_output=True, text=True, timeout=600)
    assert piped.returncode == 0 and "ETA" not in piped.stderr and "\x1b[" not in piped.stderr
    assert piped.stderr.strip() == "2 of 2 files ingested, 0 failed"
