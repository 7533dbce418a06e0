"""Stories in one language other than English: SemEval-2022 task 8's same-language pairs.

Data: ``../shared/benchmarks/semeval2022_task8/pairs.jsonl``, the pairs with lang1 == lang2
(de, es, tr, pl, ar, fr; en the reference row). Each language's pair texts go through
``Engine.ingest`` into a store of their own (the reuse and stories stages, the default
settings: the English model on; the engine detects each text's language, it is not told),
and all of them together into one mixed store, as a real store holds every language.

Per language and store, on each half of its pairs (``choose``: even positions of the
language's pairs sorted by pair id, where a setting is chosen; ``report``: odd positions)
and on all: the share of "very similar" pairs (Overall <= 1.5) in one story, of unrelated
pairs (Overall >= 3.5) in different stories, the shares of the moderately similar bands
(1.5, 2.5] and (2.5, 3.5) in one story (the benchmark says nothing of whether they should
be), and stories against texts. ``balanced``: the mean of the first two. Each row is given
with the pairs ``mojibake: true`` marks (broken encoding) and without them (``clean``).

A text shared by pairs of both halves is in both: the halves split the pairs (the
judgements), not the texts.

    python bench/stories_languages.py                 # every language, own stores + mixed
    python bench/stories_languages.py --langs de,tr --no-mixed
    python bench/stories_languages.py --set story_threshold=0.22   # any stage setting
    python bench/stories_languages.py --stories-only   # the stories stage alone (quick)
    python bench/stories_languages.py --set stories.words.LANGUAGE_TEXT=0  # as English
    python bench/stories_languages.py --cost --langs de,es,tr,pl,ar,fr   # features' CPU
    python bench/stories_languages.py --diagnose   # what the mixed store's links part
    python bench/stories_languages.py --no-own --set "stories.LINK_WEIGHTS[translation]=0"

Embeddings are cached under ``~/.cache/newsweave-bench/`` (keyed by the exact text).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAIRS = REPO.parent / "shared" / "benchmarks" / "semeval2022_task8" / "pairs.jsonl"
LANGUAGES = ("en", "de", "es", "tr", "pl", "ar", "fr")
HALVES = ("choose", "report", "all")


def load_pairs(languages: Sequence[str] = LANGUAGES) -> dict[str, list[dict]]:
    """The same-language pairs of each of ``languages``, sorted by pair id."""
    rows = [json.loads(line) for line in PAIRS.open(encoding="utf-8")]
    return {lang: sorted((r for r in rows if r["lang1"] == r["lang2"] == lang),
                         key=lambda r: r["pair_id"]) for lang in languages}


def story_map(records: list[dict], stories_only: bool = False
              ) -> tuple[dict[str, int | None], int]:
    """Ingest ``records`` (default settings: the English model on) and return each
    record's story (None: none) and how many were stored. ``stories_only``: the stories
    stage alone (no reuse stage, so no sentence vectors and no links: quick, for tests)."""
    sys.path.insert(0, str(REPO / "bench"))
    from ntrex import ingest

    if stories_only:
        engine, tmp = ingest_stories(records)
    else:
        engine, tmp = ingest(records, english=True)
    try:
        ids = {a.external_id: int(a.id or 0) for a in engine.articles()}
        story_of = engine.store.stories.story_of(list(ids.values()))
    finally:
        engine.store.close()
        tmp.cleanup()
    return {k: story_of.get(i) for k, i in ids.items()}, len(ids)


def store_state(records: list[dict], translations: list | None = None
                ) -> tuple[dict[str, int | None], dict[str, str | None],
                           list[tuple[str, str, str]]]:
    """Ingest ``records`` through the whole pipeline (as :func:`story_map`) and return each
    record's story, its detected language and the reuse stage's relations (``independent``
    left out), by record id; ``translations``: filled with the store's translation edges as
    ``ntrex.translation_rows`` reads them (their ``pair`` by record id)."""
    sys.path.insert(0, str(REPO / "bench"))
    from ntrex import ingest, translation_rows

    engine, tmp = ingest(records, english=True)
    try:
        articles = list(engine.articles())
        if translations is not None:
            by_id = {int(a.id or 0): a for a in articles}
            found = translation_rows(
                [(min(e.derived, e.source), max(e.derived, e.source))
                 for e in engine.store.reuse.pairs(list(by_id), kinds=("translation",),
                                                   evidence=False)],
                engine.store.reuse.vectors(list(by_id)), by_id)
            translations.extend({**r, "pair": tuple(by_id[i].external_id for i in r["pair"])}
                                for r in found)
        ids = {a.external_id: int(a.id or 0) for a in articles}
        key = {i: k for k, i in ids.items()}
        story_of = engine.store.stories.story_of(list(ids.values()))
        language = {a.external_id: a.language for a in articles}
        links = [(key[e.derived], key[e.source], e.kind)
                 for e in engine.store.reuse.pairs(list(ids.values()), evidence=False)
                 if e.kind != "independent"]
    finally:
        engine.store.close()
        tmp.cleanup()
    return {k: story_of.get(i) for k, i in ids.items()}, language, links


def diagnose(languages: Sequence[str], by_lang: dict[str, list[dict]],
             prepared: dict[str, tuple[dict, list]]) -> None:
    """What the mixed store (whole pipeline) adds that parts the very similar pairs of one
    language its own store keeps together: the relations it stores by kind (within a
    language, across languages, across languages between two sites), and, per language,
    the very similar pairs kept together in the own store and parted in the mixed one
    (and the reverse), by the cross-language relations their two texts have there."""
    from urllib.parse import urlparse

    everything: dict[str, dict] = {}
    for lang in languages:
        everything.update(prepared[lang][0])
    translations: list[dict] = []
    story_of, language, links = store_state(list(everything.values()), translations)
    site = {k: urlparse(r.get("url", "")).netloc for k, r in everything.items()}
    print("The translation edges (none is one: separate reports), as the store ends:")
    print("| languages | lead cosine | ranks | sentences | aligned in order | share | "
          "of the longer side | rival |")
    print("|---|---|---|---|---|---|---|---|")
    for r in translations:
        print(f"| {'-'.join(r['langs'])} | {r['cosine']:.3f} | {r['ranks'][0]}, "
              f"{r['ranks'][1]} | {r['sentences'][0]}, {r['sentences'][1]} | {r['aligned']} | "
              f"{r['share']:.2f} | {r['longer']:.2f} | {'yes' if r['rival'] else 'no'} |")
    print()
    print("| relation | within a language | across languages | of them, two sites |")
    print("|---|---|---|---|")
    crossing: dict[str, set[str]] = {}
    for kind in sorted({k for _, _, k in links}):
        found = [(a, b) for a, b, k in links if k == kind]
        across = [(a, b) for a, b in found if language[a] != language[b]]
        for a, b in across:
            crossing.setdefault(a, set()).add(kind)
            crossing.setdefault(b, set()).add(kind)
        print(f"| {kind} | {len(found) - len(across)} | {len(across)} | "
              f"{sum(site[a] != site[b] for a, b in across)} |")
    print()
    print("| lang | very similar: together own, apart mixed | of them, a text translation-"
          "linked across languages | same-event only | neither | apart own, together mixed |")
    print("|---|---|---|---|---|---|")
    for lang in languages:
        records, keys = prepared[lang]
        own, _ = story_map(list(records.values()))
        parted, joined = [], 0
        for row, (a, b) in zip(by_lang[lang], keys, strict=True):
            if row["Overall"] > 1.5 or a == b or a not in own or a not in story_of:
                continue
            in_own = own[a] is not None and own[a] == own[b]
            in_mixed = story_of[a] is not None and story_of[a] == story_of[b]
            if in_own and not in_mixed:
                parted.append(crossing.get(a, set()) | crossing.get(b, set()))
            joined += in_mixed and not in_own
        translated = sum("translation" in k for k in parted)
        same_event = sum(k == {"same-event"} for k in parted)
        print(f"| {lang} | {len(parted)} | {translated} | {same_event} | "
              f"{len(parted) - translated - same_event} | {joined} |")


def ingest_stories(records: list[dict]):
    """``records`` through ``Engine.ingest`` with the stories stage alone, in a temporary
    directory (the caller closes the store and the directory)."""
    import tempfile

    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store
    from newsweave.stories import StoriesStage

    tmp = tempfile.TemporaryDirectory()
    source = Path(tmp.name) / "docs.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                      encoding="utf-8")
    db = str(Path(tmp.name) / "stories.db")
    engine = Engine(open_store(db), load_settings(db=db), stages=[StoriesStage()])
    engine.ingest([str(source)])
    return engine, tmp


def measure_language(lang: str, stories_only: bool = False
                     ) -> dict[str, dict[str, dict[str, float]]]:
    """One language's pairs in a store of their own: :func:`score`'s figures."""
    sys.path.insert(0, str(REPO / "bench"))
    from semeval import pair_records

    rows = load_pairs((lang,))[lang]
    records, keys = pair_records(rows)
    story_of, _ = story_map(list(records.values()), stories_only)
    return score(rows, keys, story_of)


def score(rows: Sequence[dict], keys: Sequence[tuple[str, str]],
          story_of: dict[str, int | None]) -> dict[str, dict[str, dict[str, float]]]:
    """Per half and per subset ("all", "clean": without mojibake pairs) the counts and
    rates of the module doc."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for subset in ("all", "clean"):
        for half in HALVES:
            c = dict.fromkeys(("similar", "together", "unrelated", "apart", "band2",
                               "band2_together", "band3", "band3_together"), 0)
            texts: set[str] = set()
            for position, (row, (a, b)) in enumerate(zip(rows, keys, strict=True)):
                if half != "all" and ("choose" if position % 2 == 0 else "report") != half:
                    continue
                if subset == "clean" and row.get("mojibake"):
                    continue
                if a not in story_of or b not in story_of or a == b:
                    continue
                texts.update((a, b))
                same = story_of[a] is not None and story_of[a] == story_of[b]
                overall = row["Overall"]
                if overall <= 1.5:
                    c["similar"] += 1
                    c["together"] += same
                elif overall >= 3.5:
                    c["unrelated"] += 1
                    c["apart"] += not same
                else:
                    band = "band2" if overall <= 2.5 else "band3"
                    c[band] += 1
                    c[f"{band}_together"] += same
            stories = {story_of[t] if story_of[t] is not None else f"none-{t}" for t in texts}
            c["texts"], c["stories"] = len(texts), len(stories)
            together = c["together"] / c["similar"] if c["similar"] else float("nan")
            apart = c["apart"] / c["unrelated"] if c["unrelated"] else float("nan")
            c["balanced"] = (together + apart) / 2
            out.setdefault(subset, {})[half] = c
    return out


