"""The command line's ingest progress: per file its name, stage and estimated time left, and for
a batch the whole batch's, on stderr with rich. The library knows nothing of it: it reports
`IngestProgress` events to a callback (`Library.ingest(progress=…)`), which this turns into bars.

The display appears only once an ingest has run for `DELAY` seconds (a quick one stays silent,
with no flicker), never with --json and never when stderr is not a terminal (pipes, logs, CI).
"""

from __future__ import annotations

import threading
from pathlib import Path

DELAY = 1.0  # seconds before the display appears


class IngestDisplay:
    """`with IngestDisplay(paths, enabled) as show:` then `lib.ingest(path, progress=show)` per
    file and `show.finished(path)` after each, whatever its outcome."""

    def __init__(self, paths: list[str], enabled: bool = True, delay: float = DELAY):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

        console = Console(stderr=True)
        self.enabled = enabled and console.is_terminal
        self.progress = Progress(
            TextColumn("{task.fields[name]}", style="bold"), TextColumn("{task.fields[stage]:<11}"),
            BarColumn(), TaskProgressColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=console, transient=True, disable=not self.enabled,
        )
        # A batch's share of the work by file size: a 3 MB PDF weighs more than a 50 KB page.
        self.sizes = {p: _size(p) for p in paths}
        self.done = 0.0
        self.files: dict[str, int] = {}
        self.batch = None
        if len(paths) > 1:
            self.batch = self.progress.add_task("", total=sum(self.sizes.values()),
                                                name=f"{len(paths)} files", stage="")
        self._timer = threading.Timer(delay, self._show) if self.enabled else None
        self._lock = threading.Lock()
        self._shown = False

    def _show(self) -> None:
        with self._lock:
            if self._timer is not None:  # not stopped meanwhile
                self.progress.start()
                self._shown = True

    def __enter__(self) -> IngestDisplay:
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._shown:
                self.progress.stop()

    def __call__(self, event) -> None:
        """An `IngestProgress` from the library."""
        task = self.files.get(event.path)
        if task is None:
            task = self.files[event.path] = self.progress.add_task(
                "", total=1.0, name=display_name(event.path), stage=event.stage)
        self.progress.update(task, completed=event.fraction, stage=event.stage)
        if self.batch is not None:
            self.progress.update(self.batch, completed=self.done + self.sizes.get(event.path, 1) * event.fraction)
        # Drawn at once, not at the next of the display's ten refreshes a second: saving a report
        # can take less than that, and a stage the user never saw is one they cannot report.
        # Events come per stage and per embedding batch: the sample sends 27 in 14 s, at most 10 in one.
        self.progress.refresh()

    def finished(self, path: str) -> None:
        """The file is stored, unchanged or failed: its line goes, the batch moves on."""
        task = self.files.pop(path, None)
        if task is not None:
            self.progress.remove_task(task)
        self.done += self.sizes.get(path, 1)
        if self.batch is not None:
            self.progress.update(self.batch, completed=self.done)


def display_name(path: str, width: int = 36) -> str:
    """The file's name, its middle elided past `width` so that bar and ETA fit on 80 columns."""
    name = Path(path).name
    if len(name) <= width:
        return name
    half = (width - 1) // 2
    return name[:half] + "…" + name[-(width - 1 - half):]


def _size(path: str) -> int:
    try:
        return max(1, Path(path).stat().st_size)
    except OSError:
        return 1
