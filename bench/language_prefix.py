"""Language identification on a bounded prefix: accuracy and CPU against the whole text.

``clean.metadata.detect_language`` reads at most ``MAX_LANGUAGE_CHARS`` characters of an
article. This script scores it with other bounds on texts whose language is known:
NTREX (123 documents in 7 languages: English and its professional translations) and
SemEval-2022 task 8 (both texts of its 798 pairs, 7 languages; the pairs marked
``mojibake`` left out). For each bound it prints the accuracy against the gold language
(an answer of None, "unsure", counts as wrong), how many answers differ from those under
the current bound, and the CPU seconds per 1,000 texts; with an archive of
``bench/corpus.py`` (``--archive``), also how many of its cleaned bodies would change
language.

    python bench/language_prefix.py [--bounds 500,1000,2000,3000,10000] [--archive DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "benchmarks"
NTREX_CODES = {"eng": "en", "deu": "de", "spa": "es", "fra": "fr", "por": "pt", "rus": "ru",
               "zho-CN": "zh"}


def read_ntrex() -> list[tuple[str, str]]:
    """(text, ISO 639-1 code) of every NTREX record."""
    rows = []
    with open(SHARED / "ntrex" / "docs.jsonl", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            rows.append((doc["text"], NTREX_CODES[doc["lang"]]))
    return rows


def read_semeval() -> list[tuple[str, str]]:
    """(text, code) of both sides of every SemEval pair without broken encoding."""
    rows = []
    with open(SHARED / "semeval2022_task8" / "pairs.jsonl", encoding="utf-8") as fh:
        for line in fh:
            pair = json.loads(line)
            if pair.get("mojibake"):
                continue
            rows += [(pair["text1"], pair["lang1"]), (pair["text2"], pair["lang2"])]
    return rows


def read_archive(folder: Path, shards: int) -> list[tuple[str, str]]:
    """Cleaned bodies of an archive's first shards (no gold: the current answer is used)."""
    from newsweave.clean import clean_text
    from newsweave.clean.metadata import detect_language

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    rows = []
    for name in manifest["shards"][:shards]:
        with open(folder / name, encoding="utf-8") as fh:
            for record in map(json.loads, fh):
                text = clean_text(record["text"]).text
                rows.append((text, detect_language(text) or "-"))
    return rows


def score(rows: list[tuple[str, str]], bound: int, current: list[str | None] | None
          ) -> tuple[float, int, float, list[str | None]]:
    """Accuracy, answers differing from ``current``, CPU s per 1,000, the answers."""
    from newsweave.clean import metadata

    metadata.MAX_LANGUAGE_CHARS = bound
    started = time.process_time()
    answers = [metadata.detect_language(text) for text, _ in rows]
    cpu = time.process_time() - started
    right = sum(a == gold for a, (_, gold) in zip(answers, rows, strict=True))
    changed = sum(a != b for a, b in zip(answers, current or answers, strict=True))
    return right / len(rows), changed, cpu * 1000 / len(rows), answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bounds", default="500,1000,2000,3000,10000",
                        help="prefix lengths in characters, comma-separated")
    parser.add_argument("--archive", type=Path, help="also an archive of bench/corpus.py")
    parser.add_argument("--shards", type=int, default=2, help="archive shards read (default 2)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from newsweave.clean import metadata

    metadata.load_identifier()
    current_bound = metadata.MAX_LANGUAGE_CHARS
    sets = {"NTREX": read_ntrex(), "SemEval": read_semeval()}
    if args.archive:
        sets["archive (agreement with the current bound)"] = read_archive(args.archive,
                                                                         args.shards)
    bounds = [int(b) for b in args.bounds.split(",")]
    for name, rows in sets.items():
        current = score(rows, current_bound, None)[3]
        print(f"{name}: {len(rows):,} texts, mean {sum(len(t) for t, _ in rows) / len(rows):,.0f}"
              f" characters")
        for bound in bounds:
            accuracy, changed, cpu, _ = score(rows, bound, current)
            mark = " (current)" if bound == current_bound else ""
            print(f"  first {bound:>6,} characters{mark}: accuracy {accuracy:.4f}, "
                  f"{changed} answers differ from the current bound's, {cpu:.2f} CPU s per "
                  f"1,000 texts")
    metadata.MAX_LANGUAGE_CHARS = current_bound


if __name__ == "__main__":
    main()
