"""Ingest jobs run in a separate process, so the server keeps answering while one runs.

An ingest cleans, embeds, clusters and extracts: seconds to minutes of CPU, mostly in
Python code that holds the interpreter lock. Run on a thread of the server it made every
request wait for the lock beside it; run in its own process it only shares the
machine's cores. The process is started with the first job and kept for the next ones
(its models stay loaded); it reads one job a line on stdin and answers on its stdout:
``{"stored": report}`` once the articles are stored, ``{"progress": [phase, done,
total]}`` while the stages run, then ``{"done": report}`` or ``{"failed": message}``.
Whatever a library prints goes to stderr (the server's log), never into the answers.

Everything before a job reaches this process stays in the server: the token and
cross-site checks, the upload's size limits, the job record (the server's one writer
thread saves it to ``ingest_jobs``). A process that ends in the middle of a job (killed,
out of memory, crashed) ends that job as ``interrupted``, saying how it ended; what it
stored stays stored, and the next job starts a new process.

The process itself is :mod:`newsweave.web.ingest_worker`.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from contextlib import suppress
from pathlib import Path
from typing import Any

from newsweave.engine import ProgressCallback
from newsweave.errors import NewsweaveError
from newsweave.web.jobs import JobInterrupted, StoredFn

log = logging.getLogger(__name__)
STOP_WAIT = 5.0  # seconds the process gets to finish its job when the server stops


class IngestProcess:
    """The server's side: one worker process, started when needed, restarted after it
    ends. :meth:`run` has the signature of :data:`newsweave.web.jobs.IngestFn` and is
    called by the ingest jobs' one thread, so one job at a time goes to the process."""

    def __init__(self, db: str, nice: int = 0) -> None:
        self.db = db
        self.nice = nice
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        """The worker process's id while it runs (None before the first job)."""
        with self._lock:
            return self._proc.pid if self._proc is not None and \
                self._proc.poll() is None else None

    def _start(self) -> subprocess.Popen[str]:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return self._proc
            import newsweave

            source = str(Path(newsweave.__file__).resolve().parents[1])
            path = os.environ.get("PYTHONPATH")
            env = {**os.environ,
                   "PYTHONPATH": source if not path else f"{source}{os.pathsep}{path}"}
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "newsweave.web.ingest_worker", self.db, str(self.nice)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True,
                encoding="utf-8", bufsize=1)
            return self._proc

    def run(self, text: str, source: str, outlet: str | None, progress: ProgressCallback,
            stored: StoredFn) -> dict[str, Any]:
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(json.dumps({"text": text, "source": source,
                                         "outlet": outlet}) + "\n")
            proc.stdin.flush()
        except OSError:
            pass  # the process has ended: reading its answer says how
        for line in proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                log.warning("ingest process: unreadable answer %r", line[:200])
                continue
            if "progress" in message:
                phase, done, total = message["progress"]
                progress(str(phase), int(done), int(total))
            elif "stored" in message:
                stored(message["stored"])
            elif "done" in message:
                return dict(message["done"])
            elif "failed" in message:
                raise NewsweaveError(str(message["failed"]))
        code = proc.wait()
        with self._lock:
            if self._proc is proc:
                self._proc = None
        raise JobInterrupted(
            f"the ingest process ended before this job finished ({_ending(code)}); what it "
            "stored stays stored, and `newsweave analyze` (or the next ingest) finishes "
            "the stages")

    def stop(self) -> None:
        """End the process: at once if idle (its stdin closes), after STOP_WAIT seconds
        of a running job (that job is then interrupted)."""
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None:
            return
        with suppress(OSError):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(STOP_WAIT)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(STOP_WAIT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _ending(code: int) -> str:
    if code < 0:
        try:
            return f"stopped by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"stopped by signal {-code}"
    return f"exit status {code}"
