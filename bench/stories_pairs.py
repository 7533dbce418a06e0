"""Same kind, different event: SemEval-2022 task 8's English pairs through the stories stage.

Data: ``../shared/benchmarks/semeval2022_task8/pairs.jsonl`` (798 pairs of news articles,
each scored by people 1 = very similar ... 4 = very dissimilar, overall and on Geography,
Entities, Time and Narrative). Here: the 193 English-English pairs without broken encoding
(``mojibake``), news nobody here wrote and the stage was never tuned on.

Every distinct text of those pairs is ingested as a user would: ONE store, one batch, each
text as a JSON record with its page's URL (``id``, ``url``, ``text``: ingest cleans it and
finds its title and outlet), the stories stage at the defaults with each English article's
MiniLM vector stored first, as the reuse stage stores it (``bench/stories_meaning.py``, as
``bench/stories_dev.py --minilm``). Then, for each pair, whether its two texts share a
story. Classes (from the pair's scores only):

- *same story*: ``Overall`` <= 1.5: should share a story;
- *unrelated*: ``Overall`` >= 3.5: should not;
- *same kind, different event*: 2.5 <= ``Overall`` < 3.5 (the people's "somewhat
  dissimilar": related, yet not one story) and ``Narrative`` >= 2.5 or ``Geography`` >= 2.5
  (they say the narrative, or the place, differs): should not;
- *different places*: ``Overall`` > 1.5 and ``Geography`` >= 2.5 (people say the places
  differ): should not; of them, *related, different places*: ``Overall`` < 3.5 too (the
  same kind of news somewhere else: the hidden local-news set's case);
- the band (1.5, 2.5) is reported, not judged.

Halves: ``choose`` holds the pairs at odd positions in pair_id order, ``report`` the even
ones (a setting is chosen on one and reported on the other); each line is printed for
both and for all.

Each pair also gets the stage's similarity of its two texts in that store, its words'
cosine alone, and which veto applies to it (names, figures, years, and places where the
places' veto is on: ``stories.features.PLACE_PENALTY``, #12 part 8).

    python bench/stories_pairs.py                 # the table
    python bench/stories_pairs.py --show          # also every judged pair kept wrongly
    python bench/stories_pairs.py --set story_threshold=0.2 --place-penalty 0.7
    python bench/stories_pairs.py --with ecb basil allsides  # the dev sets in the store too
    python bench/stories_pairs.py --clash ecb-odd basil      # how often lead places differ
    python bench/stories_pairs.py --year-clash ecb-odd basil # how often years differ (#12 part 9)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
PAIRS = REPO.parent / "shared" / "benchmarks" / "semeval2022_task8" / "pairs.jsonl"
FIELDS = ("id", "url", "text")
HALVES = ("choose", "report", "all")


def load_pairs(limit: int = 0) -> list[dict]:
    """The English-English pairs without broken encoding, in pair_id order."""
    if not PAIRS.is_file():
        sys.exit(f"{PAIRS} not found: the benchmarks live in ../shared beside the repository")
    rows = [json.loads(line) for line in PAIRS.open(encoding="utf-8")]
    rows = sorted((r for r in rows if r["lang1"] == "en" and r["lang2"] == "en"
                   and not r.get("mojibake")), key=lambda r: r["pair_id"])
    return rows[:limit] if limit else rows


def kind_of(row: dict) -> str:
    """The pair's class (see the module doc); "" for the band not judged."""
    overall = row["Overall"]
    if overall <= 1.5:
        return "same"
    if overall >= 3.5:
        return "unrelated"
    if overall >= 2.5 and (row["Narrative"] >= 2.5 or row["Geography"] >= 2.5):
        return "same-kind"
    return ""


def different_places(row: dict) -> bool:
    return row["Overall"] > 1.5 and row["Geography"] >= 2.5


def half_of(position: int) -> str:
    return "choose" if position % 2 else "report"


