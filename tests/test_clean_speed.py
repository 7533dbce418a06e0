"""The clean rules' shortcuts give the answers of the rules written out in full.

The speed-ups of #16 item 4 (a line-start anchor on the publishing-details byline rule, the
ASCII digit test of date lines, the word hints in front of the newsletter and comment-form
rules, remembered block classes) must not change what is removed: each is checked here
against the plain form of its rule on lines built to hit every branch.
"""

from __future__ import annotations

import re

import pytest

from newsweave.clean import rules
from newsweave.clean.dates import has_digit
from newsweave.clean.sieve import line_key
from newsweave.clean.text import clean_text, prepare_text

# The publishing-details rule as it was written before the anchor (searched from every
# character): the anchored form must agree with it everywhere.
_UNANCHORED = re.compile(rules._PUBLISHING_DETAILS.pattern.replace("(?m:^)", "", 1),
                         re.IGNORECASE)

LINES = [
    "05/10/2018 - Published by: Jane Roe - Category: Health - Tags: x",
    "Posted in Sports, tags: football",
    "Note\n05/10/2018 - Published by: Jane Roe - Category: Health",  # on the second line
    "Published by: Jane Roe\nCategory: Health",  # the two words on different lines
    "Updated on Monday by the desk",
    "The minister published the report on Monday, officials said.",
    "Subscribe to our newsletter for the latest news",
    "Sign up for the Morning Brief newsletter.",
    "Get the best of the week delivered to your inbox",
    "Thanks for signing up!",
    "There was an error processing your subscription.",
    "Enter your email address",
    "Keep an eye on your inbox",
    "Download the News app",
    "Click here to get the Daily app",
    "Tap here for more",
    "Get breaking news on the go",
    "Support local journalism.",
    "Thank you for supporting independent journalism",
    "Your subscription to The Daily Example funds reporting",
    "Read 5 free articles a month",
    "Once registered, you can comment",
    "Register now",
    "By registering, you agree to our terms",
    "Are you a print subscriber?",
    "Weekly Newsletters",
    "SUBSCRIBE TO OUR NEWSLETTER",
    "Your email address will not be published. Required fields are marked *",
    "Save my name, email, and website in this browser",
    "You must be logged in to post a comment.",
    "Notify me of new posts",
    "Leave a reply",
    "Name *",
    "E-mail: *",
    "The council voted on Tuesday to approve the new budget for schools.",
    "Subscribe to our newsletter",  # long s: case-folds to "s" in the regex, not in lower()
    "Thé council réplied to the newsletter on Tuesday.",
    # near the hints' word boundaries: a word glued to the front, a capitalised word
    "Subscribe to our enewsletter",
    "Sign up for the weekly e-newsletter",
    "Click here to get the Webapp",
    "Get our App",
    "Download the free NewsApp",
    "CLICK HERE TO READ MORE",
    "Thank you for subscribing!",
    "Get the latest headlines on the go",
    "Your digital subscription makes this possible",
    "Read unlimited free articles",
    "The app was approved after a signing ceremony, your honour.",
    "Post a Comment",
    "Website *",
    "Comment: *",
    "Your email will not be published in this section.",
]


@pytest.mark.parametrize("line", LINES)
def test_anchored_publishing_details_rule_matches_where_the_unanchored_one_did(line):
    assert bool(rules._PUBLISHING_DETAILS.search(line)) == bool(_UNANCHORED.search(line))


@pytest.mark.parametrize("line", LINES)
def test_word_hints_never_turn_away_a_block_the_full_rule_takes(line):
    words = rules.count_words(line)
    plain = rules._short(rules._MAX_PROMPT_WORDS, rules._NEWSLETTER)
    newsletter = rules._needs(plain, (), folded=rules._NEWSLETTER_HINT,
                              limit=rules._MAX_PROMPT_WORDS)
    assert newsletter(line, words) == plain(line, words)
    plain = rules._short(rules._MAX_PROMPT_WORDS, rules._COMMENT_FORM)
    comment = rules._needs(plain, rules._COMMENT_FORM_WORDS, limit=rules._MAX_PROMPT_WORDS)
    assert comment(line, words) == plain(line, words)


