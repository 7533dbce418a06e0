"""A realistic, deterministic news archive of any size, with an answer key of its reuse.

Built at run time from the benchmark texts in ``../shared/benchmarks`` (nothing of them is
kept in the repository): the reports of ECB+ events, BASIL events, AllSides roundups and
Timeline17 story-days are the *originals*: several outlets' independent reports of one
event. Around them the generator plants what an archive holds:

* **wire copies**: an agency's story carried verbatim by other outlets, in their own
  boilerplate, often with a credit line ("Source: Kelmar Press Agency");
* **partial copies**: a stated share (30-80 %) of an original's sentences, in order;
* **rewrites**: every sentence reworded by the rules of ``bench/copies.py`` (the
  attribution or a clause moved: "X, police said." -> "Police said that X"; about 170 common
  news words swapped for synonyms), two neighbouring sentences swapped, and the source
  credited ("..., the Varnel Courier reported.");
* **translations**: an NTREX document in English and, from other outlets, the same ``doc``
  in one to three other languages (German, Spanish, French, Portuguese, Russian, Chinese);
* **boilerplate** around every body: the outlet's recurring lines (a follow line, a
  copyright line), an advertisement marker inside the body, "Related:" links to earlier
  headlines, an author bio; in the outlet's language for translations;
* **outlets, authors and publication dates**: invented names (none of a real or demo
  outlet), the event's date where the benchmark gives one, reports within two days of their
  event and copies minutes to hours after their original.

The benchmark texts hold about 4,600 events (some 15,000 reports). A larger corpus goes
round them again: from the second pass on, every original has a fifth of its longer
lower-case words replaced by other words of the corpus, seeded per pass, so that two
passes' versions of one text are not copies of each other (they share few 5-word shingles
and almost no whole sentence), and its dates move on a year. NTREX holds 123 documents;
each is used once (translations make up to ``--translations`` of the articles until they
run out), so a corpus far beyond 20,000 articles holds proportionally fewer translations.

Output (streamed: memory does not grow with ``--articles``):

* ``DIR/articles-00000.jsonl``, ...: ``--shard-size`` articles each, one JSON object a line
  (``id``, ``title``, ``text``, ``outlet``, ``author``, ``published``, ``url``), the shape
  ``newsweave ingest`` reads; paragraphs are separated by blank lines, and every sentence of
  a body is its own paragraph (wire style);
* ``DIR/key.jsonl``: the answer key, one object per article in the same order:
  ``id``, ``kind`` (``original``, ``copy``, ``partial``, ``rewrite``, ``translation``),
  ``of`` (the id of the original it derives from, for the four derived kinds), ``family``
  (the original's id, or its own), ``event``, ``base`` (the benchmark text it comes from),
  ``pass``, ``lang``, ``added`` (indices of the paragraphs that are not the body: boilerplate
  and credit lines), and per kind ``share`` and ``kept`` (partial: indices of the
  original's sentences kept), ``doc`` (translation and its English original: the NTREX
  document), ``attribution`` (rewrite: the credit sentence's text);
* ``DIR/manifest.json``: the seed, sizes, shard names and counts per kind.

Usage, from the repository root::

    python bench/corpus.py --articles 10000 --out /tmp/corpus-10k [--seed 7]

Read a key with :func:`read_key`; a body (the paragraphs not in ``added``) with
:func:`body_of`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO.parent / "shared" / "benchmarks"
SOURCES = {
    "ecbplus": BENCH / "ecbplus" / "docs.jsonl",
    "basil": BENCH / "basil" / "docs.jsonl",
    "allsides": BENCH / "allsides" / "docs.jsonl",
    "timeline17": BENCH / "timeline17" / "docs.jsonl",
    "ntrex": BENCH / "ntrex" / "docs.jsonl",
}

MAX_SENTENCES = 60  # a report is cut after this many sentences (some transcripts hold 1,400)
MAX_REPORTS = 8  # reports of one event used per pass
WINDOW = 256  # articles shuffled together before they are written: archives arrive mixed
VARY_SHARE = 0.2  # from the second pass on: share of longer lower-case words replaced

# Chances per original (a wire story is carried more than a newspaper's own report).
WIRE_SHARE = 0.25
COPIES_OF_WIRE = (0, 3)  # verbatim copies of a wire story: uniform in this range
PARTIAL_CHANCE = 0.25
REWRITE_CHANCE = 0.2
PARTIAL_SHARE = (0.3, 0.8)

LANGUAGES = ("deu", "spa", "fra", "por", "rus", "zho-CN")
_ISO = {"eng": "en", "deu": "de", "spa": "es", "fra": "fr", "por": "pt", "rus": "ru",
        "zho-CN": "zh"}
_AD = {"eng": "Advertisement", "deu": "Anzeige", "spa": "Publicidad", "fra": "Publicité",
       "por": "Publicidade", "rus": "Реклама", "zho-CN": "广告"}
_RELATED = {"eng": "Related", "deu": "Mehr zum Thema", "spa": "Relacionado",
            "fra": "À lire aussi", "por": "Leia também", "rus": "Читайте также",
            "zho-CN": "相关阅读"}
_RIGHTS = {"eng": "All rights reserved.", "deu": "Alle Rechte vorbehalten.",
           "spa": "Todos los derechos reservados.", "fra": "Tous droits réservés.",
           "por": "Todos os direitos reservados.", "rus": "Все права защищены.",
           "zho-CN": "版权所有。"}
_FOLLOW = {"eng": "Follow {o} for the latest news and updates.",
           "deu": "Folgen Sie {o} für aktuelle Nachrichten.",
           "spa": "Siga a {o} para las últimas noticias.",
           "fra": "Suivez {o} pour les dernières actualités.",
           "por": "Siga {o} para as últimas notícias.",
           "rus": "Следите за новостями {o}.",
           "zho-CN": "关注{o}获取最新消息。"}
_MASTHEADS = {
    "eng": ("{p} Courier", "{p} Herald", "The {p} Gazette", "{p} Ledger", "{p} Tribune",
            "The {p} Observer", "{p} Evening Post", "{p} Chronicle", "{p} Journal",
            "{p} Dispatch", "{p} Sentinel", "{p} Examiner", "{p} Daily Record"),
    "deu": ("{p}er Zeitung", "{p}er Tagblatt", "{p}er Rundschau"),
    "spa": ("Diario de {p}", "El Heraldo de {p}", "La Voz de {p}"),
    "fra": ("Le Courrier de {p}", "La Gazette de {p}", "L'Écho de {p}"),
    "por": ("Jornal de {p}", "Diário de {p}", "Folha de {p}"),
    "rus": ("{p}ские вести", "{p}ская правда"),
    "zho-CN": ("{p}日报", "{p}晚报"),
}
_AGENCIES = ("{p} Press Agency", "{p} News Service", "{p} Wire", "United {p} Press")
_SYLLABLES = ("var ost mel dra kin sol bre tam vel nor hal cor ren lis tor gan pel mar fen "
              "dor bal sen ril quar tes yar zem ash bran cir lum ond sar tal wen").split()
_FIRST = ("Ana Bela Carl Dana Emil Fenna Goran Hilde Ivo Jana Kasper Lena Milo Nora Oskar "
          "Petra Rune Sanna Teo Una Vera Wim Yara Zeno").split()
_BEATS = ("politics", "courts and crime", "business", "the environment", "health",
          "foreign affairs", "the regions", "science")
_ROLES = ("reporter", "correspondent", "staff writer", "senior editor")

_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_TOKEN_FIXES = (("-LRB-", "("), ("-RRB-", ")"), ("-LSB-", "["), ("-RSB-", "]"), ("\\/", "/"),
                ("\\*", "*"), ("``", '"'), ("''", '"'))
_DETOKENISE = ((re.compile(r" ([,.;:!?%)\]])"), r"\1"), (re.compile(r"([(\[$]) "), r"\1"),
               (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b"), r"\1"),
               (re.compile(r'" (.*?) "'), r'"\1"'))


@dataclass(slots=True)
class Report:
    """One benchmark article: a possible original."""

    base: str
    title: str | None
    sentences: list[str]


@dataclass(slots=True)
class Event:
    """Several outlets' reports of one real-world event, from one benchmark."""

    key: str
    day: date | None
    reports: list[Report]


