"""CPU per search on a store, one at a time, in-process; and the searches' results, to
check that a change to the search keeps them.

Runs the searches of ``bench/web_load.py``'s request mix (same seed: words of the real
articles' titles as a word, two words, a phrase, OR and a prefix; a third with "one hit
per origin", a third with a language filter) through ``Engine.search``, each timed with
``time.process_time``, and prints CPU ms per search (p50 / p95 / mean / sum) overall and
per query form. ``--dump FILE`` writes every search's result (hits with their scores and
snippets, total, considered, facets, histogram, message) as JSON lines; ``--compare FILE``
compares this run's results with such a file and prints how many are the same (the
scores rounded to 4 digits, as the API gives them, and each score's exact float as
``scores`` where both files have it). ``--statements``: after the timed run, the SQL
statements a search executes on its connection (SQLite's trace; not those FTS5 runs
inside one), each at least one step of SQLite's that gives the interpreter lock up.

Usage, from the repository root (STORE: a store built by ``bench/web_load.py --fillers``;
it is only read)::

    python bench/web_search_cpu.py --db STORE --dump before.jsonl
    python bench/web_search_cpu.py --db STORE --compare before.jsonl
    python bench/web_search_cpu.py --db STORE --window 5000 --compare before.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from web_load import _pct, _plan  # noqa: E402


def searches(db: str, requests: int, seed: int) -> list[tuple[str, dict[str, object]]]:
    """The load mix's searches: (query, engine arguments)."""
    _, plan = _plan(db, requests, seed, 12)
    found = []
    for kind, path in plan:
        if kind != "search":
            continue
        q = parse_qs(urlsplit(path).query)
        found.append((q["q"][0], {"language": q.get("language", [None])[0],
                                  "one_per_origin": q.get("origins", [""])[0] == "one",
                                  "limit": 20}))
    return found


def filtered_searches(db: str, n: int, seed: int) -> list[tuple[str, dict[str, object]]]:
    """Searches the load mix does not make (``--mix filters``): the forms above, common
    words, a broken phrase and a stray operator, each with one of the other filters (the
    largest outlets, stories and entities, a date range, a language, an empty outlet),
    a later page (offsets up to the last the pages reach) or "one hit per origin" on a
    later page."""
    import random
    import re
    import sqlite3
    from datetime import date

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    top = "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 8"
    outlets = [r[0] for r in conn.execute(
        f"SELECT outlet FROM articles WHERE outlet IS NOT NULL {top}")]
    stories = [r[0] for r in conn.execute(f"SELECT story_id FROM story_members {top}")]
    entities = [r[0] for r in conn.execute(f"SELECT entity_id FROM entity_articles {top}")]
    titles = [r[0] for r in conn.execute(
        "SELECT title FROM articles WHERE title IS NOT NULL AND source NOT LIKE 'filler-%' "
        "ORDER BY id")]
    conn.close()
    words = [w for t in titles for w in re.findall(r"[A-Za-z]{5,}", t)]
    rng = random.Random(seed)
    found: list[tuple[str, dict[str, object]]] = []
    for _ in range(n):
        a, b = rng.choice(words), rng.choice(words)
        query = rng.choice([a, f"{a} OR {b}", f"{a[:4]}*", "said", f'"{a}', "NEAR(",
                            f"{a} NOT {b}"])
        options: dict[str, object] = rng.choice([
            {"outlet": rng.choice(outlets)}, {"story": rng.choice(stories)},
            {"entity": rng.choice(entities)} if entities else {"language": "de"},
            {"since": date(2024, 6, 1), "until": date(2024, 9, 30)},
            {"offset": rng.choice([20, 40, 980])}, {"one_per_origin": True, "offset": 20},
            {"outlet": ""}, {"language": "de"}])
        found.append((query, {"limit": 20, **options}))
    return found


def form(query: str, args: dict[str, object]) -> str:
    """The query's form in the mix, and its filter or toggle."""
    kind = ("prefix" if query.endswith("*") else "phrase" if query.startswith('"')
            else "or" if " OR " in query else "two words" if " " in query else "word")
    others = [k for k in args if k not in ("language", "one_per_origin", "limit")]
    extra = ("language" if args.get("language") else
             "other filter or page" if others else
             "one per origin" if args.get("one_per_origin") else "")
    return f"{kind} {extra}".strip()