def together(rows: Sequence[dict], settings: dict[str, object], minilm: bool = True,
             beside: Sequence[dict] = (), seed: int = 7
             ) -> tuple[list[bool | None], list[Similar | None], dict[str, object]]:
    """For each pair, whether its two texts share a story (None: a text was not stored)
    and the stage's similarity of the two (vetoes and MiniLM factor applied, the store's
    document frequencies: what a whole re-clustering of the store weighs), after
    ingesting every distinct text into one store; and what the store holds. ``beside``:
    other docs (``stories_dev.load_set``'s) in the same store, the whole stream shuffled
    with ``seed`` and ingested 100 at a time, as ``stories_dev.py --mixed`` does."""
    sys.path.insert(0, str(REPO / "bench"))
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from newsweave.stories import StoriesStage
    from newsweave.stories.assign import VectorCache, article_vectors, weights_from
    from newsweave.stories.meaning import weighed_meanings
    from newsweave.stories.vectors import pair_matrices, years_disagree
    from semeval import pair_records
    from stories_meaning import EmbedStage

    records, keys = pair_records(list(rows))
    stages = [*([EmbedStage()] if minilm else []), StoriesStage()]
    with tempfile.TemporaryDirectory() as tmp:
        stream = [{f: r[f] for f in FIELDS} for r in records.values()]
        if beside:
            stream += [{f: d[f] for f in ("id", "title", "text", "published") if f in d}
                       for d in beside]
            random.Random(seed).shuffle(stream)
        batch = 100 if beside else len(stream)
        loaded = load_settings(**settings)
        started = time.process_time()
        with Engine(open_store(str(Path(tmp) / "pairs.db")), loaded, stages) as engine:
            for start in range(0, len(stream), batch):
                path = Path(tmp) / "part.jsonl"
                path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                        for r in stream[start:start + batch]),
                                encoding="utf-8")
                engine.ingest([str(path)])
            took = time.process_time() - started
            ids = {a.external_id: int(a.id or 0) for a in engine.articles()}
            shown = {ids[k] for k in records if k in ids}
            story = engine.store.stories.story_of(list(ids.values()))
            weights = weights_from(loaded)
            cache = VectorCache(weighed_meanings(engine.store, weights))
            found = article_vectors(engine.store.stories, sorted(shown & set(story)), weights,
                                    cache)
            items = [found[a] for a in sorted(found)]
            sims, agree = pair_matrices(items, weights)
            # The words alone: no veto, no MiniLM factor (what the vetoes start from).
            words = pair_matrices(items, replace(weights, name_penalty=1.0, date_penalty=1.0,
                                                 figure_penalty=1.0, place_penalty=1.0,
                                                 semantic=0.0))[0]
    row_of = {item.id: i for i, item in enumerate(items)}
    joined: list[bool | None] = []
    similar: list[Similar | None] = []
    for a_key, b_key in keys:
        a, b = ids.get(a_key), ids.get(b_key)
        if a is None or b is None or a not in story or b not in story:
            joined.append(None)
            similar.append(None)
            continue
        joined.append(story[a] == story[b])
        i, j = row_of.get(a), row_of.get(b)
        if i is None or j is None:
            similar.append(None)
            continue
        x, y = items[i], items[j]
        similar.append(Similar(
            float(sims[i, j]), float(words[i, j]), not agree[i, j],
            bool(x.figures and y.figures and x.figures.isdisjoint(y.figures)),
            # The years as the year veto reads them (features.YEAR_EVIDENCE).
            years_disagree(x.dates, y.dates, x.lead_years, y.lead_years, weights),
            bool(x.places and y.places and x.places.isdisjoint(y.places)),
            bool(x.places and y.places and x.places.isdisjoint(y.places)
                 and x.places.isdisjoint(y.names) and y.places.isdisjoint(x.names))))
    held = {story[a] for a in shown if a in story}
    # Each set beside the pairs scored on its own docs of the shared partition.
    from stories_ecb import bcubed

    scored: dict[str, float] = {}
    for prefix in sorted({d["event"].split(":")[0] for d in beside}):
        docs = [d for d in beside if d["event"].startswith(prefix + ":")]
        pred = [story.get(ids.get(d["id"], -1), -1 - i) for i, d in enumerate(docs)]
        scored[prefix] = bcubed(pred, [d["event"] for d in docs])[2]
    return joined, similar, {"texts": len(records), "stored": len(shown & set(story)),
                             "stories": len(held), "cpu": took, "beside": len(beside),
                             "shared": len(held & {story[a] for a in set(story) - shown}),
                             "beside_f1": scored,
                             "threshold": loaded.story_threshold}


class Similar(NamedTuple):
    """The stage's similarity of a pair, its words' cosine alone, and whether their names
    disagree (the name veto), the figures of their title and lead differ (the figures'
    veto), the years they mention differ (the year veto: no publication date here) and the
    places of their title and lead differ (the places' veto, off by default)."""

    final: float
    words: float
    names_differ: bool
    figures_differ: bool
    years_differ: bool
    places_differ: bool
    places_unknown: bool  # and neither names the other's lead places anywhere


