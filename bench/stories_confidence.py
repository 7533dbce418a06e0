"""A story's confidence (#12 item 4): its CPU cost, and how well a low one flags a wrong story.

Builds a store of each dev set with each article's English MiniLM vector stored first, as
the reuse stage stores it (``stories_meaning.EmbedStage``, vectors cached under
``/tmp/newsweave-bench``), then times ``stories.user.confidences`` of every live story:
the words alone (no vectors read) and with the vectors (a fresh reader each call, as each
engine or web call makes one), all stories in one call and in pages of ``--page`` (a web
list asks a page at a time), beside the form before part 2 (a one-article story's
cohesion, 1, as its bar, and no attach bar: ``(cohesion - nearest) / cohesion``).

Then the AUC of a low confidence for a story the labels call wrong (it holds articles of
two or more events, or an event of its own has articles in another story), over all
stories, by story size (1, 2-4, 5 or more articles; "-" where a class has no right story
or no wrong one), by kind of wrong (holding two or more events / split: each against the
right stories) and the wrong one-article stories against the right stories (on these sets
every event has several reports, so every one-article story is wrong); for the chosen
form, the form before, and the neighbouring settings (the join threshold and the attach
bar the confidence reads scaled by 0.75 and 1.25, the attach bar not read, read for every
size, read for one-article stories only). The form was chosen on BASIL, ECB+ odd topics
and the AllSides validation split (CHOICE); ECB+ even topics, the AllSides test split, the
whole AllSides set and all of ECB+ report it (REPORT).

    PYTHONPATH=src python bench/stories_confidence.py                 # every set below
    PYTHONPATH=src python bench/stories_confidence.py --sets basil,ecb-even
    PYTHONPATH=src python bench/stories_confidence.py --stores /tmp/conf  # keep the stores
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

CHOICE = ("basil", "ecb-odd", "allsides-val")
REPORT = ("ecb-even", "allsides", "allsides-all", "ecb")
CLASSES = (("1", 1, 1), ("2-4", 2, 4), ("5+", 5, 10**9))


def _interleaved(calls: dict[str, Callable[[], object]], reps: int
                 ) -> dict[str, tuple[float, object]]:
    """Each call's mean CPU seconds and last result, the calls taken in turn ``reps`` times
    (on a shared machine a change of load then falls on all of them alike)."""
    spent = dict.fromkeys(calls, 0.0)
    found: dict[str, object] = {}
    for _ in range(reps):
        for label, call in calls.items():
            started = time.process_time()
            found[label] = call()
            spent[label] += time.process_time() - started
    return {label: (spent[label] / reps, found[label]) for label in calls}


def _before_rule(call: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        with _rule(_before):
            return call()
    return run


@contextlib.contextmanager
def _store(name: str, keep: Path | None, docs: list[dict] | None = None
           ) -> Iterator[tuple[object, list[dict]]]:
    """An engine over a store of set ``name`` (built once into ``keep`` when given); of
    ``docs`` instead of the whole set when given (``name`` then names them)."""
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from newsweave.stories import StoriesStage
    from stories_dev import ingest_batches, load_set
    from stories_meaning import EmbedStage

    docs = load_set(name) if docs is None else docs
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "conf.db"
        kept = keep / f"{name}.db" if keep else None
        if kept is not None and kept.exists():
            shutil.copy(kept, path)
        else:
            with Engine(open_store(str(path)), load_settings(),
                        [EmbedStage(), StoriesStage()]) as engine:
                ingest_batches(engine, docs, Path(tmp), 100)
            if kept is not None:
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, kept)
        with Engine(open_store(str(path)), load_settings(), []) as engine:
            yield engine, docs


@contextlib.contextmanager
def _rule(bar: Callable[..., float] | None) -> Iterator[None]:
    """Confidences computed with another :func:`join_bar` (a variant of the form)."""
    from newsweave.stories import user

    chosen = user.join_bar
    if bar is not None:
        user.join_bar = bar
    try:
        yield
    finally:
        user.join_bar = chosen


def _before(size, other_size, agree, cohesion, threshold, weights) -> float:  # type: ignore[no-untyped-def]
    """The form before part 2: the story's cohesion (1 for one article) as its only bar."""
    return cohesion


def _attach_every_size(size, other_size, agree, cohesion, threshold, weights) -> float:  # type: ignore[no-untyped-def]
    from newsweave.stories.vectors import SMALL_STORY

    bar = max(cohesion, 1e-9) if size >= 2 else threshold
    small, large = sorted((size, other_size))
    if weights.attach > 0 and agree and small <= SMALL_STORY < large:
        bar = min(bar, weights.attach)
    return bar


def _attach_one_article(size, other_size, agree, cohesion, threshold, weights) -> float:  # type: ignore[no-untyped-def]
    return _attach_every_size(size, other_size, agree, cohesion, threshold,
                              weights) if size == 1 else max(cohesion, 1e-9)