def test_the_hinted_rules_still_remove_what_they_are_for():
    hits = [rules.classify_block(line) for line in LINES]
    assert hits.count("newsletter") >= 18
    assert hits.count("comment-form") >= 6
    assert rules.classify_block("Subscribe to our newsletter") == "newsletter"


@pytest.mark.parametrize("text", ["no digits here", "in 2019", "x\u00b2", "\u0663\u0660 مارس",
                                  "année", "", "٣", "Ⅻ", "12", "①", "x⁵",
                                  "፩ ቀን", "Ⅻ ₃", "ßüñ"])
def test_has_digit_is_any_isdigit(text):
    assert has_digit(text) == any(ch.isdigit() for ch in text)


def test_remembered_block_classes_give_the_same_cleaning_twice():
    text = ("Advertisement\n\nBig News Today\n\nBy Jane Roe | Sept. 20, 2022\n\n"
            "The council met on Tuesday and agreed to open the new bridge in May.\n\n"
            "Sign up for our newsletter\n\nFollow us on Twitter")
    first = clean_text(text)
    second = clean_text(text)
    assert (first.text, first.title, first.removed) == (second.text, second.title,
                                                        second.removed)
    assert [r.reason for r in first.removed] == ["ad-marker", "headline", "byline",
                                                 "newsletter", "social-follow"]


def test_a_prepared_text_sifted_again_cleans_as_a_fresh_clean():
    """Ingest cuts and classifies a text once, then sifts it again with the outlet's
    recurring lines: the same as cleaning the text afresh with them."""
    text = ("Advertisement\n\nBig News Today\n\nFollow Example Daily for more news\n\n"
            "The council met on Tuesday and agreed to open the new bridge in May.\n\n"
            "Story Code: 258820\n\nIt will cost less than planned, officials said.\n\n"
            "Example Daily - all the news\n\nSign up for our newsletter")
    prepared = prepare_text(text)
    for recurring in (frozenset(), frozenset({line_key("Example Daily - all the news")}),
                      frozenset({line_key("Follow Example Daily for more news"),
                                 line_key("Big News Today"), line_key("Story Code: 258820")})):
        again, fresh = prepared.clean(recurring), clean_text(text, recurring=recurring)
        assert (again.text, again.title, again.removed) == (fresh.text, fresh.title,
                                                            fresh.removed)
    assert "recurring-line" in [r.reason for r in prepared.clean(recurring).removed]


def test_a_prepared_page_cleaned_again_gives_a_fresh_clean_html():
    """A page is extracted once and sifted again with the outlet's recurring lines: the
    same body, title, metadata and removal log (hidden and left-out text included) as
    cleaning the page afresh with them, however often it is sifted."""
    from newsweave.clean import clean_html
    from newsweave.clean.html import prepare_html

    page = ("<html><head><title>Bridge opens in May</title></head><body>"
            "<nav>Home | World | Sports</nav><div style='display:none'>Hidden teaser</div>"
            "<article><h1>Bridge opens in May</h1><p>By Jane Roe</p>"
            "<p>The council met on Tuesday and agreed to open the new bridge in May.</p>"
            "<p>Example Daily - all the news, all day long</p>"
            "<p>It will cost less than planned, officials said on Tuesday evening.</p>"
            "<p>Follow Example Daily for more news</p></article>"
            "<footer>Copyright 2026 Example Daily</footer></body></html>")
    prepared = prepare_html(page, url="https://example.org/a")
    for recurring in (frozenset(), frozenset({line_key("Example Daily - all the news, all day "
                                                       "long")}),
                      frozenset({line_key("Follow Example Daily for more news"),
                                 line_key("By Jane Roe")}), frozenset()):
        again = prepared.clean(recurring)
        fresh = clean_html(page, url="https://example.org/a", recurring=recurring)
        assert again == fresh
    assert "recurring-line" in [
        r.reason for r in prepared.clean(frozenset({line_key(
            "Example Daily - all the news, all day long")})).removed]
    for odd in ("", "just words, no markup at all", "<html></html>"):
        assert prepare_html(odd).clean() == clean_html(odd)


# -- the word tests in front of the caption, copyright, credit-line and byline rules, the
# -- byline's opening test and the date line's early stop (#16 item 4, part 11) --------

