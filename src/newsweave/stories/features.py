"""Cheap per-article features for event clustering: terms, names, dates.

The stories stage runs before entity extraction and must assign hundreds of
articles a second, so it does not parse: it counts content words, picks out
capitalised word runs as entity-like *names* (people, places, organisations)
and the years and month-years the text mentions. Each feature is hashed to a
32-bit key (``zlib.crc32``: stable across processes, unlike ``hash()``), so a
vector is a small ``{key: count}`` dict and the store needs no vocabulary.

Weighting (TF-IDF with the store's document frequencies, group weights) is
applied later, in :mod:`newsweave.stories.vectors`, so counts stored today stay
valid when the document frequencies move.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from newsweave.nlp.sentences import split_sentences
from newsweave.nlp.text import fold, stem
from newsweave.stories.words import (
    _FIGURE,
    _FULL_WEEKDAYS,
    _MONTHS,
    _NOT_NAMES,
    _WEEKDAYS,
    _WORD,
    _YEAR,
    DATE,
    FIGURE,
    LEAD_YEAR,
    NAME,
    STOPWORDS,
    TERM,
    WEEKDAY,
    Reading,
    _name_key,
    _name_word,
    _term_key,
    key,
    reading,
)

# Sentences of the body counted ``lead_boost`` times after a title. None: a news lead
# restates its headline, and counting both twice weighed the lead's wording four times
# (chosen on ECB+ odd topics + AllSides validation split; it was 1: docs/benchmarks.md,
# #12 part 3). Without a title, the first sentence stands in for it and counts so.
TITLED_LEAD = 0
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
# Whether an article that is its title and nothing else (a feed item without a
# description: a title, and a text, if any, that repeats it; no ordinary sentence) in Title Case
# takes its names as NAME_EVIDENCE 1 would: none, since nothing in it shows a capital to
# be a name ("Husband Breaks Down In Tears After Lost Voicemail Message" names nobody, and
# every such word was a name the headline's neighbours "do not share"). Its words still
# count as terms. Any article with a body is read as NAME_EVIDENCE says. Chosen on
# Emergent's even claims, every dev figure held (docs/benchmarks.md, #12 part 16).
BARE_HEADLINE_EVIDENCE = True
# The factor by which two reports (or a report and a story) that both put their title and
# lead somewhere (Features.places: "shot in Culver City", "in Compton and Huntington Park")
# and share no place are damped: where it happened, down to the town. 1: off, and no place
# is collected or stored (an article analysed while it is off has none). Measured and not
# adopted: the places differ between one event's close reports as often as between two
# events' on the dev sets, and no setting below 1 did better on the choice sets
# (docs/benchmarks.md, #12 part 8); kept so the bench can measure it again.
PLACE_PENALTY = 1.0
# What the year veto (two undated reports that both mention years and share none are
# damped: vectors.veto_factor) reads: "text", the years and month-years found anywhere in
# the text and its date lines (the date features); "lead", those of the title, the first
# sentence and the date lines only (Features.lead_years: what the report leads with, as
# the figures' veto reads; a body's background years, "the 1979 collapse", differ between
# two reports of one event); "lead-text": the leads' years where both state some, else
# the texts'; "none": no year veto (publication dates still apply). Only the veto's
# evidence changes: the date features are weighed as before. With "lead" or "lead-text"
# the lead's years are collected and stored (an article analysed under "text" has none, so
# no year veto, until it is analysed again). "lead" was measured and not adopted: it gives
# back SemEval's same-story pairs, but ECB+ odd (a choice set) loses 0.012, since its
# same-kind events of one topic differ in the years of the body and hardly ever in those
# of the lead (docs/benchmarks.md, #12 part 9); kept so the bench can measure it again.
YEAR_EVIDENCE = "text"
# The factor by which two undated reports whose titles and leads both name a weekday and
# share none are damped (Features.weekdays: "on Tuesday" against "on Thursday"): when, for
# the news of one week whose reports carry no publication date; in a big store of
# same-kind events the weekday differs in 30-56 % of average linkage's wrong merges against
# 4-17 % of its right ones. A fallback like the years': where both sides are dated their
# publication dates say when (two reports of one event published days apart may name
# different weekdays). 1: off, and no weekday is collected or stored (an article analysed
# while it is off has none). Chosen on ECB+ odd topics + the AllSides training split with
# 0.7 and 0.5 beside it (they gain the big store more, but lose ECB+ odd and a SemEval
# same-story pair): docs/benchmarks.md, #12 part 11.
WEEKDAY_PENALTY = 0.85
# Where the weekdays' veto applies: "pairs" (two reports only: repair's and the whole
# re-clusterings' pair matrices, which do not depend on the order the reports came in;
# online assignment and repair's story-level checks read no weekday) or "all" (a report
# and a story too, against the union of the story's weekdays, as the figures' veto).
# "all" made ECB+ even depend on the order (one article per ingest 0.917 against 0.928 in
# one batch), "pairs" does not (#12 part 11).
WEEKDAY_SCOPE = "pairs"
# The factor by which average linkage (repair and the whole re-clusterings) damps the mean
# similarity of two clusters of two or more reports each whose weekdays (the union over
# their undated members) are both named and disjoint: the veto above carried to two
# stories, where a clash of one pair in several is diluted in the mean. Single reports
# are untouched, so one report an event cannot change; nor can online assignment. 1: off.
# Chosen on ECB+ odd topics + the AllSides validation split through the stage, among the
# factors that pass every check (0.7 and 0.6 gain more but split ECB+ into more stories
# than tests/test_stories_quality.py allows): AllSides val 0.841 -> 0.844, AllSides test
# 0.849 -> 0.856, precision alone; docs/benchmarks.md, #12 part 14.
WEEKDAY_STORY_PENALTY = 0.85
# Prepositions that put the capitalised words after them in a place ("shot in Culver City",
# "a crash near Lake Worth"): where the title and lead say it happened (Features.places).
_LOCATIVE = frozenset("in at near outside".split())
# Lowercase words allowed inside a name ("Bank of England", "Leonardo da Vinci").
_NAME_GLUE = frozenset("of de da del der van von al la le di du bin".split())


@dataclass(slots=True)
class Features:
    """Hashed feature counts of one article, by group, plus its display names."""

    terms: Counter[int] = field(default_factory=Counter)
    names: Counter[int] = field(default_factory=Counter)
    dates: Counter[int] = field(default_factory=Counter)
    # The figures (numbers other than years) the title and first sentence state: what
    # happened, in numbers ("1.5 million", "a 3-year-old"); keys only, never weighed
    # (the numbers are terms already), for the figures' veto (vectors.veto_factor).
    figures: set[int] = field(default_factory=set)
    # The places the title and first sentence put it in (capitalised words after "in",
    # "at", "near", "outside"): where it happened; keys only, never weighed (the words are
    # names already), for the places' veto (PLACE_PENALTY; collected only when it is on).
    places: set[int] = field(default_factory=set)
    # The years and month-years of the title, the first sentence and the date lines, as
    # keys of their own (group LEAD_YEAR); never weighed (the years are date features
    # already), for the year veto when YEAR_EVIDENCE is "lead" or "lead-text" (collected
    # only then).
    lead_years: set[int] = field(default_factory=set)
    # The weekdays the title and first sentence name ("on Tuesday"), as keys of their own
    # (group WEEKDAY); never weighed (weekdays are no terms), for the weekdays' veto
    # (WEEKDAY_PENALTY; collected only when it is on).
    weekdays: set[int] = field(default_factory=set)
    # name key -> surface form (most frequent spelling), to show a story's top entities
    labels: dict[int, str] = field(default_factory=dict)

    def keys(self) -> set[int]:
        return set(self.terms) | set(self.names) | set(self.dates)




def extract_features(title: str | None, text: str, *, lead_boost: int = 2,
                     datelines: Sequence[str] = (), language: str | None = None) -> Features:
    """Terms, names and dates of an article; the title (without one, the first sentence)
    counts ``lead_boost`` times, because a headline states the event the rest elaborates
    (and :data:`TITLED_LEAD` body sentences after a title).

    ``datelines``: the date lines cleaning took out of the body ("PUBLISHED: THURSDAY, MAY 2,
    2013, 1:32 PM"): the report's own time stamps, which say *when* better than any year in
    the text, so their years and month-years count as date features (and nothing else of
    them: "published" and "updated" are not the event's words).

    ``language``: the article's detected language (ISO 639-1); another one than English is
    read with its own stop words, stems and month names too (:class:`Reading`).

    >>> f = extract_features("Quake hits Tonga", "A strong earthquake struck Tonga on Monday.")
    >>> f.labels[key("n", "tonga")], f.terms[key("t", "quake")]
    ('Tonga', 2)
    >>> sorted(extract_features(None, "Quake.", datelines=["May 3, 2013 1:10 PM"]).dates) == (
    ...     sorted([key("d", "2013"), key("d", "2013-05")]))
    True
    """
    features = Features()
    read = reading(language)
    lead_years = YEAR_EVIDENCE.startswith("lead")
    for line in datelines:
        _add_dateline(line, features, lead_years, read)
    surface: dict[int, dict[str, int]] = {}
    sentences = [s.text for s in split_sentences(text)]
    parts = ([title] if title else []) + sentences
    # Every line's terms, each as often as its weight, counted at once at the end (in C).
    terms: list[int] = []
    lines: list[tuple[int, list[str]]] = []
    body = lead = 0  # where the text's lines begin; where the title's and lead's end
    for index, part in enumerate(parts):
        weight = lead_boost if index < (1 + TITLED_LEAD if title else 1) else 1
        # A name never runs across a line break (menus, bylines left by cleaning).
        lines.extend((weight, _WORD.findall(line)) for line in part.split("\n"))
        if index == 0 and title:
            body = len(lines)
        if index < (2 if title else 1):  # the title and the first sentence
            lead = len(lines)
    # The words the text writes in lowercase, lowercased once per distinct word (a word
    # written in lowercase is its own lowercase but for the odd character; the set of
    # images is the same either way). Read from the text's lines: the sentences hold all
    # of the text but the whitespace between them, which no word crosses, so their words
    # are the text's (a second regular-expression pass over the whole text was a tenth of
    # the features' time).
    lower = str.lower if read is None else read.lower
    lowercase = set(map(lower, {w for _, words in lines[body:] for w in words
                                if w.islower()}))
    for _, words in lines[:lead]:
        features.figures.update(_figures(words))
        if PLACE_PENALTY < 1.0:
            features.places.update(_places(words, lowercase))
        if lead_years:
            features.lead_years.update(_years(words))
        if WEEKDAY_PENALTY < 1.0:
            features.weekdays.update(_weekdays(words))
    confirmed = _confirmed_names(lines) if NAME_EVIDENCE else None
    if confirmed is None and BARE_HEADLINE_EVIDENCE and _bare_headline(lines, body):
        confirmed = set()  # no ordinary sentence: no Title Case word is evidenced
    for weight, words in lines:
        _add_sentence(words, weight, lowercase, features, surface, terms, confirmed, read)
    features.terms.update(terms)
    # The commonest spelling, the first seen among equals (as Counter.most_common(1)).
    features.labels = {k: next(iter(c)) if len(c) == 1 else max(c.items(), key=_second)[0]
                       for k, c in surface.items()}
    return features


def _second(pair: tuple[str, int]) -> int:
    return pair[1]


def _weekdays(words: Sequence[str]) -> set[int]:
    """The keys of the weekdays among ``words``, written in full with a capital.

    >>> _weekdays(["on", "Tuesday", "tuesday", "Sun", "Sunday"]) == {
    ...     key(WEEKDAY, "1"), key(WEEKDAY, "6")}
    True
    """
    found = set()
    for word in words:
        day = _FULL_WEEKDAYS.get(word.lower()) if word[:1].isupper() else None
        if day is not None:
            found.add(key(WEEKDAY, str(day)))
    return found


def _figures(words: Sequence[str]) -> set[int]:
    """The keys of the figures among ``words``: numbers, thousands' commas dropped, years
    aside (they are dates).

    >>> _figures(["fell", "to", "1.5", "million", "34,000", "2020", "1st"]) == {
    ...     key(FIGURE, "1.5"), key(FIGURE, "34000")}
    True
    """
    return {key(FIGURE, w.replace(",", "")) for w in words
            if w[0].isdigit() and _FIGURE.match(w) and not _YEAR.match(w)}


def _years(words: Sequence[str]) -> set[int]:
    """The lead-year keys of the years among ``words``, each also with its month where the
    word before it names one (as the date features read them).

    >>> _years("Quake of May 2013 recalls 1979 collapse".split()) == {
    ...     key(LEAD_YEAR, "2013"), key(LEAD_YEAR, "2013-05"), key(LEAD_YEAR, "1979")}
    True
    """
    found: set[int] = set()
    for position, word in enumerate(words):
        if word[0].isdigit() and _YEAR.match(word):
            found.add(key(LEAD_YEAR, word))
            month = _MONTHS.get(words[position - 1].lower()) if position else None
            if month is not None:
                found.add(key(LEAD_YEAR, f"{word}-{month:02d}"))
    return found


def _places(words: Sequence[str], lowercase: set[str]) -> set[int]:
    """The keys of the places among ``words``: each run of capitalised words after a
    locative preposition (and an optional "the"; "and" / "or" continue a list of places),
    months and weekdays aside, and in a Title Case line only words the text never writes
    in lowercase (as a name is read there). A place gives two keys, the whole run and its
    first word, so "Culver" of a headline whose "City" the text writes in lowercase
    matches "Culver City" of the lead; the keys are name keys (the names hold the same
    runs), so a place can be looked up among another report's names.

    >>> _places("A man was shot in Culver City on Monday".split(), set()) == {
    ...     key(NAME, "culver " + _name_word("City")), key(NAME, "culver")}
    True
    >>> len(_places("Two dead in Compton and Huntington Park".split(), set()))  # 1 + 2
    3
    >>> _places("He said in January that at least 3 died".split(), set())
    set()
    """
    found: set[int] = set()
    last = len(words)
    if last < 2:
        return found
    title_case = _title_case(list(words))
    position = 0
    while position < last - 1:
        if words[position].lower() not in _LOCATIVE:
            position += 1
            continue
        start = position + 1
        while start < last:
            if words[start].lower() == "the" and start + 1 < last:
                start += 1
            end = start
            while end < last and _place_word(words[end], title_case, lowercase):
                end += 1
            if end == start:
                break
            run = [_name_word(w) for w in words[start:end]]
            found.add(_name_key(" ".join(run)))
            found.add(_name_key(run[0]))
            if end + 1 < last and words[end].lower() in ("and", "or"):
                start = end + 1
                continue
            start = end
            break
        position = max(start, position + 1)
    return found


def _place_word(word: str, title_case: bool, lowercase: set[str]) -> bool:
    lower = word.lower()
    return (word[0].isupper() and lower not in _MONTHS and lower not in _WEEKDAYS
            and not (title_case and lower in lowercase))


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
    if not body or any(map(_ordinary, lines)):
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


def _add_sentence(
    words: list[str],
    weight: int,
    lowercase: set[str],
    features: Features,
    surface: dict[int, dict[str, int]],
    terms: list[int],
    confirmed: set[str] | None = None,
    read: Reading | None = None,
) -> None:
    if not words:
        return
    if read is not None:
        _add_read_sentence(words, weight, lowercase, features, surface, terms, read)
        return
    lowers = list(map(str.lower, words))
    found = [k for k in map(_term_key, lowers) if k is not None]
    terms.extend(found)
    for _ in range(1, weight):
        terms.extend(found)
    # Only words opening with a digit or a capital can be dates or names; the lowercase
    # words between them matter only to a name being read (glue words, or its end).
    marked = [i for i, w in enumerate(words) if w[0].isupper() or w[0].isdigit()]
    if not marked:
        return
    title_case = _title_case(words)
    run: list[str] = []
    last = len(words) - 1
    after = 0  # the first position not yet read
    for position in marked:
        if run and after < position:
            after = _extend_run(run, lowers, after, position, last)
            if after < position:  # a lowercase word that is no glue ended the name
                _add_name(run, weight, features, surface)
                run = []
        after = position + 1
        word = words[position]
        if word[0].isdigit():
            if _YEAR.match(word):
                dates = features.dates
                dates[key(DATE, word)] += weight
                previous = lowers[position - 1] if position else ""
                if previous in _MONTHS:
                    dates[key(DATE, f"{word}-{_MONTHS[previous]:02d}")] += weight
        elif _is_name_word(word, 0 if title_case else position, lowercase) and (
                confirmed is None or _evidenced(word, position, title_case, confirmed)):
            run.append(word)
            continue
        if run:
            lower = lowers[position]
            if lower in _NAME_GLUE and position < last:
                run.append(lower)
            else:
                _add_name(run, weight, features, surface)
                run = []
    if run and after <= last and _extend_run(run, lowers, after, last + 1, last) <= last:
        _add_name(run, weight, features, surface)
        run = []
    _add_name(run, weight, features, surface)


def _add_read_sentence(words: list[str], weight: int, lowercase: set[str],
                       features: Features, surface: dict[int, dict[str, int]],
                       terms: list[int], read: Reading) -> None:
    """:func:`_add_sentence` for an article read in its own language (``read``): the same
    terms, dates and names, with that language's words (no name evidence: an English
    bench setting)."""
    lowers = list(map(read.lower, words))
    found = [k for k in map(read.term_key, lowers) if k is not None]
    terms.extend(found)
    for _ in range(1, weight):
        terms.extend(found)
    marked = [i for i, w in enumerate(words) if w[0].isupper() or w[0].isdigit()]
    if not marked:
        return
    title_case = _title_case(words)
    months, not_names = read.months, read.not_names
    names = read.noun_names != "none"
    run: list[str] = []
    last = len(words) - 1
    after = 0

    def close() -> None:
        if read.noun_names != "runs" or len(run) > 1:
            _add_name(run, weight, features, surface, read)
        run.clear()

    for position in marked:
        if run and after < position:
            after = _extend_run(run, lowers, after, position, last)
            if after < position:
                close()
        after = position + 1
        word = words[position]
        lower = lowers[position]
        if word[0].isdigit():
            if _YEAR.match(word):
                dates = features.dates
                dates[key(DATE, word)] += weight
                previous = lowers[position - 1] if position else ""
                month = months.get(previous) or months.get(fold(previous))
                if month is not None:
                    dates[key(DATE, f"{word}-{month:02d}")] += weight
        elif names and lower not in not_names and not (word.isupper() and len(word) > 5) and (
                (position > 0 and not title_case) or lower not in lowercase):
            run.append(word)
            continue
        if run:
            if lower in _NAME_GLUE and position < last:
                run.append(lower)
            else:
                close()
    if run and after <= last and _extend_run(run, lowers, after, last + 1, last) <= last:
        close()
    close()


def _extend_run(run: list[str], lowers: list[str], start: int, stop: int, last: int) -> int:
    """Append the glue words ("of", "da") from ``start`` on to a name being read, before
    ``stop`` and not the line's last word; the position of the first word not appended."""
    position = start
    while position < stop and position < last and lowers[position] in _NAME_GLUE:
        run.append(lowers[position])
        position += 1
    return position


def _add_dateline(line: str, features: Features, lead_years: bool = False,
                  read: Reading | None = None) -> None:
    """The years of a date line, each with its month where one of the two words before it
    names a month ("May 3, 2013", "Thu Jun 13 2013"; "3 May 2013"), as a year in the text
    counts (a full date adds nothing measurable: docs/benchmarks.md, #12 part 3); with
    ``lead_years``, also as lead years (a date line is the report's own time stamp)."""
    for year, month, _ in dateline_dates(line, _MONTHS if read is None else read.months):
        features.dates[key(DATE, str(year))] += 1
        if lead_years:
            features.lead_years.add(key(LEAD_YEAR, str(year)))
        if month is not None:
            features.dates[key(DATE, f"{year}-{month:02d}")] += 1
            if lead_years:
                features.lead_years.add(key(LEAD_YEAR, f"{year}-{month:02d}"))


def dateline_dates(line: str, months: dict[str, int] | None = None
                   ) -> list[tuple[int, int | None, int | None]]:
    """(year, month, day) of each year a date line names; month and day None where the
    line does not give them next to the year (``months``: the month names read, English's
    by default).

    >>> dateline_dates("PUBLISHED: THURSDAY, MAY 2, 2013, 1:32 PM")
    [(2013, 5, 2)]
    >>> dateline_dates("14 June 2013"), dateline_dates("Posted on Thu Jun 13, 2013 08:45")
    ([(2013, 6, 14)], [(2013, 6, 13)])
    >>> dateline_dates("Updated 2013")
    [(2013, None, None)]
    """
    months = _MONTHS if months is None else months
    lowers = [w.lower() for w in _WORD.findall(line)]
    found: list[tuple[int, int | None, int | None]] = []
    for position, word in enumerate(lowers):
        if not _YEAR.match(word):
            continue
        before = lowers[max(0, position - 2):position]
        month = day = None
        for offset, w in enumerate(before):
            if w in months:
                month = months[w]
                # The day beside the month: "May 3, 2013" or "3 May 2013".
                beside = [before[i] for i in (offset + 1, offset - 1) if 0 <= i < len(before)]
                day = next((int(b) for b in beside if b.isdigit() and 1 <= int(b) <= 31), None)
        found.append((int(word), month, day))
    return found




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


def _add_name(
    run: list[str], weight: int, features: Features, surface: dict[int, dict[str, int]],
    read: Reading | None = None,
) -> None:
    while run and run[-1] in _NAME_GLUE:
        run.pop()
    if not run or (len(run) == 1 and len(run[0]) < 2):
        return
    name_word = _name_word if read is None else read.name_word
    words = [name_word(w) if w[:1].isupper() else w for w in run]
    full = " ".join(words)
    _count_name(full, " ".join(run), weight, features, surface)
    if len(run) > 1:
        # The last word alone too: "Reid" later in the text is "Tara Reid".
        last = run[-1]
        _count_name(name_word(last), last, weight, features, surface)




def _count_name(
    value: str, shown: str, weight: int, features: Features, surface: dict[int, dict[str, int]]
) -> None:
    name_key = _name_key(value)
    features.names[name_key] += weight
    spellings = surface.get(name_key)
    if spellings is None:
        surface[name_key] = {shown: 1}
    else:
        spellings[shown] = spellings.get(shown, 0) + 1


# With the names re-exported from stories.words (split from this module), which benches
# and tests import from here.
__all__ = [
    "DATE",
    "FIGURE",
    "LEAD_YEAR",
    "NAME",
    "STOPWORDS",
    "TERM",
    "WEEKDAY",
    "Features",
    "Reading",
    "dateline_dates",
    "extract_features",
    "key",
    "reading",
    "stem",
]
