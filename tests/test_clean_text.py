"""clean_text and the news rules, one rule kind at a time, with the look-alikes that must stay."""

from __future__ import annotations

import pytest

from newsweave.clean import REASONS, clean_text, line_key
from newsweave.clean.dates import is_date_line
from newsweave.clean.rules import classify_block, is_headline_like
from newsweave.clean.text import is_hard_wrapped, split_blocks
from newsweave.model import Cleaned

LEAD = "The ministry said on Monday that the talks would continue next week in Geneva."
BODY = "Officials from both sides described the first round as constructive and frank."


def article(*lines: str) -> str:
    """A small article: headline, the given lines between two body paragraphs."""
    return "\n\n".join(["Talks Resume in Geneva", LEAD, *lines, BODY])


def reasons_of(text: str) -> dict[str, str]:
    return {r.text: r.reason for r in clean_text(text).removed}


# -- one block, one reason ---------------------------------------------------------------

BOILERPLATE = [
    ("Advertisement", "ad-marker"),
    ("ADVERTISEMENT", "ad-marker"),
    ("Sponsored", "ad-marker"),
    ("Story continues below advertisement", "ad-marker"),
    ("QR codeQR code", "share-widget"),
    ("Share on Facebook", "share-widget"),
    ("Tweet", "share-widget"),
    ("Email this", "share-widget"),
    ("Facebook Twitter LinkedIn Email", "share-widget"),
    ("Like this story? Share it with a friend!", "share-widget"),
    (
        "1 of 5 | Delegates arrive at the venue. Photo by Jane Roe/UPI | License Photo",
        "gallery-counter",
    ),
    ("License Photo", "gallery-counter"),
    ("Delegates arrive at the venue in Geneva on Monday. REUTERS/Jane Roe", "caption"),
    ("Delegates arrive at the venue on Monday. Photo by Jane Roe/UPI", "caption"),
    ("Delegates arrive at the venue on Monday. (Photo: AP)", "caption"),
    ("Delegates arrive at the venue on Monday. Getty Images", "caption"),
    ("Delegates arrive at the venue on Monday. (AP Photo/Jane Roe)", "caption"),
    ("The delegation's motorcade in Geneva.Reuters", "caption"),
    ("Getty Images", "caption"),
    ("Story Code: 258820", "story-code"),
    ("News ID: 4471", "story-code"),
    ("News Link :", "empty-label"),
    ("Source:", "empty-label"),
    ("20 Sep 2022 - 9:43", "date-line"),
    ("UPDATED: Tue., Nov. 19, 2019", "date-line"),
    ("Published 18 November 2019", "date-line"),
    ("2019-11-19T08:57:40+01:00", "date-line"),
    ("segunda-feira, 22 de janeiro de 2018 às 0:13", "date-line"),
    ("Copyright 2022 Example News. All rights reserved.", "copyright"),
    ("© 2022 Example Media Group", "copyright"),
    ("Leave a Reply", "comment-form"),
    ("Your email address will not be published. Required fields are marked *", "comment-form"),
    ("12 Comments", "comment-form"),
    ("Subscribe to our daily newsletter", "newsletter"),
    ("Get the latest headlines delivered to your inbox every morning.", "newsletter"),
    ("Click here to subscribe to The Example Newsletter", "newsletter"),
    ("Tags: Russia, China, security", "tags"),
    ("Related: Russia and China sign a new trade pact", "related-list"),
    ("READ MORE: China plague outbreak confirmed in Beijing", "related-list"),
    ("Jane Roe contributed to this report.", "credit-line"),
    ("(Reporting by Jane Roe; Editing by John Doe)", "credit-line"),
    ("By Jane Roe and John Doe, Reuters", "byline"),
    ("By Jane Roe | Sept. 20, 2022 10:14 AM", "byline"),
    ("5:45 AM PST 11/19/2019 by Jane Roe", "byline"),
    ("05/10/2018 - Published by: Jane Roe - Category: Health - Tags: hospitals", "byline"),
    ("Order Reprints", "site-notice"),
]


