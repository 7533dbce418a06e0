"""Stories in small stores: why a set scores lower alone than inside a big store (#12 part 12).

In the mixed store (``stories_dev.py --mixed``: ECB+, BASIL, AllSides test and the demo in one
store) BASIL scores 0.991 against 0.978 in a store of its own 300 articles. Hidden hold-outs
are scored in stores of a few hundred reports, so what a small store lacks matters.

``--diagnose``: each set through the stories stage in a store of its own, as
``stories_dev.py`` runs it, then again with the document frequencies of other sets added to
the store's (their articles' feature keys counted, their articles not ingested: the weighing
sees a bigger store, nothing else does). Unless ``--with`` names them, the other sets are the
mixed store's (ECB+, BASIL, AllSides test) that share no article with the set.

    python bench/stories_smallstore.py --minilm --diagnose --sets basil ecb-odd ecb-even allsides

``--stores``: small stores drawn from the dev sets, through the stage, for each variant of
the general-language prior (``--prior M:L``: ``stories.prior.PRIOR_DOCUMENTS`` M and
``PRIOR_LENGTH`` L; 0:0 is no prior). A store spec is ``SET`` (the whole set), ``SET:N`` (N
topics of ECB+ drawn with each seed, both events of each: the topic's same-kind pair stays
together; N events of any other set), ``SET:kK`` (K reports of every event, as
``stories_thin.py``) or ``SET:NkK`` (N topics or events, K reports of each event). Each
cell: the mean P / R / F1 over the seeds; ``--choose C``: the sum of the first C specs'
mean F1 (the choice), printed last on each row.

    python bench/stories_smallstore.py --minilm --stores ecb-odd:5 allsides-train:100 \\
        --seeds 1 2 3 4 --choose 2 --prior 0:0 300:100 1000:100 3000:100
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from collections.abc import Sequence

import numpy as np

import stories_dev
from stories_dev import Doc, engine_partition, figures, load_set
from stories_ecb import parse_sets
from stories_thin import thin

MIXED_SETS = ("ecb", "basil", "allsides")


def draw(spec: str, seed: int) -> list[Doc]:
    """The store a spec names (see the module's text), drawn with ``seed``, shuffled."""
    name, _, size = spec.partition(":")
    docs = load_set(name)
    if not size:
        return docs
    count, _, reports = size.partition("k")
    rng = random.Random(seed)
    if count:
        group = "topic" if name.startswith("ecb") else "event"
        groups = sorted({d[group] for d in docs})
        kept = set(rng.sample(groups, min(int(count), len(groups))))
        docs = [d for d in docs if d[group] in kept]
    if reports:
        return thin(docs, int(reports), seed)
    rng.shuffle(docs)
    return docs


def feature_counts(docs: Sequence[Doc]) -> tuple[Counter[int], int]:
    """The document frequency of each feature key over ``docs`` (as the stage counts them:
    ``stories.frequencies``), and how many docs."""
    from newsweave.stories.features import extract_features

    counts: Counter[int] = Counter()
    for d in docs:
        counts.update(extract_features(d.get("title"), d["text"]).keys())
    return counts, len(docs)


def with_frequencies(extra: Counter[int], extra_docs: int) -> object:
    """Make the stage weigh with ``extra`` added to its store's document frequencies (and
    ``extra_docs`` to its article count); returns the function to restore."""
    import importlib

    from newsweave.stories.vectors import ArticleVector, split_every, weigh_packed

    # The module whose article_vectors calls it (newsweave.stories.articles: assign
    # re-exports it, but a name set there would not reach that call).
    assign = importlib.import_module("newsweave.stories.articles")
    original = assign.vectors_of
    keys = np.fromiter(extra.keys(), dtype=np.int64, count=len(extra))
    values = np.fromiter(extra.values(), dtype=np.int64, count=len(extra))
    order = np.argsort(keys)
    keys, values = keys[order], values[order]

    def added(wanted: np.ndarray) -> np.ndarray:
        wanted = np.asarray(wanted, dtype=np.int64)
        at = keys.searchsorted(wanted)
        hit = keys.take(at, mode="clip") == wanted
        return np.where(hit, values.take(at, mode="clip"), 0)

    def vectors_of(tables, rows, weights):  # type: ignore[no-untyped-def]
        # assign.vectors_of with the frequencies added: the stage's one weighing path.
        rows = list(rows)
        weighed = weigh_packed([(r.terms, r.names, r.dates) for r in rows],
                               lambda k: tables.frequency_array(k) + added(k),
                               tables.document_count() + extra_docs, weights)
        found = {}
        for row, (full, names) in zip(rows, weighed, strict=True):
            dates, figures_, places, lead_years, weekdays = split_every(row.dates)
            found[row.article_id] = ArticleVector(
                row.article_id, None, None, dates, row.day, arrays=full, name_arrays=names,
                figures=figures_, places=places, lead_years=lead_years, weekdays=weekdays)
        return found

    assign.vectors_of = vectors_of

    def restore() -> None:
        assign.vectors_of = original

    return restore


def diagnose(names: Sequence[str], others: Sequence[str] | None,
             settings: dict[str, object]) -> None:
    print(f"{'set':<14} {'docs':>5}  {'alone P/R/F1':<19} {'stories':>7}   "
          f"{'with the others frequencies':<27} {'stories':>7}  others")
    for name in names:
        docs = load_set(name)
        mine = figures(engine_partition(docs, settings)[0], docs)
        ids = {d["id"] for d in docs}
        chosen = others if others is not None else [
            s for s in MIXED_SETS if not ids & {d["id"] for d in load_set(s)}]
        extra_docs = [d for s in chosen for d in load_set(s)]
        counts, n = feature_counts(extra_docs)
        restore = with_frequencies(counts, n)
        try:
            pooled = figures(engine_partition(docs, settings)[0], docs)
        finally:
            restore()  # type: ignore[operator]
        print(f"{name:<14} {len(docs):>5}  {_prf(mine):<19} {mine['stories']:>7}   "
              f"{_prf(pooled):<27} {pooled['stories']:>7}  {' + '.join(chosen)} ({n})",
              flush=True)


def _prf(row: dict[str, float]) -> str:
    return f"{row['p']:.3f} / {row['r']:.3f} / {row['f1']:.3f}"


def stores(specs: Sequence[str], seeds: Sequence[int], variants: Sequence[tuple[float, float]],
           choose: int, settings: dict[str, object], show_spread: bool = False) -> None:
    from newsweave.stories import prior

    drawn = {spec: [draw(spec, s) for s in (seeds if ":" in spec else seeds[:1])]
             for spec in specs}
    print("per store spec: mean P / R / F1 over seeds " + " ".join(map(str, seeds))
          + " (a whole set: one run); docs a store: "
          + ", ".join(f"{spec} {sum(map(len, d)) / len(d):.0f}" for spec, d in drawn.items()))
    print(f"{'M:L':<10} " + " | ".join(f"{spec:<21}" for spec in specs)
          + (f" | choice (first {choose})" if choose else ""))
    for documents, length in variants:
        prior.PRIOR_DOCUMENTS, prior.PRIOR_LENGTH = documents, length
        cells, f1s = [], []
        for stores_of_spec in drawn.values():
            rows = [figures(engine_partition(docs, settings)[0], docs) for docs in stores_of_spec]
            mean = {k: sum(r[k] for r in rows) / len(rows) for k in ("p", "r", "f1")}
            spread = ([f"{min(r['f1'] for r in rows):.3f}-{max(r['f1'] for r in rows):.3f}"]
                      if show_spread and len(rows) > 1 else [])
            cells.append(" ".join([_prf(mean), *spread]))
            f1s.append(mean["f1"])
        choice = f" | {sum(f1s[:choose]):.3f}" if choose else ""
        print(f"{documents:g}:{length:g}".ljust(10) + " "
              + " | ".join(f"{c:<21}" for c in cells) + choice, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--diagnose", action="store_true",
                        help="each set alone, and with other sets' document frequencies")
    parser.add_argument("--sets", nargs="*", default=["basil", "ecb-odd", "ecb-even", "allsides"])
    parser.add_argument("--with", dest="others", nargs="*", default=None,
                        help="--diagnose: the sets whose frequencies are added (default: the "
                        "mixed store's sets sharing no article with the set)")
    parser.add_argument("--stores", nargs="*", default=[], metavar="SPEC",
                        help="small stores: SET, SET:N (N topics of ECB+, N events of another "
                        "set), SET:kK (K reports an event) or SET:NkK (both)")
    parser.add_argument("--seeds", nargs="*", type=int, default=[1, 2, 3, 4])
    parser.add_argument("--prior", nargs="*", default=["0:0"], metavar="M:L",
                        help="--stores: the prior's pseudo-reports and their length, per row")
    parser.add_argument("--choose", type=int, default=0, metavar="C",
                        help="--stores: also the sum of the first C specs' mean F1")
    parser.add_argument("--spread", action="store_true",
                        help="--stores: also each cell's lowest and highest F1 over the seeds")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a setting, e.g. story_threshold=0.2")
    parser.add_argument("--minilm", action="store_true",
                        help="store each English article's MiniLM vector first, as the reuse "
                        "stage does (stories_dev.py --minilm)")
    stories_dev.add_stage_constant_arguments(parser)
    args = parser.parse_args()
    stories_dev.set_stage_constants(args)
    if args.minilm:
        from stories_meaning import EmbedStage

        stories_dev.BEFORE[:] = [EmbedStage()]
    settings = parse_sets(args.set)
    if args.diagnose:
        diagnose(args.sets, args.others, settings)
    if args.stores:
        variants = [(float(m), float(length)) for m, length in
                    (v.split(":") for v in args.prior)]
        stores(args.stores, args.seeds, variants, args.choose, settings, args.spread)


if __name__ == "__main__":
    main()
