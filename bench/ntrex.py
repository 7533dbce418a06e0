"""Stories across languages on NTREX-128: translations found, linked and storied together.

Data: ``../shared/benchmarks/ntrex/docs.jsonl`` (123 English news documents, each also in
German, Spanish, French, Portuguese, Russian and Chinese; the same ``doc`` is the same
article). Every text goes through ``Engine.ingest`` into a temporary store (the engine
detects each text's language; it is not told), with the reuse and stories stages.

Figures, on the documents of each half (``choose``: even positions of the sorted doc ids,
where the translation threshold was chosen; ``report``: odd positions) and on all:

* ``translation edges``: precision and recall of the stored ``translation`` edges against
  the pairs of versions of one document (21 per document), and how many edges join two
  different documents;
* ``story recall``: of the (English original, translation) pairs, the share in one story;
  also over all pairs of versions;
* ``threshold sweep``: precision / recall of the engine's rule (each the other's nearest
  in its language, e5 lead cosine >= t) over every cross-language pair of stored
  articles, for the chosen ``TRANSLATION_COSINE`` and its neighbours.

``--semeval``: also SemEval-2022 task 8's cross-language pairs (lang1 != lang2): the
share of "very similar" pairs (Overall <= 1.5) in one story, the share of unrelated pairs
(Overall >= 3.5) in different stories, how many of the moderately similar pairs
(Overall in (1.5, 2.5] and in (2.5, 3.5)) share a story (counts: the benchmark says
nothing of whether they should), and how many pairs got a translation edge (these are
separate reports of one event, not translations).

``--english``: the default settings (the English model on), so English articles get their
e5 vectors only once the store holds another language (``reuse_english_lead``); with
``--order english-first`` every English version is ingested before any translation (the
store turns multilingual late and its English articles are embedded then),
``english-last`` after all of them, ``given`` in the file's order. The figures must not
depend on the order.

Embeddings are cached under ``~/.cache/newsweave-bench/`` (keyed by the exact text).

``--same-event W1,W2``: SemEval (with ``--ntrex``, NTREX too) at each link weight of a
``same-event`` relation (``stories.LINK_WEIGHTS``): the weight's sweep; with ``--gates
G1,G2`` at each gate of its evidence too (``crosslingual.SAME_EVENT_SCORE``: the mean of
the lead cosine and the sentences' closeness); ``--show``: each listed pair's relation.

    python bench/ntrex.py [--semeval] [--limit-docs N] [--english] [--order english-first]
    python bench/ntrex.py --same-event 0.3,0.4,0.5 [--ntrex]
    python bench/ntrex.py --set reuse.crosslingual.RIVAL_BELOW=0   # any module setting
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO.parent / "shared" / "benchmarks"
DOCS = BENCH / "ntrex" / "docs.jsonl"
PAIRS = BENCH / "semeval2022_task8" / "pairs.jsonl"
SWEEP = (0.74, 0.76, 0.78, 0.8, 0.82, 0.84, 0.86)


def load_docs(limit: int = 0) -> list[dict]:
    rows = [json.loads(line) for line in DOCS.open(encoding="utf-8")]
    if limit:
        keep = sorted({r["doc"] for r in rows})[:limit]
        rows = [r for r in rows if r["doc"] in keep]
    return rows


def halves(rows: Sequence[dict]) -> dict[str, set[str]]:
    docs = sorted({r["doc"] for r in rows})
    return {"choose": set(docs[0::2]), "report": set(docs[1::2]), "all": set(docs)}


def ingest(records: Sequence[dict], *, cache: bool = True, english: bool = False):
    """Ingest ``records`` (JSON records with id and text) through the engine, reuse and
    stories stages; returns the open engine in a temporary directory (caller closes both).
    ``english``: the English model on (the default settings), else ``reuse_english=0``."""
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO / "bench"))
    from newsweave.engine import Engine
    from newsweave.nlp import english as english_model
    from newsweave.reuse import ReuseStage, crosslingual, embeddings
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from newsweave.stories import StoriesStage
    from semeval import _cached

    tmp = tempfile.TemporaryDirectory()
    source = Path(tmp.name) / "docs.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                      encoding="utf-8")
    db = str(Path(tmp.name) / "ntrex.db")
    # (article_vectors calls embed in reuse.embeddings: replaced there)
    originals = embeddings.embed, english_model.embed_english, crosslingual.embed
    if cache:
        embeddings.embed = _cached(embeddings.embed, "ntrex-e5-cache.npz", "passage|")
        english_model.embed_english = _cached(
            english_model.embed_english, "ntrex-minilm-cache.npz",
            f"minilm|{english_model.MAX_TOKENS}|")
        crosslingual.embed = cached_sentences(crosslingual.embed)
    try:
        settings = load_settings(db=db, reuse_english=int(english))
        engine = Engine(open_store(db), settings, stages=[ReuseStage(), StoriesStage()])
        engine.ingest([str(source)])
    finally:
        embeddings.embed, english_model.embed_english, crosslingual.embed = originals
    return engine, tmp


def cached_sentences(function):
    """``crosslingual.embed`` with each sentence's vector kept on disk (the sentence check's
    "query" vectors; one file for NTREX and SemEval)."""
    sys.path.insert(0, str(REPO / "bench"))
    from semeval import _cached

    return _cached(function, "xlang-e5-sentences.npz", "query|")


def ordered(rows: Sequence[dict], order: str) -> list[dict]:
    """``rows`` with the English versions first or last (``given``: as they are)."""
    if order == "given":
        return list(rows)
    english = [r for r in rows if r["lang"] == "eng"]
    others = [r for r in rows if r["lang"] != "eng"]
    if order == "english-first":
        return english + others
    if order == "english-last":
        return others + english
    raise ValueError(f"unknown order {order!r}: given, english-first or english-last")


def measure(rows: Sequence[dict], *, english: bool = False, order: str = "given",
            keep: dict | None = None) -> dict[str, dict[str, float]]:
    """Ingest NTREX, print and return the figures per half (see the module doc);
    ``keep``: filled with the candidate pairs for :func:`choose_settings` ("ntrex")."""
    started = time.perf_counter()
    records = [{"id": r["id"], "text": r["text"]} for r in ordered(rows, order)]
    engine, tmp = ingest(records, english=english)
    try:
        store = engine.store
        ids = {a.external_id: int(a.id or 0) for a in engine.articles()}
        language = {int(a.id or 0): a.language for a in engine.articles()}
        doc_of = {ids[r["id"]]: r["doc"] for r in rows if r["id"] in ids}
        lang_of = {ids[r["id"]]: r["lang"] for r in rows if r["id"] in ids}
        article_ids = sorted(doc_of)
        edges = [e for e in store.reuse.pairs(article_ids) if e.kind == "translation"]
        events = [e for e in store.reuse.pairs(article_ids) if e.kind == "same-event"]
        # Relations the provenance graph draws (reuse/graph.provenance) between two
        # languages, other than translations: copies, rewrites, shared quotes.
        drawn = [e for e in store.reuse.pairs(article_ids)
                 if e.kind in ("copy", "rewrite", "shared-quotes")
                 and language.get(e.derived) != language.get(e.source)]
        story_of = store.stories.story_of(article_ids)
        vectors = store.reuse.vectors(article_ids)
        articles = {int(a.id or 0): a for a in engine.articles()}
        elapsed = time.perf_counter() - started
    finally:
        engine.store.close()
        tmp.cleanup()
    detected = sum(1 for i in article_ids if language.get(i))
    kinds = sorted({e.kind for e in drawn})
    print(f"cross-language copy / rewrite / shared-quotes relations: {len(drawn)} ("
          + "".join(f"{k} {sum(1 for e in drawn if e.kind == k)}, " for k in kinds)
          + f"{sum(1 for e in drawn if doc_of.get(e.derived) != doc_of.get(e.source))} "
          f"between different docs)")
    apart = sum(1 for e in events if doc_of.get(e.derived) != doc_of.get(e.source))
    print(f"{len(rows)} texts, {len(article_ids)} ingested ({detected} with a language "
          f"detected), {len(edges)} translation edges; {elapsed:.0f} s (English model "
          f"{'on' if english else 'off'}, order {order}; {len(vectors)} e5 vectors); "
          f"same-event relations {len(events)} ({apart} "
          f"between different docs), same-event link weight {same_event_weight()}")
    split = halves(rows)
    results: dict[str, dict[str, float]] = {}
    for name, docs in split.items():
        members = [i for i in article_ids if doc_of[i] in docs]
        gold = {(a, b) for a, b in combinations(members, 2) if doc_of[a] == doc_of[b]}
        found = {(min(e.derived, e.source), max(e.derived, e.source)) for e in edges
                 if e.derived in doc_of and e.source in doc_of
                 and (doc_of[e.derived] in docs or doc_of[e.source] in docs)}
        hit = len(found & gold)
        wrong = sum(1 for a, b in found if doc_of[a] != doc_of[b])
        precision = hit / len(found) if found else 0.0
        recall = hit / len(gold) if gold else 0.0
        originals = [(a, b) for a, b in gold if "eng" in (lang_of[a], lang_of[b])]
        together = sum(1 for a, b in originals
                       if story_of.get(a) is not None and story_of.get(a) == story_of.get(b))
        all_together = sum(1 for a, b in gold
                           if story_of.get(a) is not None and story_of.get(a) == story_of.get(b))
        stories = len({story_of[i] for i in members if i in story_of})
        # Different documents sharing a story (NTREX's documents are different reports).
        docs_in = {}
        for i in members:
            if i in story_of:
                docs_in.setdefault(story_of[i], set()).add(doc_of[i])
        merged = sum(len(d) * (len(d) - 1) // 2 for d in docs_in.values())
        results[name] = {"precision": precision, "recall": recall, "wrong": wrong,
                         "story_recall": together / max(1, len(originals)),
                         "story_recall_all": all_together / max(1, len(gold)),
                         "merged": merged, "drawn": sum(
                             1 for e in drawn if doc_of.get(e.derived) in docs
                             or doc_of.get(e.source) in docs)}
        print(f"[{name}] {len(docs)} docs: translation edges P {precision:.3f} R {recall:.3f} "
              f"({hit}/{len(gold)} pairs; {wrong} between different docs); story recall "
              f"{together / max(1, len(originals)):.3f} (original-translation), "
              f"{all_together / max(1, len(gold)):.3f} (all version pairs); "
              f"{stories} stories for {len(docs)} docs; {merged} pairs of docs share a story")
    true = {(min(e.derived, e.source), max(e.derived, e.source)) for e in edges
            if doc_of.get(e.derived) == doc_of.get(e.source)}
    print_rivals(translation_rows([(min(e.derived, e.source), max(e.derived, e.source))
                                   for e in edges], vectors, articles), true)
    sweep(article_ids, vectors, language, doc_of, split)
    if keep is not None:
        half_of = {d: name for name in ("choose", "report") for d in split[name]}
        pairs = candidate_pairs(article_ids, vectors, language, min(GATES))
        labels = {(a, b): (half_of[doc_of[a]], doc_of[a] == doc_of[b]) for a, b in pairs
                  if half_of[doc_of[a]] == half_of[doc_of[b]]}
        gold = {name: sum(1 for a, b in combinations(
            [i for i in article_ids if doc_of[i] in split[name]], 2) if doc_of[a] == doc_of[b])
            for name in ("choose", "report")}
        keep["ntrex"] = Candidates(labels, {k: pairs[k] for k in labels},
                                   sentence_grids(labels, articles), gold)
        keep["ntrex_store"] = (article_ids, vectors, language, doc_of, split, articles)
    return results


# The sentence check's settings, each around the chosen one (reuse/crosslingual.py,
# reuse/relation.py): the lead cosine gate, the sentence cosine floor, the aligned share.
GATES = (0.74, 0.76, 0.78, 0.8, 0.82)
FLOORS = (0.8, 0.82, 0.84, 0.86, 0.88)
SHARES = (0.3, 0.4, 0.5, 0.6, 0.7)


@dataclass
class Candidates:
    """Candidate translations of one benchmark (each the other's nearest in its
    language, lead cosine >= min(GATES)), each with its half and whether it is one."""

    labels: dict[tuple[int, int], tuple[str, bool]]  # pair -> (half, a translation)
    cosine: dict[tuple[int, int], float]
    grids: dict[tuple[int, int], object]  # pair -> sentence cosines (reuse/crosslingual.py)
    gold: dict[str, int]  # translation pairs in each half (NTREX; 0 for SemEval)


def candidate_pairs(article_ids, vectors, language, floor: float) -> dict[tuple[int, int], float]:
    """Cross-language pairs of stored articles each the other's nearest in its language
    among all of them, with their lead cosine >= ``floor``: (a, b) with a < b -> cosine."""
    import numpy as np

    from newsweave.reuse.semantic import primary_language

    have = [i for i in article_ids if i in vectors and primary_language(language.get(i))]
    if not have:
        return {}
    matrix = np.vstack([vectors[i] for i in have])
    cosines = matrix @ matrix.T
    langs = np.array([primary_language(language.get(i)) for i in have])
    best = {}
    for lang in sorted(set(langs)):
        cols = np.flatnonzero(langs == lang)
        best[lang] = cols[np.argmax(cosines[:, cols], axis=1)]
    out = {}
    for x in range(len(have)):
        for lang in best:
            y = int(best[lang][x])
            if lang != langs[x] and x < y and best[langs[x]][y] == x and cosines[x, y] >= floor:
                out[(have[x], have[y])] = float(cosines[x, y])
            elif lang != langs[x] and y < x and best[langs[x]][y] == x and cosines[x, y] >= floor:
                out[(have[y], have[x])] = float(cosines[x, y])
    return out


def sentence_grids(pairs, articles) -> dict[tuple[int, int], object]:
    """The sentence cosines of each pair (reuse/crosslingual.py), the sentences embedded a
    few articles at a time (cached on disk)."""
    from newsweave.reuse import crosslingual

    wanted = sorted({i for pair in pairs for i in pair})
    found = {}
    embed = cached_sentences(crosslingual.embed)
    original, crosslingual.embed = crosslingual.embed, embed
    try:
        for start in range(0, len(wanted), 60):
            chunk = [articles[i] for i in wanted[start:start + 60]]
            found.update(crosslingual.sentence_vectors(chunk))
    finally:
        crosslingual.embed = original
    return {(a, b): found[a] @ found[b].T for a, b in pairs}


def passes(candidates: Candidates, gate: float, floor: float, share: float,
           margin: float | None = None, below: int | None = None) -> set:
    """The candidate pairs the engine's sentence check passes at these settings (the
    margin asked of short alignments: ``crosslingual.grid_share``; None: as in code)."""
    from newsweave.reuse.crosslingual import grid_share

    return {k for k, grid in candidates.grids.items() if candidates.cosine[k] >= gate
            and grid_share(grid, floor, margin, below) >= share}


def margin_sweep(ntrex: Candidates, semeval: Candidates) -> None:
    """NTREX P / R and SemEval pairs taken for translations per half at the sentence
    margin (``crosslingual.SENTENCE_MARGIN``) and the alignment length below which it is
    asked (``MARGIN_BELOW``), the other settings as in code."""
    from newsweave.reuse.crosslingual import (
        MARGIN_BELOW,
        SENTENCE_COSINE,
        SENTENCE_MARGIN,
        SENTENCE_SHARE,
    )
    from newsweave.reuse.relation import TRANSLATION_COSINE

    print("sentence margin sweep (margin asked of alignments of fewer than `below` pairs; "
          f"in code {SENTENCE_MARGIN} below {MARGIN_BELOW}; 0: none):")
    print("| margin | below | choose P | R | SemEval | report P | R | SemEval |")
    print("|---|---|---|---|---|---|---|---|")
    for margin, below in ((0.0, 0), (0.03, 4), (0.04, 3), (0.04, 4), (0.04, 5), (0.05, 4),
                          (0.04, 99)):
        found_n = passes(ntrex, TRANSLATION_COSINE, SENTENCE_COSINE, SENTENCE_SHARE,
                         margin, below)
        found_s = passes(semeval, TRANSLATION_COSINE, SENTENCE_COSINE, SENTENCE_SHARE,
                         margin, below)
        row = [f"{margin}", f"{below}"]
        for half in ("choose", "report"):
            tp = sum(1 for k in found_n if ntrex.labels[k] == (half, True))
            fp = sum(1 for k in found_n if ntrex.labels[k] == (half, False))
            false = sum(1 for k in found_s if semeval.labels[k][0] == half)
            row += [f"{tp / max(1, tp + fp):.3f}", f"{tp / max(1, ntrex.gold[half]):.3f}",
                    f"{false}"]
        print("| " + " | ".join(row) + " |")


def figures(ntrex: Candidates, semeval: Candidates, setting) -> dict[str, tuple]:
    """Per half: NTREX precision, recall, wrong pairs; SemEval false translations."""
    found_n, found_s = passes(ntrex, *setting), passes(semeval, *setting)
    out = {}
    for half in ("choose", "report"):
        tp = sum(1 for k in found_n if ntrex.labels[k] == (half, True))
        fp = sum(1 for k in found_n if ntrex.labels[k] == (half, False))
        false = sum(1 for k in found_s if semeval.labels[k][0] == half)
        out[half] = (tp / max(1, tp + fp), tp / max(1, ntrex.gold[half]), fp, false)
    return out


def choose_settings(ntrex: Candidates, semeval: Candidates, every: bool = False
                    ) -> tuple[float, float, float]:
    """The setting chosen on the choose halves, printed beside its neighbours with both
    halves' figures: at most one SemEval pair of the half (2 %) taken for a translation and
    NTREX precision >= 0.99, then the best NTREX recall; of equals, the fewest SemEval
    pairs taken, then the higher sentence floor, share and lead gate (the stricter
    setting, and the fewer pairs to check)."""
    from newsweave.reuse.crosslingual import SENTENCE_COSINE, SENTENCE_SHARE
    from newsweave.reuse.relation import TRANSLATION_COSINE

    grid = [(g, f, s) for g in GATES for f in FLOORS for s in SHARES]
    found = {setting: figures(ntrex, semeval, setting) for setting in grid}

    def neighbours(setting):
        out = []
        for axis, values in enumerate((GATES, FLOORS, SHARES)):
            at = values.index(setting[axis])
            for step in (-1, 1):
                if 0 <= at + step < len(values):
                    out.append((*setting[:axis], values[at + step], *setting[axis + 1:]))
        return out

    def fit(setting):
        precision, _recall, _, false = found[setting]["choose"]
        return false <= 1 and precision >= 0.99

    def rank(setting):
        _, recall, _, false = found[setting]["choose"]
        return (recall, -false, setting[1], setting[2], setting[0])

    chosen = max((s for s in grid if fit(s)), key=rank, default=grid[0])
    in_code = (TRANSLATION_COSINE, SENTENCE_COSINE, SENTENCE_SHARE)
    print(f"sentence check, rule's ceiling (gate: lead cosine, each the other's nearest; "
          f"floor: sentence cosine; share: of the shorter's sentences aligned in order). "
          f"NTREX pairs P / R / pairs between different docs, SemEval cross-language pairs "
          f"taken for translations ({sum(1 for v in semeval.labels.values() if v[0] == 'choose')}"
          f" / {sum(1 for v in semeval.labels.values() if v[0] == 'report')} pairs):")
    print("| gate | floor | share | choose P | R | wrong | SemEval | report P | R | wrong "
          "| SemEval |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    shown = grid if every else [chosen, *neighbours(chosen)] + (
        [in_code] if in_code != chosen else [])
    for setting in shown:
        if setting not in found:
            found[setting] = figures(ntrex, semeval, setting)
        mark = " (chosen)" if setting == chosen else ""
        mark += " (in code)" if setting == in_code else ""
        cells = " | ".join(f"{p:.3f} | {r:.3f} | {w} | {f}"
                           for p, r, w, f in (found[setting][h] for h in ("choose", "report")))
        print(f"| {setting[0]} | {setting[1]} | {setting[2]}{mark} | {cells} |")
    return chosen


def sweep(article_ids, vectors, language, doc_of, split) -> None:
    """Precision / recall of the engine's translation rule (each the other's nearest
    in its language, e5 cosine >= t) over every cross-language pair, for t around the
    chosen floor; the nearest are looked for among all stored articles (not only the
    top TRANSLATION_LOOK), so this is the rule's ceiling."""
    import numpy as np

    from newsweave.reuse.relation import TRANSLATION_COSINE
    from newsweave.reuse.semantic import primary_language

    have = [i for i in article_ids if i in vectors]
    matrix = np.vstack([vectors[i] for i in have])
    cosines = matrix @ matrix.T
    langs = np.array([primary_language(language.get(i)) for i in have])
    best: dict[tuple[int, str], int] = {}
    for lang in sorted(set(langs)):
        cols = np.flatnonzero(langs == lang)
        top = cols[np.argmax(cosines[:, cols], axis=1)]
        for row in range(len(have)):
            best[(row, lang)] = int(top[row])
    print(f"threshold sweep (each the other's nearest in its language, e5 lead cosine >= t; "
          f"chosen {TRANSLATION_COSINE} on 'choose'):")
    for name in ("choose", "report"):
        index = [k for k, i in enumerate(have) if doc_of[i] in split[name]]
        line = []
        for t in SWEEP:
            tp = fp = fn = 0
            for x, y in combinations(index, 2):
                if langs[x] == langs[y] or not langs[x] or not langs[y]:
                    continue
                same = doc_of[have[x]] == doc_of[have[y]]
                if (cosines[x, y] >= t and best[(x, str(langs[y]))] == y
                        and best[(y, str(langs[x]))] == x):
                    tp, fp = tp + same, fp + (not same)
                elif same:
                    fn += 1
            line.append(f"{t}: P {tp / max(1, tp + fp):.3f} R {tp / max(1, tp + fn):.3f}")
        print(f"  [{name}] " + "; ".join(line))


