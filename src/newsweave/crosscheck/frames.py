"""What a claim's numbers count and who does what to whom, read from the dependency parse.

The comparison (:mod:`.compare`) needs to know when two figures are *the same
quantity*: "14 people were killed" and "Seventeen people have now died" are,
"a 5-year-old boy" and "his 18-year-old brother" are not. No list of measure
words decides it: each number is described by its place in the parse,

* the **counted** noun it modifies ("14 *people*", "180 *millimetres*"),
  or, for a bare number, the noun the sentence measures ("the death *toll*
  stood at 14");
* the **predicate** that says what happened to it ("were *killed*", "are
  still *missing*", "were *evacuated*");
* for a measure that describes something ("5-year-old *boy*"), the thing it
  describes, so two people's ages never meet;
* whether the figure is given as a **change** ("rose *to* 17", "have *now*
  died") or as **history** ("down *from* 3,200").

The same parse gives **action frames**: a verb with the people in its subject
and object roles ("Ortiz ... *met* Governor Lind"), so two reports that put
different people in the same role of the same action can be told apart.

Parsing is a story's first brief's second cost after the claim vectors, so the frames
(not the parse) can be kept in a store: :class:`ClaimFramer` reads them by the parsed
text's SHA-1 under :func:`frames_key` (the parser's version and this module's code), and
parses only the texts it has none for.

Stable API: :class:`QuantityFrame`, :class:`ActionFrame`, :func:`parse`,
:func:`quantity_frames`, :func:`action_frames`, :class:`ClaimFramer`, :func:`frames_key`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from newsweave.nlp.spacy_model import load_spacy

_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
_OBJECTS = frozenset({"dobj", "attr", "oprd"})
_COMPLEMENTS = frozenset({"acomp", "oprd", "xcomp"})
_PRONOUNS = frozenset({"he", "she", "him", "her"})


@dataclass(frozen=True, slots=True)
class QuantityFrame:
    """What one number of a sentence counts, from the parse."""

    start: int  # character offsets of the number in the parsed text
    end: int
    counted: str  # "people", "" for a bare number or a measuring noun ("the death toll")
    predicate: str  # "killed", "confirmed dead", "missing"; "death" for "the death toll"
    of: str  # for a measure that describes something: the thing ("boy"), else ""
    change: bool  # given as a change ("rose to 17", "have now died")
    history: bool  # given as a former value ("down from 3,200")
    label: str = ""  # what the brief calls it: "people killed", "death toll", "year old"
    calendar: bool = False  # part of a date or a duration ("two days after"): no count


@dataclass(frozen=True, slots=True)
class ActionFrame:
    """One action of a sentence with the character spans of its subject and object:
    (start, end) of the whole phrase, then of its head word."""

    verb: str  # lemma
    subject: tuple[int, int, int, int] | None
    object: tuple[int, int, int, int] | None
    subject_pronoun: bool  # "he met ...": the subject is the last person named


def _model() -> Any:
    """The English pipeline with its parser, lemmatizer and NER (dates and times are no
    counts)."""
    return load_spacy(("senter",))


_CACHE: dict[str, Any] = {}
_CACHE_SIZE = 4096  # parsed sentences kept: a story's next brief parses nothing again


def parse(texts: Sequence[str]) -> list[Any]:
    """spaCy parses of ``texts`` (one batch; each distinct text parsed once, and kept)."""
    missing = [t for t in dict.fromkeys(texts) if t not in _CACHE]
    if missing:
        if len(_CACHE) + len(missing) > _CACHE_SIZE:
            _CACHE.clear()
        _CACHE.update(zip(missing, _model().pipe(missing, batch_size=64), strict=True))
    return [_CACHE[t] for t in texts]


def _phrase(token: Any) -> str:
    """A noun with its compound modifiers: "death toll", "people"."""
    words = [c for c in token.lefts if c.dep_ == "compound" and c.pos_ in ("NOUN", "PROPN")]
    return " ".join(w.lower_ for w in [*words, token])


def _number_head(token: Any) -> Any:
    """The last token of a number written in several ("3 200", "14 million")."""
    while token.dep_ in ("compound", "quantmod", "nummod") and token.head.pos_ == "NUM" \
            and token.head.i != token.i:
        token = token.head
    return token


def _predicate(verb: Any) -> tuple[str, bool]:
    """What a verb says of its subject, and whether it is given as a change ("now")."""
    if verb.dep_ in ("aux", "auxpass") and verb.head.i != verb.i:
        verb = verb.head  # a subject the parser hung on "were" of "were missing"
    complements = [c for c in verb.children if c.dep_ in _COMPLEMENTS]
    words = [] if verb.pos_ == "AUX" else [verb.lower_]
    words += [c.lower_ for c in complements[:1]]
    change = any(c.dep_ == "advmod" and c.lower_ == "now" for c in verb.children)
    return " ".join(words), change


def quantity_frames(doc: Any, spans: Sequence[tuple[int, int]]) -> list[QuantityFrame]:
    """A frame for each number at the character ``spans`` of ``doc``."""
    frames = []
    for start, end in spans:
        tokens = [t for t in doc if t.idx < end and t.idx + len(t) > start and t.like_num]
        if not tokens:
            frames.append(QuantityFrame(start, end, "", "", "", False, False))
            continue
        number = _number_head(tokens[-1])
        describes = number.head.dep_ == "npadvmod" and number.head.head.pos_ == "ADJ"
        kinds = (number.ent_type_, number.head.ent_type_)
        if (not describes and "DATE" in kinds) or "TIME" in kinds:
            frames.append(QuantityFrame(start, end, "", "", "", False, False, calendar=True))
            continue
        counted, predicate, of, change, history = "", "", "", False, False
        label = ""
        anchor = number
        if number.dep_ == "nummod" and number.head.pos_ in ("NOUN", "PROPN"):
            anchor = number.head
            counted = anchor.lower_
        if anchor.dep_ == "npadvmod" and anchor.head.pos_ == "ADJ":
            # "a 5-year-old boy": the measure describes the boy.
            described = anchor.head.head
            counted = f"{anchor.lower_} {anchor.head.lower_}"
            of = described.lower_ if described.i != anchor.head.i else ""
        elif anchor.dep_ == "conj" or anchor.dep_ in _SUBJECTS or anchor.dep_ == "dobj":
            first = anchor
            while first.dep_ == "conj" and first.head.i != first.i:
                first = first.head  # "engineers and 400 rescuers searched": the first's verb
            if first.dep_ in _SUBJECTS or first.dep_ == "dobj":
                predicate, change = _predicate(first.head)
        elif anchor.dep_ == "pobj":
            prep = anchor.head
            verb = prep.head
            history = prep.lower_ == "from"
            change = prep.lower_ == "to" and verb.pos_ in ("VERB", "AUX")
            subjects = [c for c in verb.children if c.dep_ in _SUBJECTS and c.pos_ == "NOUN"]
            if subjects and not counted:
                # "the death toll stood at 14": the subject names the measure, and its
                # modifiers say what it measures ("death").
                label = _phrase(subjects[0])
                modifiers = label.split()[:-1]
                predicate = " ".join(modifiers) if modifiers else label
            elif verb.pos_ in ("VERB", "AUX"):
                predicate = _predicate(verb)[0]
        label = label or " ".join(w for w in (counted, predicate) if w)
        frames.append(QuantityFrame(start, end, counted, predicate, of, change, history, label))
    return frames


def action_frames(doc: Any) -> list[ActionFrame]:
    """Each verb with its subject and object spans (a coordinated verb shares its subject)."""
    frames = []
    for token in doc:
        if token.pos_ == "NOUN":
            nominal = _nominal_frame(token)
            if nominal is not None:
                frames.append(nominal)
            continue
        if token.pos_ != "VERB":
            continue
        subject = _subject(token)
        obj = next((c for c in token.children if c.dep_ in _OBJECTS), None)
        if obj is None:  # "a meeting with X" / "talks with X"
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ == "with":
                    obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
                    break
        if subject is None or obj is None:
            continue
        frames.append(ActionFrame(
            token.lemma_.lower() or token.lower_,
            _span(subject), _span(obj), subject.lower_ in _PRONOUNS,
        ))
    return frames


def _subject(verb: Any) -> Any:
    """A verb's subject; a coordinated verb shares the first verb's ("X arrived and met Y")."""
    subject = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
    while subject is None and verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
        subject = next((c for c in verb.children if c.dep_ in _SUBJECTS), None)
    return subject


def _nominal_frame(noun: Any) -> ActionFrame | None:
    """An action named by a noun with "with": "In a conversation with X, he said ..."
    (the subject is the governing verb's)."""
    prep = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "with"), None)
    obj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep else None
    if obj is None:
        return None
    head = noun.head
    for _ in range(4):  # up to the verb the phrase hangs on
        if head.pos_ in ("VERB", "AUX") or head.i == head.head.i:
            break
        head = head.head
    subject = _subject(head)
    if subject is None:
        return None
    return ActionFrame(noun.lemma_.lower() or noun.lower_, _span(subject), _span(obj),
                       subject.lower_ in _PRONOUNS)