def measure(name: str, keep: Path | None, reps: int, page: int) -> dict[str, float]:
    """Print one set's cost and AUC lines; the chosen form's AUC over all stories."""
    from dataclasses import replace

    from newsweave.stories import weights_from
    from newsweave.stories.meaning import weighed_meanings
    from newsweave.stories.user import confidences

    with _store(name, keep) as (engine, docs):
        tables, weights = engine.store.stories, weights_from(engine.settings)  # type: ignore[attr-defined]
        threshold = engine.settings.story_threshold  # type: ignore[attr-defined]
        ids = [s.id for s in engine.stories(confidence=False)]  # type: ignore[attr-defined]
        pages = [ids[i:i + page] for i in range(0, len(ids), page)]
        read = [0]

        def one_call(meant: bool, w=weights, t=threshold):  # type: ignore[no-untyped-def]
            def call():  # type: ignore[no-untyped-def]
                meanings = weighed_meanings(engine.store, w) if meant else None  # type: ignore[attr-defined]
                found = confidences(tables, ids, w, meanings, t)
                read[0] = len(meanings._vectors) if meanings is not None else 0
                return found
            return call

        def paged(meant: bool):  # type: ignore[no-untyped-def]
            def call():  # type: ignore[no-untyped-def]
                for part in pages:
                    confidences(tables, part, weights, weighed_meanings(
                        engine.store, weights) if meant else None, threshold)  # type: ignore[attr-defined]
            return call

        n = len(ids)
        timed = _interleaved({  # "meant" last of the one-call runs: read[] counts its reads
            "old_words": _before_rule(one_call(False)),
            "old_meant": _before_rule(one_call(True)), "old_paged": _before_rule(paged(True)),
            "words": one_call(False), "words_paged": paged(False), "meant": one_call(True),
            "meant_paged": paged(True), "listing": engine.stories,  # type: ignore[attr-defined]
        }, reps)
        words, plain = timed["words"]
        meant, chosen = timed["meant"]
        old_meant, before = timed["old_meant"]
        words_paged, meant_paged, old_words, old_paged, listing = (
            timed[k][0] for k in ("words_paged", "meant_paged", "old_words", "old_paged",
                                  "listing"))
        ms = [1000 * x / n for x in (words, meant, words_paged, meant_paged, old_words,
                                      old_meant, old_paged)]
        print(f"{name}: {len(docs)} docs, {n} stories; confidences() CPU ms a story, one "
              f"call: words {ms[0]:.3f}, with vectors {ms[1]:.3f} (x{meant / words:.2f}); "
              f"pages of {page}: words {ms[2]:.3f}, with vectors {ms[3]:.3f} "
              f"(x{meant_paged / words_paged:.2f}); the form before: words {ms[4]:.3f}, with "
              f"vectors {ms[5]:.3f}, pages {ms[6]:.3f} (now x{meant / old_meant:.2f} one call, "
              f"x{meant_paged / old_paged:.2f} pages); Engine.stories() "
              f"{1000 * listing / n:.2f} ms a story; vectors read {read[0] / n:.1f} a story")
        wrong, kind, size = _labels(engine, docs)
        forms: list[tuple[str, dict]] = [("chosen", chosen), ("before (part 1)", before),
                                         ("chosen, words alone", plain)]
        for label, w, t, bar in (
                ("T x0.75", weights, 0.75 * threshold, None),
                ("T x1.25", weights, 1.25 * threshold, None),
                ("attach x0.75", replace(weights, attach=0.75 * weights.attach), threshold, None),
                ("attach x1.25", replace(weights, attach=1.25 * weights.attach), threshold, None),
                ("attach bar not read", replace(weights, attach=0.0), threshold, None),
                ("attach bar for every size", weights, threshold, _attach_every_size),
                ("attach bar for one article only", weights, threshold, _attach_one_article)):
            with _rule(bar):
                forms.append((label, one_call(True, w, t)()))
        mixed = sum(k == "mixed" for k in kind.values())
        print(f"  wrong {sum(wrong.values())} of {len(wrong)} ({mixed} hold two or more "
              f"events); below 0.5: before {sum(before[s].confidence < 0.5 for s in ids)}, "
              f"now {sum(chosen[s].confidence < 0.5 for s in ids)}")
        sized = {c: {s: w for s, w in wrong.items() if lo <= size[s] <= hi}
                 for c, lo, hi in CLASSES}
        counts = " ".join(f"{c} {sum(v.values())}/{len(v)}" for c, v in sized.items())
        print(f"  AUC of a low confidence for a wrong story (wrong/stories by size: {counts})")
        found = {}
        for label, figures in forms:
            by_size = " ".join(f"{c} {_auc(figures, v)}" for c, v in sized.items())
            by_kind = " ".join(
                f"{k} {_auc(figures, {s: w for s, w in wrong.items() if not w or kind[s] == k})}"
                for k in ("mixed", "split"))
            lone = _auc(figures, {s: w for s, w in wrong.items() if not w or size[s] == 1})
            print(f"    {label:32s} all {_auc(figures, wrong)} | size {by_size} | "
                  f"{by_kind} | one-article wrong vs right {lone}")
            found[label] = _value(figures, wrong)
        return found


