"""CPU cost of a story's confidence with the sentence vectors (#12 item 4).

Builds a store of one dev set with each article's English MiniLM vector stored first, as
the reuse stage stores it (``stories_meaning.EmbedStage``, vectors cached under
``/tmp/newsweave-bench``), then times ``stories.user.confidences`` of every live story:
the words alone (no vectors read: the figures before #12 item 4) and with the vectors (a
fresh reader each call, as each engine or web call makes one), all stories in one call and
in pages of ``--page`` (a web list asks a page at a time). Prints CPU seconds per story
and how many stories' figures the vectors change.

    PYTHONPATH=src python bench/stories_confidence.py --set ecb
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def _timed(call, reps: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.process_time()
    for _ in range(reps):
        found = call()
    return (time.process_time() - started) / reps, found


def main() -> None:
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from newsweave.stories import StoriesStage, weights_from
    from newsweave.stories.meaning import weighed_meanings
    from newsweave.stories.user import confidences
    from stories_dev import ingest_batches, load_set
    from stories_meaning import EmbedStage

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", default="ecb")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--page", type=int, default=50)
    args = parser.parse_args()
    docs = load_set(args.set)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Engine(open_store(str(folder / "conf.db")), load_settings(),
                    [EmbedStage(), StoriesStage()]) as engine:
            ingest_batches(engine, docs, folder, 100)
            tables, weights = engine.store.stories, weights_from(engine.settings)
            ids = [s.id for s in engine.stories(confidence=False)]
            pages = [ids[i:i + args.page] for i in range(0, len(ids), args.page)]

            def words():  # type: ignore[no-untyped-def]
                return confidences(tables, ids, weights)

            read = [0]

            def meant():  # type: ignore[no-untyped-def]
                meanings = weighed_meanings(engine.store, weights)
                found = confidences(tables, ids, weights, meanings)
                read[0] = len(meanings._vectors) if meanings is not None else 0
                return found

            def paged(meanings: bool):  # type: ignore[no-untyped-def]
                def call():  # type: ignore[no-untyped-def]
                    for page in pages:
                        confidences(tables, page, weights, weighed_meanings(
                            engine.store, weights) if meanings else None)
                return call

            before, plain = _timed(words, args.reps)
            after, scaled = _timed(meant, args.reps)
            before_paged, _ = _timed(paged(False), args.reps)
            after_paged, _ = _timed(paged(True), args.reps)
            listing, _ = _timed(engine.stories, args.reps)
            n = len(ids)
            changed = sum(plain[s].confidence != scaled[s].confidence for s in ids)
            moved = sum(plain[s].nearest_story != scaled[s].nearest_story for s in ids)
            doubtful = [sum(f[s].confidence < 0.5 for s in ids) for f in (plain, scaled)]
            print(f"{args.set}: {len(docs)} docs, {n} stories, story_semantic_weight "
                  f"{weights.semantic}; confidences() CPU ms a story, all in one call: words "
                  f"{1000 * before / n:.3f}, with vectors {1000 * after / n:.3f} "
                  f"(x{after / before:.2f}); in pages of {args.page}: words "
                  f"{1000 * before_paged / n:.3f}, with vectors {1000 * after_paged / n:.3f} "
                  f"(x{after_paged / before_paged:.2f}); Engine.stories() {listing:.2f} CPU s "
                  f"({1000 * listing / n:.2f} ms a story); stored vectors read in one call "
                  f"{read[0]} ({read[0] / n:.1f} a story)")
            print(f"the vectors change {changed} stories' confidence and {moved} nearest "
                  f"stories; below 0.5: {doubtful[0]} words alone, {doubtful[1]} with vectors")
            wrong, mixed = _wrong(engine, docs)
            print(f"stories wrong against the labels (more than one event, or an event "
                  f"in more than one story): {sum(wrong.values())} of {len(wrong)} ({mixed} "
                  f"with more than one event); AUC of "
                  f"a low confidence for them: words {_auc(plain, wrong):.3f}, with vectors "
                  f"{_auc(scaled, wrong):.3f}")
            several = {s: w for s, w in wrong.items() if len(engine.story(s).articles) > 1}
            print(f"stories of two or more articles: {sum(several.values())} wrong of "
                  f"{len(several)}; AUC words {_auc(plain, several):.3f}, with vectors "
                  f"{_auc(scaled, several):.3f}")


def _wrong(engine, docs) -> tuple[dict[int, bool], int]:  # type: ignore[no-untyped-def]
    """Each live story: whether the labels say it is wrong (it holds articles of two
    events, or an event of its own has articles in another story); and how many hold
    articles of more than one event."""
    event = {d["id"]: d["event"] for d in docs}
    events: dict[int, set[str]] = {}
    for a in engine.articles():
        story = engine.story_of(a.id)
        if story is not None and a.external_id in event:
            events.setdefault(story, set()).add(event[a.external_id])
    stories_of: dict[str, int] = {}
    for found in events.values():
        for e in found:
            stories_of[e] = stories_of.get(e, 0) + 1
    mixed = sum(len(found) > 1 for found in events.values())
    return {s: len(found) > 1 or any(stories_of[e] > 1 for e in found)
            for s, found in events.items()}, mixed


def _auc(figures, wrong: dict[int, bool]) -> float:  # type: ignore[no-untyped-def]
    """The chance that a wrong story has a lower confidence than a right one (ties: half)."""
    bad = [figures[s].confidence for s, w in wrong.items() if w and s in figures]
    good = [figures[s].confidence for s, w in wrong.items() if not w and s in figures]
    if not bad or not good:
        return float("nan")
    pairs = sum((b < g) + 0.5 * (b == g) for b in bad for g in good)
    return pairs / (len(bad) * len(good))


if __name__ == "__main__":
    main()
