"""Stories on news nobody tuned them on: the stage and a TF-IDF baseline, side by side.

    python bench/stories_dev.py                    # ECB+ (all, even half), BASIL, AllSides test
    python bench/stories_dev.py --sets basil       # one set
    python bench/stories_dev.py --all-stages       # every stage (reuse links too), slower
    python bench/stories_dev.py --allsides-all     # also the whole 9,198-excerpt AllSides set
    python bench/stories_dev.py --sets allsides-train  # its training split (7,356) as a set
    python bench/stories_dev.py --no-baseline --attach-runner-up 1  # engine variants alone
    python bench/stories_dev.py --weekday-penalty 1   # the weekdays' veto off (#12 part 11)
    python bench/stories_dev.py --prior-documents 1000  # the general-language prior (part 12)
    python bench/stories_dev.py --mixed            # also every set in one shuffled store
    python bench/stories_dev.py --sets --mixed --restory  # and the same store after a restory
    python bench/stories_dev.py --order            # also order independence per set
    python bench/stories_dev.py --set story_threshold=0.22
    python bench/stories_dev.py --grid             # neighbouring settings, global clustering
    python bench/stories_dev.py --minilm --set story_semantic_weight=0.5  # sentence vectors

The engine sees what a feed gives (id, title, text, and the publication date where the
set has one: BASIL); the gold events stay here. The baseline is what a new user would
try first: sublinear TF-IDF over lowercased words of two or more letters (English stop
words dropped, smoothed IDF, L2 norm), average linkage on cosine distance, cut at the
distance that is best on ECB+ (all 982; for the "ECB+ even" row, best on the odd topics)
and used unchanged on every other set. Each row: BCubed P/R/F1 and stories against the
gold events, for the engine and the baseline.

``--grid``: the settings and their neighbours, each set clustered as a whole (all pairwise
similarities at once, document frequencies over the set: the partition online assignment
and repair approach), chosen on ECB+ odd topics and the AllSides validation split and
reported on ECB+ even topics, BASIL and the AllSides test split.

``--mixed``: ECB+, BASIL, AllSides test and the demo corpus (its files as they are: HTML, feeds,
JSONL) ingested into ONE store in one shuffled order, 100 at a time; each set's F1 is read off
the shared partition (a story spanning two sets costs both). ``--order``: each set ingested
sorted in one batch, shuffled in one batch, and shuffled one article per ingest (as a feed
delivers them); the BCubed F1 between the sorted-batch partition and each other one (1.0:
identical).

``--minilm``: a stories-only run also stores each English article's MiniLM vector first, as
the reuse stage does (``bench/stories_meaning.py``, cached under /tmp), so the stories stage
can weigh them (``story_semantic_weight``); without it a stories-only store has none.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from newsweave.stories.features import STOPWORDS
from stories_ecb import bcubed, parse_sets, partition

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO.parent / "shared" / "benchmarks"
FIELDS = ("id", "title", "text", "published")
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
GRID = [round(0.5 + 0.025 * i, 3) for i in range(19)]  # baseline cosine distances 0.5-0.95
BASELINE_MAX = 10000  # docs the baseline clusters (a dense n x n similarity matrix: ~1 GB
# of float64 sums at the whole AllSides set's 9,198)

Doc = dict[str, str]
BEFORE: list[object] = []  # stages ahead of the stories stage in stories-only runs (--minilm)


def _stages(stories_only: bool) -> list[object] | None:
    from newsweave.stories import StoriesStage

    return [*BEFORE, StoriesStage()] if stories_only else None


def load_set(name: str) -> list[Doc]:
    """One dev set as docs with ``id``, ``text``, ``event`` and, where known, ``title`` and
    ``published`` (ids are prefixed with the set's name, so sets can share a store)."""
    if name.startswith("ecb"):
        rows = _read(BENCH / "ecbplus" / "docs.jsonl")
        half = {"ecb-odd": 1, "ecb-even": 0}.get(name)
        return [{"id": f"ecb:{d['id']}", "text": d["text"], "event": f"ecb:{d['event']}",
                 "topic": d["topic"]} for d in rows
                if half is None or int(d["topic"]) % 2 == half]
    if name == "basil":
        return [{"id": f"basil:{d['id']}", "title": d["title"], "text": d["text"],
                 "published": d["published"], "event": f"basil:{d['event']}"}
                for d in _read(BENCH / "basil" / "docs.jsonl")]
    if name.startswith("allsides"):
        split = {"allsides-all": None, "allsides-val": "val",
                 "allsides-train": "train"}.get(name, "test")
        # The roundup's date is the editors', not the excerpt's: the engine is not given it.
        return [{"id": f"allsides:{d['id']}", "title": d.get("title") or "", "text": d["text"],
                 "event": f"allsides:{d['cluster']}"}
                for d in _read(BENCH / "allsides" / "docs.jsonl")
                if split is None or d["split"] == split]
    raise SystemExit(f"unknown set {name!r}")


def _read(path: Path) -> list[dict]:
    if not path.exists():
        sys.exit(f"{path} not found: the benchmark data lives in ../shared beside the repo")
    return [json.loads(line) for line in path.open(encoding="utf-8")]


# -- the baseline ------------------------------------------------------------------------


def tfidf(texts: Sequence[str]) -> np.ndarray:
    """Sublinear TF-IDF rows (smoothed IDF, L2-normalised), English stop words dropped."""
    counts = [Counter(w for w in _TOKEN.findall(t.lower()) if w not in STOPWORDS)
              for t in texts]
    vocab: dict[str, int] = {}
    for c in counts:
        for w in c:
            vocab.setdefault(w, len(vocab))
    df = np.zeros(len(vocab))
    for c in counts:
        df[[vocab[w] for w in c]] += 1
    idf = np.log((len(texts) + 1) / (df + 1)) + 1.0
    matrix = np.zeros((len(texts), len(vocab)), dtype=np.float32)
    for i, c in enumerate(counts):
        if c:
            cols = [vocab[w] for w in c]
            matrix[i, cols] = (1.0 + np.log(np.fromiter(c.values(), float))) * idf[cols]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def average_link_cut(sims: np.ndarray, thresholds: Sequence[float]) -> dict[float, list[int]]:
    """Average-linkage clusters cut at each similarity in ``thresholds``: row -> cluster.

    The nearest-neighbour chain (O(n^2) time), recording the merge tree once; each cut
    replays the merges whose similarity reaches it (average linkage is reducible, so
    the merge heights are monotone and a cut is a prefix of the sorted merges).
    """
    n = len(sims)
    totals = sims.astype(np.float64)  # summed similarities between clusters
    sizes = np.ones(n)
    alive = np.ones(n, dtype=bool)
    merges: list[tuple[float, int, int]] = []
    chain: list[int] = []
    while alive.sum() > 1:
        if not chain:
            chain.append(int(np.flatnonzero(alive)[0]))
        a = chain[-1]
        means = totals[a] / (sizes[a] * sizes)
        means[~alive] = -np.inf
        means[a] = -np.inf
        b = int(np.argmax(means))
        if len(chain) > 1 and means[chain[-2]] >= means[b]:
            b = chain[-2]
        if len(chain) > 1 and b == chain[-2]:
            chain.pop()
            chain.pop()
            merges.append((float(means[b]), a, b))
            totals[a] += totals[b]
            totals[:, a] += totals[:, b]
            sizes[a] += sizes[b]
            alive[b] = False
            totals[b] = 0.0
            totals[:, b] = 0.0
        else:
            chain.append(b)
    cuts: dict[float, list[int]] = {}
    order = sorted(merges, key=lambda m: -m[0])
    for threshold in thresholds:
        parent = list(range(n))
        for height, a, b in order:
            if height < threshold:
                break
            parent[_find(parent, b)] = _find(parent, a)
        cuts[threshold] = [_find(parent, i) for i in range(n)]
    return cuts


def _find(parent: list[int], x: int) -> int:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def baseline_texts(docs: Sequence[Doc]) -> list[str]:
    return [(d.get("title") or "") + "\n" + d["text"] for d in docs]


def baseline(docs: Sequence[Doc], distances: Sequence[float]) -> dict[float, list[int]]:
    """The baseline's partition of ``docs`` at each cosine distance."""
    matrix = tfidf(baseline_texts(docs))
    sims = matrix @ matrix.T
    cuts = average_link_cut(sims, [1.0 - d for d in distances])
    return {d: cuts[1.0 - d] for d in distances}


def choose_distance(docs: Sequence[Doc]) -> tuple[float, float]:
    """The baseline distance with the best BCubed F1 on ``docs`` (ECB+), and that F1."""
    gold = [d["event"] for d in docs]
    scored = {d: bcubed(p, gold)[2] for d, p in baseline(docs, GRID).items()}
    best = max(scored, key=lambda d: (scored[d], -d))
    return best, scored[best]


# -- the engine --------------------------------------------------------------------------


def engine_partition(docs: Sequence[Doc], settings: dict[str, object], *,
                     stories_only: bool = True, batch: int = 0) -> tuple[list[int], float]:
    """The engine's story of each doc (ingested in the order given) and the seconds taken.
    ``batch`` > 0: ingest that many docs at a time (1: one article per ingest, as a feed)."""
    with tempfile.TemporaryDirectory() as tmp:
        if batch <= 0:
            return partition(docs, settings, Path(tmp), stories_only=stories_only,
                             fields=FIELDS, before=BEFORE)
        return _partition_batched(docs, settings, Path(tmp), stories_only, batch)


def ingest_batches(engine: object, docs: Sequence[Doc], folder: Path, batch: int) -> None:
    """Ingest ``docs`` into ``engine`` ``batch`` at a time, in the order given: each batch's
    docs as one JSONL file in ``folder`` (their FIELDS), a demo entry (``path``) as its file."""
    for start in range(0, len(docs), batch):
        part = docs[start:start + batch]
        path = folder / "part.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for d in part:
                if "path" not in d:
                    out.write(json.dumps({f: d[f] for f in FIELDS if f in d},
                                         ensure_ascii=False) + "\n")
        engine.ingest([str(path)] + [d["path"] for d in part if "path" in d])  # type: ignore[attr-defined]


def _partition_batched(docs: Sequence[Doc], settings: dict[str, object], folder: Path,
                       stories_only: bool, batch: int) -> tuple[list[int], float]:
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    started = time.perf_counter()
    with Engine(open_store(str(folder / "bench.db")), load_settings(**settings),
                _stages(stories_only)) as engine:
        ingest_batches(engine, docs, folder, batch)
        took = time.perf_counter() - started
        by_external = {a.external_id: a.id for a in engine.articles()}
        story_of = {a: s.id for s in engine.stories() for a in s.articles}
    return [story_of.get(by_external.get(d["id"], -1), -1 - i) for i, d in enumerate(docs)], took


# -- the table ---------------------------------------------------------------------------


def figures(pred: Sequence[int], docs: Sequence[Doc]) -> dict[str, float]:
    gold = [d["event"] for d in docs]
    p, r, f = bcubed(pred, gold)
    return {"p": p, "r": r, "f1": f, "stories": len(set(pred)), "events": len(set(gold))}


def line(name: str, n: int, engine: dict[str, float], base: dict[str, float], note: str) -> str:
    return (f"{name:<14} {n:>5}  {engine['p']:.3f} {engine['r']:.3f} {engine['f1']:.3f} "
            f"{engine['stories']:>5}/{engine['events']:<5}  {base['p']:.3f} {base['r']:.3f} "
            f"{base['f1']:.3f} {base['stories']:>5}  {note}")



# The stage's module constants a bench run may set (``--titled-lead``, ``--name-evidence``,
# ``--figure-penalty``, ``--place-penalty``, ``--year-evidence``, ``--year-penalty``):
# argument name -> (module, constant).
STAGE_CONSTANTS = {
    "titled_lead": ("newsweave.stories.features", "TITLED_LEAD"),
    "name_evidence": ("newsweave.stories.name_evidence", "NAME_EVIDENCE"),
    "figure_penalty": ("newsweave.stories.vectors", "FIGURE_PENALTY"),
    "place_penalty": ("newsweave.stories.features", "PLACE_PENALTY"),
    "year_evidence": ("newsweave.stories.features", "YEAR_EVIDENCE"),
    "year_penalty": ("newsweave.stories.vectors", "YEAR_PENALTY"),
    "attach_runner_up": ("newsweave.stories.linkage", "ATTACH_RUNNER_UP"),
    "attach_rivals": ("newsweave.stories.linkage", "ATTACH_RIVALS"),
    "weekday_penalty": ("newsweave.stories.features", "WEEKDAY_PENALTY"),
    "weekday_scope": ("newsweave.stories.features", "WEEKDAY_SCOPE"),
    "weekday_story_penalty": ("newsweave.stories.features", "WEEKDAY_STORY_PENALTY"),
    "prior_documents": ("newsweave.stories.prior", "PRIOR_DOCUMENTS"),
    "prior_length": ("newsweave.stories.prior", "PRIOR_LENGTH"),
    "name_grade": ("newsweave.stories.vectors", "NAME_GRADE"),
    "name_base": ("newsweave.stories.vectors", "NAME_BASE"),
    "language_text": ("newsweave.stories.words", "LANGUAGE_TEXT"),
    "bare_headline_evidence": ("newsweave.stories.features", "BARE_HEADLINE_EVIDENCE"),
    "lone_join": ("newsweave.stories.linkage", "LONE_JOIN"),
    "bare_pair_factor": ("newsweave.stories.vectors", "BARE_PAIR_FACTOR"),
    "bare_pair_meaning": ("newsweave.stories.vectors", "BARE_PAIR_MEANING"),
}


def add_stage_constant_arguments(parser: argparse.ArgumentParser) -> None:
    """``--name-evidence``, ``--figure-penalty``, ``--place-penalty``, ``--year-evidence``
    and ``--year-penalty``, which :func:`set_stage_constants` sets."""
    parser.add_argument("--name-evidence", type=int, default=None, metavar="N",
                        help="stories.name_evidence.NAME_EVIDENCE for the run (default: the "
                        "module's)")
    parser.add_argument("--figure-penalty", type=float, default=None, metavar="P",
                        help="stories.vectors.FIGURE_PENALTY for the run (default: the "
                        "module's)")
    parser.add_argument("--place-penalty", type=float, default=None, metavar="P",
                        help="stories.features.PLACE_PENALTY for the run (default: the "
                        "module's)")
    parser.add_argument("--year-evidence", choices=("text", "lead", "lead-text", "none"),
                        default=None,
                        help="stories.features.YEAR_EVIDENCE for the run: what the year veto "
                        "reads (default: the module's)")
    parser.add_argument("--year-penalty", type=float, default=None, metavar="P",
                        help="stories.vectors.YEAR_PENALTY for the run: the year veto's own "
                        "factor (default: the module's, None: story_date_penalty)")
    parser.add_argument("--attach-runner-up", type=float, default=None, metavar="R",
                        help="stories.linkage.ATTACH_RUNNER_UP for the run: a small story "
                        "attaches only if the runner-up's mean is at most R times the best's "
                        "(1: off; default: the module's)")
    parser.add_argument("--attach-rivals", type=int, default=None, metavar="K",
                        help="stories.linkage.ATTACH_RIVALS for the run: a small story does "
                        "not attach where K or more other stories pass R times the best's "
                        "mean (default: the module's)")
    parser.add_argument("--weekday-penalty", type=float, default=None, metavar="P",
                        help="stories.features.WEEKDAY_PENALTY for the run: two undated "
                        "reports whose titles and leads name weekdays and share none are "
                        "damped by P (1: off; default: the module's)")
    parser.add_argument("--weekday-scope", choices=("all", "pairs"), default=None,
                        help="stories.features.WEEKDAY_SCOPE for the run: the weekdays' veto "
                        "between reports and stories too (all) or between two reports only "
                        "(pairs: repair's pair matrices; default: the module's)")
    parser.add_argument("--weekday-story-penalty", type=float, default=None, metavar="P",
                        help="stories.features.WEEKDAY_STORY_PENALTY for the run: two stories "
                        "of two or more reports whose weekdays are disjoint, damped by P in "
                        "average linkage (1: off; #12 part 14)")
    parser.add_argument("--prior-documents", type=float, default=None, metavar="M",
                        help="stories.prior.PRIOR_DOCUMENTS for the run: pseudo-reports of "
                        "general language added to the store's document frequencies (0: "
                        "none; default: the module's)")
    parser.add_argument("--name-grade", type=float, default=None, metavar="G",
                        help="stories.vectors.NAME_GRADE: the names' veto between two reports "
                        "graded by their names (1: off; #12 part 13)")
    parser.add_argument("--name-base", type=float, default=None, metavar="B",
                        help="stories.vectors.NAME_BASE: the graded veto at MIN_NAMES names")
    parser.add_argument("--language-text", type=int, default=None, metavar="0|1",
                        help="stories.words.LANGUAGE_TEXT: an article detected in another "
                        "language read with its own stop words and stems (0: as English)")
    parser.add_argument("--bare-headline-evidence", type=int, default=None, metavar="0|1",
                        help="stories.features.BARE_HEADLINE_EVIDENCE: an article with no "
                        "ordinary sentence takes no names from its Title Case lines (0: off; "
                        "#12 part 16)")
    parser.add_argument("--bare-pair-factor", type=float, default=None, metavar="F",
                        help="stories.vectors.BARE_PAIR_FACTOR: the similarity of two "
                        "headlines with nothing under them (or stories of only such) times F "
                        "(#12 part 17; 1: off)")
    parser.add_argument("--bare-pair-meaning", type=int, default=None, metavar="0|1",
                        help="stories.vectors.BARE_PAIR_MEANING: the bare headlines' lift only "
                        "where their sentence vectors agree (#12 part 17; 0: off)")
    parser.add_argument("--lone-join", type=float, default=None, metavar="B",
                        help="stories.linkage.LONE_JOIN for the run: a report alone joins the "
                        "story of two or more it is closest to from mean similarity B (#12 "
                        "part 15; default: the module's, off)")
    parser.add_argument("--prior-length", type=float, default=None, metavar="L",
                        help="stories.prior.PRIOR_LENGTH for the run: the words of a "
                        "pseudo-report (0: they hold no feature; default: the module's)")


def set_stage_constants(args: argparse.Namespace) -> None:
    """Set, and print, each stage constant the command line gave (the others keep the
    module's value)."""
    import importlib

    for name, (module, constant) in STAGE_CONSTANTS.items():
        value = getattr(args, name, None)
        if value is not None:
            setattr(importlib.import_module(module), constant, value)
            print(f"{module.removeprefix('newsweave.')}.{constant} = {value}")

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["ecb", "ecb-even", "basil", "allsides"],
                        help="ecb, ecb-odd, ecb-even, basil, allsides (test split), "
                        "allsides-val, allsides-train, allsides-all")
    parser.add_argument("--allsides-all", action="store_true",
                        help="also the whole AllSides set (9,198 excerpts; slow)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a setting, e.g. story_threshold=0.2")
    parser.add_argument("--all-stages", action="store_true",
                        help="run every stage (reuse links too), not the stories stage alone")
    parser.add_argument("--mixed", action="store_true", help="also one shuffled mixed store")
    parser.add_argument("--order", action="store_true", help="also order independence")
    parser.add_argument("--seed", type=int, default=7, help="the mixed store's shuffle")
    parser.add_argument("--restory", action="store_true",
                        help="also score the mixed store after Engine.restory()")
    parser.add_argument("--titled-lead", type=int, default=None, metavar="N",
                        help="tried: body sentences counted twice after a title "
                        "(stories.features.TITLED_LEAD; default: the module's)")
    add_stage_constant_arguments(parser)
    parser.add_argument("--minilm", action="store_true",
                        help="stories-only runs: store each English article's MiniLM vector "
                        "first, as the reuse stage does (weighed if story_semantic_weight > 0)")
    parser.add_argument("--json", action="store_true", help="also print the rows as JSON")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the baseline's columns (nan): engine variants side by side")
    parser.add_argument("--partition", type=Path, metavar="PATH",
                        help="write each set's engine partition (the story id of each doc, in "
                        "the set's order) to PATH as JSON, to compare two trees id for id")
    parser.add_argument("--grid", action="store_true",
                        help="only the neighbouring-settings table (global clustering)")
    args = parser.parse_args()
    if args.grid:
        grid()
        return
    settings = parse_sets(args.set)
    if args.minilm:
        from stories_meaning import EmbedStage

        BEFORE.append(EmbedStage())
        print("articles carry MiniLM vectors (bench/stories_meaning.py), as after the reuse "
              "stage")
    set_stage_constants(args)
    sets = list(args.sets) + (["allsides-all"] if args.allsides_all else [])
    ecb = load_set("ecb")
    distance, ecb_f1 = choose_distance(ecb)
    odd_distance, _ = choose_distance(load_set("ecb-odd"))
    print(f"baseline distance chosen on ECB+: {distance} (F1 {ecb_f1:.3f} there); "
          f"on the odd topics: {odd_distance}")
    print(f"engine: {'all stages' if args.all_stages else 'the stories stage alone'}, "
          f"settings {settings or 'default'}")
    print(f"{'set':<14} {'docs':>5}  {'engine P/R/F1':<17} {'stories':>11}  "
          f"{'baseline P/R/F1':<17} {'k':>5}")
    rows = []
    partitions: dict[str, list[int]] = {}
    for name in sets:
        docs = load_set(name)
        cut = odd_distance if name == "ecb-even" else distance
        base = (figures(baseline(docs, [cut])[cut], docs)
                if len(docs) <= BASELINE_MAX and not args.no_baseline
                else {"p": math.nan, "r": math.nan, "f1": math.nan, "stories": 0})
        pred, took = engine_partition(docs, settings, stories_only=not args.all_stages)
        mine = figures(pred, docs)
        partitions[name] = list(pred)
        rows.append({"set": name, "docs": len(docs), "engine": mine, "baseline": base,
                     "baseline_distance": cut, "seconds": took})
        print(line(name, len(docs), mine, base, f"({took:.0f} s; baseline at {cut})"),
              flush=True)
    if args.mixed:
        rows.append(mixed(settings, not args.all_stages, args.seed, args.restory))
    if args.order:
        for name in sets:
            rows.append(order(name, settings, not args.all_stages))
    for stage in BEFORE:
        cache = getattr(stage, "cache", None)
        if cache is not None:
            print(f"MiniLM vectors embedded in this run (not cached before): {cache.embedded} "
                  f"({cache.seconds:.0f} CPU s)")
    if args.json:
        print(json.dumps(rows))
    if args.partition:
        args.partition.write_text(json.dumps(partitions))
    if any(not math.isfinite(r.get("engine", {}).get("f1", 0.0)) for r in rows):
        sys.exit(1)