# Lines that hit every alternative of the rules behind a word test, with the case, the
# letters beyond ASCII that re folds with ASCII ones ("ſ", "ı", "İ", the Kelvin sign) and
# typographic quotes that make a line non-ASCII; and near misses.
HINTED_LINES = [
    *LINES,
    "REUTERS/Jane Roe", "EPA-EFE/STR", "Photo by Pool/AFP", "Photo: AP", "Image credit: NASA",
    "Photo courtesy of the family", "The mayor speaks in the hall. (AP Photo/Evan Vucci)",
    "The mayor speaks in the hall. (Photo: AP)", "Crowds gather at dawn. © Jane Roe",
    "Crowds gather at dawn in the square. Getty Images",
    "Crowds gather at dawn. AFP via Getty Images", "Crowds gather at dawn in the square.Reuters",
    "Crowds in the square. Photos © Jane Roe", "Crowds in the square. Pictures (c) 2019",
    "Getty Images", "AFP/Jane Roe", "Photo: Jane Roe", "Jane Roe/AP", "Picture: Jane Roe",
    "Bild: Jane Roe", "Foto: Jane Roe", "Crowds gather. | SOPA Images", "PA Wire",
    "Crowds gather at dawn. PA", "Crowds gather at dawn. NurPhoto", "“Crowds gather.” Reuters",
    "Crowds gather at dawn. EPA", "Crowds gather at dawn. Xinhua", "iStockphoto",
    "The minister said “Reuters” was wrong.", "ſtill life: a piCture / a ſketch",
    "\u212aelvin photo by AFP", "Photo by İstanbul Press/AFP", "PHOTO: JANE ROE",
    "Copyright 2019 Example News", "© Example News", "Copyright ⓒ Example", "(c) 2020 Example",
    "COPYRIGHT 2020 EXAMPLE", "Ⓒ Example News", "All rights reserved.", "ALL RIGHTS RESERVED",
    "This copy is for your personal, non-commercial use only.",
    "This material may not be published, broadcast, rewritten or redistributed.",
    "Distribution and use of this material are governed by our Subscriber Agreement",
    "Jane Roe contributed to this report.", "John Doe contributed reporting to this story",
    "Reporting by Jane Roe; Editing by John Doe", "Additional reporting by Jane Roe",
    "Writing by Jane Roe", "Editing by John Doe", "Compiled by Jane Roe", "Edited by John Doe",
    "REPORTING BY JANE ROE",
    "Reporting by Jane Roe in Paris; editing by John Doe",
    "By Jane Roe", "By Jane Roe | Sept. 20, 2022", "5:45 AM PST 11/19/2019 by Jane Roe",
    "By Jane Roe, Sept. 20, 2022", "| By Jane Roe | May 5, 2020", "— By Jane Roe - May 5, 2020",
    "Por Juan Pérez, 5 de mayo de 2020", "Von Hans Meier | 5. Mai 2020",
    "par Jean Dupont, 5 mai 2020",
    "Publié par: Jean Dupont - Catégorie: Santé", "Veröffentlicht von: Hans Meier - Tags: x",
    "Written by: Jane Roe | Category: News", "PUBLISHED BY: JANE ROE - TAGS: X",
    "Posted on 5 May 2020 by Jane Roe", "Updated 5 May 2020 by the desk",
    "BY JANE ROE | MAY 5, 2020", "by jane roe, may 5 2020", "By  Jane Roe ,  May 5, 2020",
    "20 Sep 2022 - 9:43", "UPDATED: Tue., Nov. 19, 2019", "Example Press Agency | 3 Mar 2026",
    "The 2019 report found 12 cases in 3 provinces, officials said on Tuesday.",
    "3 May", "May 3 2020 12:00 GMT 1 2 3 4 5 6 7 8 9 10 11", "3 3 3 3 3 3 3 3 3 3 3 3 3 3 3",
]


@pytest.fixture
def plain_rules(monkeypatch):
    """The rules without their shortcuts: every word test passes, every head is tried."""

    def plain() -> None:
        monkeypatch.setattr(rules, "_may_hold", lambda *args: True)
        monkeypatch.setattr(rules, "_BYLINE_START", re.compile(""))

    return plain