def quality(name: str, keep: Path | None = None) -> dict[str, float]:
    """The chosen form's AUC on set ``name`` (for the floor tests): over all stories, the
    wrong one-article stories against the right stories, and the stories holding two or
    more events against the right stories ("mixed"; nan on a set that has none)."""
    from newsweave.stories import weights_from
    from newsweave.stories.meaning import weighed_meanings
    from newsweave.stories.user import confidences

    with _store(name, keep) as (engine, docs):
        weights = weights_from(engine.settings)  # type: ignore[attr-defined]
        ids = [s.id for s in engine.stories(confidence=False)]  # type: ignore[attr-defined]
        figures = confidences(engine.store.stories, ids, weights,  # type: ignore[attr-defined]
                              weighed_meanings(engine.store, weights),  # type: ignore[attr-defined]
                              engine.settings.story_threshold)  # type: ignore[attr-defined]
        wrong, kind, size = _labels(engine, docs)
    return {"all": _value(figures, wrong),
            "one-article": _value(figures, {s: w for s, w in wrong.items()
                                            if not w or size[s] == 1}),
            "mixed": _value(figures, {s: w for s, w in wrong.items()
                                      if not w or kind[s] == "mixed"})}


def _labels(engine, docs):  # type: ignore[no-untyped-def]
    """Each live story: whether the labels say it is wrong; its kind of wrong ("mixed": it
    holds articles of two or more events; "split": an event of its own has articles in
    another story; "" right); its number of articles."""
    event = {d["id"]: d["event"] for d in docs}
    events: dict[int, set[str]] = {}
    size: dict[int, int] = {}
    for a in engine.articles():
        story = engine.story_of(a.id)
        if story is not None and a.external_id in event:
            events.setdefault(story, set()).add(event[a.external_id])
            size[story] = size.get(story, 0) + 1
    stories_of: dict[str, int] = {}
    for found in events.values():
        for e in found:
            stories_of[e] = stories_of.get(e, 0) + 1
    kind = {s: "mixed" if len(found) > 1 else
            "split" if any(stories_of[e] > 1 for e in found) else ""
            for s, found in events.items()}
    return {s: bool(k) for s, k in kind.items()}, kind, size


def _value(figures, wrong: dict[int, bool]) -> float:  # type: ignore[no-untyped-def]
    """The chance that a wrong story has a lower confidence than a right one (ties: half)."""
    kept = [s for s in wrong if s in figures]
    return auc_of([figures[s].confidence for s in kept], [wrong[s] for s in kept])


def auc_of(levels: list[float], wrong: list[bool]) -> float:
    """:func:`_value` over parallel lists (a bootstrap draw may repeat a story)."""
    import bisect

    bad = sorted(v for v, w in zip(levels, wrong, strict=True) if w)
    good = sorted(v for v, w in zip(levels, wrong, strict=True) if not w)
    if not bad or not good:
        return float("nan")
    pairs = sum(len(good) - bisect.bisect_right(good, b)
                + 0.5 * (bisect.bisect_right(good, b) - bisect.bisect_left(good, b))
                for b in bad)
    return pairs / (len(bad) * len(good))


def _auc(figures, wrong: dict[int, bool]) -> str:  # type: ignore[no-untyped-def]
    value = _value(figures, wrong)
    return "-" if value != value else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(CHOICE + REPORT),
                        help="comma-separated: basil, ecb, ecb-odd, ecb-even, allsides "
                             "(test split), allsides-val, allsides-all")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--page", type=int, default=50)
    parser.add_argument("--stores", type=Path, default=None,
                        help="keep each set's built store here and reuse it on the next run")
    args = parser.parse_args()
    names = [s for s in args.sets.split(",") if s]
    found = {name: measure(name, args.stores, args.reps, args.page) for name in names}
    for part, sets in (("choice", CHOICE), ("report", REPORT)):
        sets = tuple(s for s in sets if s in found)
        if not sets:
            continue
        print(f"{part} sets ({', '.join(sets)}): AUC over all stories, mean / lowest")
        for label in found[sets[0]]:
            values = [found[s][label] for s in sets]
            print(f"  {label:32s} {sum(values) / len(values):.3f} / {min(values):.3f}")


if __name__ == "__main__":
    main()