GRID_SETS = ("ecb-odd", "allsides-val", "ecb-even", "basil", "allsides")
GRID_THRESHOLDS = (0.18, 0.2, 0.22, 0.24)


def grid() -> None:
    """BCubed F1 of the stage's similarity clustered as a whole, for neighbouring settings."""
    from dataclasses import replace

    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import SMALL_STORY, pair_matrices

    base = weights_from(load_settings())
    sets = {name: load_set(name) for name in GRID_SETS}
    print("BCubed F1 at story_threshold " + " / ".join(map(str, GRID_THRESHOLDS))
          + f"; small stories (<= {SMALL_STORY}) attach to larger ones")
    print(f"{'name weight':>11} {'attach':>6}  " + "  ".join(f"{n:<23}" for n in GRID_SETS))
    for names in (0.0, 0.25, 0.5, 1.0):
        weights = replace(base, names=names)
        matrices = {}
        for name, docs in sets.items():
            matrices[name] = pair_matrices(stage_vectors(docs, weights), weights)
        for attach in (0.0, 0.1, 0.14):
            cells = []
            for name, docs in sets.items():
                sims, agree = matrices[name]
                gold = [d["event"] for d in docs]
                scores = []
                for threshold in GRID_THRESHOLDS:
                    pred = cluster_labels(sims, agree, threshold, attach)
                    scores.append(f"{bcubed(pred, gold)[2]:.3f}")
                cells.append(" ".join(scores))
            print(f"{names:>11} {attach:>6}  " + "  ".join(cells), flush=True)


