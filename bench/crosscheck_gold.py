"""The cross-check's status against gold: the demo answer key and the seeds, per setting.

The demo corpus's answer key (``src/newsweave/demo/corpus/README.md``) says
story A has exactly two contested points (the death toll, 14 against 17, and
the minister who met the governor) and that 9 missing and about 3,200
evacuated are corroborated by three and four independent origins; the seeds
(``../shared/corpus/seeds``) have one disagreement (whom Patrushev met). This
script ingests both once and cross-checks their main story at the shipped
settings and the neighbouring ones of the two similarity thresholds that the
parse-based comparison uses (``crosscheck.figures.SAME_QUANTITY``,
``crosscheck.disputes.SAME_ACTION``), printing for each: the contested points found against the
key's, and the figures the key calls corroborated. ``tests/test_crosscheck_demo_key.py``
checks every item of the key at the shipped settings.

``--msrp`` measures the two quantity thresholds (``SAME_QUANTITY`` on the
predicates' similarity, ``SAME_COUNTED`` on the counted nouns') on data nobody
here wrote: in an MSRP paraphrase pair (two sentences reporting one fact), a
figure of one sentence and the figure of the other with the same value are one
quantity; two figures of different values, each of which the other sentence
also gives, are two quantities. The decision is read without the value itself
(``quantity_similarity(..., by_value=False)``), so only the thresholds decide.
Settings are chosen on MSRP's train pairs by F0.5 (precision counts double: a
false merge makes a false conflict, a missed one only a missed conflict) and
reported on its test pairs, beside the demo and seed rows.

Usage, from the repository root::

    python bench/crosscheck_gold.py          # the demo key and the seeds per setting
    python bench/crosscheck_gold.py --msrp   # the quantity thresholds on MSRP train / test
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import newsweave
from newsweave.crosscheck import disputes, figures
from newsweave.crosscheck.status import StoryArticle, cross_check
from newsweave.demo import corpus_files
from newsweave.engine import Engine

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "seeds"
MSRP = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "msrp"
QUANTITY_GRID = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65)
COUNTED_GRID = (0.25, 0.35, 0.45, 0.55)
DEMO_CONTESTED = {("number", frozenset({"14", "17"})), ("person", frozenset({"Petrin", "Hallan"}))}
SEED_CONTESTED = {("person", frozenset({"Yang", "Guo"}))}


def story_input(engine: Engine, first: str) -> tuple[list[StoryArticle], dict, dict, dict]:
    article = next(a for a in engine.articles() if Path(a.source).name.startswith(first))
    story = engine.story_of(article.id)
    ids = engine.story_articles(story)
    articles = [engine.article(i) for i in ids]
    types: dict[str, str] = {}
    for entity in engine.entities(story=story):
        for name in (entity.name, *entity.aliases):
            types.setdefault(name.lower(), entity.type)
    views = [StoryArticle(a.id, a.text, a.outlet, a.published) for a in articles]
    names = {a.id: Path(a.source).name[:3] for a in articles}
    return views, engine.store.reuse.origin_of(ids), types, names


def contested(check: object) -> set[tuple[str, frozenset[str]]]:
    found = set()
    for conflict in check.conflicts:  # type: ignore[attr-defined]
        if conflict.update:
            continue
        words = frozenset(w for v in conflict.values for w in v.replace(",", " ").split())
        found.add((conflict.kind, words))
    return found


def matches(found: set[tuple[str, frozenset[str]]], key: set[tuple[str, frozenset[str]]]) -> int:
    return sum(any(k == f[0] and words <= f[1] for f in found) for k, words in key)


def figures_of(texts: list[str]) -> list[list]:
    """Each text's figures described by the parse (dates and durations left out)."""
    from newsweave.crosscheck.claims import quantities
    from newsweave.crosscheck.frames import parse, quantity_frames

    found = [quantities(text) for text in texts]
    out: list[list] = [[] for _ in texts]
    wanted = [i for i, qs in enumerate(found) if qs]
    for start in range(0, len(wanted), 500):  # the parse cache keeps a few thousand
        chunk = wanted[start : start + 500]
        for i, doc in zip(chunk, parse([texts[i] for i in chunk]), strict=True):
            frames = quantity_frames(doc, [(q.start, q.end) for q in found[i]])
            out[i] = [replace(q, counted=f.counted, predicate=f.predicate, of=f.of)
                      for q, f in zip(found[i], frames, strict=True) if not f.calendar]
    return out


def msrp_figure_pairs(split: str) -> list[tuple[object, object, int]]:
    """(figure, figure, one quantity?) from MSRP paraphrase pairs (see the module text)."""
    rows = [json.loads(line) for line in (MSRP / f"{split}.jsonl").open(encoding="utf-8")]
    rows = [r for r in rows if r["paraphrase"] == 1]
    left, right = figures_of([r["s1"] for r in rows]), figures_of([r["s2"] for r in rows])
    out = []
    for a_side, b_side in zip(left, right, strict=True):
        a_values, b_values = {q.value for q in a_side}, {q.value for q in b_side}
        for a in a_side:
            for b in b_side:
                if not (a.predicate and b.predicate):
                    continue  # a figure with nothing said of it is never compared
                if a.value == b.value:
                    out.append((a, b, 1))
                elif a.value in b_values and b.value in a_values:
                    out.append((a, b, 0))
    return out