def rate(count: float, total: float) -> str:
    return f"{count}/{total} {count / total:.3f}" if total else "-"


def print_rows(store: str, lang: str, found: dict, subsets: Sequence[str]) -> None:
    for subset in subsets:
        for half in HALVES:
            c = found[subset][half]
            print(f"| {store} | {lang} | {subset} | {half} | "
                  f"{rate(c['together'], c['similar'])} | {rate(c['apart'], c['unrelated'])} | "
                  f"{c['balanced']:.3f} | {rate(c['band2_together'], c['band2'])} | "
                  f"{rate(c['band3_together'], c['band3'])} | {c['stories']}/{c['texts']} |")


def apply_settings(pairs: Sequence[str]) -> None:
    """``name=value`` settings: a module constant (``module.NAME=value``, module under
    newsweave) or a setting of the engine (``story_threshold=0.22``)."""
    import importlib

    for item in pairs:
        name, value = item.split("=", 1)
        if "[" in name:  # an entry of a module's dict: stories.LINK_WEIGHTS[translation]
            module, attr = name.split("[", 1)[0].rsplit(".", 1)
            table = getattr(importlib.import_module(f"newsweave.{module}"), attr)
            key = name.split("[", 1)[1].rstrip("]")
            table[key] = type(table[key])(value)
        elif "." in name:
            module, attr = name.rsplit(".", 1)
            target = importlib.import_module(f"newsweave.{module}")
            old = getattr(target, attr)
            setattr(target, attr, type(old)(value) if not isinstance(old, bool)
                    else value.lower() in ("1", "true"))
        else:  # a setting: through its environment variable, as a deployment sets it
            import os

            from newsweave.settings import SETTINGS

            setting = next(s for s in SETTINGS if s.name == name)
            os.environ[setting.env] = value
        print(f"setting {name} = {value}")


