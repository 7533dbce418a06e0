"""A translation is a one-to-one match between two languages (issue 12, item 3): a short
sentence alignment stands only when neither end has a nearer lead in the other language
that is no other article's translation (``crosslingual.rivals``,
``reuse.translations._without_rivals``); docs/benchmarks.md, "Stories across languages,
part 6"); a stored short translation is checked again when such a rival arrives later
(``reuse.translations._rechecked``; part 7)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import indexed_store, load_bench, require_shared
from newsweave.model import Edge
from newsweave.reuse import crosslingual, translations
from newsweave.reuse.crosslingual import RIVAL_BELOW, Comparison, grid_aligned, grid_share, rivals
from newsweave.reuse.translations import _rechecked, _without_rivals

# 1 (en); 2 (de) its nearest German lead, 3 (de) its second; 4 (en) far from all three.
LANGUAGES = {1: "en", 2: "de", 3: "de", 4: "en"}
ROWS = {1: [1.0, 0.1, 0.0], 2: [1.0, 0.15, 0.0], 3: [1.0, 0.3, 0.0], 4: [0.0, 1.0, 0.2]}


def _translation(a: int, b: int) -> Edge:
    return Edge(derived=b, source=a, kind="translation", confidence=0.5,
                shared_fraction=0.9, score=0.9, reasons=["test"])


def test_rivals_are_nearer_leads_in_the_partners_language() -> None:
    _, index = indexed_store(":memory:", ROWS)
    # 1's nearest German lead is 2's: a pair of 1 and 3 has 2 for a rival on 1's side.
    assert rivals(index, (1, 3), LANGUAGES.get) == [(1, 2)]
    # 1 and 2 are each other's nearest: no rival on either side.
    assert rivals(index, (1, 2), LANGUAGES.get) == []
    # From 3's side: 1 is its nearest English lead, so a pair of 3 and 4 has 1 for a rival.
    assert (3, 1) in rivals(index, (3, 4), LANGUAGES.get)


def test_a_short_alignment_with_a_free_rival_is_refused() -> None:
    store, index = indexed_store(":memory:", ROWS)
    short = {(1, 3): Comparison(0.9, 0.67, 0.85, RIVAL_BELOW - 1)}
    confirmed = {(1, 3): (0.9, 0.67)}
    assert _without_rivals(store, confirmed, short, index, LANGUAGES.get) == {}
    # Many sentence pairs in order are not chance: the rival is not asked about.
    long = {(1, 3): Comparison(0.9, 0.8, 0.85, RIVAL_BELOW)}
    assert _without_rivals(store, confirmed, long, index, LANGUAGES.get) == confirmed


def test_a_rival_that_is_another_articles_translation_is_explained() -> None:
    store, index = indexed_store(":memory:", ROWS)
    short = {(1, 3): Comparison(0.9, 0.67, 0.85, 2)}
    confirmed = {(1, 3): (0.9, 0.67)}
    # 2 is the translation of another English article (4), stored before: 1's own
    # translation may come second behind it (the lead's cut at a fixed length).
    store.reuse.save_pairs([_translation(4, 2)])
    assert _without_rivals(store, confirmed, short, index, LANGUAGES.get) == confirmed
    # ... or confirmed in the same batch.
    fresh, index = indexed_store(":memory:", ROWS)
    both = {**confirmed, (2, 4): (0.9, 0.9)}
    assert set(_without_rivals(fresh, both, short, index, LANGUAGES.get)) == set(both)
    # A rival translated into another language than 1's explains nothing.
    other = {**LANGUAGES, 4: "fr"}
    fresh, index = indexed_store(":memory:", ROWS)
    fresh.reuse.save_pairs([_translation(4, 2)])
    assert _without_rivals(fresh, confirmed, short, index, other.get) == {}


def test_no_rival_check_at_zero(monkeypatch) -> None:
    store, index = indexed_store(":memory:", ROWS)
    monkeypatch.setattr(crosslingual, "RIVAL_BELOW", 0)
    confirmed = {(1, 3): (0.9, 0.67)}
    short = {(1, 3): Comparison(0.9, 0.67, 0.85, 2)}
    assert _without_rivals(store, confirmed, short, index, LANGUAGES.get) == confirmed


def test_the_aligned_count_is_the_shares_numerator() -> None:
    grid = np.full((3, 5), 0.70, dtype=np.float32)
    grid[0, 0] = grid[1, 2] = 0.95  # two sentence pairs in order, standing out
    assert grid_aligned(grid) == 2
    assert grid_share(grid) == pytest.approx(2 / 3)


def _recheck(store, index, arrived: int, aligned: int, languages=LANGUAGES,
             edges: list[Edge] | None = None, monkeypatch=None):
    """``_rechecked`` with article ``arrived`` new, its sentences' comparison faked: every
    pair compared aligns ``aligned`` sentence pairs (the e5 model is not loaded)."""
    monkeypatch.setattr(translations, "_confirm_safely", lambda _store, found, *_: {
        k: Comparison(v, 0.67, 0.85, aligned) for k, v in found.items()})
    return _rechecked(store, {arrived: index.vector_of(arrived)}, list(edges or []), index,
                      languages.get, {}, {})


def test_a_stored_short_translation_is_demoted_when_a_free_rival_arrives(monkeypatch) -> None:
    # 1 (en) and 3 (de) stored as a translation; 2 (de) arrives, nearer to 1 than 3 is,
    # and is no other article's translation: the pair is checked again and demoted.
    store, index = indexed_store(":memory:", ROWS)
    store.reuse.save_pairs([_translation(1, 3)])
    edges, demoted = _recheck(store, index, 2, RIVAL_BELOW - 1, monkeypatch=monkeypatch)
    assert demoted == {1, 3}
    assert [(e.derived, e.source, e.kind) for e in edges] == [(3, 1, "independent")]
    # A long alignment stands (many sentence pairs in order are not chance).
    assert _recheck(store, index, 2, RIVAL_BELOW, monkeypatch=monkeypatch) == ([], set())


def test_a_stored_translation_is_kept_when_the_arrival_is_no_rival(monkeypatch) -> None:
    store, index = indexed_store(":memory:", ROWS)
    store.reuse.save_pairs([_translation(1, 3)])
    # The arrival is another English article's translation (stored, or decided in this
    # batch): 1's own translation may come second behind it.
    explained, index = indexed_store(":memory:", ROWS)
    explained.reuse.save_pairs([_translation(1, 3), _translation(4, 2)])
    assert _recheck(explained, index, 2, 2, monkeypatch=monkeypatch) == ([], set())
    fresh = [_translation(4, 2)]
    assert _recheck(store, index, 2, 2, edges=fresh, monkeypatch=monkeypatch) == (fresh, set())
    # In a third language, the arrival rivals neither end.
    assert _recheck(store, index, 2, 2, {**LANGUAGES, 2: "fr"},
                    monkeypatch=monkeypatch) == ([], set())
    # A pair decided in this batch is not asked again here.
    decided = [_translation(1, 3)]
    assert _recheck(store, index, 2, 2, edges=decided,
                    monkeypatch=monkeypatch) == (decided, set())
    # Off, and with no rival check at all.
    monkeypatch.setattr(crosslingual, "RECHECK_RIVALS", False)
    assert _recheck(store, index, 2, 2, monkeypatch=monkeypatch) == ([], set())
    monkeypatch.setattr(crosslingual, "RECHECK_RIVALS", True)
    monkeypatch.setattr(crosslingual, "RIVAL_BELOW", 0)
    assert _recheck(store, index, 2, 2, monkeypatch=monkeypatch) == ([], set())


def test_an_arrival_farther_than_the_partner_is_no_rival(monkeypatch) -> None:
    # 1 (en) and 2 (de), each other's nearest, stored; 3 (de) arrives, farther from 1.
    store, index = indexed_store(":memory:", ROWS)
    store.reuse.save_pairs([_translation(1, 2)])
    assert _recheck(store, index, 3, 2, monkeypatch=monkeypatch) == ([], set())


def test_mixed_store_takes_few_reports_for_translations() -> None:
    """SemEval-2022 task 8's same-language pairs of seven languages in one store (whole
    pipeline, bench/stories_languages.py --diagnose; about 30 s with the bench's embedding
    caches warm): none of its texts is a translation of another."""
    require_shared("benchmarks/semeval2022_task8/pairs.jsonl")
    pytest.importorskip("Stemmer")
    bench = load_bench("stories_languages")
    semeval = load_bench("semeval")
    records: dict[str, dict] = {}
    for rows in bench.load_pairs().values():
        records.update(semeval.pair_records(rows)[0])
    _, language, links = bench.store_state(list(records.values()))
    across = [(a, b) for a, b, kind in links
              if kind == "translation" and language[a] != language[b]]
    # 3 with the re-check of stored pairs (part 7), 5 without it, 16 before the rival check
    assert len(across) <= 4