def semeval(keep: dict | None = None, show: bool = False, diagnose: bool = False
            ) -> dict[str, float]:
    """SemEval-2022 task 8 cross-language pairs: same story when very similar, not when
    unrelated (see the module doc), on each half of the pairs (``choose``: even positions
    of the sorted pair ids) and on all; ``keep``: filled with the candidate pairs for
    :func:`choose_settings` ("semeval": every listed pair is a negative)."""
    sys.path.insert(0, str(REPO / "bench"))
    from semeval import pair_records

    rows = sorted((r for r in (json.loads(line) for line in PAIRS.open(encoding="utf-8"))
                   if r["lang1"] != r["lang2"]), key=lambda r: r["pair_id"])
    records, keys = pair_records(rows)
    engine, tmp = ingest(list(records.values()))
    try:
        ids = {a.external_id: int(a.id or 0) for a in engine.articles()}
        story_of = engine.store.stories.story_of(list(ids.values()))
        translated = {(min(e.derived, e.source), max(e.derived, e.source))
                      for e in engine.store.reuse.pairs(list(ids.values()))
                      if e.kind == "translation"}
        events = {(min(e.derived, e.source), max(e.derived, e.source)): e
                  for e in engine.store.reuse.pairs(list(ids.values()))
                  if e.kind == "same-event"}
        articles = {int(a.id or 0): a for a in engine.articles()}
        vectors = engine.store.reuse.vectors(sorted(articles))
        relations = {(min(e.derived, e.source), max(e.derived, e.source)): e
                     for e in engine.store.reuse.pairs(list(ids.values()))}
    finally:
        engine.store.close()
        tmp.cleanup()
    drawn = [e for e in relations.values() if e.kind in ("copy", "rewrite", "shared-quotes")
             and articles[e.derived].language != articles[e.source].language]
    counts = {h: dict.fromkeys(("similar", "together", "unrelated", "apart", "edged",
                                "scored", "band2", "band2_together", "band3",
                                "band3_together"), 0) for h in ("choose", "report", "all")}
    labels = {}
    for position, (row, (a_key, b_key)) in enumerate(zip(rows, keys, strict=True)):
        a, b = ids.get(a_key), ids.get(b_key)
        if a is None or b is None or a == b:
            continue
        half = "choose" if position % 2 == 0 else "report"
        labels[(min(a, b), max(a, b))] = (half, False)
        same = story_of.get(a) is not None and story_of.get(a) == story_of.get(b)
        for name in (half, "all"):
            c = counts[name]
            c["scored"] += 1
            c["edged"] += (min(a, b), max(a, b)) in translated
            if row["Overall"] <= 1.5:
                c["similar"], c["together"] = c["similar"] + 1, c["together"] + same
            elif row["Overall"] >= 3.5:
                c["unrelated"], c["apart"] = c["unrelated"] + 1, c["apart"] + (not same)
            else:  # the moderately similar bands: (1.5, 2.5] and (2.5, 3.5)
                band = "band2" if row["Overall"] <= 2.5 else "band3"
                c[band], c[f"{band}_together"] = c[band] + 1, c[f"{band}_together"] + same
    print(f"SemEval-2022 task 8 cross-language: {len(rows)} pairs, {len(articles)} texts "
          f"stored; translation edges in the store: {len(translated)} (none is a translation); "
          f"same-event relations {len(events)} ({len(set(events) & set(labels))} of listed pairs); "
          f"same-event link weight {same_event_weight()}; cross-language copy / rewrite / "
          f"shared-quotes relations {len(drawn)}")
    out: dict[str, float] = {}
    for name, c in counts.items():
        similar = c["together"] / max(1, c["similar"])
        unrelated = c["apart"] / max(1, c["unrelated"])
        if name == "all":
            out = {"similar_together": similar, "unrelated_apart": unrelated,
                   "edged": c["edged"], "edges": len(translated),
                   "similar": c["similar"], "together": c["together"],
                   "unrelated": c["unrelated"], "apart": c["apart"],
                   "events": len(events), "events_listed": len(set(events) & set(labels)),
                   "drawn": len(drawn)}
        print(f"[{name}] {c['scored']} pairs with both texts ingested; very similar "
              f"(Overall <= 1.5) in one story {c['together']}/{c['similar']} = {similar:.3f}; "
              f"unrelated (>= 3.5) in different stories {c['apart']}/{c['unrelated']} = "
              f"{unrelated:.3f}; in one story, Overall (1.5, 2.5] {c['band2_together']}/"
              f"{c['band2']}, (2.5, 3.5) {c['band3_together']}/{c['band3']}; "
              f"pairs with a translation edge {c['edged']}")
    if show:
        print("| half | Overall | one story | evidence | reason |")
        for position, (row, (a_key, b_key)) in enumerate(zip(rows, keys, strict=True)):
            a, b = ids.get(a_key, 0), ids.get(b_key, 0)
            key = (min(a, b), max(a, b))
            if key in events:
                same = story_of.get(a) is not None and story_of.get(a) == story_of.get(b)
                reason = events[key].reasons[0]
                print(f"| {'choose' if position % 2 == 0 else 'report'} | {row['Overall']:.2f} "
                      f"| {'yes' if same else 'no'} | {events[key].confidence:.3f} "
                      f"| {reason[reason.find('lead cosine'):]} |")
    if diagnose:
        diagnose_pairs(rows, keys, ids, story_of, relations, articles, vectors)
    if keep is not None:
        language = {i: a.language for i, a in articles.items()}
        pairs = candidate_pairs(sorted(articles), vectors, language, min(GATES))
        listed = {k: pairs[k] for k in labels if k in pairs}
        keep["semeval"] = Candidates(labels, listed, sentence_grids(listed, articles),
                                     {"choose": 0, "report": 0})
        print(f"  candidates (each the other's nearest in its language, lead cosine >= "
              f"{min(GATES)}): {len(pairs)} in the store, {len(listed)} of them listed pairs")
    return out