def cost(languages: Sequence[str], repeats: int = 3) -> None:
    """CPU seconds of the stories stage's features (``extract_features``) over every text
    of ``languages``' pairs, read in the detected language and read as English (the best
    of ``repeats`` runs; the reading's caches warm after the first)."""
    from newsweave.clean.metadata import detect_language
    from newsweave.stories import features, words

    texts = list({r[f"text{side}"]: None for rows in load_pairs(languages).values()
                  for r in rows for side in ("1", "2")})
    detected = [detect_language(t) for t in texts]
    for on in (False, True):
        words.LANGUAGE_TEXT = on
        best = float("inf")
        for _ in range(repeats):
            started = time.process_time()
            for text, language in zip(texts, detected, strict=True):
                features.extract_features(None, text, language=language)
            best = min(best, time.process_time() - started)
        print(f"features of {len(texts)} texts, read {'in their language' if on else 'as English'}"
              f": {best:.2f} CPU s ({1000 * best / len(texts):.2f} ms a text)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default=",".join(LANGUAGES))
    parser.add_argument("--no-mixed", action="store_true", help="no mixed store")
    parser.add_argument("--no-own", action="store_true", help="no per-language stores")
    parser.add_argument("--cost", action="store_true",
                        help="only the features' CPU cost, read in the language and as English")
    parser.add_argument("--stories-only", action="store_true",
                        help="the stories stage alone (no reuse: no sentence vectors, links)")
    parser.add_argument("--diagnose", action="store_true",
                        help="the mixed store's relations, and the very similar pairs it parts "
                        "that the own stores keep together, by their cross-language links")
    parser.add_argument("--clean-only", action="store_true", help="only the rows without "
                        "mojibake pairs")
    parser.add_argument("--set", action="append", default=[],
                        help="module.NAME=value (e.g. stories.words.LANGUAGE_STEMS=0)")
    args = parser.parse_args()
    if not PAIRS.is_file():
        sys.exit(f"{PAIRS} not found: the benchmarks live in ../shared beside the repository")
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO / "bench"))
    from semeval import pair_records

    apply_settings(args.set)
    languages = args.langs.split(",")
    if args.cost:
        cost(languages)
        return
    by_lang = load_pairs(languages)
    if args.diagnose:
        diagnose(languages, by_lang, {lang: pair_records(rows) for lang, rows in by_lang.items()})
        return
    subsets = ("clean",) if args.clean_only else ("all", "clean")
    print("| store | lang | pairs | half | very similar in one story | unrelated apart | "
          "balanced | (1.5,2.5] in one | (2.5,3.5) in one | stories/texts |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    started = time.process_time()
    prepared = {lang: pair_records(rows) for lang, rows in by_lang.items()}
    if not args.no_own:
        for lang in languages:
            records, keys = prepared[lang]
            story_of, _ = story_map(list(records.values()), args.stories_only)
            print_rows("own", lang, score(by_lang[lang], keys, story_of), subsets)
            sys.stdout.flush()
    if not args.no_mixed:
        everything: dict[str, dict] = {}
        for lang in languages:
            everything.update(prepared[lang][0])
        story_of, _ = story_map(list(everything.values()), args.stories_only)
        for lang in languages:
            print_rows("mixed", lang, score(by_lang[lang], prepared[lang][1], story_of),
                       subsets)
    print(f"{time.process_time() - started:.0f} CPU s (this process)")


if __name__ == "__main__":
    main()
