"""The names' evidence: what makes a capitalised word a name where the capital says nothing.

A capital marks a name inside an ordinary sentence, but not a sentence's first word nor
any word of a Title Case line (a headline). :func:`_is_name_word` reads such a word as a
name only if the text never writes it in lowercase; with :data:`NAME_EVIDENCE` set, only
if the article also writes it with a capital inside an ordinary sentence
(:func:`_confirmed_names`, :func:`_evidenced`). An article that is its title and nothing
else (:func:`_bare_headline`) shows no such evidence at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from newsweave.stories.words import _NOT_NAMES

# What makes a capitalised word a name where the capital says nothing. 0: that the text
# never writes it in lowercase; 1: in a Title Case line (a headline), also that the
# article writes it with a capital inside an ordinary sentence ("Kim" in the lead, not
# "Settled" or "Face" of "Trial a Day Away With Few Details Settled"); 2: the same for a
# sentence's first word. A short report (a headline and a lead) writes too few lowercase
# words for the first test to reject much, and every word it takes for a name adds to the
# names two reports "do not share". 1 was measured and not adopted (docs/benchmarks.md,
# #12 part 7: AllSides test 0.846 -> 0.861, but fewer short reports can disagree on names
# at all, so one report an event loses precision, the mixed store's AllSides gap passes
# 0.01 and the whole AllSides set loses 0.012); kept so the bench can measure it again.
NAME_EVIDENCE = 0


def _title_case(words: list[str]) -> bool:
    """Whether a line's words are mostly capitalised ("Senate Passes Budget After Long
    Debate"): a headline style, in which a capital says nothing about a name, so each of
    its words is judged as a sentence's first word is (see :func:`_is_name_word`).

    >>> _title_case("Senate Passes Budget After Long Debate".split())
    True
    >>> _title_case("Obama met the mayor of a small town".split())
    False
    """
    firsts = [w[0] for w in words if len(w) > 3 and w[0].isalpha()]  # no word is empty
    long = len(firsts)
    return long >= 3 and sum(map(str.isupper, firsts)) >= 0.75 * long


def _confirmed_names(lines: Sequence[tuple[int, list[str]]]) -> set[str]:
    """The lowercased words an article writes with a capital inside a sentence of ordinary
    case (not a Title Case line, not its first word): its own evidence that they name
    someone or somewhere (see :data:`NAME_EVIDENCE`).

    >>> sorted(_confirmed_names([(1, "Storm Hits Town".split()),
    ...                          (1, "A storm hit Dover on Monday".split())]))
    ['dover', 'monday']
    """
    found: set[str] = set()
    for line in lines:
        if _ordinary(line):
            words = line[1]
            found.update(w.lower() for w in words[1:] if w[0].isupper())
    return found


def _bare_headline(lines: Sequence[tuple[int, list[str]]], body: int) -> bool:
    """Whether an article is its title and nothing else: it has a title (its lines before
    ``body``), no line of it is an ordinary sentence, and its text says no word its title
    does not. A text without a title is never one: a line in capitals there may be a
    sentence that the Title Case test misreads ("Reid met REID in Paris").

    >>> head = (2, "Storm Hits Town".split())
    >>> _bare_headline([head, (1, "Storm Hits Town".split())], 1), _bare_headline([head], 0)
    (True, False)
    >>> _bare_headline([head, (1, "Mayor Named Chief".split())], 1)  # a body of its own
    False
    """
    return title_only(lines, body) and not any(map(_ordinary, lines))


def title_only(lines: Sequence[tuple[int, list[str]]], body: int) -> bool:
    """Whether an article has a title (its lines before ``body``) and its text says no
    word the title does not: a headline with nothing under it, in any case.

    >>> head = (2, "Storm hits town".split())
    >>> title_only([head, (1, "Storm hits town".split())], 1), title_only([head], 0)
    (True, False)
    >>> title_only([head, (1, "The mayor said so".split())], 1)
    False
    """
    if not body:
        return False
    said = {w for _, words in lines[:body] for w in words}
    return all(w in said for _, words in lines[body:] for w in words)


def _ordinary(line: tuple[int, list[str]]) -> bool:
    """Whether a line is an ordinary sentence, whose inner capitals mark names (what
    :func:`_confirmed_names` reads).

    >>> _ordinary((1, "Storm Hits Town".split())), _ordinary((1, "A storm hit Dover".split()))
    (False, True)
    """
    words = line[1]
    return len(words) > 1 and not _title_case(words)


def _evidenced(word: str, position: int, title_case: bool, confirmed: set[str]) -> bool:
    """Whether a capitalised word where a capital says nothing (a Title Case line; with
    :data:`NAME_EVIDENCE` 2 also a sentence's first word) is written with a capital
    inside an ordinary sentence of the article too."""
    if not (title_case or (position == 0 and NAME_EVIDENCE > 1)):
        return True
    return word.lower() in confirmed


def _is_name_word(word: str, position: int, lowercase: set[str]) -> bool:
    if not word[:1].isupper() or word.lower() in _NOT_NAMES or (word.isupper() and len(word) > 5):
        return False  # long all-caps words are shouted headlines, not acronyms
    # A capitalised word opening a sentence is a name only if the text never writes it in
    # lowercase ("Officials said" vs "Obama said").
    return position > 0 or word.lower() not in lowercase