def diagnose_pairs(rows, keys, ids, story_of, relations, articles, vectors) -> None:
    """Each listed pair (of the unrelated ones, the candidates), with what decided it: the
    relation stored (kind, shared fraction), the leads' cosine, each one's rank among the other's
    nearest leads in its language (over every stored article), the share of sentences
    aligned in order, the sentences' closeness, the same-event evidence, and the first of
    the reuse stage's gates it fails (candidate: cosine and rank; translation: share;
    same-event: rank 1, evidence; the pair's existing relation)."""
    import numpy as np

    from newsweave.reuse import crosslingual
    from newsweave.reuse.relation import TRANSLATION_COSINE
    from newsweave.reuse.semantic import primary_language

    have = sorted(i for i in articles if i in vectors)
    matrix = np.vstack([vectors[i] for i in have])
    row_of = {i: n for n, i in enumerate(have)}
    langs = np.array([primary_language(articles[i].language) or "" for i in have])
    listed = []
    for position, (row, (a_key, b_key)) in enumerate(zip(rows, keys, strict=True)):
        a, b = ids.get(a_key), ids.get(b_key)
        if a is None or b is None or a == b:
            continue
        listed.append((row["Overall"], position, min(a, b), max(a, b)))
    wanted = sorted({i for _, _, a, b in listed for i in (a, b)})
    original, crosslingual.embed = crosslingual.embed, cached_sentences(crosslingual.embed)
    try:
        sentences = crosslingual.sentence_vectors([articles[i] for i in wanted])
    finally:
        crosslingual.embed = original

    def rank(x: int, y: int) -> int:  # y's rank among x's nearest in y's language
        scores = matrix @ matrix[row_of[x]]
        cells = np.flatnonzero(langs == langs[row_of[y]])
        return 1 + int(np.sum(scores[cells] > scores[row_of[y]]))

    print("| half | Overall | one story | relation | lead cos | ranks | share | closeness "
          "| evidence | stops it |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for overall, position, a, b in sorted(listed):
        if a not in row_of or b not in row_of:
            continue
        cosine = float(matrix[row_of[a]] @ matrix[row_of[b]])
        ranks = (rank(a, b), rank(b, a))
        share = crosslingual.aligned_share(sentences[a], sentences[b])
        near = crosslingual.closeness(sentences[a], sentences[b])
        evidence = crosslingual.same_event_score(cosine, near)
        found = relations.get((a, b))
        kind = "-" if found is None else (
            f"{found.kind} {found.shared_fraction or 0.0:.2f}" if found.kind == "shared-quotes"
            else found.kind)
        if cosine < TRANSLATION_COSINE or max(ranks) > crosslingual.CANDIDATE_RANK:
            stop = "not a candidate"
        elif share >= crosslingual.SENTENCE_SHARE:
            stop = "translation"
        elif max(ranks) > crosslingual.SAME_EVENT_RANK:
            stop = "same-event rank"
        elif evidence < crosslingual.SAME_EVENT_SCORE:
            stop = "same-event evidence"
        elif found is not None and found.kind != "same-event":
            stop = f"held by {found.kind}"
        else:
            stop = "-"
        if overall >= 3.5 and stop == "not a candidate":
            continue  # unrelated pairs: only the candidates, the ones a gate decides
        same = story_of.get(a) is not None and story_of.get(a) == story_of.get(b)
        print(f"| {'choose' if position % 2 == 0 else 'report'} | {overall:.2f} | "
              f"{'yes' if same else 'no'} | {kind} | {cosine:.3f} | {ranks[0]}, {ranks[1]} | "
              f"{share:.2f} | {near:.3f} | {evidence:.3f} | {stop} |")


def translation_rows(pairs, vectors, articles) -> list[dict]:
    """Each stored translation ``(a, b)`` as the store ends (not as decided: later
    articles may have come nearer): the languages, the leads' cosine, each one's rank among
    the other's nearest leads in its language, the sentences compared on each side, the
    sentence pairs aligned in order (``crosslingual.grid_aligned``) and whether an end has
    a *rival*: a nearer lead in the partner's language that is no other article's
    translation into the end's language (``crosslingual.RIVAL_BELOW``)."""
    import numpy as np

    from newsweave.reuse import crosslingual
    from newsweave.reuse.semantic import primary_language

    if not pairs:
        return []
    lang = {i: primary_language(a.language) or "" for i, a in articles.items()}
    have = sorted(i for i in articles if i in vectors and lang[i])
    matrix = np.vstack([vectors[i] for i in have])
    column = {i: n for n, i in enumerate(have)}
    langs = np.array([lang[i] for i in have])
    partners: dict[int, set[int]] = {}
    for a, b in pairs:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    wanted = sorted({i for pair in pairs for i in pair})
    original, crosslingual.embed = crosslingual.embed, cached_sentences(crosslingual.embed)
    try:
        sentences = {}
        for start in range(0, len(wanted), 100):
            sentences.update(crosslingual.sentence_vectors(
                [articles[i] for i in wanted[start:start + 100]]))
    finally:
        crosslingual.embed = original

    def nearer(x: int, y: int) -> list[int]:  # leads of y's language nearer x than y's
        scores = matrix @ matrix[column[x]]
        cells = np.flatnonzero(langs == lang[y])
        return [have[c] for c in cells[scores[cells] > scores[column[y]]]]

    out = []
    for a, b in sorted(pairs):
        if a not in column or b not in column:
            continue
        grid = sentences[a] @ sentences[b].T
        rival = any(not any(w != x and lang[w] == lang[x] for w in partners.get(z, ()))
                    for x, y in ((a, b), (b, a)) for z in nearer(x, y))
        out.append({"pair": (a, b), "langs": (lang[a], lang[b]),
                    "cosine": float(matrix[column[a]] @ matrix[column[b]]),
                    "ranks": (1 + len(nearer(a, b)), 1 + len(nearer(b, a))),
                    "sentences": grid.shape, "aligned": crosslingual.grid_aligned(grid),
                    "share": crosslingual.grid_share(grid), "rival": rival,
                    "longer": crosslingual.grid_aligned(grid) / max(1, max(grid.shape))})
    return out


def print_rivals(rows: list[dict], true: set | None = None) -> None:
    """A summary of :func:`translation_rows`: the translations with an end's partner not
    its nearest lead, those with a rival, and their aligned sentence pairs; ``true``: the
    pairs that are translations (NTREX), counted apart."""
    groups = {"": rows} if true is None else {
        "translations ": [r for r in rows if r["pair"] in true],
        "other pairs ": [r for r in rows if r["pair"] not in true]}
    for name, found in groups.items():
        second = [r for r in found if max(r["ranks"]) > 1]
        rival = [r for r in found if r["rival"]]
        counts = sorted(r["aligned"] for r in rival)
        print(f"  stored {name}{len(found)}: an end's partner not its nearest lead "
              f"{len(second)}, with a rival (a nearer lead no other article's translation) "
              f"{len(rival)}, their sentence pairs aligned in order: "
              f"{counts[0] if counts else '-'}-{counts[-1] if counts else '-'} "
              f"(under RIVAL_BELOW: {sum(1 for c in counts if c < rival_below())})")
        # A check that the alignment covers the longer side too (not in the engine).
        thin = [r for r in found if r["longer"] < crosslingual_share()]
        print(f"    aligned pairs under the share of the *longer* side's sentences: {len(thin)}"
              f" ({sum(1 for r in thin if r['aligned'] < rival_below())} of them with "
              f"fewer than RIVAL_BELOW pairs aligned)")


def crosslingual_share() -> float:
    from newsweave.reuse import crosslingual

    return crosslingual.SENTENCE_SHARE


def rival_below() -> int:
    from newsweave.reuse import crosslingual

    return crosslingual.RIVAL_BELOW


def same_event_weight(weight: float | None = None) -> float:
    """The stories stage's link weight of a ``same-event`` relation (set it first when
    ``weight`` is given: the sweep of ``--same-event``)."""
    sys.path.insert(0, str(REPO / "src"))
    from newsweave import stories

    if weight is not None:
        stories.LINK_WEIGHTS["same-event"] = weight
    return stories.LINK_WEIGHTS["same-event"]


def rank_sweep(stored, ranks=(1, 2, 3)) -> None:
    """The rule's ceiling for candidates ``rank`` deep (each among the other's ``rank``
    nearest leads in its language, lead cosine >= the gate), with the sentence check at
    the settings in code and at most one translation per article and language: a pair
    stays when it has the best aligned share (then lead cosine) of each of its ends."""
    import numpy as np

    from newsweave.reuse import crosslingual
    from newsweave.reuse.relation import TRANSLATION_COSINE
    from newsweave.reuse.semantic import primary_language

    article_ids, vectors, language, doc_of, split, articles = stored
    have = [i for i in article_ids if i in vectors and primary_language(language.get(i))]
    matrix = np.vstack([vectors[i] for i in have])
    cosines = matrix @ matrix.T
    langs = np.array([primary_language(language.get(i)) for i in have])
    sentences = {}
    original, crosslingual.embed = crosslingual.embed, cached_sentences(crosslingual.embed)
    try:
        for start in range(0, len(have), 100):
            sentences.update(crosslingual.sentence_vectors(
                [articles[i] for i in have[start:start + 100]]))
    finally:
        crosslingual.embed = original
    print(f"candidate depth (lead gate {TRANSLATION_COSINE}, sentence floor "
          f"{crosslingual.SENTENCE_COSINE}, share {crosslingual.SENTENCE_SHARE}; one "
          f"translation per article and language):")
    for rank in ranks:
        top = {}
        for lang in sorted(set(langs)):
            cols = np.flatnonzero(langs == lang)
            top[lang] = cols[np.argsort(-cosines[:, cols], axis=1, kind="stable")[:, :rank]]
        passed = {}
        for x in range(len(have)):
            for lang, nearest in top.items():
                if lang == langs[x]:
                    continue
                for y in (int(v) for v in nearest[x]):
                    a, b = min(x, y), max(x, y)
                    if (a, b) in passed or x not in top[langs[x]][y] or cosines[x, y] < (
                            TRANSLATION_COSINE):
                        continue
                    share = crosslingual.aligned_share(sentences[have[a]], sentences[have[b]])
                    if share >= crosslingual.SENTENCE_SHARE:
                        passed[(a, b)] = (share, float(cosines[a, b]))
        best = {}
        for pair, value in passed.items():
            for end, other in ((pair[0], pair[1]), (pair[1], pair[0])):
                slot = (end, langs[other])
                if slot not in best or value > best[slot][0]:
                    best[slot] = (value, pair)
        kept = [p for p in passed if all(best[(e, langs[o])][1] == p
                                          for e, o in ((p[0], p[1]), (p[1], p[0])))]
        line = []
        for name in ("choose", "report"):
            docs = split[name]
            members = [i for i in have if doc_of[i] in docs]
            gold = sum(1 for a, b in combinations(members, 2) if doc_of[a] == doc_of[b])
            found = [(a, b) for a, b in kept
                     if doc_of[have[a]] in docs and doc_of[have[b]] in docs]
            hit = sum(1 for a, b in found if doc_of[have[a]] == doc_of[have[b]])
            line.append(f"[{name}] P {hit / max(1, len(found)):.3f} R {hit / max(1, gold):.3f} "
                        f"wrong {len(found) - hit}")
        print(f"  rank {rank}: {len(passed)} pairs pass the check; " + "; ".join(line))


def cost(count: int = 20) -> None:
    """CPU seconds to embed ``count`` NTREX texts' leads (what every article costs) and
    their compared sentences (what an article in a candidate pair costs on top), uncached;
    the process's CPU time, so other jobs on the machine inflate it less than wall time."""
    from newsweave.model import Article
    from newsweave.nlp.embed import _RECENT, embed, lead_text
    from newsweave.reuse.crosslingual import sentence_texts

    rows = load_docs()[:count]
    articles = [Article(id=i, content_hash=str(i), raw="", raw_format="text", text=r["text"],
                        source="-") for i, r in enumerate(rows)]
    embed(["warm the model up"])
    timings = {}
    for name, texts in (("leads", [lead_text(None, a.text) for a in articles]),
                        ("sentences", [s for a in articles for s in sentence_texts(a.text)])):
        _RECENT.clear()
        started = time.process_time()
        embed(texts, kind="query" if name == "sentences" else "passage")
        timings[name] = (time.process_time() - started, len(texts))
    (lead_s, leads), (sent_s, sentences) = timings["leads"], timings["sentences"]
    print(f"embedding cost, {count} texts: leads {lead_s:.1f} CPU s ({leads} texts), "
          f"sentences {sent_s:.1f} CPU s ({sentences} sentences): the sentence check costs "
          f"{sent_s / max(lead_s, 1e-9):.1f}x an article's lead embedding, per article in a "
          f"candidate pair")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-docs", type=int, default=0, help="only the first N documents")
    parser.add_argument("--semeval", action="store_true",
                        help="also SemEval-2022 task 8 cross-language pairs")
    parser.add_argument("--english", action="store_true",
                        help="the default settings: the English model on, e5 on demand")
    parser.add_argument("--grid", action="store_true",
                        help="with --semeval: every setting of the sentence check's grid")
    parser.add_argument("--save", default="",
                        help="with --semeval: pickle the candidate pairs to this file")
    parser.add_argument("--load", default="",
                        help="the grid from pairs pickled by --save (no ingest)")
    parser.add_argument("--cost", action="store_true",
                        help="only the CPU cost of the sentence check's embeddings")
    parser.add_argument("--order", default="given",
                        choices=("given", "english-first", "english-last"),
                        help="the order the versions are ingested in")
    parser.add_argument("--same-event", default="",
                        help="comma-separated link weights of a same-event relation: SemEval "
                             "(and NTREX with --ntrex) at each, nothing else")
    parser.add_argument("--ntrex", action="store_true", help="with --same-event: NTREX too")
    parser.add_argument("--diagnose", action="store_true",
                        help="with --same-event: every listed pair not scored unrelated, with "
                             "its relation, lead cosine, ranks, sentences and the gate it fails")
    parser.add_argument("--gates", default="",
                        help="with --same-event: comma-separated gates of a same-event "
                             "relation's evidence (crosslingual.SAME_EVENT_SCORE: the mean of "
                             "lead cosine and sentences' closeness)")
    parser.add_argument("--show", action="store_true",
                        help="with --same-event: each listed pair's same-event relation")
    parser.add_argument("--set", action="append", default=[],
                        help="module.NAME=value under newsweave, e.g. "
                             "reuse.crosslingual.RIVAL_BELOW=0 (as stories_languages.py)")
    args = parser.parse_args()
    if args.set:
        sys.path.insert(0, str(REPO / "src"))
        sys.path.insert(0, str(REPO / "bench"))
        from stories_languages import apply_settings

        apply_settings(args.set)
    if not DOCS.is_file():
        sys.exit(f"{DOCS} not found: the benchmarks live in ../shared beside the repository")
    if args.cost:
        cost()
        return
    if args.load:
        with open(args.load, "rb") as saved:
            keep = pickle.load(saved)
        choose_settings(keep["ntrex"], keep["semeval"], every=args.grid)
        margin_sweep(keep["ntrex"], keep["semeval"])
        rank_sweep(keep["ntrex_store"])
        return
    if args.same_event:
        from newsweave.reuse import crosslingual

        gates = [float(g) for g in args.gates.split(",")] if args.gates else [
            crosslingual.SAME_EVENT_SCORE]
        for gate in gates:
            for weight in (float(w) for w in args.same_event.split(",")):
                crosslingual.SAME_EVENT_SCORE = gate
                same_event_weight(weight)
                print(f"== same-event evidence gate {gate}, link weight {weight}")
                semeval(show=args.show, diagnose=args.diagnose)
                if args.ntrex:
                    measure(load_docs(args.limit_docs), english=args.english, order=args.order)
        return
    keep: dict = {}
    measure(load_docs(args.limit_docs), english=args.english, order=args.order,
            keep=keep if args.semeval else None)
    if args.semeval:
        semeval(keep)
        if args.save:
            with open(args.save, "wb") as out:
                pickle.dump(keep, out)
        choose_settings(keep["ntrex"], keep["semeval"], every=args.grid)
        margin_sweep(keep["ntrex"], keep["semeval"])
        rank_sweep(keep["ntrex_store"])


if __name__ == "__main__":
    main()
