"""The stemmer of story features: the default light stemmer against Snowball English.

Runs ``bench/stories_dev.py`` (the stories stage alone on the dev sets) with the stories
stage's features stemmed by ``--stemmer light`` (the default, :func:`newsweave.nlp.text.stem`)
or ``--stemmer snowball`` (:func:`newsweave.nlp.text.snowball_stem`, PyStemmer: the
``bench`` extra). Every other argument goes to ``stories_dev.py``.

Usage, from the repository root::

    python bench/text_stemmer.py --stemmer snowball --sets ecb basil allsides
    python bench/text_stemmer.py --stemmer light --sets ecb basil allsides
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import newsweave.stories.words as words
import stories_dev
from newsweave.nlp.text import snowball_stem, stem


def _snowball(word: str) -> str:
    if word.endswith(("'s", "’s")):  # the possessive goes, as in the light stemmer
        word = word[:-2]
    return snowball_stem(word.lower())


def main() -> None:
    args = sys.argv[1:]
    choice = "light"
    if "--stemmer" in args:
        at = args.index("--stemmer")
        choice = args[at + 1]
        del args[at : at + 2]
    if choice not in ("light", "snowball"):
        sys.exit(f"--stemmer {choice!r}: expected light or snowball")
    # Set where it is read (stories.words, split from stories.features: set on features, it
    # no longer took effect).
    words.stem = _snowball if choice == "snowball" else stem  # type: ignore[assignment]
    words._term_key.cache_clear()
    print(f"story features stemmed by: {choice}")
    sys.argv = [sys.argv[0], *args]
    stories_dev.main()


if __name__ == "__main__":
    main()
