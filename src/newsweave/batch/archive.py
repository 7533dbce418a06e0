"""An archive through clean, reuse and stories on an :class:`Executor` (``newsweave batch``).

The result is meant to be the one ``Engine.ingest`` gives on the same inputs (same article
ids, reuse pairs, provenance edges and origins; stories then run by the same stage), with
the per-article work and the pair alignment spread over the executor's workers:

1. **read and clean** (map over partitions of input files): every record is cleaned as
   ``ingest`` cleans it, without the outlet's recurring lines yet;
2. **recurring lines** (shuffle by ``(outlet, line key)``): a line in at least
   ``recurring_min_articles`` distinct articles of an outlet is boilerplate, as the store
   counts it; each article holding one is cleaned again on its worker (map);
3. **store** the articles in input order (ids as ``ingest`` gives them), in bulk;
4. **index** (map): the reuse stage's MinHash signature, band keys, sentence keys and
   attributions of every article the reuse stage has not analysed, saved in bulk;
5. **candidate join** (shuffle by LSH band key and by sentence key, then by pair): the
   number of band and sentence keys each pair of articles shares, never all pairs;
6. the reuse stage's **candidate choice** replayed batch by batch in this process (it is
   cheap, but order-dependent: an article only meets the articles indexed before or with
   it, at most ``MAX_CANDIDATES`` of them), then the chosen pairs **aligned** on the
   workers (map), then per batch the pairs, the provenance graph and the origins stored
   exactly as the stage stores them;
7. **stories** (and ``extract`` if chosen) run after, in this process, through the stage
   itself (both are order-dependent; see docs/benchmarks.md, "Archive scale").

The reuse stage runs here without embeddings (``reuse_embed`` 0): MinHash bands and shared
sentences find copies and partial copies; rewrites and translations found through the
leads' embeddings need ``ingest``/``analyze`` (the embedding candidates depend on what was
stored before each article). Input files must be readable by every worker (a shared
folder on a cluster); standard input cannot be split, so it is refused.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from newsweave.batch.executor import Executor
from newsweave.clean.stage import CleanStage
from newsweave.engine import Engine, content_hash
from newsweave.errors import InputError
from newsweave.ingest import Input, Record, expand_paths, read_input
from newsweave.model import Article, Edge, IngestReport, Rejection
from newsweave.pipeline import select_stages
from newsweave.reuse import (
    MAX_CANDIDATES,
    MIN_SHARED_SENTENCES,
    SHARED_SENTENCE_SHARE,
    Indexed,
    ReuseStage,
    bound_families,
    index_article,
    relate_pair,
    update_graph,
)
from newsweave.reuse.families import Cut, confirmed_cuts
from newsweave.reuse.index import signatures
from newsweave.reuse.origins import DERIVING
from newsweave.reuse.text import words
from newsweave.settings import Settings
from newsweave.store import read_articles
from newsweave.store.reuse import IndexEntry

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``, as ``Engine.ingest``'s."""

INDEX_PARTITION = 1000  # stored articles per index partition (read back from the store)
ALIGN_PARTITION = 500  # candidate pairs per alignment partition


@dataclass(slots=True)
class BatchResult:
    """What a batch run did: the ingest report, per-stage counts and per-phase seconds."""

    report: IngestReport
    analysed: dict[str, int] = field(default_factory=dict)
    pairs_aligned: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # with ``cpu_clock``

    def to_dict(self) -> dict[str, Any]:
        return {**self.report.to_dict(), "analysed": self.analysed,
                "pairs_aligned": self.pairs_aligned,
                "seconds": {k: round(v, 2) for k, v in self.seconds.items()}}


# -- steps 1-2: read and clean on the workers ------------------------------------


class _Lines:
    """The one store method cleaning needs: an outlet's recurring line keys."""

    def __init__(self, recurring: dict[str, frozenset[str]]) -> None:
        self._recurring = recurring

    def recurring_lines(self, outlet: str, _min_articles: int) -> frozenset[str]:
        return self._recurring.get(outlet, frozenset())


@dataclass(slots=True)
class _Doc:
    """A record cleaned on a worker: what step 2 and the store need."""

    record: Record
    digest: str
    article: Article | None  # None: rejected (``reason``)
    line_keys: dict[str, bool]
    reason: str = ""