def tally(rows: Sequence[dict], joined: Sequence[bool | None]) -> dict[str, dict[str, list]]:
    """Per half, per class: [pairs, pairs as they should be] ("band": pairs together)."""
    counts = {h: {k: [0, 0] for k in ("same", "unrelated", "same-kind", "related-places",
                                      "places", "band")}
              for h in HALVES}
    for position, (row, same) in enumerate(zip(rows, joined, strict=True)):
        if same is None:
            continue
        kind = kind_of(row)
        for half in (half_of(position), "all"):
            c = counts[half]
            if kind:
                c[kind][0] += 1
                c[kind][1] += same if kind == "same" else not same
            else:
                c["band"][0] += 1
                c["band"][1] += same
            if different_places(row):
                c["places"][0] += 1
                c["places"][1] += not same
                if row["Overall"] < 3.5:
                    c["related-places"][0] += 1
                    c["related-places"][1] += not same
    return counts


def rate(pair: list) -> str:
    return f"{pair[1]}/{pair[0]} = {pair[1] / pair[0]:.3f}" if pair[0] else "0/0"


def report(rows: Sequence[dict], joined: Sequence[bool | None]) -> dict[str, dict[str, float]]:
    """Print the table; return each half's shares (for tests and other benches)."""
    counts = tally(rows, joined)
    print("| half | same story (<= 1.5) together | unrelated (>= 3.5) apart | same kind, "
          "different event apart | related, different places apart | different places apart "
          "| (1.5, 2.5) together |")
    print("|---|---|---|---|---|---|---|")
    shares: dict[str, dict[str, float]] = {}
    for half in HALVES:
        c = counts[half]
        print(f"| {half} | {rate(c['same'])} | {rate(c['unrelated'])} | "
              f"{rate(c['same-kind'])} | {rate(c['related-places'])} | {rate(c['places'])} | "
              f"{rate(c['band'])} |")
        shares[half] = {k: v[1] / v[0] if v[0] else float("nan") for k, v in c.items()}
        shares[half].update({f"{k}_pairs": v[0] for k, v in c.items()})
    return shares


def margins(rows: Sequence[dict], similar: Sequence[Similar | None], threshold: float
            ) -> None:
    """How close each class's pairs come to the threshold: the stage's similarity of the
    two texts (median, the largest, and how many reach half the threshold and the whole),
    the words' cosine alone (median; how many reach the threshold before the vetoes and
    the MiniLM factor), and how many the name veto damps."""
    import numpy as np

    print(f"the stage's pair similarity (threshold T = {threshold}): median / largest, pairs "
          ">= T/2, >= T | the words alone: median, pairs >= T | pairs whose names / figures / "
          "years / places differ")
    classes = {"same story": lambda r: kind_of(r) == "same",
               "unrelated": lambda r: kind_of(r) == "unrelated",
               "same kind, different event": lambda r: kind_of(r) == "same-kind",
               "related, different places": lambda r: different_places(r) and r["Overall"] < 3.5,
               "different places": different_places}
    for label, test in classes.items():
        found = [v for r, v in zip(rows, similar, strict=True) if v is not None and test(r)]
        if not found:
            continue
        final = np.array([v.final for v in found])
        words = np.array([v.words for v in found])
        print(f"  {label}: {len(found)} pairs, {np.median(final):.3f} / {final.max():.3f}, "
              f"{int((final >= threshold / 2).sum())}, {int((final >= threshold).sum())} | "
              f"{np.median(words):.3f}, {int((words >= threshold).sum())} | "
              f"{sum(v.names_differ for v in found)} / {sum(v.figures_differ for v in found)} / "
              f"{sum(v.years_differ for v in found)} / {sum(v.places_differ for v in found)} "
              f"({sum(v.places_unknown for v in found)} unknown to the other)")


