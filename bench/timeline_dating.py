"""Which reports date each timeline entry of the demo's story A, per setting.

The demo answer key (``src/newsweave/demo/corpus/README.md``) says the breach
(late on Monday 2 March) is dated by the independent origins 01, 06 and 07, and
the inspection (26 February) by 01 and 09, each in its own words. A timeline
entry collects the articles that put its event on its day
(:func:`newsweave.brief.timeline.same_event`: enough shared content words, or an
overlapping part of the day). This script builds the brief at the shipped
setting and its neighbours (shared words 2-5; with the part of the day read or
not) and prints, for each entry, the origins that state its sentence (``cites``)
and those that date it (``dated_by``), as demo file numbers; then whether the
key's two date items hold. ``tests/test_crosscheck_demo_key.py`` checks them at
the shipped setting.

Usage, from the repository root::

    python bench/timeline_dating.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import newsweave
from newsweave.brief import timeline
from newsweave.demo import corpus_files

KEY = {"2026-03-02": {"01", "06", "07"}, "2026-02-26": {"01", "09"}}


def main() -> None:
    shipped_words, shipped_part = timeline._SAME_EVENT_WORDS, timeline.day_part
    with tempfile.TemporaryDirectory() as tmp, newsweave.open(str(Path(tmp) / "d.db")) as engine:
        engine.ingest([str(p) for p in corpus_files()])
        files = {a.id: Path(a.source).name[:2] for a in engine.articles()}
        wire = next(a for a, f in files.items() if f == "01")
        story = engine.story_of(wire)
        for part in (True, False):
            for words in (2, 3, 4, 5):
                timeline._SAME_EVENT_WORDS = words
                timeline.day_part = shipped_part if part else (lambda *_: None)
                brief = engine.brief(story)
                origin = {s.article: s.origin for s in brief.sources}

                def origins(ids: list[int], origin: dict[int, int] = origin) -> str:
                    return ",".join(sorted({files[origin.get(a, a)] for a in ids}))

                shipped = words == shipped_words and part
                print(f"shared words >= {words}, part of day {'read' if part else 'ignored'}"
                      f"{'  (shipped)' if shipped else ''}")
                met = []
                for t in brief.timeline:
                    print(f"  {t.date}  cites {origins(t.cites):<9} dated by "
                          f"{origins(t.dated_by):<12} {t.text[:60]}")
                    if t.date in KEY:
                        met.append(set(origins(t.dated_by).split(",")) >= KEY[t.date])
                print(f"  key date items met: {sum(met)} of {len(KEY)}")
    timeline._SAME_EVENT_WORDS, timeline.day_part = shipped_words, shipped_part


if __name__ == "__main__":
    main()
