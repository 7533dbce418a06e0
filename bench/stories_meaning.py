"""The English MiniLM vectors the reuse stage stores, for stories-only bench runs.

The stories stage reads each article's all-MiniLM-L6-v2 vector of its title and lead from
the reuse tables (``store.reuse.vectors(ids, nlp.english.MODEL_NAME)``) where the reuse
stage stored one (#12 part 6). A stories-only bench run has no reuse stage, so
:class:`EmbedStage` stands in for that one part of it: it embeds each English article
exactly as the reuse stage does (``reuse.semantic.english_vectors``: the same selection
and text) and saves the vectors in the same table, before the stories stage runs. The
vectors are cached by text under /tmp (never in the repository), so a set is embedded once
per machine:

    python bench/stories_meaning.py --sets ecb basil allsides-all   # fill the cache
    python bench/stories_meaning.py --grid      # neighbouring settings through the stage
    python bench/stories_meaning.py --cost allsides-all   # what weighing the vectors costs

``--grid``: the stories stage with the sentence vectors at neighbouring settings, each set
ingested into a fresh store (stories-only, vectors stored first: as ``stories_dev.py
--minilm``), BCubed F1; chosen on the sum over ECB+ odd topics and the AllSides validation
split, reported on ECB+ all, ECB+ even topics, BASIL and the AllSides test split.

``--cost SET``: SET ingested 100 at a time with the vectors stored first, twice (the
multiplier off, then at weight 0.5); the stories stage's own CPU seconds per article in each
run, and the stored vectors the second run read (the articles' own and, for stories that
come close, their members').
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

CACHE = Path(os.environ.get("NEWSWEAVE_BENCH_CACHE", "/tmp/newsweave-bench")) / "minilm"


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class TextVectors:
    """MiniLM vectors by text, kept in one file under :data:`CACHE` (model in its name);
    with ``multilingual``, the e5 vectors (``newsweave.nlp.embed``) the reuse stage stores
    in a store holding another language (``bench/stories_opinions.py``)."""

    def __init__(self, multilingual: bool = False) -> None:
        from newsweave.nlp import embed, english

        self.multilingual = multilingual
        model = embed.MODEL_NAME if multilingual else english.MODEL_NAME
        self.path = CACHE / f"{model}.npz"
        self.rows: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as saved:
                self.rows = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
        self.embedded = 0
        self.seconds = 0.0

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text: cached, or embedded now (and the cache saved)."""
        from newsweave.nlp.embed import embed
        from newsweave.nlp.english import DIM, embed_english

        keys = [_key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True)
                          if k not in self.rows}.items())
        if missing:
            started = time.process_time()
            rows = (embed if self.multilingual else embed_english)([t for _, t in missing])
            self.seconds += time.process_time() - started
            self.embedded += len(missing)
            self.rows.update((k, np.asarray(r, dtype=np.float32))
                             for (k, _), r in zip(missing, rows, strict=True))
            self._save()
        if not keys:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.vstack([self.rows[k] for k in keys])

    def _save(self) -> None:
        CACHE.mkdir(parents=True, exist_ok=True)
        if self.path.exists():  # another run's vectors saved since this one read the file
            with np.load(self.path) as saved:
                for key, row in zip(saved["keys"].tolist(), saved["vectors"], strict=True):
                    self.rows.setdefault(key, row)
        partial = self.path.with_suffix(f".{os.getpid()}.npz")
        keys = list(self.rows)
        np.savez(partial, keys=np.array(keys), vectors=np.vstack([self.rows[k] for k in keys]))
        partial.replace(self.path)


class EmbedStage:
    """The reuse stage's English vectors alone (no index, no links), from the cache."""

    name = "bench-embed"
    version = 1
    requires: tuple[str, ...] = ("article.text",)
    assigns: tuple[str, ...] = ("reuse.vectors",)

    def __init__(self, cache: TextVectors | None = None) -> None:
        self.cache = cache or TextVectors()

    def run(self, store, article_ids, settings) -> None:  # type: ignore[no-untyped-def]
        from newsweave.nlp.english import MODEL_NAME
        from newsweave.nlp.language import runs_english
        from newsweave.reuse.semantic import english_text

        articles = [a for a in (store.get_article(i) for i in sorted(article_ids))
                    if a is not None and a.id is not None and runs_english(a.language)]
        if articles:
            rows = self.cache.vectors([english_text(a.title, a.text) for a in articles])
            store.reuse.save_vectors(MODEL_NAME, {int(a.id or 0): row for a, row
                                                  in zip(articles, rows, strict=True)})
        store.mark_done(self.name, list(article_ids), self.version)


