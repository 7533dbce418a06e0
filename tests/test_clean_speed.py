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
    newsletter = rules._hinted(rules._MAX_PROMPT_WORDS, rules._NEWSLETTER, rules._NEWSLETTER_HINT)
    comment = rules._hinted(rules._MAX_PROMPT_WORDS, rules._COMMENT_FORM, rules._COMMENT_FORM_HINT)
    plain = rules._short(rules._MAX_PROMPT_WORDS, rules._NEWSLETTER)
    assert newsletter(line, words) == plain(line, words)
    plain = rules._short(rules._MAX_PROMPT_WORDS, rules._COMMENT_FORM)
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
