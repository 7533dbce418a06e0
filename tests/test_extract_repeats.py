"""Extract's analysis does a repeated window or sentence once (archive scale, part 18): the
same mentions and attributions as each text analysed alone, in a fresh process."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from newsweave.extract import nlp

BODY = ("Mayor Tom Rao of Dunmore said on Monday that the dam at Kell held. "
        "\"We are safe,\" Anna Berg told reporters in Ostbury.\n\n"
        "The Harlow River Authority said repairs would start in June, according to "
        "its spokesman, Piet Lund.")
# A wire copy's body in other outlets' lines, a partial copy, and unrelated texts.
TEXTS = [
    f"Follow the Brenn Ledger on Kestrel.\n\n{BODY}\n\nCopyright Brenn Ledger.",
    f"{BODY}\n\nSubscribe to the Varnel Courier, said Ida Holm of its newsroom.",
    "Anna Berg told reporters in Ostbury that the water fell. \"We are safe,\" she said.",
    "Police in Lorn said a bridge closed on Friday after Ana Kim reported cracks.",
    f"Follow the Brenn Ledger on Kestrel.\n\n{BODY}\n\nCopyright Brenn Ledger.",
]


@pytest.fixture(autouse=True)
def _fresh_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nlp, "_RECOGNISED", type(nlp._RECOGNISED)())


def _alone(text: str) -> nlp.Analysis:
    nlp._RECOGNISED.clear()  # as a fresh worker would
    return nlp.analyse_here([text])[0]


def test_repeats_give_the_analysis_of_each_text_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    alone = [_alone(text) for text in TEXTS]
    assert any(found for _, found in alone) and all(mentions for mentions, _ in alone)
    nlp._RECOGNISED.clear()
    recognised: list[str] = []
    real = nlp.recognise

    def counting(texts: Sequence[str], **kwargs: int) -> Iterator[object]:
        recognised.extend(texts)
        return real(texts, **kwargs)

    monkeypatch.setattr(nlp, "recognise", counting)
    assert nlp.analyse_here(TEXTS[:3]) == alone[:3]
    assert len(recognised) == len(set(recognised))  # each window once within a call
    first = len(recognised)
    assert nlp.analyse_here(TEXTS[3:]) == alone[3:]  # the copy's windows are remembered
    assert len(recognised) - first < len(nlp.name_windows(TEXTS[3])) + len(
        nlp.name_windows(TEXTS[4]))
    assert set(recognised[first:]) <= {w for _, w in nlp.name_windows(TEXTS[3])}


def test_the_memory_of_windows_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    alone = [_alone(text) for text in TEXTS]
    nlp._RECOGNISED.clear()
    monkeypatch.setattr(nlp, "MAX_RECOGNISED", 3)
    assert nlp.analyse_here(TEXTS) == alone
    assert len(nlp._RECOGNISED) == 3
    assert [nlp.analyse_here([text])[0] for text in TEXTS] == alone


def test_a_pipe_runs_once_per_distinct_text_and_streams_in_order() -> None:
    calls: list[list[str]] = []

    def pipe(texts: Sequence[str]) -> Iterator[object]:
        calls.append(list(texts))
        yield from ({"doc": t} for t in texts)

    texts = ["a", "b", "a", "c", "b", "a"]
    docs = list(nlp._distinct(pipe)(texts))
    assert calls == [["a", "b", "c"]]
    assert [d["doc"] for d in docs] == texts  # type: ignore[index]
    assert docs[0] is docs[2] is docs[5] and docs[1] is docs[4]
    assert list(nlp._distinct(pipe)([])) == []
