"""The ingest jobs' worker process (see :mod:`newsweave.web.ingest_proc`): one job a line
on stdin, its answers on stdout, a line each.

Run as ``python -m newsweave.web.ingest_worker DB [NICE]`` by the server only; the
process opens its own writable engine on the store and keeps it (and the models its
stages load) from one job to the next.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import IO, Any

from newsweave.errors import NewsweaveError

log = logging.getLogger(__name__)


def _ingest(engine: Any, job: dict[str, Any], send: Any) -> dict[str, Any]:
    """One job: store the records (the counts are known then), then analyse them,
    reporting each stage's progress; the report names each article's story."""
    from newsweave.ingest import read_records

    report = engine.ingest_records(list(read_records(job["source"], job["text"])),
                                   outlet=job.get("outlet"), analyze=False)
    send({"stored": {**report.to_dict(), "stories": {}}})
    send({"progress": ["read", 1, 1]})
    engine.analyze(progress=lambda phase, done, total:
                   send({"progress": [phase, done, total]}))
    stories = engine.store.stories.story_of(report.new + report.known)
    return {**report.to_dict(), "stories": {str(k): v for k, v in stories.items()}}


def main(argv: list[str]) -> int:
    from newsweave.engine import open_engine

    db, nice = argv[0], int(argv[1]) if len(argv) > 1 else 0
    answers: IO[str] = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # a library's print() lands in the log, not among the answers
    sys.stdout = sys.stderr
    if nice:
        os.nice(nice)
    logging.basicConfig(level=logging.WARNING)

    def send(message: dict[str, Any]) -> None:
        answers.write(json.dumps(message) + "\n")
        answers.flush()

    engine = open_engine(db, create=False)
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                send({"done": _ingest(engine, json.loads(line), send)})
            except NewsweaveError as exc:  # the input or the store said what is wrong
                send({"failed": str(exc)})
            except Exception as exc:  # one job's failure must not end the process
                log.exception("ingest job failed")
                send({"failed": f"the ingest failed ({type(exc).__name__}; see the log)"})
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
