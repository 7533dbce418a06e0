"""Quality gate: clean_html on the article-extraction benchmark must stay above pinned floors.

The score is the upstream article-extraction-benchmark method, implemented in
``bench/extraction.py`` (see its docstring); ``python bench/extraction.py``
prints the same figures. The floors sit a little below the measured values
(docs/benchmarks.md) so that noise passes and a real regression fails; raise
them when the cleaner improves, never lower them to make a change pass.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from conftest import load_bench

MIN_F1 = 0.975
MIN_PRECISION = 0.975
MIN_RECALL = 0.970
MIN_PAGES = 181


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_bench("extraction")


def test_scoring_matches_the_upstream_method(bench: ModuleType) -> None:
    # identical texts; one missing shingle; a duplicated paragraph costs precision
    assert bench.score_page("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = bench.score_page("a b c d e", "a b c d")
    assert (tp, fp, fn) == (0.5, 0.0, 0.5)
    tp, fp, fn = bench.score_page("a b c d", "a b c d a b c d")
    assert fp > 0 and fn == 0
    # tokens are \w+ and case-sensitive, as upstream
    assert bench.count_shingles("Hello, World! Foo bar") == {("Hello", "World", "Foo", "bar"): 1}
    summary = bench.summarize([(1.0, 0.0, 0.0), (0.5, 0.5, 0.0), (0.0, 0.0, 1.0)])
    assert summary["precision"] == pytest.approx(0.75)  # the empty prediction is not averaged
    assert summary["recall"] == pytest.approx(2 / 3)


def test_clean_html_meets_the_benchmark_floors(bench: ModuleType, shared_dir: Path) -> None:
    directory = shared_dir / "benchmarks" / "article_extraction"
    if not (directory / "ground-truth.json").is_file():
        pytest.fail(f"{directory} lacks ground-truth.json")
    summary, per_page, _ = bench.run(bench.extract_clean_html, directory)
    assert len(per_page) >= MIN_PAGES
    assert summary["f1"] >= MIN_F1, summary
    assert summary["precision"] >= MIN_PRECISION, summary
    assert summary["recall"] >= MIN_RECALL, summary
