"""spaCy loading for the extraction stage: one model, loaded once, only the pipes needed.

The English ``en_core_web_sm`` pipeline's NER has its own embedding layer, so
entity recognition runs with ``ner`` alone (the shared ``tok2vec``, tagger and
parser are skipped). The parser is only run on the sentences that may carry
an attribution (a quote mark or a speech verb: about three quarters of a news
text), up to a budget per article.

The model's matrix products go through numpy's BLAS (OpenBLAS, pinned to one
thread per process) instead of thinc's default blis: the same results, and
about 30 % less CPU on the x86 machines measured (docs/benchmarks.md).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
import types
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from newsweave.extract.entities import Mention, find_mentions, name_windows
from newsweave.extract.quotes import Found, find_attributions_many
from newsweave.nlp.blas import one_blas_thread
from newsweave.nlp.spacy_model import load_spacy

_NER_PIPES = ("ner",)
_PARSE_PIPES = ("tok2vec", "tagger", "parser")
# Below this many texts a second process costs more to start than it saves.
MIN_PER_PROCESS = 24


def load_model() -> Any:
    """The spaCy pipeline (loaded once per process); a clear error if it is not installed.
    The lemmatizer and senter are never used here: cue verbs are matched by form."""
    return load_spacy(("lemmatizer", "senter"))


def processes_for(count: int, workers: int) -> int:
    """How many processes to use for ``count`` texts with at most ``workers`` processes."""
    if workers <= 1:
        return 1
    return max(1, min(workers, count // MIN_PER_PROCESS, os.cpu_count() or 1))


@dataclass(frozen=True, slots=True)
class Ent:
    """A named-entity span as spaCy gives it (``doc.ents``), small enough to pass between
    processes."""

    text: str
    label_: str
    start_char: int
    end_char: int


Analysis = tuple[list[Mention], list[Found]]


def analyse(texts: Sequence[str], *, workers: int = 1) -> list[Analysis]:
    """Entity mentions and attributions of each text, in a pool of worker processes when
    there are enough texts to pay for it (the pool is started once and kept)."""
    return submit(texts, workers=workers).result()


class Job:
    """The analyses of a list of texts, under way in the worker pool or still to be done in
    this process; :meth:`result` waits for them."""

    def __init__(self, texts: Sequence[str], futures: Sequence[Future[list[Analysis]]] = ()):
        self._texts = texts
        self._futures = futures

    def result(self) -> list[Analysis]:
        if not self._futures:
            return analyse_here(self._texts)
        try:
            parts = [future.result() for future in self._futures]
        except BrokenProcessPool:  # a worker died (memory?): finish in this process
            _shutdown()
            return analyse_here(self._texts)
        return [item for part in parts for item in part]


class _JoinedJob(Job):
    """A :class:`Job` whose texts were partly started ahead (:func:`start_ahead`): those
    analyses are taken from their futures, the rest from a job of their own."""

    def __init__(self, texts: Sequence[str], ahead: dict[int, tuple[Future[list[Analysis]], int]],
                 rest: Job) -> None:
        super().__init__(texts)
        self._ahead = ahead
        self._rest = rest

    def result(self) -> list[Analysis]:
        rest = iter(self._rest.result())
        out: list[Analysis] = []
        for k, text in enumerate(self._texts):
            if k not in self._ahead:
                out.append(next(rest))
                continue
            future, index = self._ahead[k]
            try:
                out.append(future.result()[index])
            except CancelledError:  # dropped meanwhile (drop_ahead): analysed here
                out.append(analyse_here([text])[0])
            except BrokenProcessPool:  # a worker died: this text is analysed here
                _shutdown()
                out.append(analyse_here([text])[0])
        return out


# Analyses started before the stage asked for them (:func:`start_ahead`), by text: the
# future of the part a text went in, and its place there. A text's analysis depends on
# the text alone, so whichever part it was analysed in gives the same result.
_AHEAD: dict[str, tuple[Future[list[Analysis]], int]] = {}
MAX_AHEAD = 2000  # texts analysed ahead and not yet taken: a bound on the results held


def start_ahead(texts: Sequence[str], *, workers: int) -> int:
    """Start analysing ``texts`` in the worker pool now, before the stage asks for them
    (while this process reads and embeds, the workers would otherwise wait): a later
    :func:`submit` of the same texts takes these analyses instead of starting its own.
    Only where the pool pays (the stage would start it for this many texts, or it runs
    already) and up to :data:`MAX_AHEAD` texts held; returns how many were started.
    Nothing is stored: a text never asked for again is dropped by :func:`drop_ahead`."""
    new = [t for t in dict.fromkeys(texts) if t not in _AHEAD]
    new = new[: max(0, MAX_AHEAD - len(_AHEAD))]
    if not new or workers <= 1:
        return 0
    n_process = _pool_size(len(new), workers)
    parts = _start_parts(new, n_process) if n_process > 1 else None
    if parts is None:
        return 0
    for part, future in parts:
        _AHEAD.update((text, (future, k)) for k, text in enumerate(part))
    return len(new)


def warm(count: int, *, workers: int) -> None:
    """Start the worker pool now (each worker loads the model as it starts) if ``count``
    texts would start it, so the loading overlaps this process's own work."""
    n_process = processes_for(count, workers)
    if _POOL is not None or n_process <= 1:
        return
    pool = _pool(n_process)
    try:
        with _main_hidden():
            for _ in range(n_process):  # a worker is started for each task waiting
                pool.submit(_ready)
    except BrokenProcessPool:
        _shutdown()