def cluster_labels(sims: np.ndarray, agree: np.ndarray, threshold: float,
                   attach: float) -> list[int]:
    """Each document's story (an index) in the stage's whole clustering of a pair matrix
    (``linkage.cluster_rows``, small stories attaching at ``attach``)."""
    from newsweave.stories.linkage import cluster_rows
    from newsweave.stories.vectors import SMALL_STORY

    labels = [0] * len(sims)
    for story, rows in enumerate(cluster_rows(sims, agree, threshold, attach, SMALL_STORY)):
        for i in rows:
            labels[i] = story
    return labels


def stage_vectors(docs: Sequence[Doc], weights: object) -> list:
    """The stage's article vectors of ``docs``, document frequencies over ``docs``."""
    from newsweave.stories.assign import publication_day
    from newsweave.stories.features import extract_features
    from newsweave.stories.vectors import ArticleVector, weigh

    features = [extract_features(d.get("title"), d["text"]) for d in docs]
    df = Counter(k for f in features for k in f.keys())  # noqa: SIM118 (Features.keys)
    found = []
    for i, (d, f) in enumerate(zip(docs, features, strict=True)):
        full, names = weigh(f, df, len(features), weights)  # type: ignore[arg-type]
        found.append(ArticleVector(i, full, names, frozenset(f.dates),
                                   publication_day(d.get("published")),
                                   figures=frozenset(f.figures),
                                   places=frozenset(f.places),
                                   lead_years=frozenset(f.lead_years),
                                   weekdays=frozenset(f.weekdays)))
    return found