def _span(token: Any) -> tuple[int, int, int, int]:
    """The character span of a role: its whole phrase, then its head word."""
    last = token.right_edge
    return token.left_edge.idx, last.idx + len(last), token.idx, token.idx + len(token)


class FrameCache(Protocol):
    """Where :class:`ClaimFramer` keeps frames (``store.crosscheck``): JSON by key."""

    def claim_frames(self, model: str, keys: Iterable[str]) -> dict[str, str]: ...

    def save_claim_frames(self, model: str, frames: Mapping[str, str]) -> None: ...


@lru_cache(maxsize=1)
def frames_key() -> str:
    """The key frames are kept under: the pinned parser's name and spaCy's version, and a
    digest of this module's code, so a new parser or a changed reading of the parse never
    reads frames an older one wrote."""
    from importlib.metadata import PackageNotFoundError, version

    from newsweave.crosscheck.align import code_digest
    from newsweave.nlp.spacy_model import MODEL

    try:
        spacy_version = version("spacy")
    except PackageNotFoundError:  # pragma: no cover - spaCy is a core dependency
        spacy_version = "?"
    return f"{MODEL}@{spacy_version}:frames-{code_digest([Path(__file__)])}"


def _text_key(kind: str, text: str, spans: Sequence[tuple[int, int]] = ()) -> str:
    head = kind + json.dumps([list(s) for s in spans]) if spans else kind
    return hashlib.sha1(f"{head}\n{text}".encode()).hexdigest()


