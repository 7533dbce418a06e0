"""Stories on gold groupings no stories setting was chosen on (#12, part 16).

    python bench/stories_heldout.py --minilm             # every held-out set
    python bench/stories_heldout.py --minilm --sets emergent-odd
    python bench/stories_heldout.py --minilm --errors    # also the errors by category

The settings of the stories stage were chosen on ECB+, AllSides and BASIL
(``bench/stories_dev.py``). This runs the real stage (stories-only, as
``stories_dev.py`` does; ``--minilm`` stores each article's MiniLM vector first, as
the reuse stage would) on a kind of news those sets are not:

- ``emergent``: Emergent's 524 news headlines of 60 rumours and viral claims
  (``../shared/benchmarks/emergent/pairs.jsonl``), headlines only, no body, no date;
  gold = the claim each headline reports on (``claim_id``). Each headline is given to
  the engine as a feed item would give it: a title and nothing else under it.
  ``emergent-even`` / ``emergent-odd``: the claims of even / odd rank in the order of
  their ids (a fixed split for choosing a fix on one half and reporting on the other).

The baseline is stories_dev's: sublinear TF-IDF average linkage, cut at the cosine
distance best on ECB+ (all 982 articles), used unchanged; ``--baseline-best`` also
prints the baseline at the distance best on the set itself (an oracle, for scale).
Timeline17 has no grouping finer than its 8 topics (its timelines are dated summaries,
not labels of articles), which ``bench/stories_timeline.py`` checks for precision.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence

import stories_dev
from stories_dev import (
    BENCH,
    GRID,
    Doc,
    add_stage_constant_arguments,
    baseline,
    choose_distance,
    engine_partition,
    figures,
    line,
    load_set,
    set_stage_constants,
    stage_vectors,
)
from stories_ecb import bcubed, parse_sets

SETS = ("emergent", "emergent-even", "emergent-odd")


def load_heldout(name: str) -> list[Doc]:
    """A held-out set's docs: ``id``, ``title``, ``text``; ``event`` (the gold) and
    ``stance`` (the headline's to its claim), which the engine never sees."""
    if not name.startswith("emergent"):
        raise SystemExit(f"unknown set {name!r}")
    path = BENCH / "emergent" / "pairs.jsonl"
    if not path.exists():
        sys.exit(f"{path} not found: the benchmark data lives in ../shared beside the repo")
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    rank = {c: i for i, c in enumerate(sorted({r["claim_id"] for r in rows}))}
    half = {"emergent-even": 0, "emergent-odd": 1}.get(name)
    # A headline alone, as a feed's title with no description: the text is the title.
    return [{"id": f"emergent:{r['id']}", "title": r["headline"], "text": r["headline"],
             "event": f"emergent:{r['claim_id']}", "stance": r["stance"]} for r in rows
            if half is None or rank[r["claim_id"]] % 2 == half]


def errors(pred: Sequence[int], docs: Sequence[Doc]) -> None:
    """The partition's errors by kind: gold groups split (into how many stories, how many
    of their reports alone), stories merging gold groups (how many, how big)."""
    gold = [d["event"] for d in docs]
    by_gold: dict[str, list[int]] = defaultdict(list)
    by_pred: dict[int, list[int]] = defaultdict(list)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_gold[g].append(i)
        by_pred[p].append(i)
    sizes = Counter(pred)
    split = [g for g, rows in by_gold.items() if len({pred[i] for i in rows}) > 1]
    alone = sum(1 for g, rows in by_gold.items() if len(rows) > 1
                for i in rows if sizes[pred[i]] == 1)
    merging = [p for p, rows in by_pred.items() if len({gold[i] for i in rows}) > 1]
    print(f"  gold groups of 2+: {sum(1 for r in by_gold.values() if len(r) > 1)}, split: "
          f"{len(split)}; reports alone though their group has others: {alone}; "
          f"stories of one report: {sum(1 for n in sizes.values() if n == 1)}")
    print(f"  stories merging gold groups: {len(merging)} (reports in them: "
          f"{sum(len(by_pred[p]) for p in merging)})")
    for p in sorted(merging, key=lambda p: -len(by_pred[p]))[:8]:
        groups = Counter(gold[i] for i in by_pred[p])
        sizes_in = sorted(groups.values(), reverse=True)
        print(f"    story of {len(by_pred[p])}: gold groups {sizes_in}")
        for g in list(groups)[:3]:
            print(f"      {next(docs[i]['title'] for i in by_pred[p] if gold[i] == g)[:90]}")
    for g in sorted(split, key=lambda g: -len(by_gold[g]))[:8]:
        parts = sorted(Counter(pred[i] for i in by_gold[g]).values(), reverse=True)
        print(f"    gold group of {len(by_gold[g])} in stories {parts}")
    strays, stances = _strays(pred, docs)
    print(f"  reports outside their gold group's largest story: {sum(strays.values())}: "
          + ", ".join(f"{k} {n}" for k, n in strays.most_common()))
    if stances:
        print("  of them by stance to the claim: " + ", ".join(
            f"{k} {n}" for k, n in sorted(stances.items())))


def _strays(pred: Sequence[int], docs: Sequence[Doc]) -> tuple[Counter[str], Counter[str]]:
    """Each report outside its gold group's largest story counted by what keeps it out, and
    by its stance to the claim (Emergent's ``stance``). What keeps it out is read off
    the stage's pair similarities over the whole set (``stories_dev.stage_vectors``: the
    set's document frequencies, no sentence vectors; the stage's own differ a little):
    it shares no word feature with any report of that story; every report of it that shares
    words is damped by a veto (names, figures, years); or it shares words, undamped, with
    some and its mean similarity to the story stays below the threshold."""
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import _cosines, pair_matrices

    weights = weights_from(load_settings())
    items = stage_vectors(docs, weights)
    words = _cosines([a.arrays() for a in items])
    sims = pair_matrices(items, weights)[0]
    gold = [d["event"] for d in docs]
    main: dict[str, int] = {}
    for g in set(gold):
        main[g] = Counter(p for p, h in zip(pred, gold, strict=True) if h == g).most_common(1)[0][0]
    kinds: Counter[str] = Counter()
    stances: Counter[str] = Counter()
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        if p == main[g]:
            continue
        stances[docs[i].get("stance", "?")] += 1
        members = [j for j, q in enumerate(pred) if q == main[g]]
        shared = [j for j in members if words[i, j] > 0]
        if not shared:
            kinds["no word shared"] += 1
        elif all(sims[i, j] < words[i, j] * 0.999 for j in shared):
            kinds["shared words, vetoed"] += 1
        else:
            kinds["shared words, below the threshold"] += 1
    # The headline's stance to its claim (never given to the engine), against the set's.
    every = Counter(d.get("stance", "?") for d in docs)
    return kinds, Counter({f"{k} (of {every[k]})": n for k, n in stances.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["emergent"], help=", ".join(SETS))
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a setting, e.g. story_threshold=0.2")
    parser.add_argument("--minilm", action="store_true",
                        help="store each English article's MiniLM vector first, as the reuse "
                        "stage does (weighed by the stories stage)")
    parser.add_argument("--errors", action="store_true", help="also the errors by kind")
    parser.add_argument("--baseline-best", action="store_true",
                        help="also the baseline at the distance best on the set (an oracle)")
    add_stage_constant_arguments(parser)
    args = parser.parse_args()
    settings = parse_sets(args.set)
    if args.minilm:
        from stories_meaning import EmbedStage

        stories_dev.BEFORE.append(EmbedStage())
        print("articles carry MiniLM vectors (bench/stories_meaning.py), as after the reuse "
              "stage")
    set_stage_constants(args)
    distance, ecb_f1 = choose_distance(load_set("ecb"))
    print(f"baseline distance chosen on ECB+: {distance} (F1 {ecb_f1:.3f} there)")
    print(f"engine: the stories stage alone, settings {settings or 'default'}")
    print(f"{'set':<14} {'docs':>5}  {'engine P/R/F1':<17} {'stories':>11}  "
          f"{'baseline P/R/F1':<17} {'k':>5}")
    for name in args.sets:
        docs = load_heldout(name)
        base = figures(baseline(docs, [distance])[distance], docs)
        pred, took = engine_partition(docs, settings)
        mine = figures(pred, docs)
        print(line(name, len(docs), mine, base, f"({took:.0f} s; baseline at {distance})"),
              flush=True)
        if args.baseline_best:
            gold = [d["event"] for d in docs]
            scored = {d: bcubed(p, gold) for d, p in baseline(docs, GRID).items()}
            best = max(scored, key=lambda d: (scored[d][2], -d))
            p, r, f = scored[best]
            print(f"  baseline at its best distance on this set ({best}, an oracle): "
                  f"P {p:.3f} R {r:.3f} F1 {f:.3f}")
        if args.errors:
            errors(pred, docs)


if __name__ == "__main__":
    main()
