"""The one text layer: month and weekday names from the CLDR, one stemmer, one stop list."""

from __future__ import annotations

import re

from newsweave.clean.dates import is_date_line
from newsweave.crosscheck import claims
from newsweave.extract import dates as extract_dates
from newsweave.nlp.text import (
    CALENDAR_LANGUAGES,
    STOPWORDS,
    month_numbers,
    name_pattern,
    stem,
    weekday_numbers,
    words,
)
from newsweave.stories import features
from newsweave.stories import words as stories_words


def test_english_names_are_the_calendar_and_the_common_short_forms():
    months = month_numbers()
    assert [m for m, n in months.items() if n == 9] == ["september", "sep", "sept"]
    assert months["may"] == 5 and len(set(months.values())) == 12
    full = weekday_numbers(abbreviated=False)
    assert sorted(full, key=full.__getitem__) == [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    assert weekday_numbers()["thurs"] == 3


def test_other_languages_come_with_and_without_accents():
    months = month_numbers(CALENDAR_LANGUAGES)
    assert months["février"] == months["fevrier"] == 2
    assert months["märz"] == months["marz"] == months["maerz"] == 3
    assert months["декабря"] == 12 and months["setiembre"] == 9
    assert weekday_numbers(CALENDAR_LANGUAGES)["mittwoch"] == 2


def test_every_consumer_reads_the_same_names():
    full = weekday_numbers(abbreviated=False)
    assert tuple(sorted(full, key=full.__getitem__)) == extract_dates.WEEKDAYS
    assert month_numbers() == extract_dates._MONTHS
    assert set(claims._MONTHS) == set(month_numbers())
    assert month_numbers() == stories_words._MONTHS
    assert re.fullmatch(f"(?:{name_pattern(list(month_numbers()))})", "Sept")
    assert is_date_line("Mittwoch, 3. März 2026, 09:15 Uhr")
    assert is_date_line("mercredi 4 février 2026")
    assert not is_date_line("Do so by 2026")  # two-letter day names are not date words


def test_stems_stop_words_and_words():
    assert stem("quakes") == stem("quake") == "quake" and stem("cities") == "city"
    assert features.stem is stem  # the stories stage stems with the text layer's stemmer
    assert stem("obama's") == "obama"
    assert {"the", "said", "according"} <= STOPWORDS and "flood" not in STOPWORDS
    assert STOPWORDS <= features.STOPWORDS  # stories add news words to the one list
    assert words("U.S. troops: 3,200 homes.") == ["u.s", "troops", "3,200", "homes"]


def test_the_snowball_stemmer_measured_against_the_default():
    from newsweave.nlp.text import snowball_stem  # PyStemmer: the test and bench extras

    assert snowball_stem("killed") == snowball_stem("killing") == "kill"


def test_word_before_a_full_stop_is_the_regex_run():
    """nlp.sentences reads the word before a full stop backwards; it must be exactly the
    ``[\\w.]+$`` run the splitter used to search for (a trailing newline skipped as ``$``
    skips it), on Unicode letters and digits, underscores, dots and line ends."""
    import re

    from newsweave.nlp.sentences import _word_before

    cases = ["Sept", "U.S", "a\n", "a\n\n", "x y_z", "Ünïcode²³", "", "  ", "3", "e.g",
             "he said (Reuters", "née", "版本", "a.b.c\n", "tab\tend", "end.\n"]
    for text in cases:
        match = re.search(r"([\w.]+)$", text)
        assert _word_before(text, 0, len(text)) == (match.group(1) if match else ""), text
    assert _word_before("xx Gov", 3, 6) == "Gov"
    assert _word_before("Gov", 1, 3) == "ov"  # never before the sentence's start
