"""Ingests run in the background: a POST gets a job id at once, the work is done by one
writer thread, and the job's state and progress can be read while it runs.

An ingest analyses what it stored (clean, reuse, stories, extract), which takes from
seconds to minutes, longer than a browser or proxy waits on one request. One thread runs
the jobs one after another, in the order they came, so there is one writer at a time;
in the server the thread hands each job to the ingest worker process
(:mod:`newsweave.web.ingest_proc`) and relays its progress; readers are never blocked. Job ids are
random (128 bits), so one client cannot read another's jobs by counting.

Records persist: the writer thread saves each job's record to the store (``persist``)
when it starts or ends a job and at most once a second while one runs, so a restart
of the server keeps them (``lookup`` finds one no longer in memory); a job that was
queued or running when the server stopped is marked interrupted by the next server.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newsweave.engine import ProgressCallback
from newsweave.errors import NewsweaveError

log = logging.getLogger(__name__)
KEPT = 200  # finished jobs remembered (their reports are small)
MAX_WAITING = 20  # jobs queued behind the running one before new ones are refused

# (text, source name, outlet, progress, stored) -> the report of the ingest; ``stored`` is
# called with the report so far once the articles are stored, before the stages run
StoredFn = Callable[[dict[str, Any]], None]
IngestFn = Callable[[str, str, "str | None", ProgressCallback, StoredFn], dict[str, Any]]
# job records to the store (called on the writer thread only) and one back (any thread)
PersistFn = Callable[[list[dict[str, Any]]], None]
LookupFn = Callable[[str], "dict[str, Any] | None"]
FINISHED = ("done", "failed", "interrupted")
SAVE_EVERY = 1.0  # seconds between saves of a running job's progress
INTERRUPTED = ("the server stopped before this ingest finished; what it stored stays "
               "stored, and `newsweave analyze` (or the next ingest) finishes the stages")


class QueueFull(Exception):
    """Too many ingests are waiting: the client should try again later."""


class JobInterrupted(Exception):
    """The job stopped before it finished, through no fault of its input (the process
    running it was killed or crashed): the job ends ``interrupted`` with this message."""


@dataclass(slots=True)
class Job:
    id: str
    source: str
    state: str = "queued"  # "queued" | "running" | "done" | "failed" | "interrupted"
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    phase: str | None = None  # "read", then each stage's name
    phases: dict[str, dict[str, int]] = field(default_factory=dict)
    report: dict[str, Any] | None = None  # from when the articles are stored
    error: str | None = None

    @property
    def finished_state(self) -> bool:
        return self.state in FINISHED

    def record(self) -> dict[str, Any]:
        """The fields as stored (see :mod:`newsweave.store.jobs`)."""
        return {"id": self.id, "source": self.source, "state": self.state,
                "created": self.created, "started": self.started, "finished": self.finished,
                "phase": self.phase, "phases": self.phases, "report": self.report,
                "error": self.error}

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Job:
        return cls(data["id"], data["source"], data["state"], data["created"],
                   data.get("started"), data.get("finished"), data.get("phase"),
                   dict(data.get("phases") or {}), data.get("report"), data.get("error"))

    def to_dict(self) -> dict[str, Any]:
        report = self.report or {}
        return {
            "id": self.id, "state": self.state, "source": self.source,
            "created": _iso(self.created), "started": _iso(self.started),
            "finished": _iso(self.finished),
            "seconds": round((self.finished or time.time()) - self.started, 2)
            if self.started else None,
            "phase": self.phase,
            "phases": [{"phase": k, **v} for k, v in self.phases.items()],
            "counts": None if self.report is None else {
                "new": len(report.get("new", [])), "known": len(report.get("known", [])),
                "rejected": len(report.get("rejected", []))},
            "report": self.report, "error": self.error,
            "status_url": f"/api/v1/ingest/{self.id}", "page_url": f"/ingest/{self.id}",
        }


def _iso(t: float | None) -> str | None:
    return None if t is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class IngestJobs:
    """The job list and the one writer thread that runs them."""

    def __init__(self, ingest: IngestFn, persist: PersistFn | None = None,
                 lookup: LookupFn | None = None) -> None:
        self._ingest = ingest
        self._persist = persist
        self._lookup = lookup
        self._dirty: set[str] = set()
        self._saved_at = 0.0
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._payloads: dict[str, tuple[str, str | None]] = {}
        self._finished: dict[str, threading.Event] = {}
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, text: str, source: str, outlet: str | None) -> Job:
        """Queue an ingest; raises :class:`QueueFull` when too many are waiting."""
        with self._lock:
            waiting = sum(1 for j in self._jobs.values() if j.state == "queued")
            if waiting >= MAX_WAITING:
                raise QueueFull(f"{waiting} ingests are already waiting; try again later")
            job = Job(secrets.token_urlsafe(16), source)
            self._jobs[job.id] = job
            self._dirty.add(job.id)
            self._payloads[job.id] = (text, outlet)
            self._finished[job.id] = threading.Event()
            self._forget_old()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ingest", daemon=True)
                self._thread.start()
        self._queue.put(job.id)
        return self.get(job.id) or job

    def get(self, job_id: str) -> Job | None:
        """A snapshot of the job (from the store when no longer in memory; None if unknown)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                found = self._lookup(job_id) if self._lookup is not None else None
                return Job.from_record(found) if found is not None else None
            return Job(job.id, job.source, job.state, job.created, job.started, job.finished,
                       job.phase, {k: dict(v) for k, v in job.phases.items()}, job.report,
                       job.error)

    def wait(self, job_id: str, timeout: float) -> Job | None:
        """The job once it has finished, or as it is after ``timeout`` seconds."""
        with self._lock:
            event = self._finished.get(job_id)
        if event is not None:
            event.wait(timeout)
        return self.get(job_id)

    def _forget_old(self) -> None:
        done = [k for k, j in self._jobs.items() if j.finished_state]
        for key in done[: max(0, len(done) - KEPT)]:
            del self._jobs[key]
            self._finished.pop(key, None)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs[job_id]
            for name, value in changes.items():
                setattr(job, name, value)
            self._dirty.add(job_id)

    def _save(self, force: bool = True) -> None:
        """Write the changed records (writer thread only); a failure is logged, never
        fatal: the job itself goes on and its record is saved at the next chance."""
        if self._persist is None or (not force and
                                     time.monotonic() - self._saved_at < SAVE_EVERY):
            return
        with self._lock:
            records = [self._jobs[k].record() for k in self._dirty if k in self._jobs]
            self._dirty.clear()
        try:
            self._persist(records)
            self._saved_at = time.monotonic()
        except Exception:
            log.exception("could not save %d ingest job record(s)", len(records))
            with self._lock:
                self._dirty.update(r["id"] for r in records)

    def _run(self) -> None:
        while (job_id := self._queue.get()) is not None:
            with self._lock:
                text, outlet = self._payloads.pop(job_id)
                source = self._jobs[job_id].source

            def progress(phase: str, done: int, total: int, job_id: str = job_id) -> None:
                with self._lock:
                    job = self._jobs[job_id]
                    job.phase = phase
                    job.phases[phase] = {"done": done, "total": total}
                    self._dirty.add(job_id)
                self._save(force=False)

            def stored(report: dict[str, Any], job_id: str = job_id) -> None:
                self._update(job_id, report=report)

            self._update(job_id, state="running", started=time.time())
            self._save()
            try:
                report = self._ingest(text, source, outlet, progress, stored)
                self._update(job_id, state="done", report=report, finished=time.time())
            except JobInterrupted as exc:
                log.warning("ingest job %s interrupted: %s", job_id, exc)
                self._update(job_id, state="interrupted", error=str(exc), finished=time.time())
            except NewsweaveError as exc:  # the input or the store said what is wrong
                # what was stored stays stored (and is in the report); the stages resume
                # on the next ingest or `newsweave analyze`
                self._update(job_id, state="failed", error=str(exc), finished=time.time())
            except Exception as exc:  # one job's failure must not stop the writer
                log.exception("ingest job %s failed", job_id)
                self._update(job_id, state="failed", finished=time.time(),
                             error=f"the ingest failed ({type(exc).__name__}; see the log)")
            self._save()
            with self._lock:
                event = self._finished.get(job_id)
            if event is not None:
                event.set()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