def outcome(result: object) -> dict[str, object]:
    data = result.to_dict()  # type: ignore[attr-defined]
    found = {k: data[k] for k in ("query", "match", "total", "considered", "message", "hits",
                                  "facets", "histogram", "entity_names")}
    found["scores"] = [repr(h.score) for h in result.hits]  # type: ignore[attr-defined]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--requests", type=int, default=2000,
                        help="the load mix's size (its searches are a third of it)")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--limit", type=int, default=0, help="run only the first N searches")
    parser.add_argument("--dump", help="write every search's result to this JSON-lines file")
    parser.add_argument("--compare", help="compare the results with this JSON-lines file")
    parser.add_argument("--pages", action="store_true",
                        help="time the search pages (GET /search through the app in-process, "
                             "the page drawn) instead of Engine.search")
    parser.add_argument("--window", type=int, default=0,
                        help="rank among the newest N matches (store/search.py's RANK_WINDOW)")
    parser.add_argument("--considered", type=int, default=0,
                        help="facets and pages over the best N (store/search.py's CONSIDERED)")
    parser.add_argument("--mix", choices=("load", "filters"), default="load",
                        help="the load mix's searches, or as many with the other filters "
                             "and later pages (filtered_searches)")
    parser.add_argument("--statements", action="store_true",
                        help="then count the SQL statements each search executes")
    args = parser.parse_args()
    import newsweave
    from newsweave.store import search as module

    if args.window:  # a neighbouring setting of the bound
        module.RANK_WINDOW = args.window
    if args.considered:
        module.CONSIDERED = args.considered

    asked = searches(args.db, args.requests, args.seed)
    if args.mix == "filters":
        asked = filtered_searches(args.db, len(asked), args.seed)
    if args.limit:
        asked = asked[: args.limit]
    cpu: dict[str, list[float]] = defaultdict(list)
    results = []
    if args.pages:
        load = pages(args.db, asked, cpu)
    else:
        engine = newsweave.open(args.db, readonly=True)
        for query, options in asked[:3]:  # the first searches load the page cache: not timed
            engine.search(query, **options)  # type: ignore[arg-type]
        load = os.getloadavg()[0]
        for query, options in asked:
            started = time.process_time()
            result = engine.search(query, **options)  # type: ignore[arg-type]
            spent = (time.process_time() - started) * 1000
            cpu["all"].append(spent)
            cpu[form(query, options)].append(spent)
            results.append({"args": {k: str(v) if k in ("since", "until") else v
                                     for k, v in options.items()}, **outcome(result)})
    print(f"CPU per search{' page' if args.pages else ''}, one at a time in-process, "
          f"{len(asked)} searches, rank window {module.RANK_WINDOW:,}, considered "
          f"{module.CONSIDERED:,} (load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after)")
    print(f"{'form':<28}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'sum s':>8}")
    for name in ["all", *sorted(k for k in cpu if k != "all")]:
        values = sorted(cpu[name])
        print(f"{name:<28}{len(values):>5}{_pct(values, 50):>9.1f}{_pct(values, 95):>9.1f}"
              f"{sum(values) / len(values):>9.1f}{sum(values) / 1000:>8.2f}")
    if args.statements and not args.pages:
        statements(engine, asked)
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as out:
            for row in results:
                out.write(json.dumps(row, sort_keys=True) + "\n")
    if args.compare:
        compare(args.compare, results)


def statements(engine: object, asked: list[tuple[str, dict[str, object]]]) -> None:
    """The SQL statements each search executes on the engine's connection (the trace
    marks those FTS5 runs inside a statement with "--": not counted)."""
    db = engine.store._db  # type: ignore[attr-defined]
    seen: list[str] = []
    db.set_trace_callback(lambda sql: None if sql.startswith("--") else seen.append(sql))
    counts = []
    try:
        for query, options in asked:
            seen.clear()
            engine.search(query, **options)  # type: ignore[attr-defined]
            counts.append(len(seen))
    finally:
        db.set_trace_callback(None)
    print(f"SQL statements a search: mean {sum(counts) / len(counts):.2f}, "
          f"min {min(counts)}, max {max(counts)} ({len(counts)} searches)")


def pages(db: str, asked: list[tuple[str, dict[str, object]]],
          cpu: dict[str, list[float]]) -> float:
    """Each search as the page a browser gets (``GET /search``), timed as process CPU
    through Starlette's TestClient; the load average before."""
    from urllib.parse import urlencode

    from starlette.testclient import TestClient

    from newsweave.web import create_app

    def path(query: str, options: dict[str, object]) -> str:
        extra = [("origins", "one")] if options.get("one_per_origin") else []
        extra += [("language", str(options["language"]))] if options.get("language") else []
        return "/search?" + urlencode([("q", query), *extra])

    with TestClient(create_app(db)) as client:
        for query, options in asked[:3]:
            client.get(path(query, options))
        load = os.getloadavg()[0]
        for query, options in asked:
            started = time.process_time()
            status = client.get(path(query, options)).status_code
            spent = (time.process_time() - started) * 1000
            if status != 200:
                print(f"error {status}: {query!r}")
            cpu["all"].append(spent)
            cpu[form(query, options)].append(spent)
    return load


def compare(path: str, results: list[dict[str, object]]) -> None:
    """How many results equal those in ``path`` (same order of searches), by part."""
    with open(path, encoding="utf-8") as kept:
        before = [json.loads(line) for line in kept]
    now = [json.loads(json.dumps(r, sort_keys=True)) for r in results]
    parts = ("hits", "total", "considered", "message", "facets", "histogram", "entity_names",
             "scores")
    same = dict.fromkeys(parts, 0)
    whole = 0
    differing = []
    for old, new in zip(before, now, strict=False):
        equal = True
        for part in parts:
            if part not in old:  # a file written before exact scores were kept
                continue
            if old.get(part) == new.get(part):
                same[part] += 1
            else:
                equal = False
        whole += equal
        if not equal and len(differing) < 5:
            differing.append((new["query"], [p for p in parts
                                             if p in old and old.get(p) != new.get(p)]))
    n = min(len(before), len(now))
    print(f"results equal to {path}: {whole} of {n} searches wholly; by part: "
          + ", ".join(f"{p} {same[p]}" for p in parts if any(p in o for o in before)))
    for query, parts_differing in differing:
        print(f"  differs: {query!r}: {', '.join(parts_differing)}")


if __name__ == "__main__":
    main()
