"""The web benchmark's large store, built cheaply: real articles through every stage for the
stories that are requested, and filler articles written straight into the store.

Real part: BASIL articles (3 outlets, dates, titles, URLs) and Timeline17 articles (outlet,
date) sampled evenly over its stories with a fixed seed, ingested through the whole engine
(``Engine.ingest``: clean, reuse, stories, extract). Their stories are the ones the load's
story pages open, so a story page, its brief and its lineage are real.

Filler part (``fillers``): articles whose bodies are eight sentences drawn at random from the
BASIL and Timeline17 texts (read at run time; nothing is copied into the repo), with an outlet
and a language taken from those benchmarks' outlets, a publication date spread over two years,
and a title from the body's first sentence. They are written through the store's own API
(``store.add_articles``: the FTS5 triggers index them as any article), marked done by every
stage (``store.mark_done``, so an ingest during the load does not analyse them), and grouped
into filler stories of 1-20 articles (``store.stories.new_story`` / ``set_members``) whose
vectors are copied from a real story's, so the story lists, their sorts and filters and
the search facets run over 100k articles and their stories. Fillers have no reuse links,
entities or quotes: they load the list and search paths, not the brief.

With ``stage_rows`` (``--stage-rows``), fillers also get what the stages would have stored
that a read of the store could trip over (:class:`StageRows`: vectors, copy pairs, origins,
entity links, story keys), so that no table is small only because fillers skipped a stage;
their stories' titles then start with :data:`FILLER_TITLE`. They still did not go through
the stages: no claims, quotes or dates of their own.

As a command, it builds such a store (or grows one it built) to N fillers::

    PYTHONPATH=src python bench/web_store.py --db /tmp/h-million/store.db \
        --fillers 1000000 --stage-rows
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "benchmarks"
BATCH = 5000
FIRST_DAY = date(2024, 1, 1)
SPAN_DAYS = 730
# The title of a filler story made with ``stage_rows`` starts with this, so a bench can tell
# the real stories from the fillers' without reading their members.
FILLER_TITLE = "Filler story: "
NOISE = 0.04  # the spread added to a real article's vector to make a filler's


def real_documents(timeline: int, basil: int, seed: int) -> list[dict[str, str]]:
    """BASIL articles and an even sample of Timeline17's stories."""
    out: list[dict[str, str]] = []
    with (SHARED / "basil" / "docs.jsonl").open(encoding="utf-8") as f:
        for line in list(f)[:basil]:
            d = json.loads(line)
            out.append({"title": d["title"], "text": d["text"], "outlet": d["outlet"],
                        "published": d["published"], "url": d.get("url") or ""})
    by_story: dict[str, list[dict[str, Any]]] = {}
    with (SHARED / "timeline17" / "docs.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            by_story.setdefault(d["story"], []).append(d)
    rng = random.Random(seed)
    stories = sorted(by_story)
    for story in stories:
        rng.shuffle(by_story[story])
    picked: list[dict[str, Any]] = []
    while len(picked) < timeline and any(by_story.values()):
        for story in stories:
            if by_story[story] and len(picked) < timeline:
                picked.append(by_story[story].pop())
    for d in picked:
        text = detokenise(d["text"])
        out.append({"title": text.split(". ")[0][:140], "text": text, "outlet": d["outlet"],
                    "published": d["published"], "url": ""})
    return out


def detokenise(text: str) -> str:
    """Timeline17's text is tokenised ("do n't", "-LRB-"): near enough to news prose."""
    text = text.replace("-LRB-", "(").replace("-RRB-", ")").replace("\\/", "/")
    text = re.sub(r" ([.,;:!?)'])", r"\1", text)
    return re.sub(r"\( ", "(", text).replace(" n't", "n't")


def _pool() -> tuple[list[str], list[str]]:
    """Sentences of the benchmark texts and the outlets that published them."""
    sentences: list[str] = []
    outlets: set[str] = set()
    for name, tokenised in (("basil", False), ("timeline17", True)):
        with (SHARED / name / "docs.jsonl").open(encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                text = detokenise(d["text"]) if tokenised else d["text"]
                sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text)
                              if 40 < len(s.strip()) < 400]
                if d.get("outlet"):
                    outlets.add(str(d["outlet"]))
    return sentences, sorted(outlets)


