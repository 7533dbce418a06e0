"""Why a report stays alone while the rest of its event is grouped, and what would join it
(#12 part 15).

    python bench/stories_lone.py --why --sets allsides-val ecb-odd
    python bench/stories_lone.py --why --sets allsides-val --partition /tmp/p.json
    python bench/stories_lone.py --variants stage lone:mean:0.2 lone:cohesion:0.22 \\
        --sets allsides-val ecb-odd --k1 1 2
    python bench/stories_lone.py --triangles 0.08 0.1 0.12 0.14 --sets allsides-val

Each set is clustered as a whole with the stage's similarity (``linkage.cluster_rows`` on
``stories.vectors.pair_matrices`` with the MiniLM factor and the stories' weekday veto: the
partition the stage reaches below 1,500 articles), or read from a ``stories_dev.py
--partition`` file (``--partition``: the stage's own partition of that set).

``--why``: every report that is a story of its own while its gold event has other
reports. Its *target* is the story holding most of its event's other reports (ties: the
larger, then the first). Each is counted once, by the first of these that holds:

- *no shared word*: its word cosine with every other report of its event is 0;
- *the story's other members*: its mean similarity (the linkage's) to its event's members
  of the target reaches the threshold, to the whole target not (a story that also holds
  other events' reports);
- *a veto*: its mean to its event's members of the target reaches the threshold with the
  vetoes off (names, years, figures, weekdays), not with them; which one alone would do;
- *MiniLM below neutral*: it reaches the threshold with the sentence factor at neutral;
- *words below*: not even then; by the band of that mean ([attach, T), [T/2, attach),
  below T/2).

Beside them: the shape of the event (where the rest sits: together in a story of its own
event only, in a story with other events, alone too, or in several stories), whether the
target is the report's best story (by the mean) and how many stories come as close as the
target, and why the attach rule (``linkage.attach_small``) did not take it (the target has
at most ``SMALL_STORY`` reports, names disagree, a crowd of rivals, or a mean below the
attach similarity).

``--variants``: each set clustered as a whole, then a second pass for single reports: a
story of one report joins the story of two or more (from the linkage) it scores best
against, if that score reaches a bar B, their names agree (as the attach rule reads them)
and, with ``:R:K``, fewer than K other stories pass R times the best score (the attach
rule's crowd condition). The score (``lone:MODE:B[:R:K]``):

- ``mean``: the mean similarity to the story's reports (average linkage's own);
- ``cohesion``: the story as a whole: the summed similarity to its reports over the norm
  of the story's summed vector, ``sum_j S[i, j] / sqrt(sum_jk S[j, k])`` (with unit
  vectors and S the word cosine, the cosine with the story's summed vector: a story's
  pooled words; the mean divided by the square root of the story's own mean similarity,
  its diagonal included), on the stage's similarity S (vetoes and MiniLM factor in);
- ``max``: the best single pair (a nearest-neighbour join), with the story's mean at
  least half the bar.

``attach1``: the stage's attach rule with ``SMALL_STORY`` 1 (a single report may attach to
a story of two or more from the attach similarity, names agreeing, the crowd condition).
``stage``: the stage's whole clustering. ``@T`` at the end of any variant: the threshold.
BCubed P / R / F1 and, with ``--k1``, the set thinned to one report an event (precision:
recall is 1 there, so every join is wrong) or to ``--thin K`` (F1), per seed.
``lone:mean:B`` is the stage's ``linkage.join_lone`` (``LONE_JOIN`` = B, off by default).

``--triangles BAR ...``: the triples of reports alone whose three pairs all reach a bar, of
one event or of several, on the set and thinned to one report an event (``--k1`` seeds).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from stories_bigstore import stage_matrices
from stories_dev import Doc, load_set
from stories_ecb import bcubed
from stories_opinions import whole
from stories_thin import thin

VETOES = ("names", "years", "figures", "weekdays")


def whole_clusters(items, weights, sims, agree, threshold: float, attach: float | None = None,
                   small: int | None = None) -> list[list[int]]:  # type: ignore[no-untyped-def]
    """The stage's whole clustering of the pair matrices (``linkage.cluster_rows``)."""
    from newsweave.stories.linkage import cluster_rows, story_weekdays
    from newsweave.stories.vectors import SMALL_STORY

    return cluster_rows(sims, agree, threshold, weights.attach if attach is None else attach,
                        SMALL_STORY if small is None else small,
                        story_weekdays(items, weights), weights.weekday_story_penalty)