def read_clean(settings: Settings, inputs: Sequence[Input]) -> list[_Doc | Rejection]:
    """Step 1 (map): read the partition's files and clean every record, as ingest does."""
    out: list[_Doc | Rejection] = []
    for item in inputs:
        for record in read_input(item, settings.max_bytes):
            if isinstance(record, Rejection):
                out.append(record)
                continue
            out.append(_build(settings, {}, record, content_hash(record.raw)))
    return out


def _build(settings: Settings, recurring: dict[str, frozenset[str]], record: Record,
           digest: str) -> _Doc:
    """The cleaning stage's record-to-article step, with the outlets' recurring lines
    given (counted over the archive by a shuffle) instead of read from a store."""
    try:
        built = CleanStage().build(_Lines(recurring), settings, record, digest,  # type: ignore[arg-type]
                                   None)
    except InputError as exc:
        return _Doc(record, digest, None, {}, str(exc))
    except Exception as exc:  # one bad article must not sink the batch
        return _Doc(record, digest, None, {},
                    f"could not process ({type(exc).__name__}: {exc})")
    return _Doc(record, digest, built.article, built.line_keys)


def outlet_lines(docs: list[_Doc | Rejection]) -> list[tuple[tuple[str, str], str]]:
    """Step 2's map side: ``((outlet, line key), content hash)`` of every cleaned article."""
    return [((d.article.outlet, key), d.digest) for d in docs
            if isinstance(d, _Doc) and d.article is not None and d.article.outlet
            for key in d.line_keys]


def recurring_keys(min_articles: int, key: tuple[str, str], digests: list[str]
                   ) -> list[tuple[str, str]]:
    """Step 2's reduce: the key, if distinct articles (content) reach the store's count."""
    return [key] if len(set(digests)) >= min_articles else []


def reclean(settings: Settings, recurring: dict[str, frozenset[str]],
            docs: list[_Doc | Rejection]) -> list[_Doc | Rejection]:
    """Step 2's second map: clean again the articles holding their outlet's recurring lines
    (the cleaning stage decides which, as in ingest)."""
    out: list[_Doc | Rejection] = []
    for doc in docs:
        if isinstance(doc, _Doc) and doc.article is not None and \
                recurring.get(doc.article.outlet or "", frozenset()) & doc.line_keys.keys():
            doc = _build(settings, recurring, doc.record, doc.digest)
        out.append(doc)
    return out


# -- steps 4-6: index, join, align ----------------------------------------------


def index_articles(articles: list[Article]) -> list[IndexEntry | tuple[int, str]]:
    """Step 4 (map): the reuse stage's index entry of each article (or ``(id, error)``)."""
    token_lists = [words(a.text) for a in articles]
    out: list[IndexEntry | tuple[int, str]] = []
    for article, tokens, sig in zip(articles, token_lists, signatures(token_lists),
                                    strict=True):
        try:
            out.append(index_article(article, tokens, sig)[0])
        except Exception as exc:  # as the stage: stored as the article's error
            out.append((int(article.id or 0), f"could not index: {type(exc).__name__}: {exc}"))
    return out


def key_rows(entries: list[IndexEntry | tuple[int, str]]) -> list[tuple[tuple[str, int], int]]:
    """Step 5's map side: ``(("b", band key) or ("s", sentence key), article id)``."""
    rows: list[tuple[tuple[str, int], int]] = []
    for entry in entries:
        if isinstance(entry, IndexEntry):
            rows.extend((("b", k), entry.article_id) for k in set(entry.band_keys))
            rows.extend((("s", k), entry.article_id) for k in set(entry.sentence_keys))
    return rows


def bucket_pairs(key: tuple[str, int], ids: list[int]) -> list[tuple[tuple[int, int], str]]:
    """Step 5's first reduce: every pair in a bucket, keyed by the pair, valued by the kind
    of key they share (the stage's index offers all of them too)."""
    members = sorted(set(ids))
    return [((a, b), key[0]) for n, a in enumerate(members) for b in members[n + 1:]]


def shared_counts(pair: tuple[int, int], kinds: list[str]
                  ) -> list[tuple[tuple[int, int], int, int]]:
    """Step 5's second reduce: how many band keys and sentence keys a pair shares."""
    return [(pair, kinds.count("b"), kinds.count("s"))]