def add_fillers(engine: Any, count: int, seed: int = 5, *, stage_rows: bool = False,
                first: int = 0, progress: Callable[[int], None] | None = None
                ) -> dict[str, float]:
    """``count`` filler articles in filler stories (see the module's docstring), numbered
    from ``first`` (to add to a store that has fillers already); with ``stage_rows``, also
    what the stages would have stored for them (:func:`add_stage_rows`). ``progress`` is
    called with the number made after each batch."""
    from newsweave.model import Article
    from newsweave.store.stories import StoryRow

    store = engine.store
    rng = random.Random(seed + first)
    sentences, outlets = _pool()
    real = store.stories.stories_by_id(store.stories.active_story_ids())
    templates = [r for r in real.values() if r.centroid is not None
                 and not (r.title or "").startswith(FILLER_TITLE)]
    rows = StageRows(engine, templates, seed + first) if stage_rows else None
    started = time.perf_counter()
    made = stories = 0
    while made < count:
        size = min(BATCH, count - made)
        articles, days = [], []
        for i in range(first + made, first + made + size):
            body = " ".join(rng.sample(sentences, 8))
            day = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
            days.append(day)
            articles.append(Article(
                id=None, content_hash=hashlib.sha256(f"filler {i} {body}".encode()).hexdigest(),
                raw=body, raw_format="text", text=body, source=f"filler-{i}",
                title=body.split(". ")[0][:120], outlet=rng.choice(outlets), outlet_how="input",
                published=f"{day.isoformat()}T{rng.randrange(24):02d}:00:00Z",
                published_how="input", language="en"))
        ids = store.add_articles(articles, [{} for _ in articles])
        for stage in engine.stages:
            store.mark_done(stage.name, ids, stage.version)
        at = 0
        while at < len(ids):
            n = min(len(ids) - at, rng.randint(1, 20))
            members, member_days = ids[at : at + n], days[at : at + n]
            template = rng.choice(templates)
            title = articles[at].title or ""
            row = StoryRow(0, n, FILLER_TITLE + title if rows else title, template.centroid,
                           template.names, template.dates, min(member_days).toordinal(),
                           max(member_days).toordinal())
            story = store.stories.new_story(row)
            store.stories.set_members(story, members)
            if rows:
                rows.keys(story, template.id)
            at += n
            stories += 1
        if rows:
            rows.add(ids)
        made += size
        if progress:
            progress(made)
    return {"fillers": made, "filler_stories": stories,
            "seconds": time.perf_counter() - started}


class StageRows:
    """What the stages would have stored for fillers, so reads that scale with the store meet
    a store of that size: both models' vectors (a real article's plus noise, as
    ``bench/stance_check.py`` makes them: not embeddings of the filler's text), copy pairs,
    provenance edges and origins and entity links (``bench/brief_scale.py``'s
    :func:`add_graph_rows`), and each filler story's index keys (its template story's)."""

    def __init__(self, engine: Any, templates: list[Any], seed: int) -> None:
        from brief_scale import filler_entities
        from newsweave.nlp import english
        from newsweave.nlp.embed import MODEL_NAME

        self.store = engine.store
        self.rng = np.random.default_rng(seed)
        real = [int(r[0]) for r in self.store._db.execute(
            "SELECT id FROM articles WHERE source NOT LIKE 'filler-%' ORDER BY id")]
        self.bases = {}
        for model in (MODEL_NAME, english.MODEL_NAME):
            found = self.store.reuse.vectors(real, model)
            if found:
                self.bases[model] = np.stack(list(found.values()))
        self.entities = filler_entities(self.store)
        self.template_keys: dict[int, list[int]] = {}
        for template in templates:
            self.template_keys[template.id] = [int(r[0]) for r in self.store._db.execute(
                "SELECT key FROM story_keys WHERE story_id = ?", (template.id,))]

    def keys(self, story: int, template: int) -> None:
        with self.store.transaction() as db:
            db.executemany("INSERT INTO story_keys (key, story_id) VALUES (?, ?)",
                           [(k, story) for k in self.template_keys[template]])

    def add(self, ids: list[int]) -> None:
        from brief_scale import add_graph_rows

        for model, base in self.bases.items():
            rows = base[self.rng.integers(0, len(base), len(ids))]
            rows = rows + self.rng.normal(0, NOISE, rows.shape).astype(np.float32)
            rows /= np.linalg.norm(rows, axis=1, keepdims=True)
            self.store.reuse.save_vectors(model, dict(zip(ids, rows, strict=True)))
        add_graph_rows(self.store, ids, self.entities, stories=False)