def labels_of(clusters: Sequence[Sequence[int]], n: int) -> list[int]:
    pred = [0] * n
    for c, rows in enumerate(clusters):
        for i in rows:
            pred[i] = c
    return pred


def without(items, weights, veto: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The stage's similarity with one signal at neutral: a veto (``VETOES``), ``"all"``
    the vetoes, ``"minilm"`` the sentence factor, ``"bare"`` both (the word cosine)."""
    from newsweave.stories.vectors import pair_matrices

    off = {"names": {"name_penalty": 1.0}, "years": {"year_penalty": 1.0, "date_penalty": 1.0},
           "figures": {"figure_penalty": 1.0}, "weekdays": {"weekday_penalty": 1.0}}
    every = {k: v for d in off.values() for k, v in d.items()}
    changes = {"all": every, "minilm": {"semantic": 0.0},
               "bare": {**every, "semantic": 0.0}}.get(veto) or off[veto]
    return pair_matrices(items, replace(weights, **changes))[0]  # type: ignore[arg-type]


def why(name: str, partition: list[int] | None) -> dict[str, object]:
    """The ``--why`` table of one set (printed), and its counts."""
    from newsweave.stories.linkage import ATTACH_RIVALS, ATTACH_RUNNER_UP
    from newsweave.stories.vectors import SMALL_STORY

    every = load_set(name)
    kept = [i for i, d in enumerate(every) if d["text"].strip()]
    docs = [every[i] for i in kept]
    items, resolved, weights, sims, agree, _ = stage_matrices(docs, {})
    threshold, attach = resolved.story_threshold, weights.attach
    if partition is not None:
        pred = [partition[i] for i in kept]
        source = "the stage's partition"
    else:
        pred = labels_of(whole_clusters(items, weights, sims, agree, threshold), len(docs))
        source = "the whole clustering"
    gold = [d["event"] for d in docs]
    p, r, f = bcubed(pred, gold)
    members: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(pred):
        members[s].append(i)
    by_event: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(gold):
        by_event[g].append(i)
    variants = {v: without(items, weights, v) for v in (*VETOES, "all", "minilm", "bare")}
    stories = [s for s, m in members.items() if len(m) >= 2]
    reasons: Counter[str] = Counter()
    toward: Counter[str] = Counter()
    bands: Counter[str] = Counter()
    alone_bands: Counter[str] = Counter()
    single: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    attach_why: Counter[str] = Counter()
    rows_out = []
    for i, s in enumerate(pred):
        own = [j for j in by_event[gold[i]] if j != i]
        if len(members[s]) != 1 or not own:
            continue
        holders = Counter(pred[j] for j in own)
        target = min(holders, key=lambda t: (-holders[t], -len(members[t]), t))
        rest = [pred[j] for j in own]
        if all(len(members[t]) == 1 for t in rest):
            shape = "the rest alone too"
        elif len(set(rest)) > 1:
            shape = "the rest in several stories"
        elif all(gold[j] == gold[i] for j in members[target]):
            shape = "the rest together, a story of its event only"
        else:
            shape = "the rest together, in a story with other events"
        shapes[shape] += 1
        inside = [j for j in members[target] if gold[j] == gold[i]]
        whole_mean = float(sims[i, members[target]].mean())
        own_mean = float(sims[i, inside].mean())
        means = {v: float(m[i, inside].mean()) for v, m in variants.items()}
        if float(variants["bare"][i, own].max()) <= 0:
            reason = "no shared word"
        elif whole_mean >= threshold:
            reason = "at the threshold, left by the linkage"
        elif own_mean >= threshold:
            reason = "the story's other members"
        elif means["all"] >= threshold:
            reason = "a veto"
            alone = [v for v in VETOES if means[v] >= threshold]
            single[alone[0] if len(alone) == 1 else ("either of " + ", ".join(alone)
                                                      if alone else "only several together")] += 1
        elif means["minilm"] >= threshold:
            reason = "MiniLM below neutral"
        else:
            band = ("[attach, T)" if means["bare"] >= attach
                    else "[T/2, attach)" if means["bare"] >= threshold / 2 else "below T/2")
            reason = f"words below: {band}"
        reasons[reason] += 1
        # The report's best story of two or more by the mean, and the crowd near it.
        story_means = {t: float(sims[i, members[t]].mean()) for t in stories}
        best = max(story_means, key=lambda t: (story_means[t], -t)) if story_means else None
        size = len(members[target])
        if whole_mean < attach:
            attach_why["mean below the attach similarity"] += 1
        elif size <= SMALL_STORY:
            attach_why[f"the target holds {SMALL_STORY} reports or fewer"] += 1
        elif float(agree[i, members[target]].mean()) < 0.5:
            attach_why["names disagree"] += 1
        else:
            larger = [m for t, m in story_means.items() if len(members[t]) > SMALL_STORY]
            crowd = sum(1 for m in larger if m > ATTACH_RUNNER_UP * whole_mean) - 1
            attach_why["a crowd of rivals" if crowd >= ATTACH_RIVALS
                       else "another story is better"] += 1
        grouped = size >= 2
        if grouped:
            story_scores = {t: float(sims[i, members[t]].sum()
                                     / np.sqrt(sims[np.ix_(members[t], members[t])].sum()))
                            for t in stories}
            by_cohesion = max(story_scores, key=lambda t: (story_scores[t], -t))
            toward["its rest in a story of two or more"] += 1
            toward["... that story its best by the mean"] += best == target
            toward["... that story its best as a whole (cohesion score)"] += by_cohesion == target
            bands[_band(whole_mean, threshold, attach)] += 1
        else:
            apart = [j for j in range(len(docs)) if gold[j] != gold[i]]
            nearest_own = float(sims[i, own].max())
            toward["its rest alone too"] += 1
            toward["... its nearest report one of its event"] += nearest_own > float(
                sims[i, apart].max())
            alone_bands[_band(nearest_own, threshold, attach)] += 1
        rows_out.append({"doc": docs[i]["id"], "reason": reason, "shape": shape,
                         "target_size": size, "mean": round(whole_mean, 4),
                         "own_mean": round(own_mean, 4),
                         "bare": round(means["bare"], 4)})
    lone = sum(reasons.values())
    print(f"\n{name}: {len(docs)} reports, {len(by_event)} events; {source}: P {p:.3f} "
          f"R {r:.3f} F1 {f:.3f}, {len(members)} stories (threshold {threshold}, attach "
          f"{attach})")
    print(f"  reports alone while their event has others: {lone}")
    if not lone:
        return {"set": name, "lone": 0}
    print("  | where the rest of the event is | reports |\n  |---|---|")
    for k, v in shapes.most_common():
        print(f"  | {k} | {v} ({v / lone:.0%}) |")
    print("  | why it is not joined to its target (first that holds) | reports |\n  |---|---|")
    for k, v in reasons.most_common():
        print(f"  | {k} | {v} ({v / lone:.0%}) |")
    if single:
        print("  a veto, which one alone would let it reach T: "
              + ", ".join(f"{k} {v}" for k, v in single.most_common()))
    print("  | why the attach rule did not take it | reports |\n  |---|---|")
    for k, v in attach_why.most_common():
        print(f"  | {k} | {v} ({v / lone:.0%}) |")
    for k, v in toward.items():
        print(f"  {k}: {v}")
    print("  its mean to the story holding its rest: "
          + ", ".join(f"{k} {v}" for k, v in sorted(bands.items())))
    print("  its rest alone too, its best pair with a report of its event: "
          + ", ".join(f"{k} {v}" for k, v in sorted(alone_bands.items())))
    return {"set": name, "lone": lone, "shapes": dict(shapes), "reasons": dict(reasons),
            "veto": dict(single), "attach": dict(attach_why), "rows": rows_out}


def triangles(name: str, bars: Sequence[float], seeds: Sequence[int]) -> None:
    """``--triangles``: among the reports left alone by the whole clustering, the triples
    whose three pairs all reach a bar (names agreeing): of one event or not, on the set and
    on it thinned to one report an event (where every triple is of several events). A
    rule that grouped such triples would reach the events whose reports all stand alone."""
    docs = [d for d in load_set(name) if d["text"].strip()]
    for label, part in [("whole", docs), *((f"k1 s{s}", thin(list(docs), 1, s))
                                           for s in seeds)]:
        items, resolved, weights, sims, agree, _ = stage_matrices(part, {})
        clusters = whole_clusters(items, weights, sims, agree, resolved.story_threshold)
        gold = [d["event"] for d in part]
        single = [c[0] for c in clusters if len(c) == 1]
        inner = sims[np.ix_(single, single)]
        names = agree[np.ix_(single, single)] > 0
        cells = []
        for bar in bars:
            edges = np.triu((inner >= bar) & names, 1)
            right = wrong = 0
            for a, b in zip(*np.nonzero(edges), strict=True):
                for c in np.flatnonzero(edges[b] & edges[a]):
                    one = gold[single[a]] == gold[single[b]] == gold[single[c]]
                    right += one
                    wrong += not one
            cells.append(f"{bar}: {right} / {wrong}")
        print(f"{name} {label}: {len(single)} reports alone; triples of one event / of "
              "several at each bar: " + ", ".join(cells))


def _band(value: float, threshold: float, attach: float) -> str:
    if value >= threshold:
        return "a >= T"
    if value >= 0.18:
        return "b [0.18, T)"
    if value >= attach:
        return "c [attach, 0.18)"
    return "d [T/2, attach)" if value >= threshold / 2 else "e below T/2"


# -- the second pass for single reports ---------------------------------------------------


def join_lone(clusters: Sequence[Sequence[int]], sims: np.ndarray, agree: np.ndarray,
              mode: str, bar: float, ratio: float = 1.0, rivals: int = 1) -> list[list[int]]:
    """Each cluster of one row joins the cluster of two or more it scores best against
    (``mode``: ``mean``, ``cohesion`` or ``max``), if the score reaches ``bar``, their names
    agree and (``ratio`` < 1) fewer than ``rivals`` others pass ``ratio`` times it. Only
    clusters of two or more receive, so the order of the single ones does not matter."""
    big = [list(c) for c in clusters if len(c) >= 2]
    if not big:
        return sorted(sorted(c) for c in clusters)
    n = len(sims)
    member = np.zeros((n, len(big)))
    for b, rows in enumerate(big):
        member[rows, b] = 1.0
    sizes = member.sum(axis=0)
    summed = sims @ member
    mean = summed / sizes
    agreeing = (agree @ member) / sizes >= 0.5
    if mode == "cohesion":
        inner = np.einsum("ib,ij,jb->b", member, sims, member)  # diagonal included
        score = summed / np.sqrt(np.maximum(inner, 1e-12))
    elif mode == "max":
        score = np.stack([sims[:, rows].max(axis=1) for rows in big], axis=1)
        score = np.where(mean >= bar / 2, score, -np.inf)
    else:
        score = mean
    result = [list(c) for c in big]
    for rows in clusters:
        if len(rows) >= 2:
            continue
        i = rows[0]
        row = np.where(agreeing[i], score[i], -np.inf)
        best = int(np.argmax(row))
        crowd = int((np.delete(row, best) > ratio * row[best]).sum()) if ratio < 1 else 0
        if row[best] >= bar and crowd < rivals:
            result[best].append(i)
        else:
            result.append([i])
    return sorted(sorted(c) for c in result)


def variant_scores(docs: Sequence[Doc], spec: str) -> tuple[float, float, float]:
    """BCubed P, R, F1 of ``docs`` clustered as a whole under a ``--variants`` spec."""
    body, _, at = spec.partition("@")
    kind, *values = body.split(":")
    items, resolved, weights, sims, agree, _ = stage_matrices(list(docs), {})
    threshold = float(at) if at else resolved.story_threshold
    if kind == "attach1":
        clusters = whole_clusters(items, weights, sims, agree, threshold, small=1)
    else:
        clusters = whole_clusters(items, weights, sims, agree, threshold)
    if kind == "lone":
        mode, bar = values[0], float(values[1])
        ratio, rivals = (float(values[2]), int(values[3])) if len(values) > 3 else (1.0, 1)
        clusters = join_lone(clusters, sims, agree, mode, bar, ratio, rivals)
    elif kind not in ("stage", "attach1"):
        raise SystemExit(f"unknown variant {spec!r}")
    return bcubed(labels_of(clusters, len(docs)), [d["event"] for d in docs])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["allsides-val", "ecb-odd"])
    parser.add_argument("--why", action="store_true")
    parser.add_argument("--partition", type=Path, default=None,
                        help="--why: a stories_dev.py --partition file (the stage's own)")
    parser.add_argument("--rows", type=Path, default=None,
                        help="--why: write each lone report's row (JSON) to this file")
    parser.add_argument("--triangles", nargs="*", type=float, default=[], metavar="BAR",
                        help="the triples of reports alone whose pairs all reach BAR")
    parser.add_argument("--variants", nargs="*", default=[])
    parser.add_argument("--k1", nargs="*", type=int, default=[], metavar="SEED")
    parser.add_argument("--thin", type=int, default=1, metavar="K")
    args = parser.parse_args()
    parts = json.loads(args.partition.read_text()) if args.partition else {}
    found = []
    if args.why:
        for name in args.sets:
            found.append(why(name, parts.get(name)))
    if args.rows:
        args.rows.write_text(json.dumps(found))
    for name in args.sets if args.triangles else ():
        triangles(name, args.triangles, args.k1 or [1, 2])
    if args.variants:
        whole(args.sets, args.variants, args.k1, args.thin, score=variant_scores)


if __name__ == "__main__":
    main()