@dataclass(slots=True)
class Outlet:
    name: str
    lang: str
    domain: str
    authors: list[str]


@dataclass(slots=True)
class Planted:
    """One generated article and its line of the answer key."""

    record: dict[str, object]
    key: dict[str, object]


# -- reading the benchmarks --------------------------------------------------------------


def detokenise(text: str) -> str:
    """Undo Penn-Treebank tokenisation (Timeline17, ECB+): ``-LRB- a `` b '' ,`` -> ``(a "b",``.

    >>> detokenise("He said -LRB- twice -RRB- that `` it 's over '' .")
    'He said (twice) that "it\\'s over".'
    """
    for old, new in _TOKEN_FIXES:
        text = text.replace(old, new)
    for pattern, repl in _DETOKENISE:
        text = pattern.sub(repl, text)
    return text


def split_sentences(text: str) -> list[str]:
    """Sentences of a benchmark text (lines first, then a rough split inside each line)."""
    out: list[str] = []
    for line in text.splitlines():
        line = " ".join(detokenise(line).split())
        out.extend(s.strip() for s in _SENTENCE.split(line) if len(s.split()) >= 3)
    return out[:MAX_SENTENCES]


def _lines(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@cache  # read once per process: a test generates several corpora
def load_events() -> list[Event]:
    """The events of ECB+, BASIL, AllSides and Timeline17 (story-days), in a stable order."""
    groups: dict[str, Event] = {}

    def add(key: str, day: date | None, base: str, title: str | None, text: str) -> None:
        sentences = split_sentences(text)
        if len(sentences) < 2:
            return
        event = groups.setdefault(key, Event(key, day, []))
        event.reports.append(Report(base, title, sentences))

    for doc in _lines(SOURCES["ecbplus"]):
        add(f"ecbplus:{doc['event']}", None, f"ecbplus:{doc['id']}", None, doc["text"])
    for doc in _lines(SOURCES["basil"]):
        add(f"basil:{doc['event']}", _day(doc.get("published")), f"basil:{doc['id']}",
            doc.get("title"), doc["text"])
    for doc in _lines(SOURCES["allsides"]):
        # Roundup excerpts are a lead or two; a one-sentence lead opens with its headline.
        text = doc["text"]
        if len(split_sentences(text)) < 2 and doc.get("title"):
            text = f"{doc['title'].rstrip('.')}.\n{text}"
        add(f"allsides:{doc['cluster']}", None, f"allsides:{doc['id']}", doc.get("title"), text)
    for doc in _lines(SOURCES["timeline17"]):
        add(f"timeline17:{doc['story']}:{doc['published']}", _day(doc.get("published")),
            f"timeline17:{doc['id']}", None, doc["text"])
    return [groups[k] for k in sorted(groups)]


@cache
def load_ntrex() -> list[tuple[str, dict[str, list[str]]]]:
    """NTREX documents: each name with its lines (headline first) per language."""
    docs: dict[str, dict[str, list[str]]] = {}
    for rec in _lines(SOURCES["ntrex"]):
        lines = [line.strip() for line in rec["text"].splitlines() if line.strip()]
        docs.setdefault(rec["doc"], {})[rec["lang"]] = lines
    return [(k, docs[k]) for k in sorted(docs) if len(docs[k].get("eng", ())) >= 3]


# -- the generator ---------------------------------------------------------------------------


class Generator:
    """Plants articles one event at a time; :meth:`articles` yields them in archive order."""

    def __init__(self, total: int, seed: int, translations: float, events: int = 0) -> None:
        self.total = total
        self.seed = seed
        self.translation_share = translations
        self.rng = random.Random(seed)
        self.events = load_events()
        if events:  # fewer events: the passes come round sooner (families of many versions)
            self.events = self.events[:events]
        self.ntrex = list(load_ntrex())  # popped as documents are used
        self.rng.shuffle(self.ntrex)
        self.vocabulary = self._vocabulary()
        self.outlets = self._outlets()
        self.made = 0
        self.translations = 0
        # recent headlines per language, for "Related:" links
        self.titles: dict[str, deque[str]] = {}

    # -- names -------------------------------------------------------------------------------

    def _place(self, rng: random.Random) -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).title()

    def _outlets(self) -> dict[str, list[Outlet]]:
        rng = random.Random(self.seed * 7919 + 1)
        seen: set[str] = set()
        pools: dict[str, list[Outlet]] = {}
        sizes = {"eng": 160, "wire": 8, **dict.fromkeys(LANGUAGES, 12)}
        for kind, size in sizes.items():
            lang = "eng" if kind == "wire" else kind
            templates = _AGENCIES if kind == "wire" else _MASTHEADS[lang]
            pool = pools.setdefault(kind, [])
            while len(pool) < size:
                place = self._place(rng)
                name = rng.choice(templates).format(p=place)
                if name in seen:
                    continue
                seen.add(name)
                domain = re.sub(r"[^a-z]", "", place.lower()) + f"{len(seen)}.example"
                authors = [f"{rng.choice(_FIRST)} {self._place(rng)}" for _ in range(4)]
                pool.append(Outlet(name, lang, domain, authors))
        return pools

    def _vocabulary(self) -> list[str]:
        """Longer lower-case words of the corpus, to vary later passes' texts with."""
        found: set[str] = set()
        for event in self.events[::7]:
            for report in event.reports[:2]:
                for sentence in report.sentences:
                    found.update(w for w in sentence.split() if w.isalpha() and w.islower()
                                 and len(w) >= 4)
        return sorted(found)

    # -- the stream ------------------------------------------------------------------------------

    def articles(self) -> Iterator[Planted]:
        """Every article, shuffled within a window of :data:`WINDOW` (archives arrive mixed)."""
        window: list[Planted] = []
        for planted in self._planted():
            window.append(planted)
            if len(window) >= WINDOW:
                yield window.pop(self.rng.randrange(len(window)))
        self.rng.shuffle(window)
        yield from window

    def _planted(self) -> Iterator[Planted]:
        number = 0
        while True:
            order = list(range(len(self.events)))
            random.Random(self.seed * 1_000_003 + number).shuffle(order)
            for index in order:
                if self.made >= self.total:
                    return
                if self.ntrex and self.translations < self.translation_share * self.made:
                    yield from self._translated(self.ntrex.pop())
                yield from self._event(self.events[index], number)
            number += 1

    def _next_id(self) -> str | None:
        if self.made >= self.total:
            return None
        self.made += 1
        return f"a{self.made:07d}"

    def _event(self, event: Event, number: int) -> Iterator[Planted]:
        rng = self.rng
        reports = event.reports
        if len(reports) > MAX_REPORTS:
            reports = rng.sample(reports, MAX_REPORTS)
        day = event.day or date(2025, 1, 1) + timedelta(days=rng.randrange(700))
        day += timedelta(days=365 * number)
        event_key = f"{event.key}#{number}"
        for report in reports:
            sentences = report.sentences if number == 0 else self._vary(report.sentences, rng)
            wire = rng.random() < WIRE_SHARE
            outlet = rng.choice(self.outlets["wire" if wire else "eng"])
            when = datetime(day.year, day.month, day.day, rng.randrange(5, 23),
                            rng.randrange(60)) + timedelta(hours=rng.randrange(48))
            title = report.title if report.title and number == 0 else _headline(sentences)
            original = self._article(outlet, title, sentences, when, kind="original",
                                     of=None, event=event_key, base=report.base, number=number)
            if original is None:
                return
            yield original
            family = original.key["id"]
            copies = rng.randint(*COPIES_OF_WIRE) if wire else 0
            for _ in range(copies):
                carrier = rng.choice(self.outlets["eng"])
                credit = f"Source: {outlet.name}" if rng.random() < 0.7 else None
                planted = self._article(carrier, title, sentences, _later(when, rng),
                                        kind="copy", of=family, event=event_key,
                                        base=report.base, number=number, credit=credit)
                if planted is None:
                    return
                yield planted
            if len(sentences) >= 4 and rng.random() < PARTIAL_CHANCE:
                share = round(rng.uniform(*PARTIAL_SHARE), 2)
                count = max(2, round(share * len(sentences)))
                kept = sorted(rng.sample(range(len(sentences)), count))
                planted = self._article(rng.choice(self.outlets["eng"]), title,
                                        [sentences[i] for i in kept], _later(when, rng),
                                        kind="partial", of=family, event=event_key,
                                        base=report.base, number=number,
                                        extra={"share": share, "kept": kept})
                if planted is None:
                    return
                yield planted
            if len(sentences) >= 3 and rng.random() < REWRITE_CHANCE:
                reworded, attribution = self._rewrite(sentences, outlet.name, rng)
                planted = self._article(rng.choice(self.outlets["eng"]),
                                        _reword(title, rng).rstrip("."), reworded,
                                        _later(when, rng),
                                        kind="rewrite", of=family, event=event_key,
                                        base=report.base, number=number,
                                        extra={"attribution": attribution})
                if planted is None:
                    return
                yield planted

    def _translated(self, found: tuple[str, dict[str, list[str]]]) -> Iterator[Planted]:
        rng = self.rng
        name, doc = found
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(700))
        when = datetime(day.year, day.month, day.day, rng.randrange(5, 23), rng.randrange(60))
        english = doc["eng"]
        event = f"ntrex:{name}#0"
        original = self._article(rng.choice(self.outlets["eng"]), english[0], english[1:],
                                 when, kind="original", of=None, event=event,
                                 base=f"ntrex:{name}-eng", number=0, extra={"doc": name})
        if original is None:
            return
        yield original
        languages = [lang for lang in LANGUAGES if lang in doc]
        for lang in rng.sample(languages, min(len(languages), rng.randint(1, 3))):
            lines = doc[lang]
            planted = self._article(rng.choice(self.outlets[lang]), lines[0], lines[1:],
                                    _later(when, rng), kind="translation",
                                    of=original.key["id"], event=event,
                                    base=f"ntrex:{name}-{lang}", number=0,
                                    extra={"doc": name})
            if planted is None:
                return
            self.translations += 1
            yield planted

    # -- one article ---------------------------------------------------------------------------

    def _article(self, outlet: Outlet, title: str, sentences: list[str], when: datetime, *,
                 kind: str, of: str | None, event: str, base: str, number: int,
                 credit: str | None = None, extra: dict[str, object] | None = None
                 ) -> Planted | None:
        article_id = self._next_id()
        if article_id is None:
            return None
        rng = self.rng
        lang = outlet.lang
        author = rng.choice(outlet.authors)
        paragraphs: list[str] = []
        added: list[int] = []

        def boiler(text: str) -> None:
            added.append(len(paragraphs))
            paragraphs.append(text)

        ad_at = rng.randrange(1, len(sentences)) if len(sentences) > 3 and rng.random() < 0.6 \
            else -1
        for i, sentence in enumerate(sentences):
            if i == ad_at:
                boiler(_AD[lang])
            paragraphs.append(sentence)
        if credit:
            boiler(credit)
        recent = self.titles.setdefault(lang, deque(maxlen=40))
        if recent and rng.random() < 0.7:
            for headline in rng.sample(list(recent), min(len(recent), 3)):
                boiler(f"{_RELATED[lang]}: {headline}")
        if lang == "eng" and rng.random() < 0.5:
            boiler(f"{author} is a {rng.choice(_ROLES)} at {outlet.name}, covering "
                   f"{rng.choice(_BEATS)}.")
        boiler(_FOLLOW[lang].format(o=outlet.name))
        boiler(f"© {when.year} {outlet.name}. {_RIGHTS[lang]}")
        recent.append(title)
        slug = "-".join(re.findall(r"\w+", title.lower())[:6]) or "story"
        record = {"id": article_id, "title": title, "text": "\n\n".join(paragraphs),
                  "outlet": outlet.name, "author": author,
                  "published": when.strftime("%Y-%m-%dT%H:%M:00Z"),
                  "url": f"https://{outlet.domain}/news/{slug}-{article_id}",
                  "language": _ISO[lang]}
        key = {"id": article_id, "kind": kind, "of": of, "family": of or article_id,
               "event": event, "base": base, "pass": number, "lang": lang,
               "outlet": outlet.name, "added": added, **(extra or {})}
        return Planted(record, key)

    def _vary(self, sentences: list[str], rng: random.Random) -> list[str]:
        """A later pass's version of a text: a share of its longer lower-case words replaced."""
        out = []
        for sentence in sentences:
            words = [rng.choice(self.vocabulary)
                     if w.isalpha() and w.islower() and len(w) >= 4 and rng.random() < VARY_SHARE
                     else w for w in sentence.split()]
            out.append(" ".join(words))
        return out

    def _rewrite(self, sentences: list[str], source: str, rng: random.Random
                 ) -> tuple[list[str], str]:
        """Every sentence reworded, two neighbours swapped, the source credited."""
        out = [_reword(s, rng) for s in sentences]
        i = rng.randrange(1, len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
        attribution = f"the {source} reported" if not source.startswith("The ") else \
            f"{source[0].lower()}{source[1:]} reported"
        out[0] = out[0].rstrip(".") + f", {attribution}."
        return out, attribution


def _reword(sentence: str, rng: random.Random) -> str:
    """One sentence reworded by ``bench/copies.py``'s rules (the project's rewrite benchmark:
    the attribution or a clause moved, ~170 news words swapped, contractions spelt out)."""
    return _copies_bench()._rewrite(sentence, rng)


@cache
def _copies_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_copies", Path(__file__).with_name(
        "copies.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _headline(sentences: list[str]) -> str:
    words = sentences[0].split()
    return " ".join(words[:12]).rstrip(".,;:") if words else "Report"


def _later(when: datetime, rng: random.Random) -> datetime:
    return when + timedelta(minutes=rng.randint(10, 720))


# -- writing and reading ----------------------------------------------------------------------


def generate(total: int, out: Path, *, seed: int = 7, shard_size: int = 10_000,
             translations: float = 0.04, events: int = 0) -> dict[str, object]:
    """Write ``total`` articles, the key and the manifest into ``out``; return the manifest."""
    if total < 1:
        raise ValueError("--articles must be at least 1")
    if shard_size < 1:
        raise ValueError("--shard-size must be at least 1")
    out.mkdir(parents=True, exist_ok=True)
    generator = Generator(total, seed, translations, events)
    counts: dict[str, int] = {}
    shards: list[str] = []
    shard = None
    written = 0
    with (out / "key.jsonl").open("w", encoding="utf-8") as key_file:
        try:
            for planted in generator.articles():
                if written % shard_size == 0:
                    if shard is not None:
                        shard.close()
                    shards.append(f"articles-{len(shards):05d}.jsonl")
                    shard = (out / shards[-1]).open("w", encoding="utf-8")
                assert shard is not None
                shard.write(json.dumps(planted.record, ensure_ascii=False) + "\n")
                key_file.write(json.dumps(planted.key, ensure_ascii=False) + "\n")
                kind = str(planted.key["kind"])
                counts[kind] = counts.get(kind, 0) + 1
                written += 1
        finally:
            if shard is not None:
                shard.close()
    manifest = {"articles": written, "seed": seed, "shard_size": shard_size,
                "translation_share": translations, "shards": shards,
                **({"events": events} if events else {}),
                "counts": dict(sorted(counts.items()))}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_key(folder: Path) -> Iterator[dict]:
    """The answer key of a generated corpus, one dict per article."""
    yield from _lines(folder / "key.jsonl")


def read_articles(folder: Path) -> Iterator[dict]:
    """The generated articles, in file order."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for name in manifest["shards"]:
        yield from _lines(folder / name)


def body_of(record: dict, key: dict) -> list[str]:
    """An article's body sentences: its paragraphs that the key does not mark as added."""
    added = set(key["added"])
    return [p for i, p in enumerate(record["text"].split("\n\n")) if i not in added]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, required=True, help="articles to generate")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--shard-size", type=int, default=10_000, help="articles per file")
    parser.add_argument("--translations", type=float, default=0.04,
                        help="share of articles that are translations, while NTREX lasts")
    parser.add_argument("--events", type=int, default=0,
                        help="use only the first N benchmark events (0: all, about 4,600), so "
                             "the passes come round every ~4.8 N articles, not every ~22,000")
    args = parser.parse_args()
    missing = [str(p) for p in SOURCES.values() if not p.is_file()]
    if missing:
        sys.exit(f"{', '.join(missing)} not found: the benchmarks live in ../shared beside the "
                 "repository")
    try:
        manifest = generate(args.articles, args.out, seed=args.seed,
                            shard_size=args.shard_size, translations=args.translations,
                            events=args.events)
    except ValueError as exc:
        sys.exit(str(exc))
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