@pytest.mark.parametrize(("text", "reason"), BOILERPLATE)
def test_boilerplate_block_is_removed_with_its_reason(text: str, reason: str) -> None:
    cleaned = clean_text(article(text))
    assert reasons_of(article(text)).get(text) == reason, cleaned.removed
    assert text not in cleaned.text.split("\n\n")
    assert LEAD in cleaned.text and BODY in cleaned.text


# Sentences that look like boilerplate to a careless rule, and are article text.
LOOK_ALIKES = [
    "The company said 2 million readers subscribe to its newsletter every week.",
    "He told Reuters the agreement would be signed on Friday in Geneva.",
    "More than 100 people - including children - were evacuated from the area.",
    "The photo was taken by a bystander and shared thousands of times online.",
    "She said: “Comments like these will not be approved by the committee.”",
    "Follow-up talks are planned for March 2023, the ministry said.",
    "By the end of the day, both delegations had left the building.",
    "Advertisement spending fell by 12% in the third quarter, the report said.",
    "The share of renewable energy rose to 40% last year.",
    "Tags on the crates showed they had been shipped from Rotterdam.",
    "Related talks in Vienna ended without agreement last month.",
    "Read more about the agreement, the minister told reporters, in the annex.",
    "Sign up rates for the program doubled after the announcement.",
    "The email address he used was registered in 2019, investigators said.",
    "In 2019 the two countries held 12 joint exercises, 3 of them at sea.",
    "Copyright lawyers say the case could take years to resolve.",
    "See the discussion in the appendix for details.",
    "Thank you.",
    "The talks will continue on Tuesday, the ministry said - AFP",
    "From my experience in the field, I have learned that patience pays off.",
    '"I am a journalist, not a spy," he told the court on Monday.',
    "Smith is the editor of the local paper that first reported the story.",
    "By Monday, the two sides had agreed on a timetable.",
    "Download speeds in the region doubled last year, the regulator said.",
]


@pytest.mark.parametrize("sentence", LOOK_ALIKES)
def test_body_sentence_that_looks_like_boilerplate_stays(sentence: str) -> None:
    cleaned = clean_text(article(sentence))
    assert sentence in cleaned.text, cleaned.removed


@pytest.mark.parametrize("sentence", LOOK_ALIKES)
def test_look_alike_stays_at_the_end_of_the_article_too(sentence: str) -> None:
    text = "\n\n".join(["Talks Resume in Geneva", LEAD, BODY, sentence])
    assert sentence in clean_text(text).text


# -- rules that need neighbours ------------------------------------------------------------


def test_related_heading_takes_the_headlines_under_it() -> None:
    text = article(
        "Related posts",
        "Bird Flu Kills 47 Tigers in Vietnam Zoos",
        "Russia Takes Control of a Town After Two Years of Fighting",
    )
    # the related list comes last in real pages: move the body paragraph above it
    text = text.replace("\n\n" + BODY, "").replace(LEAD, LEAD + "\n\n" + BODY)
    found = reasons_of(text)
    assert found["Related posts"] == "related-list"
    assert found["Bird Flu Kills 47 Tigers in Vietnam Zoos"] == "related-list"
    assert found["Russia Takes Control of a Town After Two Years of Fighting"] == "related-list"
    assert BODY in clean_text(text).text


def test_related_list_stops_at_the_next_body_paragraph() -> None:
    text = article("Latest Headlines", "Storm Hits the Coast")
    cleaned = clean_text(text)
    assert reasons_of(text)["Latest Headlines"] == "related-list"
    assert BODY in cleaned.text