def build(db: str, real: list[dict[str, str]], fillers: int, folder: Path) -> None:
    """The store at ``db``: ``real`` through every stage, then ``fillers``; prints figures."""
    import newsweave

    path = folder / "bench.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for d in real:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    start = time.perf_counter()
    with newsweave.open(db) as engine:
        report = engine.ingest([str(path)])
        wall = time.perf_counter() - start
        articles = engine.store.count_articles()
        stories = len(engine.store.stories.active_story_ids())
        print(f"store, real part: {articles:,} articles ({len(report.rejected)} rejected), "
              f"{stories:,} stories; through every stage in {wall:.0f} s "
              f"({articles / wall:.1f} articles/s)")
        if fillers:
            made = add_fillers(engine, fillers)
            total = engine.store.count_articles()
            print(f"store, fillers: {made['fillers']:,} articles in "
                  f"{made['filler_stories']:,} stories written in {made['seconds']:.0f} s "
                  f"(FTS5 indexing included: {made['fillers'] / made['seconds']:,.0f} "
                  f"articles/s); {total:,} articles in all")


def folder_gb(db: str) -> float:
    """Gigabytes of the store's files (the database, its WAL, its vector files)."""
    base = Path(db)
    files = [p for p in base.parent.glob(base.name + "*") if p.is_file()]
    files += [p for d in base.parent.glob(base.name + "*") if d.is_dir() for p in d.iterdir()]
    return sum(p.stat().st_size for p in files) / 1e9


def warm_vector_files(engine: Any) -> None:
    """Bring the vector files beside the store up to its rows, as the reuse stage keeps them
    (a store the stages filled has them; the first ``check`` should not pay a rebuild)."""
    from newsweave.nlp import english
    from newsweave.nlp.embed import MODEL_NAME
    from newsweave.reuse.semantic import VectorIndex

    for model in (MODEL_NAME, english.MODEL_NAME):
        VectorIndex(model).refresh(engine.store)


def main() -> None:
    import argparse
    import os
    import tempfile

    import newsweave

    parser = argparse.ArgumentParser(description="A large store: real articles through every "
                                     "stage, beside fillers written straight into it")
    parser.add_argument("--db", required=True, help="the store (built or grown in place)")
    parser.add_argument("--fillers", type=int, default=1_000_000,
                        help="fillers the store holds at the end (added to what it has)")
    parser.add_argument("--timeline17", type=int, default=200)
    parser.add_argument("--basil", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stage-rows", action="store_true",
                        help="also vectors, copy pairs, origins, entity links, story keys")
    parser.add_argument("--max-gb", type=float, default=40.0,
                        help="stop adding fillers when the store's files pass this size")
    args = parser.parse_args()
    if not Path(args.db).exists():
        with tempfile.TemporaryDirectory() as folder:
            build(args.db, real_documents(args.timeline17, args.basil, args.seed), 0,
                  Path(folder))
    with newsweave.open(args.db) as engine:
        have = int(engine.store._db.execute(
            "SELECT count(*) FROM articles WHERE source LIKE 'filler-%'").fetchone()[0])
        started, step = time.perf_counter(), [0]

        def progress(made: int) -> None:
            if made - step[0] < 50_000 and made != args.fillers - have:
                return
            step[0] = made
            wall = time.perf_counter() - started
            size = folder_gb(args.db)
            print(f"{have + made:>9,} fillers: {wall:>6.0f} s ({made / wall:,.0f} fillers/s); "
                  f"{size:.2f} GB; load average {os.getloadavg()[0]:.1f}", flush=True)
            if size > args.max_gb:
                raise SystemExit(f"stopped: the store passed {args.max_gb} GB")

        if args.fillers > have:
            made = add_fillers(engine, args.fillers - have, stage_rows=args.stage_rows,
                               first=have, progress=progress)
            print(f"fillers: {made['fillers']:,} more in {made['filler_stories']:,} stories, "
                  f"{made['seconds']:.0f} s", flush=True)
        started = time.perf_counter()
        warm_vector_files(engine)
        print(f"vector files brought up to date in {time.perf_counter() - started:.0f} s; "
              f"{engine.store.count_articles():,} articles, {folder_gb(args.db):.2f} GB",
              flush=True)


if __name__ == "__main__":
    main()