CHOICE = ("ecb-odd", "allsides-val")
REPORT = ("ecb", "ecb-even", "basil", "allsides")
# (label, settings): the words alone, then the multiplier's weight and floor around the
# chosen cell (weight 0.5, floor 0.5: #12 part 5's neutral form), and the threshold beside it.
VARIANTS: list[tuple[str, dict[str, object]]] = [
    ("words (off)", {"story_semantic_weight": 0.0}),
    ("a 0.5, lo 0.5", {"story_semantic_weight": 0.5}),
    ("a 0.3, lo 0.5", {"story_semantic_weight": 0.3}),
    ("a 0.75, lo 0.5", {"story_semantic_weight": 0.75}),
    ("a 0.5, lo 0.4", {"story_semantic_weight": 0.5, "story_semantic_floor": 0.4}),
    ("a 0.5, lo 0.6", {"story_semantic_weight": 0.5, "story_semantic_floor": 0.6}),
    ("a 0.5, lo 0.5, T 0.20", {"story_semantic_weight": 0.5, "story_threshold": 0.2}),
    ("a 0.5, lo 0.5, T 0.24", {"story_semantic_weight": 0.5, "story_threshold": 0.24}),
]


def grid(sets: Sequence[str], variants: Sequence[str] | None) -> None:
    """``--grid``: BCubed F1 per variant (rows) and set (columns), through the stage."""
    import stories_dev
    from stories_dev import engine_partition, figures, load_set

    stories_dev.BEFORE[:] = [EmbedStage()]
    docs = {name: load_set(name) for name in sets}
    chosen = [v for v in VARIANTS if variants is None or v[0] in variants]
    print("BCubed F1 through the stage (stories-only, MiniLM vectors stored first); choice: "
          f"the sum over {' + '.join(CHOICE)}")
    print("| variant | choice sum | " + " | ".join(sets) + " |")
    print("|---|---|" + "---|" * len(sets))
    for label, settings in chosen:
        cells, choice = [], 0.0
        started = time.process_time()
        for name in sets:
            f1 = figures(engine_partition(docs[name], settings)[0], docs[name])["f1"]
            choice += f1 if name in CHOICE else 0.0
            cells.append(f"{f1:.3f}")
        print(f"| {label} | {choice:.3f} | " + " | ".join(cells)
              + f" | ({time.process_time() - started:.0f} CPU s)", flush=True)


class TimedStage:
    """A stage run under a CPU-second clock (the wrapped stage's own time)."""

    def __init__(self, stage) -> None:  # type: ignore[no-untyped-def]
        self.stage = stage
        self.name, self.version = stage.name, stage.version
        self.requires, self.assigns = stage.requires, stage.assigns
        self.uses = getattr(stage, "uses", ())
        self.seconds = 0.0

    def run(self, store, article_ids, settings) -> None:  # type: ignore[no-untyped-def]
        started = time.process_time()
        try:
            self.stage.run(store, article_ids, settings)
        finally:
            self.seconds += time.process_time() - started


def cost(name: str) -> None:
    """``--cost``: the stories stage's CPU seconds per article without and with the weight."""
    import tempfile

    import newsweave.stories.meaning as meaning
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from newsweave.stories import StoriesStage
    from stories_dev import ingest_batches, load_set

    docs = load_set(name)
    reads = [0]
    original = meaning.Meanings.of

    def counted(self, article_ids):  # type: ignore[no-untyped-def]
        ids = list(article_ids)
        reads[0] += sum(1 for a in ids if a not in self._vectors)
        return original(self, ids)

    meaning.Meanings.of = counted  # type: ignore[method-assign]
    embed = EmbedStage()
    for weight in (0.0, 0.5):
        reads[0] = 0
        timed = TimedStage(StoriesStage())
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            with Engine(open_store(str(folder / "cost.db")),
                        load_settings(story_semantic_weight=weight), [embed, timed]) as engine:
                ingest_batches(engine, docs, folder, 100)
        print(f"{name}, {len(docs)} docs, 100 a batch, story_semantic_weight {weight}: stories "
              f"stage {timed.seconds:.1f} CPU s ({1000 * timed.seconds / len(docs):.2f} ms an "
              f"article); stored vectors read {reads[0]} ({reads[0] / len(docs):.1f} an "
              "article)", flush=True)


def main() -> None:
    from newsweave.reuse.semantic import english_text
    from stories_dev import load_set

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=["ecb", "basil", "allsides-all"])
    parser.add_argument("--grid", action="store_true",
                        help="neighbouring settings through the stage (sets: choice, report)")
    parser.add_argument("--variants", nargs="*", default=None,
                        help="--grid: only these rows (labels as printed)")
    parser.add_argument("--cost", metavar="SET", help="CPU cost of weighing the vectors")
    args = parser.parse_args()
    if args.cost:
        cost(args.cost)
        return
    if args.grid:
        grid([*CHOICE, *REPORT] if args.sets == parser.get_default("sets") else args.sets,
             args.variants)
        return
    cache = TextVectors()
    for name in args.sets:
        docs = load_set(name)
        for start in range(0, len(docs), 500):
            part = docs[start:start + 500]
            cache.vectors([english_text(d.get("title"), d["text"]) for d in part])
        print(f"{name}: {len(docs)} docs; embedded so far {cache.embedded} "
              f"({cache.seconds:.0f} CPU s)", flush=True)


if __name__ == "__main__":
    main()