def clashes(names: Sequence[str], threshold: float) -> None:
    """``--clash``: of each dev set's pairs at or above ``threshold`` (each set clustered as a
    whole with the stage's similarity at the defaults, document frequencies over the set,
    ``stories_dev.stage_vectors``: no MiniLM factor), the share whose title-and-lead places
    are both stated and disjoint (and, stricter, named nowhere in the other report), among
    one event's pairs and among different events'."""
    import numpy as np

    from newsweave.settings import load_settings
    from newsweave.stories import features
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import pair_matrices
    from stories_dev import load_set, stage_vectors

    # The places are collected (they are only while the veto is on) but not weighed: the
    # similarity is the defaults'.
    features.PLACE_PENALTY = min(features.PLACE_PENALTY, 0.5)
    weights = replace(weights_from(load_settings()), place_penalty=1.0)
    print(f"pairs at or above {threshold} (whole-set similarity, the defaults): the places of "
          "title and lead both stated and disjoint, one event's pairs / different events'")
    for name in names:
        docs = load_set(name)
        items = stage_vectors(docs, weights)
        sims = pair_matrices(items, weights)[0]
        stated = np.array([bool(a.places) for a in items])
        events = np.array([d["event"] for d in docs])
        i, j = np.nonzero(np.triu(sims >= threshold, 1))
        same = events[i] == events[j]
        differ = np.array([bool(stated[a] and stated[b]
                                and items[a].places.isdisjoint(items[b].places))
                           for a, b in zip(i, j, strict=True)], dtype=bool)
        # Stricter: neither report names the other's lead places anywhere in its text.
        unknown = np.array([bool(differ[n] and items[a].places.isdisjoint(items[b].names)
                                 and items[b].places.isdisjoint(items[a].names))
                            for n, (a, b) in enumerate(zip(i, j, strict=True))], dtype=bool)

        def share(mask: np.ndarray, among: np.ndarray) -> str:
            return f"{int(mask[among].sum())} ({mask[among].mean() if among.any() else 0:.1%})"

        print(f"  {name}: {int(same.sum())} one-event pairs, places differ {share(differ, same)}"
              f", unknown to the other {share(unknown, same)}; {int((~same).sum())} "
              f"different-event pairs, differ {share(differ, ~same)}, unknown "
              f"{share(unknown, ~same)}; reports naming a place {stated.mean():.0%}")


def year_clashes(names: Sequence[str], threshold: float) -> None:
    """``--year-clash``: of each dev set's pairs at or above ``threshold`` with no year veto
    (each set clustered as a whole with the stage's similarity at the defaults otherwise,
    document frequencies over the set, ``stories_dev.stage_vectors``: no MiniLM factor, no
    publication dates: what the year veto acts on), the share whose years disagree as each
    ``features.YEAR_EVIDENCE`` reads them (both state years, none shared), among one event's
    pairs and among different events'."""
    import numpy as np

    from newsweave.settings import load_settings
    from newsweave.stories import features
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import pair_matrices, years_disagree
    from stories_dev import load_set, stage_vectors

    features.YEAR_EVIDENCE = "lead"  # the lead's years are collected (only the veto reads them)
    weights = replace(weights_from(load_settings()), year_evidence="none")
    modes = ("text", "lead", "lead-text")
    print(f"pairs at or above {threshold} with no year veto (whole-set similarity, the "
          "defaults, undated): the years disagree as each YEAR_EVIDENCE reads them, one "
          "event's pairs / different events'")
    for name in names:
        docs = [{k: v for k, v in d.items() if k != "published"} for d in load_set(name)]
        items = stage_vectors(docs, weights)
        sims = pair_matrices(items, weights)[0]
        events = np.array([d["event"] for d in docs])
        i, j = np.nonzero(np.triu(sims >= threshold, 1))
        same = events[i] == events[j]
        parts = []
        for mode in modes:
            read = replace(weights, year_evidence=mode)
            differ = np.array([years_disagree(items[a].dates, items[b].dates,
                                              items[a].lead_years, items[b].lead_years, read)
                               for a, b in zip(i, j, strict=True)], dtype=bool)
            parts.append(f"{mode} {int(differ[same].sum())} ({differ[same].mean():.1%}) / "
                         f"{int(differ[~same].sum())} ({differ[~same].mean():.1%})")
        print(f"  {name}: {int(same.sum())} one-event pairs / {int((~same).sum())} "
              f"different-event pairs; years differ: " + "; ".join(parts)
              + f"; reports with years: text {np.mean([bool(a.dates) for a in items]):.0%}, "
              f"lead {np.mean([bool(a.lead_years) for a in items]):.0%}")