def msrp_thresholds() -> None:
    from newsweave.crosscheck.compare import default_similarity, quantity_similarity

    if not MSRP.exists():
        sys.exit(f"{MSRP} is missing: the benchmarks live in ../shared beside the repo")
    similarity = default_similarity()
    shipped = (figures.SAME_QUANTITY, figures.SAME_COUNTED)
    results = {}
    for split in ("train", "test"):
        pairs = msrp_figure_pairs(split)
        words = list(dict.fromkeys(w for a, b, _ in pairs for q in (a, b)
                                   for w in (q.predicate, q.counted) if w))
        sim = similarity(words)
        at = {w: i for i, w in enumerate(words)}

        def similar(x: str, y: str, sim=sim, at=at) -> float:
            return float(sim[at[x], at[y]])

        positives = sum(label for *_, label in pairs)
        print(f"MSRP {split}: {len(pairs)} figure pairs ({positives} one quantity, "
              f"{len(pairs) - positives} two)")
        for counted in COUNTED_GRID:
            for quantity in QUANTITY_GRID:
                figures.SAME_COUNTED = counted
                said = [quantity_similarity(a, b, similar, by_value=False) >= quantity
                        for a, b, _ in pairs]
                tp = sum(s and label for s, (*_, label) in zip(said, pairs, strict=True))
                fp = sum(s and not label for s, (*_, label) in zip(said, pairs, strict=True))
                precision, recall = tp / max(tp + fp, 1), tp / max(positives, 1)
                f1 = 2 * precision * recall / max(precision + recall, 1e-9)
                # F0.5: a false merge makes a false conflict, worse than a missed one.
                f05 = 1.25 * precision * recall / max(0.25 * precision + recall, 1e-9)
                results[(split, quantity, counted)] = f05
                mark = "  (shipped)" if (quantity, counted) == shipped else ""
                print(f"  same_quantity {quantity:.2f} same_counted {counted:.2f}: precision "
                      f"{precision:.3f} recall {recall:.3f} F1 {f1:.3f} F0.5 {f05:.3f}{mark}")
        figures.SAME_COUNTED = shipped[1]
    best = max(((q, c) for q in QUANTITY_GRID for c in COUNTED_GRID),
               key=lambda s: (results[("train", *s)], -abs(s[0] - shipped[0])))
    print(f"chosen on train by F0.5: same_quantity {best[0]:.2f}, same_counted {best[1]:.2f} "
          f"(train F0.5 {results[('train', *best)]:.3f}); on test (held out): F0.5 "
          f"{results[('test', *best)]:.3f} (shipped before: "
          f"{results[('test', *shipped)]:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--msrp", action="store_true",
                        help="the quantity thresholds on MSRP train (chosen) / test (reported)")
    if parser.parse_args().msrp:
        msrp_thresholds()
        return
    if not SEEDS.exists():
        sys.exit(f"{SEEDS} is missing: the seeds live in ../shared beside the repo")
    with (tempfile.TemporaryDirectory() as folder,
          newsweave.open(str(Path(folder) / "demo.db")) as demo,
          newsweave.open(str(Path(folder) / "seeds.db")) as seeds):
        demo.ingest([str(p) for p in corpus_files()])
        seeds.ingest([str(p) for p in sorted(SEEDS.iterdir())])
        inputs = {"demo": story_input(demo, "01_"), "seeds": story_input(seeds, "000")}
    shipped = (figures.SAME_QUANTITY, figures.SAME_COUNTED, disputes.SAME_ACTION)
    print("same_quantity same_counted same_action | demo contested (key 2) | demo 9 missing / "
          "3,200 evacuated origins (key 3 / 4) | seeds contested (key 1)")
    q, c, a = shipped
    settings = dict.fromkeys([shipped] + [(v, c, a) for v in QUANTITY_GRID]
                             + [(q, v, a) for v in COUNTED_GRID]
                             + [(q, c, v) for v in (0.3, 0.35, 0.45, 0.5)])
    try:
        for quantity, counted, action in settings:
            figures.SAME_QUANTITY, figures.SAME_COUNTED, disputes.SAME_ACTION = (
                quantity, counted, action)
            row = []
            for name, (views, origin_of, types, _) in inputs.items():
                check = cross_check(views, origin_of, entity_types=types)
                found = contested(check)
                key = DEMO_CONTESTED if name == "demo" else SEED_CONTESTED
                row.append(f"{matches(found, key)} of {len(key)} found, {len(found)} in all")
                if name == "demo":
                    row.append(" / ".join(str(corroborating(check, origin_of, value))
                                          for value in ("9", "3200")))
            mark = "  (shipped)" if (quantity, counted, action) == shipped else ""
            print(f"{quantity:13.2f} {counted:12.2f} {action:11.2f} | " + " | ".join(row) + mark)
    finally:
        figures.SAME_QUANTITY, figures.SAME_COUNTED, disputes.SAME_ACTION = shipped


def corroborating(check: object, origin_of: dict, value: str) -> int:
    """The most independent origins a corroborated figure gives ``value`` with."""
    best = 0
    for figure in check.figures:  # type: ignore[attr-defined]
        for v, units in figure.values:
            if v == value and figure.status == "corroborated":
                best = max(best, len({origin_of.get(u.article, [u.article])[0] for u in units}))
    return best

if __name__ == "__main__":
    main()
