"""Boilerplate-removal benchmark: ``clean_html`` against the article-extraction-benchmark.

Data: ``../shared/benchmarks/article_extraction/`` next to the repository
(181 real pages ``html/<id>.html.gz`` and ``ground-truth.json`` holding each
page's ``articleBody``), from Zyte's article-extraction-benchmark.

Score: the upstream ``evaluate.py`` method, reimplemented here:

* tokens are ``\\w+`` matches (Unicode, case kept: upstream does not lowercase);
* shingles are runs of 4 consecutive tokens, counted as a multiset (a shingle
  printed twice counts twice), so a duplicated paragraph costs precision;
* per page, TP/FP/FN are the matched, extra and missing shingles, normalised
  by their sum so that long pages weigh no more than short ones; a page with no
  shingles at all (fewer than 4 tokens on both sides) scores as empty;
* precision is the mean of per-page precision over pages with a non-empty
  prediction, recall the mean of per-page recall over pages with a non-empty
  ground truth, and F1 is computed from those two means (not a mean of F1s).

Usage, from the repository root::

    python bench/extraction.py             # clean_html
    python bench/extraction.py --baseline  # also trafilatura alone (comments off)
    python bench/extraction.py --worst 10  # also list the pages with the lowest precision
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCHMARK_DIR = REPO.parent / "shared" / "benchmarks" / "article_extraction"
SHINGLE_SIZE = 4

_TOKEN = re.compile(r"\w+")

Scores = tuple[float, float, float]  # tp, fp, fn, normalised per page


def count_shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """The multiset of ``size``-token shingles of ``text`` (a shorter text is one shingle)."""
    tokens = _TOKEN.findall(text or "")
    return Counter(
        tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)) if tokens
    )


def score_page(true: str, predicted: str) -> Scores:
    """Normalised (tp, fp, fn) of one page's predicted body against its true body."""
    gold, pred = count_shingles(true), count_shingles(predicted)
    tp = sum((gold & pred).values())
    fp = sum((pred - gold).values())
    fn = sum((gold - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fp) if tp + fp else 0.0


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return tp / (tp + fn) if tp + fn else 0.0


def summarize(pages: list[Scores]) -> dict[str, float]:
    """Mean precision, mean recall and the F1 of those means, as upstream reports them."""
    precision = statistics.mean(_precision(*s) for s in pages if s[0] + s[1] > 0)
    recall = statistics.mean(_recall(*s) for s in pages if s[0] + s[2] > 0)
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall),
    }


def find_benchmark() -> Path:
    """The benchmark directory, or exit with a message saying where it was expected."""
    if not (BENCHMARK_DIR / "ground-truth.json").is_file():
        sys.exit(
            f"benchmark data not found: expected {BENCHMARK_DIR}/ground-truth.json and html/ "
            "(the shared folder next to the repository)"
        )
    return BENCHMARK_DIR


def decode_page(data: bytes) -> str:
    """The page as text: its declared charset when it has one, else UTF-8 or a guess."""
    head = data[:4096].decode("ascii", "replace")
    match = re.search(r"""charset\s*=\s*["']?([\w.:-]+)""", head, re.IGNORECASE)
    for encoding in ([match.group(1)] if match else []) + ["utf-8"]:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("utf-8", "replace")


def load_pages(directory: Path) -> Iterator[tuple[str, str, str, str]]:
    """(id, url, html, true body) for every page of the benchmark."""
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id, entry in sorted(truth.items()):
        data = gzip.decompress((directory / "html" / f"{page_id}.html.gz").read_bytes())
        yield page_id, entry.get("url", ""), decode_page(data), entry.get("articleBody", "")


def extract_clean_html(html: str, url: str) -> str:
    from newsweave.clean import clean_html

    return clean_html(html, url=url).text


def extract_trafilatura(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False) or ""


def run(
    extract: Callable[[str, str], str], directory: Path
) -> tuple[dict[str, float], dict[str, Scores], float]:
    """Score ``extract`` on every page: summary, per-page scores, pages per second."""
    pages = list(load_pages(directory))
    per_page: dict[str, Scores] = {}
    start = time.perf_counter()
    outputs = {page_id: extract(html, url) for page_id, url, html, _ in pages}
    elapsed = time.perf_counter() - start
    for page_id, _, _, truth in pages:
        per_page[page_id] = score_page(truth, outputs[page_id])
    return summarize(list(per_page.values())), per_page, len(pages) / elapsed


def _report(name: str, summary: dict[str, float], speed: float) -> None:
    print(
        f"{name:<28} precision={summary['precision']:.4f}  recall={summary['recall']:.4f}  "
        f"F1={summary['f1']:.4f}  ({speed:.1f} pages/s)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", action="store_true", help="also score trafilatura alone")
    parser.add_argument("--worst", type=int, default=0, help="list the N least precise pages")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO / "src"))
    directory = find_benchmark()
    summary, per_page, speed = run(extract_clean_html, directory)
    print(f"{len(per_page)} pages from {directory}")
    _report("newsweave clean_html", summary, speed)
    if args.baseline:
        base, _, base_speed = run(extract_trafilatura, directory)
        _report("trafilatura alone", base, base_speed)
    if args.worst:
        ranked = sorted(per_page.items(), key=lambda item: _precision(*item[1]))
        for page_id, scores in ranked[: args.worst]:
            print(f"  P={_precision(*scores):.3f} R={_recall(*scores):.3f}  {page_id}")


if __name__ == "__main__":
    main()