def align_pairs(items: list[tuple[int, int, Article, list, Article, list]]
                ) -> list[tuple[int, int, Edge | None]]:
    """Step 6 (map): the reuse stage's relation of each chosen pair, the article whose
    candidate it was first (``relate_pair`` is not symmetric in its reasons)."""
    out: list[tuple[int, int, Edge | None]] = []
    for batch, seq, a, a_attr, b, b_attr in items:
        try:
            edge = relate_pair(Indexed(a, a_attr), Indexed(b, b_attr))
        except Exception:  # as the stage: a pair that cannot be aligned is skipped
            log.exception("batch: could not align %s with %s", a.id, b.id)
            edge = None
        out.append((batch, seq, edge))
    return out


def choose_candidates(entry: IndexEntry, band: dict[int, int], sentences: dict[int, int],
                      lengths: dict[int, int]) -> list[int]:
    """The reuse stage's ``_candidates`` for one article, from the join's counts
    (``band``/``sentences``: other article -> keys shared, among those indexed so far)."""
    weight: dict[int, float] = {o: 1.0 + shared for o, shared in band.items()}
    own = len(set(entry.sentence_keys))
    found = set(weight)
    unsure = {o for o, shared in sentences.items() if o not in found
              and MIN_SHARED_SENTENCES <= shared < SHARED_SENTENCE_SHARE * own}
    for other, shared in sentences.items():
        shorter = min(own, lengths.get(other, own) if other in unsure else own)
        if other in found or (shared >= MIN_SHARED_SENTENCES
                              and shared >= SHARED_SENTENCE_SHARE * shorter):
            weight[other] = weight.get(other, 0.0) + 1.0 + shared
    weight.pop(entry.article_id, None)
    return sorted(weight, key=lambda i: (-weight[i], i))[:MAX_CANDIDATES]


# -- the whole run ----------------------------------------------------------------


def run_batch(engine: Engine, paths: Iterable[str], executor: Executor, *,
              stages: Sequence[str] | None = None, files_per_partition: int = 1,
              progress: Progress | None = None,
              cpu_clock: Callable[[], float] | None = None) -> BatchResult:
    """Ingest ``paths`` through ``executor`` (see the module doc); ``stages`` as in
    :meth:`Engine.ingest` (default: clean, reuse, stories; extract when named).
    ``result.seconds`` holds each phase's wall seconds; with ``cpu_clock`` (CPU seconds
    used so far, e.g. of this process and the workers) ``result.cpu_seconds`` too."""
    names = list(stages) if stages is not None else ["clean", "reuse", "stories"]
    chosen = [s.name for s in select_stages(engine.stages, names)]
    settings = engine.settings  # the reuse work below computes no embeddings, whatever it says
    result = BatchResult(IngestReport())
    report = result.report
    clock = time.perf_counter()
    cpu = cpu_clock() if cpu_clock else 0.0

    def lap(name: str) -> None:
        nonlocal clock, cpu
        now = time.perf_counter()
        result.seconds[name] = result.seconds.get(name, 0.0) + now - clock
        clock = now
        if cpu_clock is not None:
            used = cpu_clock()
            result.cpu_seconds[name] = result.cpu_seconds.get(name, 0.0) + used - cpu
            cpu = used

    inputs: list[Input] = []
    for item in expand_paths(paths):
        if isinstance(item, Rejection):
            report.rejected.append(item)
        elif item.path is None:
            report.rejected.append(Rejection(item.source, "standard input cannot be split "
                                             "over workers: give files (newsweave ingest "
                                             "reads standard input)"))
        else:
            inputs.append(item)
    size = max(1, files_per_partition)
    groups = [inputs[i:i + size] for i in range(0, len(inputs), size)]
    docs = executor.map_partitions(partial(read_clean, settings), groups)
    counted = executor.shuffle(executor.map_partitions(outlet_lines, docs),
                               partial(recurring_keys, settings.recurring_min_articles))
    recurring: dict[str, set[str]] = {}
    for outlet, key in executor.collect(counted):
        recurring.setdefault(outlet, set()).add(key)
    for outlet in recurring:  # lines the store already counts as boilerplate
        recurring[outlet] |= engine.store.recurring_lines(outlet,
                                                         settings.recurring_min_articles)
    frozen = {o: frozenset(k) for o, k in recurring.items()}
    docs = executor.map_partitions(partial(reclean, settings, frozen), docs)
    lap("read_clean")
    _store(engine, executor, docs, report, progress, len(groups))
    lap("store")
    if "reuse" in chosen:
        result.pairs_aligned = _reuse(engine, executor, result, lap, progress)
    rest = [n for n in chosen if n != "reuse"]
    if rest:
        result.analysed.update(engine.analyze(progress=progress, stages=rest))
        lap("stories" if rest == ["stories"] else "+".join(rest))
    return result