def _ready() -> None:
    """A task that only makes a worker start (and load the model, its initializer)."""


def drop_ahead() -> None:
    """Forget the analyses started ahead and not taken (those not started are cancelled)."""
    futures = {id(f): f for f, _ in _AHEAD.values()}
    _AHEAD.clear()
    for future in futures.values():
        future.cancel()


def submit(texts: Sequence[str], *, workers: int = 1) -> Job:
    """Start analysing ``texts`` in the worker pool (when there are enough of them to pay
    for it) and return at once; with one process the work is done by ``result()``.
    Texts started ahead (:func:`start_ahead`) are not analysed again."""
    if _AHEAD:
        ahead = {k: _AHEAD[t] for k, t in enumerate(texts) if t in _AHEAD}
        if ahead:
            for k in ahead:
                _AHEAD.pop(texts[k], None)
            rest = _submit([t for k, t in enumerate(texts) if k not in ahead], workers)
            return _JoinedJob(texts, ahead, rest)
    return _submit(texts, workers)


def _submit(texts: Sequence[str], workers: int) -> Job:
    n_process = _pool_size(len(texts), workers)
    parts = _start_parts(texts, n_process) if n_process > 1 else None
    return Job(texts) if parts is None else Job(texts, [future for _, future in parts])


def _pool_size(count: int, workers: int) -> int:
    """Worker processes to analyse ``count`` texts with: a running pool is used, and kept
    (resizing drops its work)."""
    if _POOL is not None and workers > 1 and count:
        return _POOL[0]
    return processes_for(count, workers)


