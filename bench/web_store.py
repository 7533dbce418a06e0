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
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "benchmarks"
BATCH = 5000
FIRST_DAY = date(2024, 1, 1)
SPAN_DAYS = 730


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


def add_fillers(engine: Any, count: int, seed: int = 5) -> dict[str, float]:
    """``count`` filler articles in filler stories (see the module's docstring)."""
    from newsweave.model import Article
    from newsweave.store.stories import StoryRow

    store = engine.store
    rng = random.Random(seed)
    sentences, outlets = _pool()
    real = store.stories.stories_by_id(store.stories.active_story_ids())
    templates = [r for r in real.values() if r.centroid is not None]
    started = time.perf_counter()
    made = stories = 0
    while made < count:
        size = min(BATCH, count - made)
        articles, days = [], []
        for i in range(made, made + size):
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
            row = StoryRow(0, n, articles[at].title or "", template.centroid, template.names,
                           template.dates, min(member_days).toordinal(),
                           max(member_days).toordinal())
            store.stories.set_members(store.stories.new_story(row), members)
            at += n
            stories += 1
        made += size
    return {"fillers": made, "filler_stories": stories,
            "seconds": time.perf_counter() - started}


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
