"""Name folds: do transliteration variants merge while distinct names stay apart?

``newsweave.extract.canonical`` folds spellings ("Andrey" ~ "Andrei") before it
compares two people's names. A fold that is too eager makes two officials one
("Yang" = "Jiang"). This bench runs the decision the extract stage uses
(``_same_person`` over ``skeleton``; ``_similar`` for one-word names) on
``bench/data/name_pairs.tsv``: real romanisation variants of one name, and
pairs of different real names, and prints

* variant recall: the share of variant pairs judged one name, and
* false merges: the share of distinct pairs judged one name,

for the folds and first-letter rule that ship, and the neighbouring settings
(each half alone, and the table before issue #13), side by side.

Usage, from the repository root::

    python bench/name_folds.py [--show]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from newsweave.extract import canonical

PAIRS = Path(__file__).parent / "data" / "name_pairs.tsv"
# The table before issue #13: single-letter folds that merged "Yang"/"Jiang", "Zhang"/"Shang".
OLD_FOLDS = ((r"ks", "x"), (r"kh", "h"), (r"ch", "sh"), (r"tch", "sh"), (r"y", "i"),
             (r"j", "i"), (r"w", "v"), (r"ph", "f"), (r"ou", "u"), (r"ee", "i"), (r"ie", "i"),
             (r"ck", "k"), (r"c", "k"), (r"q", "k"), (r"z", "s"))


def load() -> list[tuple[str, str, str]]:
    rows = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, a, b = line.split("\t")
            rows.append((kind, a, b))
    return rows


def same(a: str, b: str) -> bool:
    sa, sb = canonical.skeleton(a), canonical.skeleton(b)
    if len(sa.split()) < 2 or len(sb.split()) < 2:
        return canonical._similar(sa, sb, canonical.SURNAME_MIN)
    return canonical._same_person(sa, sb)


def score(rows: list[tuple[str, str, str]], show: bool) -> tuple[float, float, int, int]:
    merged = {"variant": 0, "distinct": 0}
    total = {"variant": 0, "distinct": 0}
    for kind, a, b in rows:
        total[kind] += 1
        one = same(a, b)
        merged[kind] += one
        if show and one != (kind == "variant"):
            print(f"  {'missed' if kind == 'variant' else 'merged'}: {a} / {b}")
    return (merged["variant"] / total["variant"], merged["distinct"] / total["distinct"],
            total["variant"], total["distinct"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="list the wrong decisions")
    args = parser.parse_args()
    rows = load()
    shipped, start = canonical._FOLDS, canonical._same_start
    settings = (("shipped: folds + same first sound", shipped, start),
                ("shipped folds, any first letter", shipped, lambda a, b: True),
                ("old fold table + same first sound", OLD_FOLDS, start),
                ("before #13: old folds, any first letter", OLD_FOLDS, lambda a, b: True))
    for name, folds, rule in settings:
        canonical._FOLDS, canonical._same_start = folds, rule
        canonical.skeleton.cache_clear()
        canonical.consonants.cache_clear()
        print(name)
        recall, false_merges, n_var, n_dis = score(rows, args.show)
        print(f"  variant recall {recall:.3f} ({n_var} pairs), "
              f"false merges {false_merges:.3f} ({n_dis} pairs)")
    canonical._FOLDS, canonical._same_start = shipped, start
    canonical.skeleton.cache_clear()
    canonical.consonants.cache_clear()


if __name__ == "__main__":
    main()
