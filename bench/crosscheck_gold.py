"""The cross-check's status against gold: the demo answer key and the seeds, per setting.

The demo corpus's answer key (``src/newsweave/demo/corpus/README.md``) says
story A has exactly two contested points (the death toll, 14 against 17, and
the minister who met the governor) and that 9 missing and about 3,200
evacuated are corroborated by three and four independent origins; the seeds
(``../shared/corpus/seeds``) have one disagreement (whom Patrushev met). This
script ingests both once and cross-checks their main story at the shipped
settings and the neighbouring ones of the two similarity thresholds that the
parse-based comparison uses (``crosscheck.compare.SAME_QUANTITY``,
``SAME_ACTION``), printing for each: the contested points found against the
key's, and the figures the key calls corroborated. ``tests/test_crosscheck_demo_key.py``
checks every item of the key at the shipped settings.

Usage, from the repository root::

    python bench/crosscheck_gold.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import newsweave
from newsweave.crosscheck import compare
from newsweave.crosscheck.status import StoryArticle, cross_check
from newsweave.demo import corpus_files
from newsweave.engine import Engine

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "seeds"
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


def main() -> None:
    if not SEEDS.exists():
        sys.exit(f"{SEEDS} is missing: the seeds live in ../shared beside the repo")
    with (tempfile.TemporaryDirectory() as folder,
          newsweave.open(str(Path(folder) / "demo.db")) as demo,
          newsweave.open(str(Path(folder) / "seeds.db")) as seeds):
        demo.ingest([str(p) for p in corpus_files()])
        seeds.ingest([str(p) for p in sorted(SEEDS.iterdir())])
        inputs = {"demo": story_input(demo, "01_"), "seeds": story_input(seeds, "000")}
    shipped = (compare.SAME_QUANTITY, compare.SAME_ACTION)
    print("same_quantity same_action | demo contested (key 2) | demo 9 missing / 3,200 "
          "evacuated origins (key 3 / 4) | seeds contested (key 1)")
    for quantity, action in ((shipped[0], shipped[1]), (0.45, shipped[1]), (0.65, shipped[1]),
                             (shipped[0], 0.3), (shipped[0], 0.5)):
        compare.SAME_QUANTITY, compare.SAME_ACTION = quantity, action
        row = []
        for name, (views, origin_of, types, _) in inputs.items():
            check = cross_check(views, origin_of, entity_types=types)
            found = contested(check)
            key = DEMO_CONTESTED if name == "demo" else SEED_CONTESTED
            row.append(f"{matches(found, key)} of {len(key)} found, {len(found)} in all")
            if name == "demo":
                origins = []
                for value in ("9", "3200"):
                    best = 0
                    for figure in check.figures:
                        for v, units in figure.values:
                            if v == value and figure.status == "corroborated":
                                best = max(best, len({origin_of.get(u.article, [u.article])[0]
                                                      for u in units}))
                    origins.append(str(best))
                row.append(" / ".join(origins))
        mark = "  (shipped)" if (quantity, action) == shipped else ""
        print(f"{quantity:13.2f} {action:11.2f} | " + " | ".join(row) + mark)
    compare.SAME_QUANTITY, compare.SAME_ACTION = shipped


if __name__ == "__main__":
    main()
