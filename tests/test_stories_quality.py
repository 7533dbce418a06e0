"""Quality floors of the stories stage on ECB+ (the figures in docs/benchmarks.md, less a margin).

Measured: BCubed F1 0.909 with 88 stories for 86 events (`python bench/stories_ecb.py
--stories-only`); BCubed F1 0.987 between the partitions of two shuffled orders
(`python bench/stories_order.py --stories-only`). The floors sit a little below, so a change
that costs quality fails here.
"""

import json
import random
from collections import defaultdict
from pathlib import Path

from conftest import load_bench, require_shared
from newsweave.engine import Engine
from newsweave.settings import load_settings
from newsweave.store import open_store
from newsweave.stories import StoriesStage


def _bcubed_f1(pred: list[int], gold: list[str]) -> float:
    by_pred: dict[int, set[int]] = defaultdict(set)
    by_gold: dict[str, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_pred[p].add(i)
        by_gold[g].add(i)
    precision = sum(len(by_pred[p] & by_gold[g]) / len(by_pred[p])
                    for p, g in zip(pred, gold, strict=True)) / len(pred)
    recall = sum(len(by_pred[p] & by_gold[g]) / len(by_gold[g])
                 for p, g in zip(pred, gold, strict=True)) / len(pred)
    return 2 * precision * recall / (precision + recall)


def test_ecbplus_events_are_found_with_about_the_right_count(tmp_path):
    data = require_shared("benchmarks/ecbplus/docs.jsonl")
    docs = [json.loads(line) for line in data.open(encoding="utf-8")]
    source = tmp_path / "ecb.jsonl"
    source.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n"
                              for d in docs), encoding="utf-8")
    with Engine(open_store(str(tmp_path / "ecb.db")), load_settings(),
                [StoriesStage()]) as engine:
        engine.ingest([str(source)])
        by_external = {a.external_id: a.id for a in engine.articles()}
        story_of = {a: s.id for s in engine.stories() for a in s.articles}
    pred = [story_of.get(by_external.get(d["id"], -1), -1 - i) for i, d in enumerate(docs)]
    assert _bcubed_f1(pred, [d["event"] for d in docs]) >= 0.90  # measured 0.933 (#12 part 3)
    assert 73 <= len(set(pred)) <= 99  # within 15 % of the 86 events


def test_two_arrival_orders_give_nearly_the_same_partition(tmp_path):
    require_shared("benchmarks/ecbplus/docs.jsonl")
    ecb = load_bench("stories_ecb")
    docs = ecb.load()
    results = []
    for seed in (1, 2):  # as bench/stories_order.py does
        order = list(docs)
        random.Random(seed).shuffle(order)
        folder = tmp_path / str(seed)
        folder.mkdir()
        pred, _ = ecb.partition(order, {}, folder, stories_only=True)
        results.append({d["id"]: p for d, p in zip(order, pred, strict=True)})
    ids = sorted(results[0])
    _, _, f1 = ecb.bcubed([results[0][i] for i in ids], [results[1][i] for i in ids])
    assert f1 >= 0.98


def _dev(monkeypatch):
    """bench/stories_dev.py as a module (it imports its sibling stories_ecb)."""
    require_shared("benchmarks/basil/docs.jsonl")
    require_shared("benchmarks/allsides/docs.jsonl")
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    return load_bench("stories_dev")


def test_basil_events_beat_the_tfidf_baseline(monkeypatch):
    """BASIL (300 articles, 100 events, 3 outlets each), title, text and date as a feed
    gives them, through the stage: measured F1 0.964 against the baseline's 0.929
    (`python bench/stories_dev.py --sets basil`)."""
    dev = _dev(monkeypatch)
    docs = dev.load_set("basil")
    pred, _ = dev.engine_partition(docs, {})
    figures = dev.figures(pred, docs)
    assert figures["f1"] >= 0.95
    assert 85 <= figures["stories"] <= 115
    base = dev.figures(dev.baseline(docs, [0.825])[0.825], docs)
    assert figures["f1"] > base["f1"]


def test_emergent_headlines_held_out_beat_the_tfidf_baseline(monkeypatch):
    """Emergent's 524 headlines of 60 rumours (no body, no date; no setting was chosen on
    them but #12 part 16's, on the even claims), the stories stage alone without sentence
    vectors: measured F1 0.914 against the baseline's 0.894 (0.899 before a Title Case
    headline alone stopped naming its words; `python bench/stories_heldout.py
    --sets emergent`; 0.927 with `--minilm`)."""
    require_shared("benchmarks/emergent/pairs.jsonl")
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "bench"))
    dev = load_bench("stories_dev")
    held = load_bench("stories_heldout")
    docs = held.load_heldout("emergent")
    pred, _ = dev.engine_partition(docs, {})
    figures = dev.figures(pred, docs)
    assert figures["f1"] >= 0.905
    assert figures["p"] >= 0.97
    base = dev.figures(dev.baseline(docs, [0.825])[0.825], docs)
    assert figures["f1"] > base["f1"]


def test_allsides_test_split_is_not_clustered_by_topic(monkeypatch):
    """AllSides test split (921 excerpts, 307 stories): measured F1 0.837 (0.829 before the
    lead counted once after a title, #12 part 3; 0.767 before #12: names and the attach rule
    merged stories of one topic)."""
    dev = _dev(monkeypatch)
    docs = dev.load_set("allsides")
    pred, _ = dev.engine_partition(docs, {})
    assert dev.figures(pred, docs)["f1"] >= 0.82


def test_allsides_train_reports_in_a_crowd_of_their_kind_stay_apart(monkeypatch):
    """The AllSides training split (7,356 excerpts, 2,452 events: years of the same bills and
    outbreaks) clustered as a whole with the stage's word similarity: a small story within
    reach of two or more rival stories no longer attaches to the best (linkage.ATTACH_RIVALS,
    ATTACH_RUNNER_UP): measured F1 0.653 -> 0.706 (#12 part 10). ~20 CPU s."""
    from dataclasses import replace

    from newsweave.stories.assign import weights_from
    from newsweave.stories.linkage import attach_small, average_link
    from newsweave.stories.vectors import SMALL_STORY, pair_matrices

    dev = _dev(monkeypatch)
    weights = replace(weights_from(load_settings()), semantic=0.0)
    docs = dev.load_set("allsides-train")
    gold = [d["event"] for d in docs]
    sims, agree = pair_matrices(dev.stage_vectors(docs, weights), weights)
    clusters = average_link(sims, load_settings().story_threshold)
    scores = []
    for runner_up in (1.0, None):  # the rule off, then the defaults
        pred = [0] * len(docs)
        for c, rows in enumerate(attach_small(clusters, sims, agree, weights.attach,
                                              SMALL_STORY, runner_up=runner_up)):
            for i in rows:
                pred[i] = c
        scores.append(_bcubed_f1(pred, gold))
    assert scores[1] >= 0.69
    assert scores[1] >= scores[0] + 0.03
