"""Where a whole archive ingest spends its CPU: ``bench/scale.py``'s ingest under a profiler.

Runs ``scale.ingest_archive`` (clean + store, the reuse and stories stages, one
``Engine.ingest`` per shard) on a generated archive in this process, with one of:

* a **sampling** profiler (default): ``SIGPROF`` every ``--interval`` ms of the process's
  CPU; each sample charges the CPU used since the last one to the Python stack it finds.
  Its cost per sample is fixed, so small, frequent calls are not inflated as under cProfile
  (part 12 of the archive-scale notes: cProfile made the sentence splitter look 13x its
  size). A C call (SQLite, numpy, a regex) is charged to the Python function that made it.
  Prints the functions by inclusive CPU (each counted once per sample) and by own CPU.
* ``--cprofile FILE``: the deterministic profiler, its stats dumped to FILE (call counts).

    python bench/ingest_profile.py ARCHIVE [--top 40] [--interval 2] [--stacks OUT.txt]
    python bench/ingest_profile.py ARCHIVE --cprofile OUT.prof

ARCHIVE is a folder ``bench/scale.py --keep`` left (``archive-10000-seed7``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def label(frame: FrameType) -> str:
    """``module-ish path:function`` of a frame, the path cut to the package."""
    code = frame.f_code
    path = code.co_filename
    for marker in ("/newsweave/", "/site-packages/", "/lib/python"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{code.co_name}"


class Sampler:
    """Charges the CPU since the last sample to the current stack (own: the innermost
    frame; inclusive: every distinct function on the stack, once)."""

    def __init__(self, interval: float, lines: bool = False) -> None:
        self.interval = interval
        self.lines = lines  # own CPU by line of the innermost frame, not by function
        self.own: Counter[str] = Counter()
        self.inclusive: Counter[str] = Counter()
        self.stacks: Counter[tuple[str, ...]] = Counter()  # outermost frame first
        self.total = 0.0
        self._last = 0.0

    def _sample(self, _signum: int, frame: FrameType | None) -> None:
        now = time.process_time()
        spent, self._last = now - self._last, now
        if frame is None:
            return
        self.total += spent
        own = label(frame)
        self.own[f"{own}:{frame.f_lineno}" if self.lines else own] += spent
        stack: list[str] = []
        while frame is not None:
            stack.append(label(frame))
            frame = frame.f_back
        for name in set(stack):
            self.inclusive[name] += spent
        self.stacks[tuple(reversed(stack))] += spent

    def __enter__(self) -> Sampler:
        self._last = time.process_time()
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)


def print_table(title: str, counts: Counter[str], total: float, top: int) -> None:
    print(f"\n{title} (CPU s, share of {total:.1f} s sampled)")
    for name, seconds in counts.most_common(top):
        print(f"  {seconds:8.2f}  {seconds / total:6.1%}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--interval", type=float, default=2.0, help="ms of CPU per sample")
    parser.add_argument("--lines", action="store_true",
                        help="the own table by line (the innermost frame's), not by function")
    parser.add_argument("--stacks", type=Path,
                        help="also write the sampled stacks here, one line each: CPU s, then "
                             "the frames outermost first, separated by ';' (flame-graph style)")
    parser.add_argument("--cprofile", type=Path, help="run cProfile instead; dump stats here")
    args = parser.parse_args()
    from scale import ingest_archive

    def run() -> dict[str, Any]:
        return ingest_archive(args.archive, batch=args.batch, embed=False)

    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        figures = profiler.runcall(run)
        profiler.dump_stats(str(args.cprofile))
    else:
        with Sampler(args.interval / 1000, args.lines) as sampler:
            figures = run()
        print_table("inclusive", sampler.inclusive, sampler.total, args.top)
        print_table("own", sampler.own, sampler.total, args.top)
        if args.stacks:
            with args.stacks.open("w", encoding="utf-8") as out:
                for stack, seconds in sampler.stacks.most_common():
                    out.write(f"{seconds:.6f} {';'.join(stack)}\n")
    keep = ("articles", "cpu_seconds", "articles_per_cpu_s", "stage_seconds",
            "clean_store_seconds")
    print(json.dumps({k: figures[k] for k in keep} | {"load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
