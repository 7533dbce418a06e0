"""The reuse stage keeps texts prepared for alignment across batches (``PreparedTexts``,
docs/benchmarks.md "Archive scale, part 17"): least recently used dropped past a size,
and the stored pairs exactly those of a stage that prepares every batch's texts anew."""

from __future__ import annotations

import random

import newsweave.reuse as reuse
from newsweave.model import Article
from newsweave.reuse.align import PreparedTexts, prepare
from newsweave.settings import load_settings
from newsweave.store import open_store

KEPT = reuse.PREPARED_CHARS


def test_prepared_texts_drop_the_least_recently_used_past_their_size():
    texts = PreparedTexts(max_chars=10)
    texts["aaaa"] = prepare("aaaa")
    texts["bbbb"] = prepare("bbbb")
    assert texts.get("aaaa") is not None  # now the most recent
    texts["cccc"] = []  # 12 characters: the least recent ("bbbb") goes
    assert texts.get("bbbb") is None and texts.get("aaaa") is not None
    assert (texts.hits, texts.misses, len(texts)) == (2, 1, 2)
    texts["cccc"] = []  # set again: counted once
    texts["dddddddddddddddd"] = []  # longer than the size alone: kept, all else dropped
    assert len(texts) == 1 and texts.get("dddddddddddddddd") == []


def _texts(rng: random.Random) -> list[tuple[str, str]]:
    """Base reports, and later a copy, a cut-down copy and a rewrite of each (outlet,
    body), in arrival order: the later versions meet the earlier ones as candidates in
    batches after theirs."""
    vocabulary = [f"word{i}" for i in range(400)]

    def sentence() -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(rng.randint(7, 14))).title() + "."

    bases = [[sentence() for _ in range(8)] for _ in range(6)]
    out = [(f"Outlet {k}", " ".join(body)) for k, body in enumerate(bases)]
    for rewrite in range(3):
        for body in bases:
            changed = [" ".join(w if rng.random() > 0.15 else rng.choice(vocabulary)
                                for w in s.split()) for s in body]
            out.append((f"Copier {rewrite}", " ".join(body if rewrite == 0 else
                                                      body[:5] if rewrite == 1 else changed)))
    return out


def _pairs(tmp_path, name: str, prepared_chars: int, monkeypatch) -> tuple[list, int]:
    monkeypatch.setattr(reuse, "PREPARED_CHARS", prepared_chars)
    store = open_store(str(tmp_path / f"{name}.db"))
    settings = load_settings(db=str(tmp_path / f"{name}.db"), reuse_embed=0)
    stage = reuse.ReuseStage()
    texts = _texts(random.Random(17))
    for start in range(0, len(texts), 4):  # batches of four
        ids = store.add_articles(
            [Article(None, f"h{n}", "", "text", body, f"<{n}>", title=f"Title {n}",
                     outlet=outlet, language="en", published=f"2026-01-{1 + n // 6:02d}")
             for n, (outlet, body) in enumerate(texts[start:start + 4], start)],
            [{}] * len(texts[start:start + 4]))
        stage.run(store, ids, settings)
    ids = [a.id for a in store.iter_articles()]
    pairs = sorted((e.derived, e.source, e.kind, round(e.confidence, 6), e.shared_fraction,
                    repr(e.evidence)) for e in store.reuse.pairs(ids))
    store.close()
    return pairs, stage._prepared.hits


def test_pairs_are_the_same_with_texts_kept_across_batches(tmp_path, monkeypatch):
    anew, anew_hits = _pairs(tmp_path, "anew", 0, monkeypatch)  # keeps one text at most
    kept, kept_hits = _pairs(tmp_path, "kept", KEPT, monkeypatch)
    assert len(kept) >= 18 and {p[2] for p in kept} >= {"copy", "rewrite"}
    assert kept == anew
    assert kept_hits >= anew_hits + 8  # texts of earlier batches were not prepared again
