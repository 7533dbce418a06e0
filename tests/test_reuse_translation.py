"""Translations: a provenance edge of their own kind, directed where the evidence says,
one origin with their original, and in its story (issue 12, item 3)."""

from __future__ import annotations

import pytest

from conftest import indexed_store, load_bench, require_shared
from newsweave.model import Article
from newsweave.reuse.crosslingual import translation_candidates
from newsweave.reuse.origins import DERIVING, choose_sources, origins_of, parents_map
from newsweave.reuse.relation import TRANSLATION_COSINE, Side, is_translation, translation
from newsweave.reuse.semantic import primary_language
from newsweave.stories import LINK_WEIGHTS


def _article(article_id: int, language: str | None, published: str | None = None) -> Article:
    return Article(id=article_id, content_hash=str(article_id), raw="", raw_format="text",
                   text="Text.", source="-", language=language, published=published)


def test_translation_needs_two_languages_and_a_close_lead() -> None:
    en, de, en2 = _article(1, "en"), _article(2, "de"), _article(3, "en")
    assert is_translation(en, de, TRANSLATION_COSINE + 0.01)
    assert not is_translation(en, de, TRANSLATION_COSINE - 0.01)
    assert not is_translation(en, en2, 0.99)  # one language: a copy or rewrite, not this
    assert not is_translation(en, _article(4, None), 0.99)  # unknown language: no claim
    assert primary_language("zh-CN") == primary_language("zh") == "zh"


def test_direction_from_publication_time_else_undirected() -> None:
    early, late = _article(5, "en", "2024-03-01T08:00:00"), _article(2, "fr",
                                                                    "2024-03-01T12:00:00")
    edge = translation(Side(early, []), Side(late, []), 0.9)
    assert (edge.kind, edge.derived, edge.source) == ("translation", 2, 5)
    assert edge.confidence > 0.5 and any("time" in r for r in edge.reasons)
    undated = translation(Side(_article(7, "es"), []), Side(_article(3, "en"), []), 0.9)
    assert (undated.derived, undated.source, undated.confidence) == (7, 3, 0.5)
    assert any("no evidence of direction" in r for r in undated.reasons)


def test_translation_is_the_same_origin_and_the_same_story() -> None:
    assert "translation" in DERIVING
    assert LINK_WEIGHTS["translation"] == 1.0  # a link of weight 1: its source's story
    original, de, fr = _article(1, "en"), _article(2, "de"), _article(3, "fr")
    edges = [translation(Side(original, []), Side(other, []), 0.9) for other in (de, fr)]
    edges.append(translation(Side(de, []), Side(fr, []), 0.9))
    related = {(min(e.derived, e.source), max(e.derived, e.source)) for e in edges}
    parents: dict[int, list[int]] = {}
    for derived in (1, 2, 3):
        chosen = choose_sources(derived, edges, related, {}, parents)
        if chosen:
            parents[derived] = chosen
    found = origins_of([1, 2, 3], parents_map((d, s) for d, ss in parents.items() for s in ss))
    assert found == {1: [1], 2: [1], 3: [1]}


@pytest.mark.parametrize("where", ["file", "memory"])
def test_partners_are_mutual_nearest_in_their_language(tmp_path, where: str) -> None:
    # 1 (en) and 2 (de) are each other's nearest across the two languages; 3 (de) is
    # another German report near 1 but nearer to 4 (en), its own original.
    languages = {1: "en", 2: "de", 3: "de", 4: "en", 5: "de"}
    _, index = indexed_store(str(tmp_path / "s.db") if where == "file" else ":memory:",
                             {1: [1.0, 0.1, 0.0], 2: [1.0, 0.12, 0.0], 3: [0.8, 0.6, 0.0],
                              4: [0.75, 0.66, 0.0], 5: [0.0, 0.0, 1.0]})
    row = index.vector(0)
    def partners(vector, article_id, language_of=languages.get):  # mutual nearest
        return translation_candidates(index, vector, article_id, language_of, 0.5, rank=1)

    found = dict(partners(row, 1))
    assert set(found) == {2} and found[2] == pytest.approx(float(row @ index.vector(1)))
    assert [i for i, _ in partners(index.vector(3), 4)] == [3]
    assert partners(index.vector(4), 5) == []
    assert partners(row, 1, {1: None}.get) == []


def test_ntrex_floors() -> None:
    """NTREX-128 (123 documents in 7 languages) through the engine: translation edges and
    stories (bench/ntrex.py; about 15 s with its embeddings cached, minutes without)."""
    require_shared("benchmarks/ntrex/docs.jsonl")
    bench = load_bench("ntrex")
    figures = bench.measure(bench.load_docs())["all"]
    assert figures["precision"] >= 0.99  # 1.000 with the sentence check (0.997 before)
    assert figures["recall"] >= 0.96  # 0.975 (0.950 before)
    assert figures["story_recall"] >= 0.99  # 0.999 (0.991 before)
    assert figures["wrong"] == 0  # 0 with the sentence check (8 before)
    # Different documents in one story: the one pair of NTREX documents that report one
    # event (docs/benchmarks.md, "Stories across languages, part 3"); same-event relations
    # between other documents' versions must not merge them.
    assert figures["merged"] <= 2
    # No copy, rewrite or shared quotation between two languages: word alignment across
    # languages pairs letters, not statements (260 shared-quotes relations before part 5,
    # 256 of them between different documents).
    assert figures["drawn"] == 0


def test_semeval_cross_language_floors() -> None:
    """SemEval-2022 task 8's 104 German-English pairs (different articles) in one store:
    few are taken for translations, and unrelated ones stay apart (bench/ntrex.py
    --semeval; about a minute with its embeddings cached)."""
    require_shared("benchmarks/semeval2022_task8/pairs.jsonl")
    bench = load_bench("ntrex")
    figures = bench.semeval()
    assert figures["edges"] <= 8  # 4 with the sentence check (33 on the listed pairs before)
    assert figures["unrelated_apart"] >= 0.95  # 1.000 (0.833 before)
    # Reports of one event in two languages share a story through their same-event
    # relation: 6/12 with the sentences' closeness beside the lead (part 4); 4/12 with the
    # lead alone (part 3); 1/12 with the sentence check alone, before part 3; 7/12 once
    # letters-only quotation pairs across languages stopped hiding the relation (part 5).
    assert figures["similar_together"] >= 0.55
    assert figures["drawn"] == 0  # cross-language shared quotes etc.: 8 before part 5
    assert figures["events"] <= 15  # 11 (9 on listed pairs): a relation is not made lightly