def mixed(settings: dict[str, object], stories_only: bool, seed: int = 7,
          restory: bool = False) -> dict[str, object]:
    """Every dev set and the demo corpus in one store, one shuffled order; with ``restory``,
    scored again after ``Engine.restory()`` (a store past 1,500 articles is re-clustered
    by neighbourhoods, as a user's ``newsweave restory`` does)."""
    from newsweave.demo import corpus_files

    parts = {name: load_set(name) for name in ("ecb", "basil", "allsides")}
    # The demo files go in as files (HTML, feeds, JSONL), at shuffled places in the stream.
    everything: list[Doc] = [d for docs in parts.values() for d in docs]
    everything += [{"id": f"demo:{p.name}", "path": str(p)} for p in corpus_files()]
    random.Random(seed).shuffle(everything)
    with tempfile.TemporaryDirectory() as tmp:
        runs, took = _ingest_mixed(everything, settings, Path(tmp), stories_only, restory)
    result: dict[str, object] = {"set": "mixed", "docs": len(everything), "seconds": took}
    print(f"mixed store: {len(everything)} docs in one shuffled order (seed {seed}), 100 a batch "
          f"({took:.0f} s)")
    for label, (story, sizes) in runs.items():
        if label:
            print(f"  {label}:")
        for name, docs in parts.items():
            pred = [story.get(d["id"], -1 - i) for i, d in enumerate(docs)]
            own = figures(pred, docs)
            # A story that also holds another set's (or the demo's) articles costs this set.
            within = Counter(pred)
            foreign = sum(1 for s, c in within.items() if sizes.get(s, c) > c)
            result[f"{label}{name}"] = {**own, "stories_shared_with_other_sets": foreign}
            print(f"  {name:<10} P {own['p']:.3f} R {own['r']:.3f} F1 {own['f1']:.3f} "
                  f"stories {own['stories']}; stories holding other sets' articles: {foreign}")
    return result


