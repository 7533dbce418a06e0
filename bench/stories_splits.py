"""Why the stories stage splits events: BCubed P/R per set, and what the pairs of one event
that end in different stories share (similarity, length, names, years).

    python bench/stories_splits.py               # allsides (test), allsides-val, basil, ecb-even
    python bench/stories_splits.py --sets allsides --examples 5
    python bench/stories_splits.py --nearest      # is each report's nearest neighbour its event's?
    python bench/stories_splits.py --min-names    # the name veto's minimum, neighbouring values
    python bench/stories_splits.py --names-product  # the veto's NAMES_PRODUCT, neighbours
    python bench/stories_splits.py --length       # tried: short reports' similarity raised
    python bench/stories_splits.py --datelines    # the removed date lines' years, and variants
    python bench/stories_splits.py --lead         # body sentences counted twice after a title

Each set is clustered as a whole with the stage's similarity (as ``stories_dev.py --grid``,
the partition online assignment and repair approach). For the pairs of articles of one gold
event: their mean similarity, the share below the threshold, the share damped by the name
veto and by the year/date veto, and the mean similarity by the length of the shorter report
(its number of distinct features). For the pairs of different events, the same by length, so
the two can be compared.

``--nearest``: the share of reports whose most similar other report is of their own event,
for the stage's similarity (with and without its vetoes) and the baseline's TF-IDF cosine
(``stories_dev.py``): a ceiling on what any cut of that similarity can separate.
``--min-names``: BCubed F1 (each set clustered as a whole, as ``stories_dev.py --grid``) for
values of ``MIN_NAMES`` (distinct name keys each side needs before names can disagree),
chosen on ECB+ odd topics and the AllSides validation split, reported on the rest.
``--names-product``: the same for ``NAMES_PRODUCT`` (the product of the two reports' counts
of distinct names needed), ``MIN_NAMES`` as it is. ``--length``: a length-aware
normalisation tried and not adopted: each report's similarities multiplied by
``max(1, pivot / features) ** (a / 2)`` (so a pair of short reports by the product of the
two), raising short reports' similarity towards what long ones reach.
``--datelines``: each set ingested as a user would (the cleaning stage takes the headline out
of the body and date lines such as "May 3, 2013 at 7:31 AM ET" out of it), then clustered as
a whole from what the stage sees: without the removed date lines (before), with their years
and month-years as date features (the stage now), with their years only, with the line's full date
as the publication day where the article has none, and with the whole lines put back
into the text; chosen on the ECB+ odd topics + the AllSides validation split, reported on the
rest. ``--lead``: the same ingested sets for ``features.TITLED_LEAD`` (body sentences counted
``lead_boost`` times after a title) 0, 1 and 2.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict

import numpy as np

from stories_dev import cluster_labels, load_set, stage_vectors
from stories_ecb import bcubed


def main() -> None:
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.features import extract_features
    from newsweave.stories.vectors import pair_matrices

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["allsides", "allsides-val", "basil",
                                                      "ecb-even"])
    parser.add_argument("--examples", type=int, default=0, help="split events to print")
    parser.add_argument("--nearest", action="store_true", help="only the nearest-neighbour table")
    parser.add_argument("--min-names", action="store_true", help="only the MIN_NAMES grid")
    parser.add_argument("--length", action="store_true", help="only the length grid (tried)")
    parser.add_argument("--lead", action="store_true",
                        help="only the table of body sentences counted twice after a title")
    parser.add_argument("--datelines", action="store_true",
                        help="only the removed date lines' table")
    parser.add_argument("--names-product", action="store_true",
                        help="only the NAMES_PRODUCT grid")
    args = parser.parse_args()
    if args.nearest:
        nearest(args.sets)
        return
    if args.min_names:
        min_names_grid("MIN_NAMES", (4, 6, 8, 10, 12, 16))
        return
    if args.length:
        length_grid()
        return
    if args.datelines:
        datelines_grid()
        return
    if args.lead:
        lead_grid()
        return
    if args.names_product:
        min_names_grid("NAMES_PRODUCT", (16, 36, 49, 64, 81, 100, 144, 256, 400))
        return
    settings = load_settings()
    weights = weights_from(settings)
    threshold = settings.story_threshold
    for name in args.sets:
        docs = load_set(name)
        items = stage_vectors(docs, weights)
        sims, agree = pair_matrices(items, weights)
        full, _ = pair_matrices(items, _no_vetoes(weights))
        gold = [d["event"] for d in docs]
        pred = cluster_labels(sims, agree, threshold, weights.attach)
        p, r, f = bcubed(pred, gold)
        sizes = [len(f.keys()) for f in (extract_features(d.get("title"), d["text"])
                                         for d in docs)]
        print(f"{name}: {len(docs)} docs, {len(set(gold))} events, {len(set(pred))} stories; "
              f"BCubed P {p:.3f} R {r:.3f} F1 {f:.3f}")
        same = np.equal.outer(np.array(gold), np.array(gold))
        upper = np.triu(np.ones_like(same), 1).astype(bool)
        within = same & upper
        across = ~same & upper
        split = within & ~np.equal.outer(np.array(pred), np.array(pred))
        vetoed = sims < full - 1e-9
        name_veto = agree < 0.5
        print(f"  pairs of one event: {within.sum()}; mean similarity {sims[within].mean():.3f}"
              f" (pairs of different events {sims[across].mean():.3f}); below the threshold "
              f"{(sims[within] < threshold).mean():.2f}; in different stories "
              f"{split.sum() / max(1, within.sum()):.2f}")
        print(f"  of one event's pairs, damped by a veto: {vetoed[within].mean():.2f} (names "
              f"{name_veto[within].mean():.2f}); different events damped: "
              f"{vetoed[across].mean():.2f} (names {name_veto[across].mean():.2f})")
        shorter = np.minimum.outer(np.array(sizes), np.array(sizes))
        print("  distinct features of the shorter report: pairs | mean sim one event / "
              "different events | one event below threshold")
        for lo, hi in ((0, 20), (20, 35), (35, 50), (50, 80), (80, 10 ** 6)):
            band = (shorter >= lo) & (shorter < hi)
            w, a = within & band, across & band
            if w.sum() == 0:
                continue
            print(f"    {lo:>3}-{hi if hi < 10 ** 6 else '':<4} {w.sum():>6} | "
                  f"{sims[w].mean():.3f} / {sims[a].mean():.4f} | "
                  f"{(sims[w] < threshold).mean():.2f}")
        if args.examples:
            _examples(docs, gold, pred, sims, full, agree, sizes, args.examples)


def nearest(names: list[str]) -> None:
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import pair_matrices
    from stories_dev import baseline_texts, tfidf

    weights = weights_from(load_settings())
    for name in names:
        docs = load_set(name)
        gold = np.array([d["event"] for d in docs])
        items = stage_vectors(docs, weights)
        matrix = tfidf(baseline_texts(docs))
        for label, sims in (("stage", pair_matrices(items, weights)[0]),
                            ("stage, no vetoes", pair_matrices(items, _no_vetoes(weights))[0]),
                            ("baseline TF-IDF", matrix @ matrix.T)):
            sims = np.array(sims, dtype=np.float64)
            np.fill_diagonal(sims, -np.inf)
            share = float((gold[sims.argmax(axis=1)] == gold).mean())
            print(f"{name:<13} {label:<17} nearest neighbour of its own event: {share:.3f}")


def min_names_grid(constant: str, values: tuple[int, ...]) -> None:
    import newsweave.stories.vectors as vectors
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from

    names = ("ecb-odd", "allsides-val", "ecb-even", "basil", "allsides")
    thresholds = (0.2, 0.22, 0.24)
    weights = weights_from(load_settings())
    sets = {n: load_set(n) for n in names}
    items = {n: stage_vectors(d, weights) for n, d in sets.items()}
    chosen = getattr(vectors, constant)
    print(f"BCubed F1 at story_threshold {thresholds}; sets: {', '.join(names)} "
          f"(choice: the first two); {constant} now {chosen}")
    try:
        for value in values:
            setattr(vectors, constant, value)
            cells = []
            for n, docs in sets.items():
                sims, agree = vectors.pair_matrices(items[n], weights)
                gold = [d["event"] for d in docs]
                scores = []
                for threshold in thresholds:
                    pred = cluster_labels(sims, agree, threshold, weights.attach)
                    scores.append(f"{bcubed(pred, gold)[2]:.3f}")
                cells.append(" ".join(scores))
            print(f"{constant} {value:>3}  " + " | ".join(cells), flush=True)
    finally:
        setattr(vectors, constant, chosen)
    for n in names:
        counts = np.array([len(a.names) for a in items[n]])
        print(f"{n:<13} distinct name keys a report: median {np.median(counts):.0f}; "
              f"share with >= 4 / 8 / 12: "
              + " / ".join(f"{(counts >= k).mean():.2f}" for k in (4, 8, 12)))


def length_grid() -> None:
    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.features import extract_features
    from newsweave.stories.vectors import pair_matrices

    names = ("ecb-odd", "allsides-val", "ecb-even", "basil", "allsides")
    thresholds = (0.2, 0.22, 0.24)
    weights = weights_from(load_settings())
    sets = {n: load_set(n) for n in names}
    matrices = {n: pair_matrices(stage_vectors(d, weights), weights) for n, d in sets.items()}
    lengths = {n: np.array([len(extract_features(d.get("title"), d["text"]).keys())
                            for d in docs], dtype=np.float64) for n, docs in sets.items()}
    print(f"BCubed F1 at story_threshold {thresholds}; sets: {', '.join(names)}")
    for pivot, power in [(1, 0.0)] + [(p, a) for p in (40, 60, 100) for a in (0.25, 0.5, 1.0)]:
        cells = []
        for n, docs in sets.items():
            sims, agree = matrices[n]
            scale = np.maximum(1.0, pivot / np.maximum(lengths[n], 1.0)) ** (power / 2)
            sims = sims * np.outer(scale, scale)
            scores = f1_at(sims, agree, thresholds, [d["event"] for d in docs], weights.attach)
            cells.append(" ".join(f"{x:.3f}" for x in scores))
        print(f"pivot {pivot:>3} a {power:<4}  " + " | ".join(cells), flush=True)


def ingested(docs: list[dict[str, str]]) -> list:
    """``docs`` as the store holds them after ingest (cleaned: title, body, publication
    date, the cleaning log), in the order given."""
    import json
    import tempfile
    from pathlib import Path

    from newsweave.engine import Engine
    from newsweave.model import Article
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from stories_dev import FIELDS

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "docs.jsonl"
        path.write_text("".join(json.dumps({f: d[f] for f in FIELDS if f in d}) + "\n"
                                for d in docs), encoding="utf-8")
        with Engine(open_store(str(Path(tmp) / "s.db")), load_settings(batch_size=10 ** 6),
                    []) as engine:
            engine.ingest([str(path)])
            by_id = {a.external_id: a for a in engine.articles()}
    # A doc the ingest rejected (an empty excerpt) stays, empty: a singleton, as in the stage.
    empty = Article(id=None, content_hash="", raw="", raw_format="text", text="", source="")
    return [by_id.get(d["id"], empty) for d in docs]


INGESTED_SETS = ("ecb-odd", "allsides-val", "ecb-even", "basil", "allsides")
INGESTED_THRESHOLDS = (0.2, 0.22, 0.24)


def _ingested_header() -> None:
    print(f"BCubed F1 at story_threshold {INGESTED_THRESHOLDS}; then the choice (the sum at "
          f"0.22 on the first two sets) and per set: {', '.join(INGESTED_SETS)}")


def datelines_grid() -> None:
    from collections import Counter

    from newsweave.stories.assign import DATE_LINE, publication_day
    from newsweave.stories.datelines import dateline_dates
    from newsweave.stories.features import DATE, extract_features, key

    months = _month_keys(DATE, key)

    def features(article, variant):  # type: ignore[no-untyped-def]
        lines = [r.text for r in article.removed if r.reason == DATE_LINE]
        if variant == "whole lines in the text":
            return extract_features(article.title, "\n".join([*lines, article.text]))
        found = extract_features(article.title, article.text,
                                 datelines=lines if variant != "without (before)" else ())
        if variant == "years only":
            found.dates = Counter({k: c for k, c in found.dates.items() if k not in months})
        return found

    def day(article, variant):  # type: ignore[no-untyped-def]
        known = publication_day(article.published)
        if known is not None or variant != "and its date as the publication day":
            return known
        for line in (r.text for r in article.removed if r.reason == DATE_LINE):
            for year, month, day_of in dateline_dates(line):
                if month and day_of:
                    return publication_day(f"{year}-{month:02d}-{day_of:02d}")
        return None

    sets = {n: load_set(n) for n in INGESTED_SETS}
    articles = {n: ingested(d) for n, d in sets.items()}
    for n in INGESTED_SETS:
        lined = sum(1 for a in articles[n] if any(r.reason == DATE_LINE for r in a.removed))
        print(f"{n}: {len(articles[n])} articles, {lined} with a removed date line, "
              f"{sum(1 for a in articles[n] if a.published)} with a publication date")
    _ingested_header()
    for variant in ("without (before)", "years and month-years (now)", "years only",
                    "and its date as the publication day", "whole lines in the text"):
        _ingested_row(variant, sets, articles, lambda a, v=variant: features(a, v),
                      lambda a, v=variant: day(a, v))


def lead_grid() -> None:
    """Body sentences counted twice after a title (``features.TITLED_LEAD``), neighbours."""
    from newsweave.stories import features as stories_features
    from newsweave.stories.assign import DATE_LINE, publication_day

    sets = {n: load_set(n) for n in INGESTED_SETS}
    articles = {n: ingested(d) for n, d in sets.items()}
    for n in INGESTED_SETS:
        print(f"{n}: {len(articles[n])} articles, "
              f"{sum(1 for a in articles[n] if a.title)} with a title after cleaning")
    chosen = stories_features.TITLED_LEAD
    _ingested_header()
    try:
        for lead in (0, 1, 2):
            stories_features.TITLED_LEAD = lead

            def features(article):  # type: ignore[no-untyped-def]
                return stories_features.extract_features(
                    article.title, article.text,
                    datelines=[r.text for r in article.removed if r.reason == DATE_LINE])

            _ingested_row(f"TITLED_LEAD {lead}{' (now)' if lead == chosen else ''}", sets,
                          articles, features, lambda a: publication_day(a.published))
    finally:
        stories_features.TITLED_LEAD = chosen


def _ingested_row(label, sets, articles, features, day):  # type: ignore[no-untyped-def]
    """One row of BCubed F1 at three thresholds per set, from ingested articles clustered as
    a whole (document frequencies over the set, as ``stories_dev.py --grid``)."""
    from collections import Counter

    from newsweave.settings import load_settings
    from newsweave.stories.assign import weights_from
    from newsweave.stories.vectors import ArticleVector, pair_matrices, weigh

    weights = weights_from(load_settings())
    cells, choice = [], 0.0
    for n, docs in sets.items():
        found = [features(a) for a in articles[n]]
        df = Counter(k for f in found for k in f.keys())  # noqa: SIM118
        items = []
        for i, (a, f) in enumerate(zip(articles[n], found, strict=True)):
            full, named = weigh(f, df, len(found), weights)
            items.append(ArticleVector(i, full, named, frozenset(f.dates), day(a)))
        sims, agree = pair_matrices(items, weights)
        scores = f1_at(sims, agree, INGESTED_THRESHOLDS, [d["event"] for d in docs],
                       weights.attach)
        if n in INGESTED_SETS[:2]:
            choice += scores[1]
        cells.append(" ".join(f"{x:.3f}" for x in scores))
    print(f"{label:<36} {choice:.3f} | " + " | ".join(cells), flush=True)


def f1_at(sims, agree, thresholds, gold, attach) -> list[float]:  # type: ignore[no-untyped-def]
    """BCubed F1 of the clusters of ``sims`` at each threshold."""
    scores = []
    for threshold in thresholds:
        pred = cluster_labels(sims, agree, threshold, attach)
        scores.append(bcubed(pred, gold)[2])
    return scores


def _month_keys(group, key):  # type: ignore[no-untyped-def]
    return {key(group, f"{year}-{month:02d}") for year in range(1800, 2100)
            for month in range(1, 13)}


def _no_vetoes(weights):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(weights, name_penalty=1.0, date_penalty=1.0)


def _examples(docs, gold, pred, sims, full, agree, sizes, count):  # type: ignore[no-untyped-def]
    rows = defaultdict(list)
    for i, g in enumerate(gold):
        rows[g].append(i)
    shown = 0
    for event, members in rows.items():
        stories = Counter(pred[i] for i in members)
        if len(stories) < 2 or shown >= count:
            continue
        shown += 1
        print(f"  event {event}: {len(members)} reports in {len(stories)} stories")
        for i in members:
            best = max((j for j in range(len(docs)) if j != i), key=lambda j: sims[i, j])
            print(f"    [{pred[i]}] {sizes[i]:>3} feats; to own event "
                  + " ".join(f"{sims[i, j]:.2f}{'' if agree[i, j] else 'N'}"
                             f"{'' if abs(sims[i, j] - full[i, j]) < 1e-9 else '*'}"
                             for j in members if j != i)
                  + f"; best elsewhere {sims[i, best]:.2f} "
                  + f"({'own' if gold[best] == event else 'other'})"
                  + f" | {(docs[i].get('title') or '')[:70]}")


if __name__ == "__main__":
    main()