def test_author_bio_goes_only_at_the_end() -> None:
    bio = "Jane Roe is a reporter covering diplomacy and security for Example News."
    at_end = "\n\n".join(["Talks Resume in Geneva", LEAD, BODY, bio])
    assert reasons_of(at_end)[bio] == "author-bio"
    in_middle = article(bio)
    assert bio in clean_text(in_middle).text


def test_first_person_bio_at_the_end() -> None:
    bio = (
        "With a wealth of experience honed over 4+ years in journalism, I bring a seasoned "
        "voice to the world of news. Currently, I work as a freelance writer and editor."
    )
    text = "\n\n".join(["Talks Resume in Geneva", LEAD, BODY, bio])
    assert reasons_of(text)[bio] == "author-bio"


def test_quote_in_first_person_at_the_end_stays() -> None:
    quote = '"I bring nothing but experience to this job," the new envoy told journalists.'
    text = "\n\n".join(["Talks Resume in Geneva", LEAD, BODY, quote])
    assert quote in clean_text(text).text


def test_end_matter_contact_and_follow_lines() -> None:
    lines = [
        "Write to Jane Roe at jane.roe@example.com",
        "Follow Example News on Facebook, Twitter and Instagram.",
        "Have a tip? Jane Roe may be reached at jroe@example.com.",
    ]
    text = "\n\n".join(["Talks Resume in Geneva", LEAD, BODY, *lines])
    found = reasons_of(text)
    assert found[lines[0]] == "contact"
    assert found[lines[1]] == "social-follow"
    assert found[lines[2]] == "contact"


def test_comment_form_block() -> None:
    text = "\n\n".join(
        [
            LEAD,
            BODY,
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
            "Comment",
            "Name *",
        ]
    )
    cleaned = clean_text(text)
    assert cleaned.text == LEAD + "\n\n" + BODY
    assert {r.reason for r in cleaned.removed} <= {"comment-form", "empty-label"}


def test_headline_becomes_title_and_its_repeat_goes() -> None:
    text = "\n\n".join(["Talks Resume in Geneva", "Talks Resume in Geneva", LEAD, BODY])
    cleaned = clean_text(text)
    assert cleaned.title == "Talks Resume in Geneva"
    assert [r.reason for r in cleaned.removed] == ["headline", "duplicate-title"]
    assert cleaned.text == LEAD + "\n\n" + BODY


def test_headline_after_boilerplate_lines() -> None:
    text = "\n\n".join(["Advertisement", "QR code", "Talks Resume in Geneva", "20 Sep 2022", LEAD])
    cleaned = clean_text(text)
    assert cleaned.title == "Talks Resume in Geneva"
    assert cleaned.text == LEAD


@pytest.mark.parametrize(
    "first",
    [
        LEAD,  # a sentence
        "Sept. 19 (UPI) -- A Russian security delegation is in China this week",  # a dateline
        " ".join(["word"] * 40),  # too long for a headline
    ],
)
def test_no_headline_when_the_text_opens_with_the_story(first: str) -> None:
    cleaned = clean_text(first + "\n\n" + BODY)
    assert cleaned.title is None
    assert cleaned.text.startswith(first)


def test_recurring_lines_are_removed() -> None:
    slogan = "Example News - independent since 1999"
    text = article(slogan)
    assert slogan in clean_text(text).text  # not boilerplate by itself
    cleaned = clean_text(text, recurring=frozenset({line_key(slogan)}))
    assert slogan not in cleaned.text
    assert reasons_of_cleaned(cleaned)[slogan] == "recurring-line"


def reasons_of_cleaned(cleaned: Cleaned) -> dict[str, str]:
    return {r.text: r.reason for r in cleaned.removed}


def test_line_key_normalises_case_space_but_keeps_digits() -> None:
    assert line_key("  Related   POSTS\t") == "related posts"
    assert line_key("Story Code: 258820") != line_key("Story Code: 258821")
    assert line_key("Ｆｕｌｌ width") == "full width"


