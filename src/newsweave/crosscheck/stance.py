"""Stance of a text toward a claim: supports, contradicts, discusses or unrelated.

Two decisions, each a small logistic model over signals any news text has:

1. **Related or not.** How much of the claim's content (its content-word stems,
   names and adjacent word pairs) the text holds, in the whole body, its opening
   and its best sentences, and the cross-check's own "same fact" score
   (:func:`newsweave.crosscheck.align.same_fact_score`) of the claim and the best
   passage; one model for bodies and one for short texts (:data:`SHORT_SENTENCES`).
   Where these leave it in doubt (:data:`EMBED_BAND`), the English sentence model's
   cosines of the claim with the best and the opening sentence refine it
   (:func:`refined_probability`; word signals alone without the model).
2. **How the related text holds it.** The evidence passages are the
   :data:`EVIDENCE` sentences that hold most of the claim, each read in a
   headline-sized window where the claim's words are densest (:data:`WINDOW`):
   refuting, hedging and confirming cues (:mod:`.stance_cues`), negation against
   the claim's, a question, an attribution cue (:func:`newsweave.extract.cues.
   has_cue`), coverage and alignment, for the best passage and any of them, and
   the share of the body's sentences with each cue. A three-class logistic model
   reads them. A different number where the claim gives one contradicts
   (:func:`_number_conflict`).

Everything is fitted by ``bench/stance.py --fit`` into :mod:`.stance_weights`, on
one part of a body-level four-class dev set (settings chosen by cross-validation
grouped by claim or event inside it) and reported on the other part.

A body is analysed once (:func:`analyse_body`) and can then be scored against
any number of claims (:func:`stance_of`), which is what the batch command does
when the same article recurs across lines.

Stable API: :data:`STANCES`, :func:`analyse_body`, :func:`analyse_claim`,
:func:`stance`, :func:`stance_of`, :func:`stance_many`, :func:`stance_features`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from newsweave.crosscheck.align import STOPWORDS, names, numbers, same_fact_score, stem, tokens
from newsweave.crosscheck.stance_cues import cue_counts, negated
from newsweave.crosscheck.stance_weights import WEIGHTS
from newsweave.extract.cues import has_cue
from newsweave.model import StanceResult
from newsweave.nlp.sentences import split_sentences

STANCES = ("supports", "contradicts", "discusses", "unrelated")
"""The four answers, in the order the JSON output and the benchmark use."""
CLASSES = ("supports", "contradicts", "discusses")
"""What the second model chooses among (a related text)."""

EVIDENCE = 3  # sentences read as the evidence for a claim
NEG_SCOPE = 3  # words before a claim's word where a negator negates it
WINDOW = 6  # words either side of the claim's words where a cue bears on the claim
MAX_SENTENCES = 120  # a body's sentences analysed: the rest of a very long text adds little
CONFLICT_SHARE = 0.5  # of the claim's other words a sentence must hold for a number to conflict
_EMBED_CHARS = 128  # of a sentence embedded: where a news sentence says what it is about
_MAX_ALIGN_CHARS = 600  # a run-on "sentence" (a list, a table) is cut before alignment

RELATED_FEATURES = (
    "cov_body", "cov_best", "cov_top", "align_best", "cov_lead", "names_body", "pairs_body",
)
SHORT_SENTENCES = 2  # a text this short is read as a headline (its own related model)
EMBED_BAND = (0.05, 0.95)  # word-signal related probabilities where the sentence model is asked
EMBED_FEATURES = ("lexical", "cos_best", "cos_lead", "short")
LEAD = 3  # the opening sentences, where a news text says what it is about
PASSAGE_FEATURES = (
    "cov", "align", "refute", "hedge", "confirm", "neg_claim", "neg", "neg_mismatch",
    "question", "attributed", "hedge_claim", "refute_claim",
)
"""What one evidence passage (a window of a sentence around the claim's words) shows.
:func:`passage_features` also reads a negator that governs one of the claim's words
("neg_near", "neg_near_mismatch"); measured, not in the model: it brought same-event BASIL
bodies called "contradicts" from 15 % to 9 % but took Emergent below its floor (see
docs/benchmarks.md)."""
STANCE_FEATURES = (
    *PASSAGE_FEATURES, "top_refute", "top_hedge", "top_confirm", "top_question",
    "body_refute", "body_hedge", "body_confirm", "body_question", "short",
)
"""What the three-class model reads: the best passage's features, the cues of any
evidence passage, and how much of the whole body refutes, hedges, confirms or asks."""


@dataclass(frozen=True, slots=True)
class _Sentence:
    start: int
    end: int
    text: str
    words: tuple[str, ...]
    word_stems: tuple[str, ...]
    stems: frozenset[str]
    question: bool
    cues: tuple[int, int, int]  # refuting, hedging, confirming cues in the whole sentence


@dataclass(frozen=True, slots=True)
class _Window:
    """The part of an evidence sentence around the claim's words, and the cues in it."""

    refute: int
    hedge: int
    confirm: int
    negated: bool
    negates_claim: bool  # a negator just before one of the claim's words
    numbers: frozenset[str]
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BodyView:
    """A text analysed once for stance: its sentences with their stems and cues."""

    text: str
    sentences: tuple[_Sentence, ...]
    stems: frozenset[str]
    lead: frozenset[str]  # stems of the opening sentences
    pairs: frozenset[tuple[str, str]]  # adjacent content stems, in reading order
    cue_shares: tuple[float, float, float, float]  # sentences refuting, hedging, confirming, asking
    vectors: dict[int, Any] = field(default_factory=dict, compare=False)  # sentence -> vector


@dataclass(frozen=True, slots=True)
class ClaimView:
    """A claim analysed once: its content stems, negation and cues."""

    text: str
    stems: frozenset[str]
    negated: bool
    refute: int
    hedge: int
    numbers: frozenset[str]
    words: tuple[str, ...]
    names: frozenset[str]  # stems of the capitalised words past the first
    pairs: frozenset[tuple[str, str]]
    vectors: dict[int, Any] = field(default_factory=dict, compare=False)  # 0 -> the claim's


def _content_pairs(words: Sequence[str]) -> frozenset[tuple[str, str]]:
    content = [stem(w) for w in words if w not in STOPWORDS and len(w) > 1]
    return frozenset(pairwise(content))


def _content_stems(words: list[str]) -> frozenset[str]:
    return frozenset(stem(w) for w in words if w not in STOPWORDS and len(w) > 1)


def analyse_claim(claim: str) -> ClaimView:
    """The parts of a claim that stance reads (raises ValueError for an empty claim)."""
    words = tokens(claim)
    if not words:
        raise ValueError("the claim is empty: give the statement to check as text")
    refute, hedge, _ = cue_counts(words)
    # A headline in title case capitalises every word: then no word is marked as a name.
    capitalised = names(claim)
    if len(capitalised) >= 0.8 * len([w for w in words if w not in STOPWORDS]):
        capitalised = set()
    return ClaimView(claim, _content_stems(words), negated(words), refute, hedge,
                     frozenset(numbers(claim)), tuple(words),
                     frozenset(stem(w) for w in capitalised), _content_pairs(words))


def analyse_body(text: str) -> BodyView:
    """Split ``text`` into sentences and read each one's stems and cues (once per body)."""
    sentences = []
    pairs: set[tuple[str, str]] = set()
    for piece in split_sentences(text)[:MAX_SENTENCES]:
        words = tokens(piece.text)
        if not words:
            continue
        stems = tuple(map(stem, words))
        # the content stems in reading order: the sentence's stems and its word pairs (as
        # _content_pairs makes them, from the stems already computed)
        content = [s for w, s in zip(words, stems, strict=True)
                   if w not in STOPWORDS and len(w) > 1]
        pairs.update(pairwise(content))
        sentences.append(_Sentence(
            piece.start, piece.end, piece.text, tuple(words), stems, frozenset(content),
            "?" in piece.text, cue_counts(words, stems),
        ))
    stems = frozenset().union(*(s.stems for s in sentences)) if sentences else frozenset()
    lead = frozenset().union(*(s.stems for s in sentences[:LEAD])) if sentences else frozenset()
    size = max(len(sentences), 1)
    shares = (sum(s.cues[0] > 0 for s in sentences) / size,
              sum(s.cues[1] > 0 for s in sentences) / size,
              sum(s.cues[2] > 0 for s in sentences) / size,
              sum(s.question for s in sentences) / size)
    return BodyView(text, tuple(sentences), stems, lead, frozenset(pairs), shares)


def _rank(claim: ClaimView, body: BodyView) -> list[tuple[float, int]]:
    """Sentences by the share of the claim's stems they hold, best first (ties: earlier)."""
    size = max(len(claim.stems), 1)
    scored = [(len(claim.stems & s.stems) / size, -i) for i, s in enumerate(body.sentences)]
    scored.sort(reverse=True)
    return [(share, -neg) for share, neg in scored]


def _window(claim: ClaimView, sentence: _Sentence) -> _Window:
    """Cues and negation near the claim's words in ``sentence``.

    A long body sentence holds more than the claim; a "not" or a "denied" that bears on the
    claim sits near its words. The window is headline-sized (the claim's length plus
    :data:`WINDOW` words each side) and placed where it holds most of the claim's words, so
    a body sentence reads like the headlines the model was fitted on."""
    hits = [i for i, s in enumerate(sentence.word_stems) if s in claim.stems]
    words = sentence.words
    if hits:
        span = len(claim.words) + 2 * WINDOW
        start = max(((h - WINDOW, sum(h <= j < h - WINDOW + span for j in hits)) for h in hits),
                    key=lambda item: item[1])[0]
        words = words[max(0, start) : max(0, start) + span]
    refute, hedge, confirm = cue_counts(list(words))
    # A negator bears on the claim when it governs one of the claim's words: in English it
    # comes just before ("did not die", "no evidence of a leak", "never met").
    scoped = any(negated(sentence.words[max(0, h - NEG_SCOPE) : h]) for h in hits)
    return _Window(refute, hedge, confirm, negated(words), scoped,
                   frozenset(numbers(" ".join(words))), tuple(words))


def passage_features(claim: ClaimView, sentence: _Sentence, share: float) -> dict[str, float]:
    """What the three-class model reads in one evidence passage (``share``: of the claim's
    stems the sentence holds), all from the window around the claim's words."""
    near = _window(claim, sentence)
    return {
        "cov": share,
        # Aligned on the window, not the whole sentence: a body sentence that holds the claim
        # and more would score as a different fact next to a headline-sized claim.
        "align": same_fact_score(" ".join(claim.words)[:_MAX_ALIGN_CHARS],
                                 " ".join(near.words)[:_MAX_ALIGN_CHARS]),
        "refute": float(near.refute > 0),
        "hedge": float(near.hedge > 0),
        "confirm": float(near.confirm > 0),
        "neg_claim": float(claim.negated),
        "neg": float(near.negated),
        "neg_near": float(near.negates_claim),
        # Both negated ("did not resign" against "has not resigned") is agreement.
        "neg_near_mismatch": float(near.negates_claim != claim.negated),
        "neg_mismatch": float(near.negated != claim.negated),
        "question": float(sentence.question),
        "attributed": float(has_cue(" ".join(near.words))),
        "hedge_claim": float(claim.hedge > 0),
        "refute_claim": float(claim.refute > 0),
    }


@dataclass(frozen=True, slots=True)
class Reading:
    """What the two models read of one claim-text pair."""

    related: dict[str, float]  # the relatedness signals, by name
    top: list[int]  # the evidence sentences, best first
    passages: list[dict[str, float]]  # each evidence sentence's passage features
    features: dict[str, float]  # what the three-class model reads
    conflict: int | None  # the sentence giving the claim's fact another number


def stance_features(claim: ClaimView, body: BodyView, *, embed: bool = True) -> Reading:
    """Everything the models read of ``body`` against ``claim``; ``embed=False`` never asks
    the sentence model (word signals only: a caller that must answer within a time budget)."""
    ranked = _rank(claim, body)
    top = [i for share, i in ranked[:EVIDENCE] if share > 0] or [i for _, i in ranked[:1]]
    values = dict.fromkeys(RELATED_FEATURES, 0.0)
    features = dict.fromkeys(STANCE_FEATURES, 0.0)
    if not top:
        return Reading(values, [], [], features, None)
    size = max(len(claim.stems), 1)
    shares = {i: share for share, i in ranked[:EVIDENCE]}
    passages = [passage_features(claim, body.sentences[i], shares.get(i, 0.0)) for i in top]
    cov_body = len(claim.stems & body.stems) / size
    values.update(
        cov_body=cov_body,
        cov_best=ranked[0][0],
        cov_top=sum(share for share, _ in ranked[:EVIDENCE]) / min(EVIDENCE, len(ranked)),
        align_best=passages[0]["align"],
        cov_lead=len(claim.stems & body.lead) / size,
        # Names and word pairs are what two texts on one event share and two on different
        # events rarely do; a claim without them falls back on its words' share.
        names_body=(len(claim.names & body.stems) / len(claim.names)) if claim.names
        else cov_body,
        pairs_body=(len(claim.pairs & body.pairs) / len(claim.pairs)) if claim.pairs
        else cov_body,
    )
    features.update(passages[0])
    for cue in ("refute", "hedge", "confirm", "neg", "question", "neg_near"):
        features[f"top_{cue}"] = max(p[cue] for p in passages)
    refute, hedge, confirm, question = body.cue_shares
    features.update(body_refute=refute, body_hedge=hedge, body_confirm=confirm,
                    body_question=question,
                    short=float(len(body.sentences) <= SHORT_SENTENCES))
    reading = Reading(values, top, passages, features, _number_conflict(claim, body, top))
    if embed and in_doubt(reading, short=len(body.sentences) <= SHORT_SENTENCES):
        cosines = cosines_of(claim, body, top)
        if cosines is not None:
            values.update(cos_best=cosines[0], cos_lead=cosines[1])
    return reading


def embed_many(pairs: Sequence[tuple[ClaimView, BodyView, list[int]]]) -> None:
    """Embed, in one call of the sentence model, every text :func:`cosines_of` will need for
    these (claim, body, evidence) triples: one call for many small ones is what keeps a batch
    fast (each call has a fixed cost). Nothing happens without the model."""
    from newsweave.nlp import english

    if not pairs or not english.available():
        return
    texts: dict[str, tuple[object, int]] = {}
    for claim, body, top in pairs:
        if 0 not in claim.vectors:
            texts.setdefault(claim.text[:_EMBED_CHARS], (claim, 0))
        for i in dict.fromkeys([*top[:1], 0]):
            if i not in body.vectors:
                texts.setdefault(f"{id(body)}:{i}", (body, i))
    if not texts:
        return
    owners = list(texts.values())
    raw = [o.text[:_EMBED_CHARS] if isinstance(o, ClaimView)  # type: ignore[attr-defined]
           else o.sentences[i].text[:_EMBED_CHARS] for o, i in owners]  # type: ignore[attr-defined]
    for (owner, i), vector in zip(owners, english.embed_english(raw), strict=True):
        owner.vectors[i] = vector  # type: ignore[attr-defined]


def in_doubt(reading: Reading, *, short: bool) -> bool:
    """Whether the word signals leave relatedness in doubt (the sentence model is asked)."""
    low, high = EMBED_BAND
    return bool(reading.top) and low <= related_probability(reading.related,
                                                            short=short) <= high


def cosines_of(claim: ClaimView, body: BodyView, top: list[int]) -> tuple[float, float] | None:
    """The sentence model's cosine of the claim with its best evidence sentence and with the
    opening sentence (None without the model), each cut at :data:`_EMBED_CHARS`. Vectors are
    kept on the views, so a recurring claim or body is embedded once."""
    from newsweave.nlp import english

    if not english.available():
        return None
    lead = [0]  # one opening sentence: embedding is most of the cost of a stance
    wanted = [i for i in dict.fromkeys([*top[:1], *lead]) if i not in body.vectors]
    texts = [body.sentences[i].text[:_EMBED_CHARS] for i in wanted]
    if 0 not in claim.vectors:
        texts.append(claim.text[:_EMBED_CHARS])
    if texts:
        vectors = english.embed_english(texts)
        body.vectors.update(zip(wanted, vectors[: len(wanted)], strict=True))
        if 0 not in claim.vectors:
            claim.vectors[0] = vectors[-1]
    mine = claim.vectors[0]
    best = float(mine @ body.vectors[top[0]])
    return best, max(float(mine @ body.vectors[i]) for i in lead)


def _linear(model: dict, values: dict[str, float]) -> list[float]:
    """Scores of a fitted (multinomial) logistic model: one per class."""
    x = [(values[name] - mean) / scale
         for name, mean, scale in zip(model["features"], model["mean"], model["scale"],
                                      strict=True)]
    return [bias + sum(w * v for w, v in zip(row, x, strict=True))
            for bias, row in zip(model["bias"], model["coef"], strict=True)]


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def related_probability(values: dict[str, float], *, short: bool = False) -> float:
    """Probability that the text is about the claim at all (the first model): fitted on
    headlines against bodies, or for a ``short`` text (a headline, a sentence) on claims
    against headlines."""
    model = WEIGHTS["related_short" if short else "related"]
    z = _linear(model, values)[0]
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def class_probabilities(values: dict[str, float]) -> dict[str, float]:
    """Probabilities of supports / contradicts / discusses for one passage (second model)."""
    model = WEIGHTS["stance"]
    return dict(zip(model["classes"], _softmax(_linear(model, values)), strict=True))


_EVIDENCE_CUE = {"contradicts": ("refute", "neg"), "discusses": ("hedge", "question"),
                 "supports": ("confirm", "cov")}


def refined_probability(values: dict[str, float], *, short: bool) -> float:
    """Related probability with the sentence model's cosines where they were read (a text
    the word signals leave in doubt: :data:`EMBED_BAND`), else the word signals' alone."""
    lexical = related_probability(values, short=short)
    if "cos_best" not in values:
        return lexical
    model = WEIGHTS.get("related_embed")
    if model is None:
        return lexical
    z = _linear(model, {"lexical": math.log(lexical / max(1.0 - lexical, 1e-9)),
                        "cos_best": values["cos_best"], "cos_lead": values["cos_lead"],
                        "short": float(short)})[0]
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def decide(reading: Reading, *, short: bool) -> tuple[str, float, int | None]:
    """The stance a reading gives, its score, and the deciding sentence (index into the
    body's sentences; None when unrelated). ``short``: the text is headline-sized."""
    related = refined_probability(reading.related, short=short)
    if "cos_best" in reading.related and "related_embed" in WEIGHTS:
        cut = float(WEIGHTS["related_embed"]["threshold"])
    else:
        cut = threshold(short=short)
    if not reading.top or related < cut:
        return "unrelated", round(1.0 - related, 4), None
    if reading.conflict is not None:
        # The best passage states the claim's fact with another number ("17 dead" against
        # "14 dead"): the plainest contradiction news has, and a rare one in the fitted data.
        return "contradicts", round(related, 4), reading.conflict
    probs = class_probabilities(reading.features)
    label = max(probs, key=lambda k: probs[k])
    # The deciding passage: the evidence sentence that shows the chosen class's cue most.
    first, second = _EVIDENCE_CUE[label]
    pick = max(range(len(reading.top)),
               key=lambda j: (reading.passages[j][first], reading.passages[j][second], -j))
    return label, round(probs[label] * related, 4), reading.top[pick]


def stance_of(claim: ClaimView, body: BodyView, *, article: int | None = None,
              embed: bool = True) -> StanceResult:
    """The stance of an analysed body toward an analysed claim, with its deciding passage
    (``embed``: see :func:`stance_features`)."""
    reading = stance_features(claim, body, embed=embed)
    label, score, at = decide(reading, short=len(body.sentences) <= SHORT_SENTENCES)
    if at is None:
        return StanceResult(label, score, None, None, None, article)
    evidence = body.sentences[at]
    return StanceResult(label, score, evidence.text, evidence.start, evidence.end, article)


def stance_many(pairs: Sequence[tuple[ClaimView, BodyView]], *, embed: bool = True
                ) -> list[StanceResult]:
    """:func:`stance_of` for many pairs, with one call of the sentence model for all the
    pairs it is asked about (the batch command's path: same answers, a fraction of the cost)."""
    readings = [stance_features(claim, body, embed=False) for claim, body in pairs]
    shorts = [len(body.sentences) <= SHORT_SENTENCES for _, body in pairs]
    if embed:
        doubt = [k for k, r in enumerate(readings) if in_doubt(r, short=shorts[k])]
        embed_many([(pairs[k][0], pairs[k][1], readings[k].top) for k in doubt])
        for k in doubt:
            cosines = cosines_of(pairs[k][0], pairs[k][1], readings[k].top)
            if cosines is not None:
                readings[k].related.update(cos_best=cosines[0], cos_lead=cosines[1])
    out = []
    for (_, body), reading, short in zip(pairs, readings, shorts, strict=True):
        label, score, at = decide(reading, short=short)
        if at is None:
            out.append(StanceResult(label, score, None, None, None, None))
        else:
            evidence = body.sentences[at]
            out.append(StanceResult(label, score, evidence.text, evidence.start, evidence.end,
                                    None))
    return out


def threshold(*, short: bool = False) -> float:
    """The related probability at which a text is taken to be about the claim."""
    return float(WEIGHTS["related_short" if short else "related"]["threshold"])


def _number_conflict(claim: ClaimView, body: BodyView, top: list[int]) -> int | None:
    """The evidence sentence that gives the claim's fact another number, if the best one
    does: it holds most of the claim's words, numbers near them, and none of the claim's."""
    if not claim.numbers or not top:
        return None
    size = max(len(claim.stems - claim.numbers), 1)
    for i in top[:1]:
        sentence = body.sentences[i]
        window = _window(claim, sentence)
        share = len((claim.stems - claim.numbers) & sentence.stems) / size
        if share >= CONFLICT_SHARE and window.numbers and not window.numbers & claim.numbers:
            return i
    return None


def stance(claim: str, text: str) -> StanceResult:
    """The stance of ``text`` toward ``claim``.

    >>> stance("The dam broke on Monday.", "Officials denied that the dam broke on Monday.").stance
    'contradicts'
    >>> stance("The dam broke on Monday.", "Shares rose in Tokyo on Friday.").stance
    'unrelated'
    """
    if not text or not text.strip():
        raise ValueError("the text is empty: give the article body to read the claim against")
    return stance_of(analyse_claim(claim), analyse_body(text))


__all__ = ["CLASSES", "EMBED_BAND", "EMBED_FEATURES", "EVIDENCE", "PASSAGE_FEATURES",
           "RELATED_FEATURES", "STANCES", "STANCE_FEATURES", "BodyView", "ClaimView", "Reading",
           "analyse_body", "analyse_claim", "class_probabilities", "cosines_of", "decide",
           "embed_many", "in_doubt", "passage_features", "refined_probability",
           "related_probability", "stance", "stance_features", "stance_many", "stance_of",
           "threshold"]