def _ingest_mixed(stream: Sequence[Doc], settings: dict[str, object], folder: Path,
                  stories_only: bool, restory: bool = False,
                  ) -> tuple[dict[str, tuple[dict[str, int], dict[int, int]]], float]:
    """Ingest ``stream`` 100 at a time (docs as JSONL, demo entries as their files): per run
    ("" after the ingest, "after restory" if asked) each doc's story by id and each story's
    size; and the seconds the ingest took."""
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    started = time.perf_counter()
    runs = {}
    with Engine(open_store(str(folder / "mixed.db")), load_settings(**settings),
                _stages(stories_only)) as engine:
        ingest_batches(engine, stream, folder, 100)
        took = time.perf_counter() - started
        by_external = {a.external_id: a.id for a in engine.articles()}
        for label in ("", "after restory") if restory else ("",):
            if label:
                engine.restory()
            found = engine.stories(confidence=False)
            story_of = {a: s.id for s in found for a in s.articles}
            runs[label] = ({ext: story_of[a] for ext, a in by_external.items()
                            if a in story_of}, {s.id: len(s.articles) for s in found})
    return runs, took


def order(name: str, settings: dict[str, object], stories_only: bool) -> dict[str, object]:
    """Sorted batch vs shuffled batch vs shuffled one-at-a-time partitions of one set."""
    docs = sorted(load_set(name), key=lambda d: d["id"])
    shuffled = list(docs)
    random.Random(1).shuffle(shuffled)
    runs = {"sorted": engine_partition(docs, settings, stories_only=stories_only)[0],
            "shuffled": engine_partition(shuffled, settings, stories_only=stories_only)[0],
            "one-at-a-time": engine_partition(shuffled, settings, stories_only=stories_only,
                                              batch=1)[0]}
    story = {k: dict(zip([d["id"] for d in (docs if k == "sorted" else shuffled)], v,
                         strict=True)) for k, v in runs.items()}
    ids = [d["id"] for d in docs]
    result: dict[str, object] = {"set": f"order:{name}"}
    parts = []
    for k in ("shuffled", "one-at-a-time"):
        f = bcubed([story[k][i] for i in ids], [story["sorted"][i] for i in ids])[2]
        result[k] = f
        parts.append(f"{k} {f:.3f}")
    print(f"order independence on {name} (BCubed F1 vs the sorted batch): " + ", ".join(parts))
    # Each order's F1 against the events: how far a figure moves with the order alone (the
    # noise a change of the stage is read against).
    gold = {d["id"]: d["event"] for d in docs}
    against = {k: bcubed([story[k][i] for i in ids], [gold[i] for i in ids])[2] for k in runs}
    result["against events"] = against
    print("  against the events: " + ", ".join(f"{k} {f:.3f}" for k, f in against.items()))
    return result


if __name__ == "__main__":
    main()