def _start_parts(texts: Sequence[str], n_process: int
                 ) -> list[tuple[list[str], Future[list[Analysis]]]] | None:
    """``texts`` cut into two parts a process, each started in the pool; None when the
    pool broke (then the texts are analysed in this process)."""
    size = -(-len(texts) // (n_process * 2))
    pool = _pool(n_process)
    try:
        with _main_hidden():  # workers start inside submit()
            return [(part, pool.submit(analyse_here, part))
                    for part in (list(texts[i : i + size]) for i in range(0, len(texts), size))]
    except BrokenProcessPool:
        _shutdown()  # (which also forgets what was started ahead)
        return None


def analyse_here(texts: Sequence[str]) -> list[Analysis]:
    """:func:`analyse` in this process."""
    if not texts:
        return []  # (and no model loaded for nothing)
    windows = [(k, offset, window) for k, text in enumerate(texts)
               for offset, window in name_windows(text)]
    ents: list[list[Ent]] = [[] for _ in texts]
    with one_blas_thread():
        for (k, offset, _), found_here in zip(
                windows, _recognised([w for _, _, w in windows]), strict=True):
            ents[k] += [Ent(name, label, start + offset, end + offset)
                        for name, label, start, end in found_here]
        found = find_attributions_many(texts, _distinct(parse))
    # Mentions are cleaned here too, not in the stage's main process: that process has the
    # resolution to do, and the last batch's resolution is time nothing else overlaps.
    mentions = [find_mentions(text, these) for text, these in zip(texts, ents, strict=True)]
    return list(zip(mentions, found, strict=True))


# Entities of the name windows this process recognised lately, relative to the window
# (text, label, start, end), newest last. A window's entities depend on its text alone
# (as everything started ahead assumes), and an archive repeats windows: a wire copy
# carries its original's sentences, a partial copy some of them, an outlet its recurring
# lines. On a generated archive about a fifth of the windows a worker sees were seen
# already (docs/benchmarks.md, archive scale part 18). The bound keeps about 15 MB.
_RECOGNISED: OrderedDict[str, tuple[tuple[str, str, int, int], ...]] = OrderedDict()
MAX_RECOGNISED = 30_000


def _recognised(windows: Sequence[str]) -> list[tuple[tuple[str, str, int, int], ...]]:
    """The entities of each of ``windows``, recognising only those not recognised lately
    (each distinct one once)."""
    distinct = dict.fromkeys(windows)
    known = {w: _RECOGNISED[w] for w in distinct if w in _RECOGNISED}
    missing = [w for w in distinct if w not in known]
    for window, doc in zip(missing, recognise(missing), strict=True):
        known[window] = tuple((e.text, e.label_, e.start_char, e.end_char) for e in doc.ents)
    for window, found in known.items():
        _RECOGNISED[window] = found
        _RECOGNISED.move_to_end(window)
    while len(_RECOGNISED) > MAX_RECOGNISED:
        _RECOGNISED.popitem(last=False)
    return [known[w] for w in windows]


def _distinct(pipe: Callable[[Sequence[str]], Iterator[Any]]
              ) -> Callable[[Sequence[str]], Iterator[Any]]:
    """``pipe`` (texts in, one doc each out) run once per distinct text: a repeated text
    gets the doc of its first occurrence again (the readers only read it), held from its
    first occurrence to its last, so the docs still stream."""
    def run(texts: Sequence[str]) -> Iterator[Any]:
        last = {text: i for i, text in enumerate(texts)}
        fresh = iter(pipe(list(dict.fromkeys(texts))))
        held: dict[str, Any] = {}
        for i, text in enumerate(texts):
            doc = held.pop(text) if text in held else next(fresh)  # (first seen: the next)
            if last[text] > i:
                held[text] = doc
            yield doc
    return run


_POOL: tuple[int, ProcessPoolExecutor] | None = None


def _pool(size: int) -> ProcessPoolExecutor:
    global _POOL
    if _POOL is None or _POOL[0] != size:
        _shutdown()
        # spawn, not fork: the process may hold threads (embedding models, BLAS) that a
        # forked child would inherit in a locked state.
        executor = ProcessPoolExecutor(size, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=load_model)
        _POOL = (size, executor)
        atexit.register(_shutdown)
    return _POOL[1]


@contextmanager
def _main_hidden() -> Iterator[None]:
    """While worker processes start, the parent's ``__main__`` is an empty module.

    A spawned worker imports the parent's main script before it runs anything
    (``multiprocessing`` re-creates it to unpickle functions defined there); a
    user's script without an ``if __name__ == "__main__":`` guard would run
    again in every worker, ingest included. The workers run only functions of
    this module, so they need nothing from ``__main__``: without a file or a
    module name to import, they import nothing.
    """
    real = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if real is not None:
            sys.modules["__main__"] = real


def _shutdown() -> None:
    global _POOL
    _AHEAD.clear()  # their futures die with the pool
    if _POOL is not None:
        _POOL[1].shutdown(cancel_futures=True)
        _POOL = None


def recognise(texts: Sequence[str], *, workers: int = 1) -> Iterator[Any]:
    """spaCy docs with named entities (``doc.ents``) for ``texts`` (name windows: a few
    dozen words each), in order."""
    # Measured on windows: batches of 64 and 256 cost the same, 16 costs 10 % more.
    yield from _pipe(texts, _NER_PIPES, workers, batch_size=64)


def parse(texts: Sequence[str], *, workers: int = 1) -> Iterator[Any]:
    """spaCy docs with POS tags and a dependency parse (no entities) for ``texts``."""
    yield from _pipe(texts, _PARSE_PIPES, workers, batch_size=64)


def _pipe(
    texts: Sequence[str], pipes: Iterable[str], workers: int, batch_size: int
) -> Iterator[Any]:
    nlp = load_model()
    wanted = [p for p in pipes if p in nlp.pipe_names]
    n_process = processes_for(len(texts), workers)
    with nlp.select_pipes(enable=wanted):
        yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
