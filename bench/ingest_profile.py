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
    python bench/ingest_profile.py NEXT --keep-db DBS --resume --no-score
    python bench/ingest_profile.py ARCHIVE --stages all   # every stage (this process's CPU)
    python bench/ingest_profile.py ARCHIVE --analyse 2000   # the extract workers' analysis

ARCHIVE is a folder ``bench/scale.py --keep`` left (``archive-10000-seed7``). With
``--keep-db DIR --resume`` the shards go into a resumable run's store in DIR
(``bench/scale.py --resume``) and are logged there, so the run later skips them: NEXT is
then the run's archive with its manifest cut to the next few shards not in the log (keep
its ``articles``, which names the store). ``--no-score`` leaves out the reuse figures, which
read the whole store back after the ingest (minutes at 250,000 articles).

    python bench/ingest_profile.py --compare-stacks A.txt:10 B.txt:3 [--min 0.1] [--depth 7]

compares two ``--stacks`` files, each with the thousands of articles it ingested: the call
tree under ``Engine.ingest`` (wrappers left out, a function calling itself folded) with
each node's inclusive CPU per 1,000 articles in A and in B and the growth, then the functions
whose own CPU per 1,000 grew most (C calls charged to their Python caller: the ``store/``
rows are SQLite's time).

    python bench/ingest_profile.py --newest STORE.db N [--archive ARCHIVE]

prints what the newest N articles of a store brought with them: the reuse pairs touching
them per 1,000 by kind, the stories they are in, and, given the archive, its pass and how
many earlier articles of the store share their base text (``bench/corpus.py``'s key).

    python bench/ingest_profile.py --passes SHARD_LOG ARCHIVE

prints a resumable run's CPU a shard (median, from its shard log) by the archive's pass
(``bench/corpus.py`` goes round its benchmark texts again and again): a shard's pass is
the most common among its articles' (the key is in the articles' order).
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


def analyse_texts(folder: Path, count: int, part: int = 250) -> dict[str, Any]:
    """The extract stage's worker analysis of an archive's first ``count`` articles (their
    texts cleaned as ingest cleans a record's, without an outlet's recurring lines), in
    parts of ``part`` texts as a worker gets them; the model is loaded before the clock."""
    from corpus import read_articles
    from newsweave.clean import clean_text
    from newsweave.extract import nlp

    texts = []
    for record in read_articles(folder):
        texts.append(clean_text(record["text"]).text)
        if len(texts) >= count:
            break
    nlp.load_model()
    started = time.process_time()
    for start in range(0, len(texts), part):
        nlp.analyse_here(texts[start:start + part])
    return {"texts": len(texts), "cpu_seconds": round(time.process_time() - started, 2)}


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


ROOT = "engine.py:ingest"
WRAPPERS = ("bench/scale.py:run", "pipeline.py:run_pending", "engine.py:analyze",
            "contextlib.py:__exit__", "contextlib.py:__enter__")


def read_stacks(path: Path, thousands: float) -> Counter[tuple[str, ...]]:
    """A ``--stacks`` file's stacks under :data:`ROOT`, CPU s per 1,000 articles; wrapper
    frames left out and a frame repeated at once (recursion, decorators) kept once."""
    stacks: Counter[tuple[str, ...]] = Counter()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            seconds, _, joined = line.rstrip("\n").partition(" ")
            frames = joined.split(";")
            if ROOT not in frames:
                continue
            kept: list[str] = []
            for frame in frames[frames.index(ROOT):]:
                if frame.endswith(WRAPPERS) or (kept and kept[-1] == frame):
                    continue
                kept.append(frame)
            stacks[tuple(kept)] += float(seconds) / thousands
    return stacks


def compare_stacks(a: Counter[tuple[str, ...]], b: Counter[tuple[str, ...]], *,
                   least: float, depth: int, top: int) -> None:
    """Print the call tree of both profiles (nodes with at least ``least`` CPU s per 1,000
    in either, to ``depth`` frames) and the functions whose own CPU grew most."""
    def totals(stacks: Counter[tuple[str, ...]]) -> tuple[Counter, Counter]:
        tree: Counter[tuple[str, ...]] = Counter()
        own: Counter[str] = Counter()
        for stack, seconds in stacks.items():
            for n in range(1, min(len(stack), depth) + 1):
                tree[stack[:n]] += seconds
            own[stack[-1]] += seconds
        return tree, own

    (tree_a, own_a), (tree_b, own_b) = totals(a), totals(b)
    print("call tree: CPU s per 1,000 articles, A, B, B - A")
    nodes = sorted(set(tree_a) | set(tree_b))
    shown = {n for n in nodes if max(tree_a[n], tree_b[n]) >= least}
    for node in sorted(shown, key=lambda n: [-(tree_a[n[:k]] + tree_b[n[:k]])
                                              for k in range(1, len(n) + 1)]):
        if node[:-1] and node[:-1] not in shown:
            continue
        print(f"{'  ' * (len(node) - 1)}{node[-1]}  {tree_a[node]:.2f}  {tree_b[node]:.2f}  "
              f"{tree_b[node] - tree_a[node]:+.2f}")
    print("\nown CPU s per 1,000 articles, the most grown first: A, B, B - A")
    grown = sorted(set(own_a) | set(own_b), key=lambda f: own_a[f] - own_b[f])
    for name in grown[:top]:
        print(f"  {own_a[name]:6.2f}  {own_b[name]:6.2f}  {own_b[name] - own_a[name]:+6.2f}  "
              f"{name}")
    for label_, own in (("A", own_a), ("B", own_b)):
        store = sum(v for k, v in own.items() if k.startswith("store/"))
        print(f"{label_}: {sum(own.values()):.2f} CPU s per 1,000 under {ROOT}, of which own "
              f"CPU in store/ (SQLite) {store:.2f}")


def describe_newest(db: Path, n: int, archive: Path | None) -> None:
    """What the newest ``n`` articles of a store brought: see the module's doc."""
    import sqlite3
    import statistics

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        high = con.execute("SELECT max(id) FROM articles").fetchone()[0]
        low = high - n + 1
        kinds = dict(con.execute("SELECT kind, count(*) FROM reuse_pairs WHERE a >= ? OR b >= ? "
                                 "GROUP BY kind", (low, low)).fetchall())
        per = Counter(dict(con.execute(
            "SELECT max(a, b), count(*) FROM reuse_pairs WHERE a >= ? OR b >= ? "
            "GROUP BY max(a, b)", (low, low)).fetchall()))
        sizes = sorted(r[0] for r in con.execute(
            "SELECT (SELECT count(*) FROM story_members o WHERE o.story_id = m.story_id) "
            "FROM story_members m WHERE m.article_id >= ?", (low,)))
        external = [r[0] for r in con.execute("SELECT external_id FROM articles WHERE id >= ?",
                                              (low,))]
        earlier = {r[0] for r in con.execute("SELECT external_id FROM articles WHERE id < ?",
                                             (low,))}
    print(f"articles {low:,}-{high:,}: reuse pairs per 1,000 {sum(kinds.values()) * 1000 / n:,.0f} "
          f"({', '.join(f'{k} {v * 1000 / n:,.0f}' for k, v in sorted(kinds.items()))}); "
          f"with a pair {len(per) / n:.0%}, median pairs of those "
          f"{statistics.median(per.values()) if per else 0}")
    if sizes:
        print(f"  the story each is in: mean {statistics.mean(sizes):.1f} articles, median "
              f"{statistics.median(sizes)}, p90 {sizes[int(0.9 * len(sizes))]}, max {sizes[-1]}")
    if archive is not None:
        bases: Counter[str] = Counter()
        new: list[dict[str, Any]] = []
        wanted = set(external)
        with (archive / "key.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if row["id"] in earlier:
                    bases[row["base"]] += 1
                elif row["id"] in wanted:
                    new.append(row)
        passes = Counter(row["pass"] for row in new)
        print(f"  archive pass {dict(sorted(passes.items()))}; earlier articles of the store "
              f"with the same base text: mean {statistics.mean(bases[r['base']] for r in new):.1f}")


def print_passes(log_path: Path, archive: Path) -> None:
    """Median CPU s a shard by the archive's pass (see the module's doc)."""
    import statistics

    from scale import _ShardLog

    manifest = json.loads((archive / "manifest.json").read_text(encoding="utf-8"))
    size = manifest["shard_size"]
    cpu = {row["shard"]: row["cpu"] for row in _ShardLog(log_path).lines}
    index = {name: n for n, name in enumerate(manifest["shards"]) if name in cpu}
    last = max(index.values()) if index else -1
    passes: list[Counter[int]] = [Counter() for _ in range(last + 1)]
    with (archive / "key.jsonl").open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n // size > last:
                break
            passes[n // size][json.loads(line)["pass"]] += 1
    by_pass: dict[int, list[tuple[int, float]]] = {}
    for name, n in index.items():
        by_pass.setdefault(passes[n].most_common(1)[0][0], []).append((n, cpu[name]))
    print("| pass | shards | first shard | median CPU s a shard |\n|---|---|---|---|")
    for number, rows in sorted(by_pass.items()):
        print(f"| {number} | {len(rows)} | {min(rows)[0]} | "
              f"{statistics.median(c for _, c in rows):.1f} |")


def main() -> None:
    if "--passes" in sys.argv:
        parser = argparse.ArgumentParser(description="CPU a shard by the archive's pass")
        parser.add_argument("--passes", nargs=2, required=True, type=Path,
                            metavar=("SHARD_LOG", "ARCHIVE"))
        print_passes(*parser.parse_args().passes)
        return
    if "--compare-stacks" in sys.argv:
        compare_main()
        return
    if "--newest" in sys.argv:
        parser = argparse.ArgumentParser(description="what a store's newest articles brought")
        parser.add_argument("--newest", nargs=2, required=True, metavar=("STORE", "N"))
        parser.add_argument("--archive", type=Path)
        args = parser.parse_args()
        describe_newest(Path(args.newest[0]), int(args.newest[1]), args.archive)
        return
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
    parser.add_argument("--keep-db", type=Path, metavar="DIR",
                        help="as bench/scale.py --keep-db: keep the store (with --resume: "
                             "ingest into the resumable run's store in DIR)")
    parser.add_argument("--resume", action="store_true",
                        help="as bench/scale.py --resume (needs --keep-db)")
    parser.add_argument("--no-score", action="store_true",
                        help="leave out the reuse figures (they read the whole store back)")
    parser.add_argument("--stages", default="reuse,stories",
                        help="as bench/scale.py --stages (all: every stage ingest runs; the "
                             "extract workers' own CPU is not sampled: see --analyse)")
    parser.add_argument("--analyse", type=int, metavar="N",
                        help="instead of ingesting: the extract workers' analysis "
                             "(nlp.analyse_here) of the archive's first N articles, cleaned, "
                             "in parts of 250 (a worker's part of a 1,000-article batch), in "
                             "this process")
    args = parser.parse_args()
    if args.resume and not args.keep_db:
        sys.exit("--resume needs --keep-db DIR: the store and its shard log are there")
    from scale import ingest_archive, parse_stages

    stages = parse_stages(args.stages)

    def run() -> dict[str, Any]:
        if args.analyse:
            return analyse_texts(args.archive, args.analyse)
        return ingest_archive(args.archive, batch=args.batch, embed=False,
                              keep_db=args.keep_db, resume=args.resume,
                              score_reuse=not args.no_score, stages=stages)

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
    keep = ("articles", "texts", "cpu_seconds", "articles_per_cpu_s", "stage_seconds",
            "clean_store_seconds", "stage_cpu_seconds", "clean_store_cpu_seconds",
            "children_cpu_seconds")
    print(json.dumps({k: figures[k] for k in keep if k in figures}
                     | {"load_average": os.getloadavg()}))


def compare_main() -> None:
    parser = argparse.ArgumentParser(description="compare two --stacks files")
    parser.add_argument("--compare-stacks", nargs=2, required=True, metavar="FILE:THOUSANDS")
    parser.add_argument("--min", type=float, default=0.1, help="CPU s per 1,000 to show a node")
    parser.add_argument("--depth", type=int, default=7)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    a, b = (read_stacks(Path(path), float(n)) for path, _, n in
            (spec.rpartition(":") for spec in args.compare_stacks))
    compare_stacks(a, b, least=args.min, depth=args.depth, top=args.top)


if __name__ == "__main__":
    main()