def _store(engine: Engine, executor: Executor, docs: Sequence[Any], report: IngestReport,
           progress: Progress | None, total: int) -> None:
    """Step 3: the articles into the store in input order, a partition at a time."""
    seen: dict[str, int | None] = {}
    outlets: set[str] = set()
    size = max(1, engine.settings.batch_size)
    for done, part in enumerate(docs, start=1):
        fresh: list[_Doc] = []
        for doc in executor.collect([part]):
            if isinstance(doc, Rejection):
                report.rejected.append(doc)
            elif doc.article is None:
                report.rejected.append(Rejection(doc.record.source, doc.reason))
            elif doc.digest in seen:
                continue  # the same content twice is one article
            else:
                seen[doc.digest] = None
                fresh.append(doc)
        for start in range(0, len(fresh), size):
            chunk = fresh[start:start + size]
            stored = engine.store.insert_new_articles([d.article for d in chunk],  # type: ignore[misc]
                                                      [d.line_keys for d in chunk])
            report.new.extend(i for i, new in stored if new)
            report.known.extend(i for i, new in stored if not new)
            outlets.update(d.article.outlet for d in chunk if d.article and d.article.outlet)
        if progress is not None:
            progress("read", done, total)
    # Stored articles of these outlets whose lines became boilerplate now (as ingest does).
    CleanStage().remove_recurring_lines(engine.store, engine.settings, outlets)


def _reuse(engine: Engine, executor: Executor, result: BatchResult,
           lap: Callable[[str], None], progress: Progress | None) -> int:
    """Steps 4-6 on every article the reuse stage has not analysed; returns pairs aligned."""
    store, stage = engine.store, ReuseStage()
    pending = store.pending(stage.name, stage.version)
    if not pending:
        return 0
    pending_set = set(pending)
    parts = [read_articles(store, pending[s:s + INDEX_PARTITION])
             for s in range(0, len(pending), INDEX_PARTITION)]
    indexed = executor.map_partitions(index_articles, parts)
    del parts
    entries: dict[int, IndexEntry] = {}
    failed: dict[int, str] = {}
    orphans: set[int] = set()  # partners of re-indexed articles (their pairs were dropped)
    for part in indexed:
        found = list(executor.collect([part]))
        good = [e for e in found if isinstance(e, IndexEntry)]
        failed.update(e for e in found if not isinstance(e, IndexEntry))
        orphans |= store.reuse.save_index(good)
        entries.update((e.article_id, e) for e in good)
    lap("index")
    counts = executor.shuffle(executor.shuffle(executor.map_partitions(key_rows, indexed),
                                               bucket_pairs), shared_counts)
    band: dict[int, dict[int, int]] = {}
    sentences: dict[int, dict[int, int]] = {}
    for (a, b), shared_bands, shared_sentences in executor.collect(counts):
        for x, y in ((a, b), (b, a)):
            if shared_bands:
                band.setdefault(x, {})[y] = shared_bands
            if shared_sentences:
                sentences.setdefault(x, {})[y] = shared_sentences
    if len(pending_set) < store.count_articles():
        _add_stored_partners(store, entries, pending_set, band, sentences)
    lap("join")
    # Step 6: the stage's batches, in its order; an article meets those indexed by then.
    size = max(1, engine.settings.batch_size)
    batches = [pending[s:s + size] for s in range(0, len(pending), size)]
    batch_of = {i: n for n, ids in enumerate(batches) for i in ids}
    lengths = {i: len(set(e.sentence_keys)) for i, e in entries.items()}
    older = {o for found in sentences.values() for o in found if o not in lengths}
    if older:  # partners the stage analysed in an earlier run
        lengths.update(store.reuse.sentence_counts(older))
    # Each batch's candidates are chosen once the batches before it are stored: the stage
    # cuts a copy family to a few members by the origins stored so far (reuse/families.py).
    aligned = 0
    for n, ids in enumerate(batches):
        done: set[tuple[int, int]] = set()
        ranked: dict[int, list[int]] = {}
        for article_id in ids:
            entry = entries.get(article_id)
            if entry is None:
                continue

            def seen(other: int, n: int = n) -> bool:
                return batch_of.get(other, -1) <= n  # stored earlier, or in this batch
            mine_b = {o: c for o, c in band.get(article_id, {}).items() if seen(o)}
            mine_s = {o: c for o, c in sentences.get(article_id, {}).items() if seen(o)}
            ranked[article_id] = choose_candidates(entry, mine_b, mine_s, lengths)
        sides: dict[int, Indexed] = {}
        cuts: dict[int, list[Cut]] = {}
        if ranked:
            found = store.reuse.attributions(sorted(ranked))
            sides = {i: Indexed(a, found.get(i, []))
                     for i, a in store.get_articles(sorted(ranked)).items()}
            ranked, cuts = bound_families(store, sides, ranked, {}, {})
        chosen = _choose(n, ranked, done, 0)
        edges = _align(store, executor, chosen)
        if cuts:  # as the stage: a family cut where the article is none of its copies
            firsts = {seq: a for _, seq, a, _ in chosen}
            deriving = {(firsts[seq], e.source if e.derived == firsts[seq] else e.derived)
                        for seq, e in edges if e.kind in DERIVING}
            more = _choose(n, {a: confirmed_cuts(a, c, deriving) for a, c in cuts.items()},
                           done, len(chosen))
            edges += _align(store, executor, more)
            chosen += more
        aligned += len(chosen)
        lap("align")
        with store.transaction():
            store.reuse.save_pairs([e for _, e in sorted(edges, key=lambda x: x[0])])
            touched = {i for i in ids if i in entries} | (orphans if n == 0 else set())
            update_graph(store, sorted(touched))
            batch_failed = {i: failed[i] for i in ids if i in failed}
            store.mark_done(stage.name, [i for i in ids if i not in batch_failed],
                            stage.version)
            if batch_failed:
                store.record_errors(stage.name, stage.version, batch_failed)
        if progress is not None:
            progress("reuse", min(len(pending), (n + 1) * size), len(pending))
        lap("graph")
    result.analysed["reuse"] = len(pending)
    return aligned