def test_every_reason_is_documented() -> None:
    text = article(*(t for t, _ in BOILERPLATE))
    for removal in clean_text(text).removed:
        assert removal.reason in REASONS
    assert all(isinstance(v, str) and v for v in REASONS.values())


# -- plain-text shapes ---------------------------------------------------------------------------


def test_paragraphs_are_separated_by_one_blank_line() -> None:
    text = "Headline Here\r\n\r\n\r\nFirst paragraph here.\nSecond paragraph here.\n\n\n"
    cleaned = clean_text(text)
    assert cleaned.text == "First paragraph here.\n\nSecond paragraph here."


def test_hard_wrapped_paragraph_is_joined() -> None:
    wrapped = [
        "The ministry said on Monday that the talks would",
        "continue next week in Geneva, where both sides",
        "are expected to present new proposals.",
    ]
    assert is_hard_wrapped(wrapped)
    assert [b.text for b in split_blocks("\n".join(wrapped))] == [" ".join(wrapped)]
    assert not is_hard_wrapped([LEAD, BODY, LEAD])


def test_empty_and_blank_text() -> None:
    for text in ("", "   \n\n  ", "\ufeff"):
        cleaned = clean_text(text)
        assert cleaned.text == ""
        assert cleaned.title is None


def test_rule_helpers() -> None:
    assert is_date_line("November 20, 2019 - 11:28 AMT")
    assert not is_date_line("2a etapa: 10 de março – Interlagos")
    assert not is_date_line("The 2019 budget")
    assert is_headline_like("Chiefs vs. Chargers: Recap, highlights")
    assert not is_headline_like("He gave up. Then he left")
    assert classify_block(LEAD) is None


# -- an item that is only its headline ----------------------------------------------------

# A feed item or a short wire flash may be one line whose opening a rule reads as a label
# ("WATCH:", "Posted in:"); alone, that line is the whole article and must survive.
ONE_LINE_ITEMS = [
    "WATCH: Harbour crane collapses onto a cargo ship as a storm sweeps the northern port",
    "Posted in: World News Posted: May 2, 2025 Flood barrier fails as the river reaches a "
    "record height",
]


@pytest.mark.parametrize("line", ONE_LINE_ITEMS)
def test_an_item_that_is_only_its_headline_keeps_it(line: str) -> None:
    cleaned = clean_text(line)
    assert cleaned.text == line
    assert cleaned.removed == []


@pytest.mark.parametrize("line", ONE_LINE_ITEMS)
def test_the_same_line_goes_inside_an_article(line: str) -> None:
    # with a body around it, the line is a pointer or a tags line as before
    assert reasons_of(article(line))[line] in ("related-list", "tags")


@pytest.mark.parametrize("text", [
    "Tags: politics, economy, Europe, elections",
    "Read more: Storm",
    "Advertisement",
    "Advertisement\n\nTags: politics, economy, Europe, elections",
])
def test_boilerplate_alone_still_goes(text: str) -> None:
    assert clean_text(text).text == ""


def test_two_labelled_lines_alone_both_go() -> None:
    # the rule keeps an article's only substantive line, not one of two pointers
    text = "\n\n".join(ONE_LINE_ITEMS)
    assert clean_text(text).text == ""


def test_a_long_one_line_flash_is_ingested(tmp_path) -> None:
    # Over the title finder's 20 words, such a line had no title to fall back on either: the
    # clean stage rejected the article ("no article text left after cleaning").
    from newsweave.engine import Engine
    from newsweave.settings import load_settings
    from newsweave.store import open_store

    flash = ("WATCH: Volunteers spend a whole night pulling a stranded whale calf back into deep "
             "water before the tide turns on the rocky northern shore of the island")
    with Engine(open_store(str(tmp_path / "flash.db")), load_settings(), []) as engine:
        report = engine.ingest_text(flash, source="flash.txt")
        assert report.rejected == []
        assert engine.store.get_article(report.new[0]).text == flash
