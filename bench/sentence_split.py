"""CPU of the one sentence splitter (``newsweave.nlp.sentences``) on the benchmark texts.

Splits every text of ``../shared/benchmarks`` (the ``docs.jsonl`` sets, PolNeAR test and
both sides of the SemEval-2022 task 8 pairs) and prints the CPU seconds, the texts and
sentences, and a digest of every sentence's offsets: two trees that print the same digest
split identically.

Usage, from the repository root::

    PYTHONPATH=src python bench/sentence_split.py
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from newsweave.nlp.sentences import split_sentences

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"


def read_texts() -> list[str]:
    texts = []
    for path in [*sorted(SHARED.glob("*/docs.jsonl")), SHARED / "polnear" / "test.jsonl"]:
        texts += [json.loads(line).get("text") or "" for line in path.open(encoding="utf-8")]
    for line in (SHARED / "semeval2022_task8" / "pairs.jsonl").open(encoding="utf-8"):
        pair = json.loads(line)
        texts += [pair["text1"] or "", pair["text2"] or ""]
    return texts


def main() -> None:
    texts = read_texts()
    digest = hashlib.sha256()
    sentences = 0
    started = time.process_time()
    for text in texts:
        for sentence in split_sentences(text):
            digest.update(f"{sentence.start},{sentence.end};".encode())
            sentences += 1
    spent = time.process_time() - started
    print(f"{len(texts):,} texts, {sentences:,} sentences: {spent:.2f} CPU s "
          f"({spent / len(texts) * 1000:.3f} ms a text); offsets digest {digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
