"""The one decision "these two sentences report the same fact", and its score.

A logistic model over lexical features (overlap of words and stems both ways,
n-gram precision, edit-distance ratios, longest common subsequence, number and
name agreement, length ratio), optionally plus the cosine of the two
sentences' shared embeddings (:mod:`newsweave.nlp.embed`), which is what lets
a translation or a heavy rewording still align.

The weights are fitted by ``bench/msrp.py`` on the MSRP training pairs only and
written to :mod:`newsweave.crosscheck.align_weights`; the same function is what
the cross-check stage uses to group claims and what the benchmark scores.

Stable API: :func:`pair_features`, :func:`same_fact_score`, :func:`same_fact`,
:func:`score_at_least`.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from rapidfuzz import fuzz

from newsweave.crosscheck.align_weights import WEIGHTS as _SHIPPED
from newsweave.crosscheck.align_weights_minilm import CUTS as _MINILM_CUTS
from newsweave.crosscheck.align_weights_minilm import WEIGHTS as _MINILM
from newsweave.nlp.text import WORD, words

WEIGHTS: dict[str, dict[str, Any]] = {**_SHIPPED, "minilm": _MINILM}
"""Every "same fact" model by name: ``lexical`` (text features only), ``embedding`` (plus
the e5 cosine, what ``bench/msrp.py`` scores) and ``minilm`` (plus the all-MiniLM-L6-v2
cosine, fitted by ``bench/brief_claim_model.py``)."""

CLAIM_MODEL = "embedding"
"""The model a brief's claim vectors are read with by default: e5's. A story's claims come
from its English articles only, so e5's reach across languages is not used there, and the
English model ("minilm", ``brief_embeddings=2``) costs about 0.3 of e5's CPU per sentence;
but on MSRP it decides worse (accuracy 0.776 / F1 0.835 against 0.784 / 0.846), so it is
the fast choice, not the default (docs/benchmarks.md, "Brief speed, part 2")."""

COSINE_CUTS: dict[str, dict[str, float]] = {
    "embedding": {"cosine_prefilter": 0.86, "origin_cosine": 0.9},
    "minilm": dict(_MINILM_CUTS),
}
"""Per embedding model, the cosine above which a pair sharing few words is still scored
(``cosine_prefilter``) and at which a rewrite's sentence restates its source's
(``origin_cosine``): chosen for e5, carried to MiniLM at the same quantile of the MSRP
training pairs' cosines."""

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as into onto about over under
    after before than then so that this these those it its is are was were be been being
    has have had do does did will would shall should can could may might must not no
    he she they we you i his her their our your them him us me my who whom which what
    when where while also said says say told there here up out off just more most very
    s t per some any all each such only own same other
    """.split()
)
NEGATIONS = frozenset(
    "not no never none nobody nothing neither nor cannot can't won't didn't doesn't isn't "
    "wasn't weren't aren't hasn't haven't hadn't denied denies deny refused".split()
)
_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}

FEATURES: tuple[str, ...] = (
    "stem_min", "stem_max", "word_min", "word_max", "bigram_min", "bigram_max",
    "trigram_min", "bleu", "ratio", "token_sort", "token_set", "partial",
    "lcs_min", "lcs_max", "char3", "len_ratio", "len_diff", "num_same", "num_conflict",
    "num_none", "name_jaccard", "name_missing", "neg_mismatch", "unmatched_content",
    "unmatched_a", "unmatched_b", "unmatched_max", "unmatched_min", "num_diff", "name_diff",
    "quote_mismatch", "log_length", "same_first", "same_last2",
)
"""Names of the lexical features, in the order :func:`pair_features` returns them."""


def tokens(text: str) -> list[str]:
    """Lowercased word tokens ("3,200" and "U.S." stay whole): :func:`newsweave.nlp.text.words`."""
    return words(text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude English suffix stripper: enough to match "killed"/"kills"/"killing"."""
    if word in _WORD_NUMBERS:
        return str(_WORD_NUMBERS[word])
    if len(word) <= 4 or word[0].isdigit():
        return word
    for suffix in ("ational", "ization", "ations", "ation", "ments", "ment", "ness", "ingly",
                   "edly", "ing", "ies", "ied", "ed", "es", "ly", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def numbers(text: str) -> set[str]:
    """Numbers in ``text`` normalised ("3,200" and "3 200" -> "3200"; "fourteen" -> "14")."""
    found = {m.group().replace(",", "") for m in _NUMBER.finditer(re.sub(r"(\d) (\d{3})\b",
                                                                          r"\1\2", text))}
    found |= {str(_WORD_NUMBERS[t]) for t in tokens(text) if t in _WORD_NUMBERS and
              _WORD_NUMBERS[t] > 1}
    return {n.rstrip(".").lstrip("0") or "0" for n in found}


def names(text: str) -> set[str]:
    """Capitalised words that are not the first word: a cheap proxy for named entities."""
    words = WORD.findall(text)
    return {w.lower() for w in words[1:] if w[:1].isupper() and w.lower() not in STOPWORDS}


def _ngrams(words: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def _quoted(text: str) -> bool:
    return '"' in text or "“" in text


@dataclass(frozen=True, slots=True)
class _Profile:
    """What :func:`pair_features` reads of one sentence, computed once per sentence: a
    brief compares each claim sentence with many others, and the tokens, stems, n-grams,
    numbers and names of a sentence are the same in every pair it is in."""

    words: tuple[str, ...]
    word_set: frozenset[str]
    content: frozenset[str]  # stems of the words that are not stop words
    stems: tuple[str, ...]
    grams: tuple[tuple[tuple[str, ...], ...], ...]  # stem 1- to 4-grams, in order
    gram_sets: tuple[frozenset[tuple[str, ...]], ...]
    numbers: frozenset[str]
    names: frozenset[str]
    flat: str
    char3: frozenset[str]
    negated: bool
    quoted: bool
    stem_counts: Counter[str]  # how often each stem occurs: bounds a pair's common subsequence


@lru_cache(maxsize=8192)
def _profile(text: str) -> _Profile:
    wa = tokens(text)
    sa = tuple(stem(w) for w in wa)
    grams = tuple(tuple(_ngrams(sa, n)) for n in range(1, 5))
    flat = " ".join(wa)
    return _Profile(
        words=tuple(wa), word_set=frozenset(wa),
        content=frozenset(stem(w) for w in wa if w not in STOPWORDS), stems=sa,
        grams=grams, gram_sets=tuple(frozenset(g) for g in grams),
        numbers=frozenset(numbers(text)), names=frozenset(names(text)), flat=flat,
        char3=frozenset(flat[i : i + 3] for i in range(len(flat) - 2)),
        negated=any(w in NEGATIONS or w.endswith("n't") for w in wa), quoted=_quoted(text),
        stem_counts=Counter(sa),
    )


def _set_overlap(sa: frozenset[Any], sb: frozenset[Any]) -> tuple[float, float]:
    """Share of ``sa``'s items found in ``sb`` and of ``sb``'s found in ``sa``."""
    if not sa or not sb:
        return (1.0, 1.0) if not sa and not sb else (0.0, 0.0)
    common = len(sa & sb)
    return common / len(sa), common / len(sb)


def _profile_bleu(a: _Profile, b: _Profile) -> float:
    """Symmetric BLEU-like score of two profiles' stems: the geometric mean of their
    1-4-gram precisions, both ways."""
    scores = []
    for x, y in ((a, b), (b, a)):
        logs = 0.0
        for n in range(4):
            grams, other = x.grams[n], y.gram_sets[n]
            hit = sum(g in other for g in grams)
            logs += math.log((hit + 1) / (len(grams) + 1))
        scores.append(math.exp(logs / 4))
    return sum(scores) / 2


def pair_features(a: str, b: str) -> list[float]:
    """The lexical features of a sentence pair, in :data:`FEATURES` order (symmetric)."""
    pa, pb = _profile(a), _profile(b)
    matcher = SequenceMatcher(None, pa.stems, pb.stems, autojunk=False)
    lcs = sum(block.size for block in matcher.get_matching_blocks())
    return _features(pa, pb, lcs, _profile_bleu(pa, pb))


def _features(pa: _Profile, pb: _Profile, lcs: int, bleu: float) -> list[float]:
    """:func:`pair_features` of two profiles given the two features that cost most to
    compute (the stems' longest common subsequence and the BLEU-like score), so that
    :func:`score_at_least` can put bounds in their place."""
    wa, wb = pa.words, pb.words
    ca, cb = pa.content, pb.content
    stem_ab = _set_overlap(ca, cb)
    word_ab = _set_overlap(pa.word_set, pb.word_set)
    sa, sb = pa.stems, pb.stems
    big = _set_overlap(pa.gram_sets[1], pb.gram_sets[1])
    tri = _set_overlap(pa.gram_sets[2], pb.gram_sets[2])
    la, lb = max(len(sa), 1), max(len(sb), 1)
    na, nb = pa.numbers, pb.numbers
    ea, eb = pa.names, pb.names
    flat_a, flat_b = pa.flat, pb.flat
    ga, gb = pa.char3, pb.char3
    char3 = len(ga & gb) / len(ga | gb) if ga and gb else 0.0
    unmatched = len(ca ^ cb) / max(len(ca | cb), 1)
    only_a, only_b = ca - cb, cb - ca
    return [
        min(stem_ab), max(stem_ab), min(word_ab), max(word_ab), min(big), max(big),
        min(tri), bleu,
        fuzz.ratio(flat_a, flat_b) / 100, fuzz.token_sort_ratio(flat_a, flat_b) / 100,
        fuzz.token_set_ratio(flat_a, flat_b) / 100, fuzz.partial_ratio(flat_a, flat_b) / 100,
        lcs / min(la, lb), lcs / max(la, lb), char3,
        min(la, lb) / max(la, lb), math.log1p(abs(la - lb)),
        float(bool(na) and na == nb), float(bool(na and nb) and not (na & nb)),
        float(not na and not nb),
        len(ea & eb) / len(ea | eb) if ea | eb else 1.0,
        len(ea ^ eb) / max(len(ea | eb), 1),
        float(pa.negated != pb.negated), unmatched,
        # Absolute counts: two words of difference matter more in a short sentence pair.
        len(only_a), len(only_b), max(len(only_a), len(only_b)), min(len(only_a), len(only_b)),
        len(na ^ nb), len(ea ^ eb), float(pa.quoted != pb.quoted),
        math.log1p(len(wa) + len(wb)), float(wa[:1] == wb[:1]), float(wa[-2:] == wb[-2:]),
    ]


def _claim_model(model: str) -> tuple[str, int, Callable[[Sequence[str]], Any]]:
    """``(cache key, dimension, embed)`` of the "same fact" model ``model`` reads vectors
    with: MiniLM (``"minilm"``), or e5 "query" embeddings (``"embedding"``, the kind that
    model was fitted with: symmetric comparison, not search). The e5 rows keep the key
    they always had, so a store's cached rows stay valid."""
    if model == "minilm":
        from newsweave.nlp import english

        return f"{english.MODEL_NAME}:{english.MAX_TOKENS}", english.DIM, english.embed_english
    if model == "embedding":
        from newsweave.nlp import embed as e5

        return f"{e5.MODEL_NAME}:query", e5.DIM, lambda texts: e5.embed(texts, kind="query")
    raise ValueError(f"claim model {model!r}: expected 'minilm' or 'embedding'")


def embed_claims(texts: Sequence[str], *, model: str = CLAIM_MODEL) -> Any:
    """Sentence vectors for :func:`same_fact_score`'s ``cosine`` under ``model``
    ("minilm" or "embedding")."""
    return _claim_model(model)[2](texts)


def vector_key(model: str) -> str:
    """The key claim vectors of ``model`` are cached under (``claim_vectors.model``)."""
    return _claim_model(model)[0]


class VectorCache(Protocol):
    """Where :func:`cached_embedder` keeps vectors (``store.crosscheck``)."""

    def claim_vectors(self, model: str, keys: Iterable[str]) -> dict[str, Any]: ...

    def save_claim_vectors(self, model: str, vectors: Mapping[str, Any]) -> None: ...


class ClaimEmbedder:
    """:func:`embed_claims` that embeds each distinct text once, ever: vectors are looked
    up in ``cache`` by the text's SHA-1 and only the missing ones are computed (and saved).
    :attr:`model` names the "same fact" model its cosines are read with.

    Embedding is what makes a story's first brief slow (tens of sentences a second);
    reposts repeat the wire's sentences and a story's claims rarely change between briefs.
    """

    def __init__(self, cache: VectorCache, model: str = CLAIM_MODEL) -> None:
        self.cache = cache
        self.model = model
        self.key, self.dim, self._embed = _claim_model(model)

    def __call__(self, texts: Sequence[str]) -> Any:
        import numpy as np

        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        found = self.cache.claim_vectors(self.key, keys)
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if missing:
            fresh = self._embed(list(missing.values()))
            computed = dict(zip(missing, fresh, strict=True))
            self.cache.save_claim_vectors(self.key, computed)
            found.update(computed)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = found[key]
        return out


def cached_embedder(cache: VectorCache, model: str = CLAIM_MODEL) -> ClaimEmbedder:
    """A :class:`ClaimEmbedder` over ``cache`` for ``model`` ("minilm" or "embedding")."""
    return ClaimEmbedder(cache, model)


class PairCache(Protocol):
    """Where a cross-check keeps the scored claim pairs of a story (``store.crosscheck``):
    one packed set (:func:`pack_pairs`) per :func:`pairs_key`."""

    def claim_pairs(self, key: str) -> bytes | None: ...

    def save_claim_pairs(self, key: str, pairs: bytes) -> None: ...


_PAIR_ROW = [("i", "<i4"), ("j", "<i4"), ("score", "<f8")]


def code_digest(paths: Iterable[Path], seed: bytes = b"") -> str:
    """A short digest of ``seed`` and the source files at ``paths``, for keys of what the
    code computed and a store keeps: a changed file is another key. A file that cannot be
    read (a zipped install) stands as its name and newsweave's version."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha1(seed)
    for path in paths:
        if path.is_file():
            digest.update(path.read_bytes())
            continue
        try:
            release = version("newsweave")
        except PackageNotFoundError:
            release = "unknown"
        digest.update(f"{path.name}@{release}".encode())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=1)
def _scoring_code() -> str:
    """A digest of the code and weights a pair's score comes from (this module, its
    fitted weights, the cross-check's prefilter and the tokenizer), so a changed scorer
    never reads scores an older one kept."""
    from importlib.metadata import version

    from newsweave.nlp import text as text_module

    here = Path(__file__).parent
    return code_digest((Path(__file__), here / "align_weights.py",
                        here / "align_weights_minilm.py", here / "status.py",
                        Path(text_module.__file__ or "")), version("rapidfuzz").encode())


def pairs_key(model: str, texts: Sequence[str]) -> str:
    """The key of the scored pairs of ``texts`` (a story's distinct claim texts, in the
    order the cross-check reads them) under the "same fact" model ``model`` ("lexical"
    without vectors): any change of the texts, their order, the model or the scoring code
    is another key."""
    head = model if model == "lexical" else vector_key(model)
    digest = hashlib.sha1(f"{head}\n{_scoring_code()}".encode())
    for text in texts:
        digest.update(hashlib.sha1(text.encode("utf-8")).digest())
    return digest.hexdigest()


def pack_pairs(scores: Mapping[tuple[int, int], float]) -> bytes:
    """Scores of pairs of text positions as bytes (little-endian int32, int32, float64)."""
    import numpy as np

    rows = np.array([(i, j, s) for (i, j), s in sorted(scores.items())], dtype=_PAIR_ROW)
    return rows.tobytes()


def unpack_pairs(blob: bytes) -> dict[tuple[int, int], float]:
    """What :func:`pack_pairs` packed."""
    import numpy as np

    rows = np.frombuffer(blob, dtype=_PAIR_ROW)
    return {(int(i), int(j)): float(s) for i, j, s in rows.tolist()}


def _weights(cosine: float | None, model: str | None) -> str:
    if cosine is None:
        return "lexical"
    return model or "embedding"


def _logit(features: Sequence[float], cosine: float | None, model: str | None = None) -> float:
    model = WEIGHTS[_weights(cosine, model)]
    values = list(features) + ([cosine] if cosine is not None else [])
    z = float(model["bias"])
    for value, mean, scale, weight in zip(
        values, model["mean"], model["scale"], model["coef"], strict=True
    ):
        z += weight * (value - mean) / scale
    return z


def same_fact_score(a: str, b: str, *, cosine: float | None = None,
                    model: str | None = None) -> float:
    """Probability that ``a`` and ``b`` report the same fact (0..1).

    Give ``cosine`` (of the two sentences' :func:`newsweave.nlp.embed.embed`
    "query" vectors, or their MiniLM vectors with ``model="minilm"``) when you have it:
    the models fitted with it are more accurate, and e5's aligns translations that
    share few words.

    >>> a = "At least 14 people were killed when the dam gave way on Monday."
    >>> round(same_fact_score(a, "The dam gave way on Monday, killing at least 14 people."), 1)
    0.8
    >>> round(same_fact_score(a, "The prime minister will visit the region on Wednesday."), 1)
    0.2
    """
    z = _logit(_pair_features(a, b), cosine, model)
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def score_at_least(a: str, b: str, floor: float, *, cosine: float | None = None,
                   model: str | None = None) -> float | None:
    """:func:`same_fact_score` of ``a`` and ``b`` when it is ``floor`` or more, else None.

    Exact: a pair is given up only when it provably scores below ``floor``. The model is
    linear in each feature, so the logit with the two costliest features (the stems'
    longest common subsequence, a pure-Python alignment, and the BLEU-like n-gram score)
    at the ends of their ranges bounds the real one from above: the subsequence is at
    most the stems the two sentences have in common (counted with repeats), the BLEU-like
    score lies in [0, 1]. Most claim pairs of a story are unrelated sentences whose
    cosine alone puts them far below the cut, and they are never aligned.
    """
    return _score_at_least(a, b, floor, cosine, model)


@lru_cache(maxsize=65536)
def _score_at_least(a: str, b: str, floor: float, cosine: float | None,
                    model: str | None) -> float | None:
    """:func:`score_at_least`, kept: a brief read from a read-only store (``newsweave
    serve``) scores its pairs again each time, and a pair given up keeps no features in
    :func:`_pair_features`'s cache (about 0.3 KB an entry)."""
    if not 0.0 < floor < 1.0:  # no bound to prove: 0 keeps every score, 1 only a perfect one
        score = same_fact_score(a, b, cosine=cosine, model=model)
        return score if score >= floor else None
    pa, pb = _profile(a), _profile(b)
    common = sum((pa.stem_counts & pb.stem_counts).values())
    short, long = sorted((max(len(pa.stems), 1), max(len(pb.stems), 1)))
    # The logit with both at 0, plus what each adds at its best end (linear in each).
    per_unit = _PER_UNIT[_weights(cosine, model)]
    bound = (_logit(_features(pa, pb, 0, 0.0), cosine, model) + max(per_unit[_BLEU], 0.0)
             + max(common * (per_unit[_LCS_MIN] / short + per_unit[_LCS_MAX] / long), 0.0))
    # The margin covers the rounding of a sum taken in another order: never give up a
    # pair whose exact score could round to the floor.
    if bound + _MARGIN < math.log(floor / (1.0 - floor)):
        return None
    score = same_fact_score(a, b, cosine=cosine, model=model)
    return score if score >= floor else None


_MARGIN = 1e-6
_BLEU, _LCS_MIN, _LCS_MAX = (FEATURES.index(f) for f in ("bleu", "lcs_min", "lcs_max"))
_PER_UNIT = {name: [float(c) / float(s) for c, s in zip(w["coef"], w["scale"], strict=True)]
             for name, w in WEIGHTS.items()}  # logits per unit of each feature, per model


@lru_cache(maxsize=16384)
def _pair_features(a: str, b: str) -> tuple[float, ...]:
    """:func:`pair_features`, kept: a story's brief scores the same claim pairs each time
    it is made (about 1.2 KB an entry)."""
    return tuple(pair_features(a, b))


def threshold(*, embedding: bool, model: str | None = None) -> float:
    """The decision threshold fitted on the training pairs for the chosen model
    (``model`` names the embedding one: "embedding", the default, or "minilm")."""
    return float(WEIGHTS[(model or "embedding") if embedding else "lexical"]["threshold"])


def same_fact(a: str, b: str, *, cosine: float | None = None, model: str | None = None) -> bool:
    """THE decision: do ``a`` and ``b`` report the same fact?"""
    return same_fact_score(a, b, cosine=cosine, model=model) >= threshold(
        embedding=cosine is not None, model=model)


__all__ = ["CLAIM_MODEL", "COSINE_CUTS", "FEATURES", "WEIGHTS", "ClaimEmbedder", "PairCache",
           "VectorCache", "cached_embedder", "code_digest", "embed_claims", "pack_pairs",
           "pair_features", "pairs_key", "same_fact", "same_fact_score", "score_at_least",
           "threshold", "unpack_pairs", "vector_key"]
