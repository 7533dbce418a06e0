"""The repair's trigger, another tree's against this one's, on one pending shard: which of
the other tree's re-clusterings this tree's trigger would skip, and what those changed.

    python bench/stories_trigger.py SLICE.db --before BEFORE/src/newsweave/stories/repair.py

SLICE.db is a store whose newest shard waits for the stories stage (``bench/stories_slice.py``
or ``bench/shard_stages.py prepare``); it is only read (copied first, as ``shard_stages.py``
does). The stage runs once on the copy with the BEFORE module's ``_neighbourhood`` deciding
what is re-clustered (so the run is the before tree's, step for step); at each close call
this tree's ``_neighbourhood`` is asked too, and each re-clustering is noted with why the
before tree ran it (``eager``: a decision within the margin; ``drifted``: the seed's
cohesion; ``mergeable``: a hinted story by the summed vectors), whether this tree would
(``kept`` / ``skipped``), whether it changed anything (``changed`` / ``same``: merges,
splits or articles moved) and its CPU s; and the CPU s of the two trees' checks. Close
calls this tree would repair and the before tree would not are counted as ``new_only``.
(docs/benchmarks.md, "Archive scale, part 28".)
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Any

import shard_stages  # (through reuse_growth) puts this tree's src first on the path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slice", type=Path)
    parser.add_argument("--before", type=Path, required=True,
                        help="the before tree's newsweave/stories/repair.py")
    parser.add_argument("--rows", type=Path, help="write every re-clustering's row (JSON)")
    args = parser.parse_args()
    print(json.dumps(compare(args.slice, args.before, args.rows), indent=1))


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("before_repair", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["before_repair"] = module  # (dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def compare(path: Path, before_path: Path, rows_out: Path | None = None) -> dict[str, Any]:
    import newsweave.stories.repair as after

    before = _load(before_path)
    real_after, real_group = after._neighbourhood, after._repair_group
    rows: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    checks: collections.Counter[str] = collections.Counter()

    def neighbourhood(tables: Any, seed: int, weights: Any, threshold: float,
                      max_articles: int, done: set[int], hints: Any = None, check: bool = True,
                      meanings: Any = None) -> list[int]:
        hinted = None if hints is None else list(hints)
        started = time.process_time()
        old = before._neighbourhood(tables, seed, weights, threshold, max_articles, done,
                                    hinted, check, meanings)
        checks["before"] += time.process_time() - started
        started = time.process_time()
        new = real_after(tables, seed, weights, threshold, max_articles, done, hinted, check,
                         meanings)
        checks["after"] += time.process_time() - started
        current.clear()
        if old:
            why = "eager" if not check else "mergeable"
            if check and hinted is not None:
                state = before.StoryState.load(tables.stories_by_id([seed])[seed])
                before._with_meanings(tables, meanings, weights, [state])
                why = why if before._cohesive(state, threshold, weights) else "drifted"
            current.update(why=why, before=old, after=new)
        elif new:
            rows.append({"why": "new_only", "after": new})
        return list(old)

    def repair_group(tables: Any, group: list[int], weights: Any, threshold: float,
                     links: Any, report: Any, cache: Any = None) -> None:
        was = (len(report.merged), len(report.split), report.moved)
        started = time.process_time()
        real_group(tables, group, weights, threshold, links, report, cache)
        now = (len(report.merged), len(report.split), report.moved)
        # A group no neighbourhood chose (a first batch's whole re-clustering) is in both.
        rows.append({"why": "whole", "before": group, "after": group, **current,
                     "cpu_s": time.process_time() - started,
                     "merged_split_moved": [b - a for a, b in zip(was, now, strict=True)]})
        current.clear()

    after._neighbourhood, after._repair_group = neighbourhood, repair_group  # type: ignore
    try:
        ran = shard_stages.run_stories(path)
    finally:
        after._neighbourhood, after._repair_group = real_after, real_group  # type: ignore
    if rows_out is not None:
        rows_out.write_text(json.dumps(rows))
    counts: collections.Counter[str] = collections.Counter()
    cpu: collections.Counter[str] = collections.Counter()
    for row in rows:
        if row["why"] == "new_only":
            counts["new_only"] += 1
            continue
        changed = any(row["merged_split_moved"])
        key = (f"{row['why']}/{'kept' if row['after'] else 'skipped'}/"
               f"{'changed' if changed else 'same'}")
        counts[key] += 1
        cpu[key] += row["cpu_s"]
        if not row["after"] and row["why"] == "mergeable":
            counts[f"skipped, groups of {min(len(row['before']), 3)}"
                   f"{'+' if len(row['before']) >= 3 else ''} stories"] += 1
    lost = [row["merged_split_moved"] for row in rows
            if row["why"] != "new_only" and not row["after"] and any(row["merged_split_moved"])]
    return {"articles": ran["articles"], "stage_cpu_s": round(ran["stories_cpu_s"], 2),
            "re_clusterings": dict(sorted(counts.items())),
            "their_cpu_s": {k: round(v, 2) for k, v in sorted(cpu.items())},
            "skipped_that_changed_merged_split_moved": lost,
            "checks_cpu_s": {k: round(v, 2) for k, v in checks.items()}}


if __name__ == "__main__":
    main()
