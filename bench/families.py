"""Copy families in a kept store: the pairs each 1,000 new articles brought, and what two
ingests of one archive (before and after a change to the reuse stage) agree on.

    python bench/families.py STORE.db [--block 1000] [--since ID]
    python bench/families.py BEFORE.db AFTER.db [--block 1000]

For each store, per block of ``--block`` articles in ingest order (article ids), the reuse
pairs the block's articles brought (pairs whose later article is in the block: the pairs
the reuse stage stored when that article arrived), per new article, by kind.

With two stores (both from one archive, ``bench/scale.py --keep-db``): the pairs of the
first missing from the second and the other way round, by kind; how many articles' sources
in the provenance graph (``reuse_edges``) and origins (``article_origin``) differ; and
pair-counting agreement of the two stores' origins and stories (of the article pairs in
one group in the first, the share in one group in the second, and the other way round:
1.000 both ways when the partitions are the same).
"""

from __future__ import annotations

import argparse
import sqlite3
from collections import Counter, defaultdict
from math import comb
from pathlib import Path


def pairs_per_block(db: sqlite3.Connection, block: int, since: int = 0
                    ) -> list[tuple[int, int, Counter]]:
    """(first article id of the block, articles in it, pairs brought by kind) per block,
    of the articles after id ``since`` (a big store's last blocks, read by the index)."""
    articles = Counter((i - 1) // block for (i,) in db.execute(
        "SELECT id FROM articles WHERE id > ?", (since,)))
    kinds: dict[int, Counter] = defaultdict(Counter)
    for later, kind in db.execute("SELECT b, kind FROM reuse_pairs WHERE b > ?",
                                  (since,)):  # a < b
        kinds[(later - 1) // block][kind] += 1
    return [(k * block, articles[k], kinds[k]) for k in sorted(articles)]


def print_blocks(path: Path, block: int, since: int = 0) -> None:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    print(f"{path}: reuse pairs brought per new article, by block of {block:,} articles")
    print("| articles | pairs per new article | copy | rewrite | shared-quotes | independent "
          "| other |")
    print("|---|---|---|---|---|---|---|")
    for start, count, kinds in pairs_per_block(db, block, since):
        known = ("copy", "rewrite", "shared-quotes", "independent")
        other = sum(v for k, v in kinds.items() if k not in known)
        per = [kinds[k] / max(count, 1) for k in known]
        print(f"| {start + 1:,}-{start + count:,} | {sum(kinds.values()) / max(count, 1):.2f} | "
              + " | ".join(f"{v:.2f}" for v in per) + f" | {other / max(count, 1):.2f} |")
    total = db.execute("SELECT COUNT(*) FROM reuse_pairs").fetchone()[0]
    articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    print(f"{total:,} pairs for {articles:,} articles: {total / max(articles, 1):.2f} an article")


def agreement(first: dict[int, int], second: dict[int, int]) -> tuple[float, float]:
    """Pair counting: of the item pairs in one group in ``first``, the share in one group
    in ``second``, and the other way round (items in both only)."""
    common = set(first) & set(second)
    cells = Counter((first[i], second[i]) for i in common)
    both = sum(comb(n, 2) for n in cells.values())
    in_first = sum(comb(n, 2) for n in Counter(first[i] for i in common).values())
    in_second = sum(comb(n, 2) for n in Counter(second[i] for i in common).values())
    return (both / in_first if in_first else 1.0, both / in_second if in_second else 1.0)


def _groups(db: sqlite3.Connection, query: str) -> dict[int, int]:
    """Each item's group, from (group, item) rows; an item in several groups (an article
    with two origins) takes the set of them."""
    found: dict[int, list[int]] = defaultdict(list)
    for group, item in db.execute(query):
        found[item].append(group)
    labels: dict[tuple[int, ...], int] = {}
    return {i: labels.setdefault(tuple(sorted(g)), len(labels)) for i, g in found.items()}


def compare(before: Path, after: Path) -> None:
    a = sqlite3.connect(f"file:{before}?mode=ro", uri=True)
    b = sqlite3.connect(f"file:{after}?mode=ro", uri=True)
    query = "SELECT a, b, kind, derived FROM reuse_pairs"
    pairs_a = {(x, y): (k, d) for x, y, k, d in a.execute(query)}
    pairs_b = {(x, y): (k, d) for x, y, k, d in b.execute(query)}
    gone = Counter(pairs_a[p][0] for p in set(pairs_a) - set(pairs_b))
    new = Counter(pairs_b[p][0] for p in set(pairs_b) - set(pairs_a))
    same = set(pairs_a) & set(pairs_b)
    changed = sum(1 for p in same if pairs_a[p] != pairs_b[p])
    print(f"reuse pairs: {len(pairs_a):,} before, {len(pairs_b):,} after; "
          f"{sum(gone.values()):,} only before ({dict(gone.most_common())}), "
          f"{sum(new.values()):,} only after ({dict(new.most_common())}); of the "
          f"{len(same):,} in both, {changed:,} with another kind or direction")
    for name, sql in (("sources (provenance edges)", "SELECT derived, source FROM reuse_edges"),
                      ("origins", "SELECT article_id, origin_id FROM article_origin")):
        rows_a: dict[int, set[int]] = defaultdict(set)
        rows_b: dict[int, set[int]] = defaultdict(set)
        for x, y in a.execute(sql):
            rows_a[x].add(y)
        for x, y in b.execute(sql):
            rows_b[x].add(y)
        ids = set(rows_a) | set(rows_b)
        differ = sum(1 for i in ids if rows_a.get(i) != rows_b.get(i))
        print(f"{name}: {len(rows_a):,} articles with rows before, {len(rows_b):,} after; "
              f"{differ:,} articles' rows differ")
    for name, sql in (("origins", "SELECT origin_id, article_id FROM article_origin"),
                      ("stories", "SELECT story_id, article_id FROM story_members")):
        kept, found = agreement(_groups(a, sql), _groups(b, sql))
        print(f"{name}: of the article pairs sharing one before, {kept:.4f} share one after; "
              f"of those sharing one after, {found:.4f} shared one before")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stores", type=Path, nargs="+", help="one store, or BEFORE AFTER")
    parser.add_argument("--block", type=int, default=1000, help="articles a row")
    parser.add_argument("--since", type=int, default=0,
                        help="only the articles after this id (a multiple of --block)")
    args = parser.parse_args()
    if len(args.stores) > 2:
        parser.error("one store, or two to compare")
    for path in args.stores:
        print_blocks(path, args.block, args.since)
    if len(args.stores) == 2:
        compare(*args.stores)


if __name__ == "__main__":
    main()