def _choose(n: int, ranked: dict[int, list[int]], done: set[tuple[int, int]], seq: int
            ) -> list[tuple[int, int, int, int]]:
    """Batch ``n``'s pairs to align, (batch, seq, article, candidate), each pair once
    (``done``), numbered on from ``seq`` in the stage's order."""
    chosen: list[tuple[int, int, int, int]] = []
    for article_id, candidates in ranked.items():
        for other in candidates:
            key = (min(article_id, other), max(article_id, other))
            if key not in done:
                done.add(key)
                chosen.append((n, seq + len(chosen), article_id, other))
    return chosen


def _align(store: Any, executor: Executor, chosen: list[tuple[int, int, int, int]]
           ) -> list[tuple[int, Edge]]:
    """One batch's chosen pairs aligned on the workers (map): (seq, edge) of each related."""
    needed = sorted({i for _, _, a, b in chosen for i in (a, b)})
    attributions = store.reuse.attributions(needed) if needed else {}
    articles = store.get_articles(needed) if needed else {}  # each read once, not per pair
    items = []
    for start in range(0, len(chosen), ALIGN_PARTITION):
        part = []
        for n, seq, a, b in chosen[start:start + ALIGN_PARTITION]:
            first, second = articles.get(a), articles.get(b)
            if first is not None and second is not None:
                part.append((n, seq, first, attributions.get(a, []), second,
                             attributions.get(b, [])))
        items.append(part)
    if not items:
        return []
    return [(seq, edge) for _, seq, edge in executor.collect(
        executor.map_partitions(align_pairs, items)) if edge is not None]


def _add_stored_partners(store: Any, entries: dict[int, IndexEntry], pending: set[int],
                         band: dict[int, dict[int, int]],
                         sentences: dict[int, dict[int, int]]) -> None:
    """Partners already analysed by the reuse stage (a store that held articles before):
    looked up in the store's index, as the stage looks them up."""
    for article_id, entry in entries.items():
        for table, found in ((band, store.reuse.band_matches(entry.band_keys)),
                             (sentences, store.reuse.sentence_matches(entry.sentence_keys))):
            for other, shared in found.items():
                if other not in pending:
                    table.setdefault(article_id, {})[other] = shared


__all__ = ["BatchResult", "run_batch"]