def show(rows: Sequence[dict], joined: Sequence[bool | None],
         similar: Sequence[Similar | None], every: bool = False) -> None:
    """The judged pairs the stage keeps wrongly (``every``: every judged pair apart from
    the unrelated ones kept apart), with the first line of each text."""
    print("| half | Overall | G / E / T / N | class | one story | similarity (words; what "
          "differs) | text 1 | text 2 |")
    print("|---|---|---|---|---|---|---|---|")
    for position, (row, same, sim) in enumerate(zip(rows, joined, similar, strict=True)):
        kind = kind_of(row)
        wrong = (kind == "same" and same is False) or (
            kind in ("unrelated", "same-kind") and same) or (different_places(row) and same)
        if not (wrong or (every and (kind != "unrelated" or same))):
            continue
        first = [row[f"text{s}"].strip().split("\n")[0][:60] for s in "12"]
        scores = " / ".join(f"{row[k]:.2f}" for k in ("Geography", "Entities", "Time",
                                                     "Narrative"))
        places = ", places differ" if different_places(row) else ""
        print(f"| {half_of(position)} | {row['Overall']:.2f} | {scores} | {kind or 'band'}"
              f"{places} | {'yes' if same else 'no'} | "
              f"{described(sim)} | {first[0]} | {first[1]} |")


def described(sim: Similar | None) -> str:
    if sim is None:
        return "-"
    differ = [name for name, on in (("names", sim.names_differ), ("figures", sim.figures_differ),
                                    ("years", sim.years_differ), ("places", sim.places_differ),
                                    ("places unknown", sim.places_unknown)) if on]
    return f"{sim.final:.3f} ({sim.words:.3f}{'; ' + ', '.join(differ) if differ else ''})"


def main() -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from stories_dev import add_stage_constant_arguments, set_stage_constants
    from stories_ecb import parse_sets

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N pairs")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a setting, e.g. story_threshold=0.2")
    parser.add_argument("--no-minilm", action="store_true",
                        help="no MiniLM vectors stored first (the words alone)")
    parser.add_argument("--show", action="store_true", help="list the pairs kept wrongly")
    parser.add_argument("--every", action="store_true",
                        help="with --show: every judged pair but the unrelated ones apart")
    parser.add_argument("--with", dest="beside", nargs="*", default=[], metavar="SET",
                        help="also these dev sets in the same store (stories_dev.py's names: "
                        "ecb, basil, allsides), everything shuffled, 100 a batch")
    parser.add_argument("--seed", type=int, default=7, help="with --with: the shuffle")
    parser.add_argument("--clash", nargs="*", default=None, metavar="SET",
                        help="only: how often the places of title and lead differ among each "
                        "set's pairs at or above the threshold (one event's vs different "
                        "events')")
    parser.add_argument("--year-clash", nargs="*", default=None, metavar="SET",
                        help="only: how often the years differ (whole text, lead) among each "
                        "set's pairs at or above the threshold with no year veto")
    add_stage_constant_arguments(parser)
    args = parser.parse_args()
    set_stage_constants(args)
    settings = parse_sets(args.set)
    if args.clash is not None:
        from newsweave.settings import load_settings

        clashes(args.clash, load_settings(**settings).story_threshold)
        return
    if args.year_clash is not None:
        from newsweave.settings import load_settings

        year_clashes(args.year_clash, load_settings(**settings).story_threshold)
        return
    rows = load_pairs(args.limit)
    from stories_dev import load_set

    beside = [d for name in args.beside for d in load_set(name)]
    joined, similar, store = together(rows, settings, minilm=not args.no_minilm,
                                      beside=beside, seed=args.seed)
    print(f"SemEval-2022 task 8, English-English pairs without broken encoding: {len(rows)}; "
          f"{store['texts']} distinct texts in one store, {store['stored']} stored, "
          f"{store['stories']} stories ({store['cpu']:.0f} CPU s); settings "
          f"{settings or 'default'}; MiniLM vectors "
          f"{'off' if args.no_minilm else 'stored first'}")
    if beside:
        print(f"the same store also holds {' + '.join(args.beside)} ({len(beside)} docs; "
              f"shuffled with seed {args.seed}, 100 a batch): {store['shared']} of the pairs' "
              "stories also hold their articles; their BCubed F1 in this store: "
              + ", ".join(f"{k} {v:.3f}" for k, v in store["beside_f1"].items()))
    report(rows, joined)
    margins(rows, similar, float(store["threshold"]))
    if args.show:
        show(rows, joined, similar, args.every)


if __name__ == "__main__":
    main()