def _action(row: list[Any]) -> ActionFrame:
    verb, subject, obj, pronoun = row
    return ActionFrame(verb, tuple(subject) if subject else None,  # type: ignore[arg-type]
                       tuple(obj) if obj else None, bool(pronoun))  # type: ignore[arg-type]


class ClaimFramer:
    """:func:`quantity_frames` and :func:`action_frames` of claim texts, each text parsed
    once, ever, when ``cache`` keeps what was read (without one: parsed in this process,
    as :func:`parse` keeps its parses). The frames are the same either way: they are what
    the parse of the same text gives, stored as read."""

    def __init__(self, cache: FrameCache | None = None) -> None:
        self.cache = cache

    def quantities(self, items: Sequence[tuple[str, Sequence[tuple[int, int]]]]
                   ) -> list[list[QuantityFrame]]:
        """Per (text, number spans), the spans' frames."""
        keys = [_text_key("quantity", text, spans) for text, spans in items]
        found = self._read(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            docs = parse([items[i][0] for i in missing])
            fresh = {keys[i]: quantity_frames(doc, items[i][1])
                     for i, doc in zip(missing, docs, strict=True)}
            self._write({k: [astuple(f) for f in v] for k, v in fresh.items()})
            found.update({k: [astuple(f) for f in v] for k, v in fresh.items()})
        return [[QuantityFrame(*row) for row in found[k]] for k in keys]

    def actions(self, texts: Sequence[str]) -> list[list[ActionFrame]]:
        """Per text, its action frames."""
        keys = [_text_key("action", text) for text in texts]
        found = self._read(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            docs = parse([texts[i] for i in missing])
            fresh = {keys[i]: [[f.verb, f.subject, f.object, f.subject_pronoun]
                               for f in action_frames(doc)]
                     for i, doc in zip(missing, docs, strict=True)}
            self._write(fresh)
            found.update(fresh)
        return [[_action(row) for row in found[k]] for k in keys]

    def _read(self, keys: Sequence[str]) -> dict[str, Any]:
        if self.cache is None or not keys:
            return {}
        stored = self.cache.claim_frames(frames_key(), keys)
        return {k: json.loads(v) for k, v in stored.items()}

    def _write(self, frames: Mapping[str, Any]) -> None:
        if self.cache is not None and frames:
            self.cache.save_claim_frames(
                frames_key(), {k: json.dumps(v, separators=(",", ":")) for k, v in frames.items()})


__all__ = ["ActionFrame", "ClaimFramer", "FrameCache", "QuantityFrame", "action_frames",
           "frames_key", "parse", "quantity_frames"]
