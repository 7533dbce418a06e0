"""Brief, search and check latency on a large store (the one ``bench/scale.py --keep-db`` keeps).

On a store filled by ``bench/scale.py`` (clean + reuse + stories; reuse without embeddings,
no extract), with a seeded sample:

* **search**: ``--queries`` queries built from stored titles (one rare word, two words, a
  quoted two-word phrase, in turn), each ``Engine.search(q, limit=20)``; one warm-up query;
* **brief**: ``--stories`` stories of 2-12 articles; the extract stage is first run on their
  articles only (the brief reads entities, quotes and dates; the scale run left extract
  pending), then ``Engine.brief(id)`` twice per story: the first call of the run also loads
  the models (reported apart), a story's second call is warm (its claim vectors cached);
* **check**: ``Engine.check(claim, story=id)`` for one sentence of each sampled story's first
  article (the story's articles are the candidates), and ``Engine.check(claim)`` over the
  whole store, whose candidates come from the stored lead vectors (none in a store filled
  without embeddings: then only the claim is embedded and the lookup done; said so).

Each figure: median and p95 in milliseconds, and CPU seconds of the process per call.

    python bench/batch_latency.py /tmp/dbs/scale-10000.db [--queries 200] [--stories 10]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def timed(calls: list[Callable[[], Any]]) -> dict[str, float]:
    wall: list[float] = []
    cpu: list[float] = []
    for call in calls:
        started, used = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append(time.process_time() - used)
    wall.sort()
    return {"calls": len(wall), "median_ms": statistics.median(wall),
            "p95_ms": wall[min(len(wall) - 1, round(0.95 * (len(wall) - 1)))],
            "max_ms": wall[-1], "cpu_s_per_call": sum(cpu) / len(cpu)}


def show(name: str, f: dict[str, float]) -> None:
    print(f"{name:<34} {f['calls']:>4} calls  median {f['median_ms']:>8.1f} ms  p95 "
          f"{f['p95_ms']:>8.1f} ms  max {f['max_ms']:>8.1f} ms  CPU {f['cpu_s_per_call']:.3f} s"
          f"/call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--stories", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    import newsweave
    from newsweave.extract import ExtractStage
    from newsweave.nlp.embed import MODEL_NAME

    if not Path(args.db).is_file():
        raise SystemExit(f"{args.db}: no such store")
    rng = random.Random(args.seed)
    with newsweave.open(args.db) as engine:
        articles = engine.store.count_articles()
        vectors = len(engine.store.reuse.vectors_after(0, MODEL_NAME)[0])
        print(f"{args.db}: {articles:,} articles, {vectors:,} lead vectors; load average "
              f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        titles = [a.title or "" for a in engine.store.iter_articles(limit=20000)]
        words = [w for t in titles for w in re.findall(r"[A-Za-z]{5,}", t)]
        queries: list[str] = []
        for n in range(args.queries):
            title = re.findall(r"[A-Za-z]{4,}", rng.choice(titles)) or [rng.choice(words)]
            if n % 3 == 0:
                queries.append(rng.choice(title))
            elif n % 3 == 1 or len(title) < 2:
                queries.append(" ".join(rng.sample(title, min(2, len(title)))))
            else:
                start = rng.randrange(len(title) - 1)
                queries.append(f'"{title[start]} {title[start + 1]}"')
        engine.search(queries[0])
        show("search (limit 20)", timed([lambda q=q: engine.search(q, limit=20)
                                         for q in queries]))
        stories = [s for s in engine.stories(confidence=False) if 2 <= len(s.articles) <= 12]
        sample = rng.sample(stories, min(args.stories, len(stories)))
        ids = sorted({i for s in sample for i in engine.story_articles(s.id)})
        started = time.perf_counter()
        stage = ExtractStage()
        stage.run(engine.store, ids, engine.settings)
        print(f"extract stage on the sampled stories' {len(ids)} articles: "
              f"{time.perf_counter() - started:.1f} s (not a latency)")
        started = time.perf_counter()
        engine.brief(sample[0].id)
        print(f"first brief of the run (loads the models): {time.perf_counter() - started:.1f} s")
        show("brief, first call per story", timed([lambda s=s: engine.brief(s.id)
                                                   for s in sample[1:]]))
        show("brief, second call per story", timed([lambda s=s: engine.brief(s.id)
                                                    for s in sample]))
        claims = []
        for story in sample:
            text = engine.article(engine.story_articles(story.id)[0]).text
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if 40 < len(s) < 300]
            if sentences:
                claims.append((story.id, rng.choice(sentences)))
        show("check CLAIM --story ID", timed([lambda c=c, s=s: engine.check(c, story=s)
                                              for s, c in claims]))
        engine.check(claims[0][1])  # loads the claim embedder
        note = "" if vectors else " (no stored vectors: lookup only)"
        show("check CLAIM (whole store)" + note, timed([lambda c=c: engine.check(c)
                                                        for _, c in claims]))


if __name__ == "__main__":
    main()