def _classify_all(lines: list[str]) -> list[str | None]:
    return [rules._classify_stripped.__wrapped__(line.strip()) if line.strip() else None
            for line in lines]


def test_word_tests_never_turn_away_a_block_the_full_rules_take(plain_rules):
    fast = _classify_all(HINTED_LINES)
    plain_rules()
    assert fast == _classify_all(HINTED_LINES)
    # and the lines do reach the rules behind the tests
    for reason in ("caption", "copyright", "credit-line", "byline", "date-line"):
        assert fast.count(reason) >= 3, reason


def test_each_rule_behind_a_word_test_agrees_with_its_plain_form(plain_rules):
    """Rule by rule (a block's class is its first rule's, so a later rule's shortcut could
    hide behind an earlier rule's match in the test above)."""
    lines = HINTED_LINES + [line.replace(" ", "\u00a0 ") for line in HINTED_LINES]
    fast = [[rule(line, rules.count_words(line)) for _, rule in rules._STRONG_RULES]
            for line in lines]
    plain_rules()
    for line, answers in zip(lines, fast, strict=True):
        plain = [rule(line, rules.count_words(line)) for _, rule in rules._STRONG_RULES]
        assert plain == answers, line


def test_the_letters_re_folds_with_ascii_are_the_ones_folded_for_hints():
    """Over all of Unicode: the characters beyond ASCII that a case-insensitive ASCII
    character matches are exactly those fold_for_hints maps, each to that letter."""
    everything = "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)
    found = {}
    for ascii_char in map(chr, range(0x80)):
        for match in re.finditer(re.escape(ascii_char), everything, re.IGNORECASE):
            found.setdefault(match.group(), set()).add(ascii_char.lower())
    assert found == {k: {rules.fold_for_hints(k)} for k in found}
    assert set(found) == {"İ", "ı", "ſ", "\u212a"}


@pytest.mark.parametrize("text", ["Hello World", "ſign up", "İnbox", "\u212aEEP", "Photo ı",
                                  "Straße", "ΣΑΣ", "", "x"])
def test_fold_for_hints_keeps_every_case_insensitive_match(text):
    folded = rules.fold_for_hints(text)
    for word in ("sign up", "inbox", "keep", "photo i", "strasse", "σας", "x", "hello"):
        if re.search(re.escape(word), text, re.IGNORECASE):
            assert word in folded, (text, word)


def _date_part_in_full(text: str) -> bool:
    """dates._is_date_part as it was written before the early stop."""
    from newsweave.clean import dates

    if not dates.has_digit(text):
        return False
    folded = dates._NUMERIC_DATE.sub(" 0 ", text).casefold()
    words = dates._DATE_TOKEN.findall(folded)
    if not words or len(words) > dates._MAX_DATE_LINE_WORDS:
        return False
    has_date = bool(dates._NUMERIC_DATE.search(text))
    for word in words:
        bare = word.rstrip(".")
        if word.isdigit():
            continue
        if bare in dates._MONTH_WORDS:
            has_date = True
        elif bare not in dates._DATE_WORDS and not dates._ORDINAL.fullmatch(bare):
            return False
    return has_date


def test_the_date_line_test_stops_early_with_the_same_answer():
    from newsweave.clean import dates

    lines = [*HINTED_LINES, "5 May", "May 5 2020", "12:30", "2020-05-05T12:00:00Z", "3rd March",
                            "Monday 5 May 2020 at 12:00 GMT", "5 5 5 5 5 5 5 5 5 5 5 5 5 5",
                            "5 5 5 5 5 5 5 5 5 5 5 5 5 5 May", "published 5 May 2020 ago today",
                            "5.5.2020", "Mai 5", "le 5 mai 2020 à 12h30", "5 de maio de 2020"]
    for line in lines:
        assert dates._is_date_part(line) == _date_part_in_full(line), line


def test_line_key_of_ascii_is_the_full_normalisation():
    import random
    import unicodedata

    rng = random.Random(11)
    alphabet = "".join(map(chr, range(128)))
    for _ in range(500):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        assert line_key(line) == " ".join(unicodedata.normalize("NFKC", line).casefold().split())
