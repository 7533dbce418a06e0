"""clean_html: main content, news rules on HTML blocks, metadata, logging, broken pages."""

from __future__ import annotations

import pytest

from newsweave.clean import REASONS, clean_html, line_key
from newsweave.clean.dom import list_page_blocks, remove_hidden_elements
from newsweave.clean.html import MAX_LOGGED_BLOCKS, mend_lines, render_lines
from newsweave.clean.sieve import Block, sift_blocks
from newsweave.model import Cleaned

PARAGRAPHS = [
    "A Russian security delegation arrived in China on Monday for two days of high-level "
    "meetings aimed at strengthening cooperation between the two countries.",
    "The talks follow a summit in Uzbekistan last week, where the two presidents discussed "
    "the war in Ukraine behind closed doors, officials said.",
    "Both sides agreed on further military cooperation, with a focus on joint exercises and "
    "patrols, according to a statement released after the meeting.",
    "Analysts say Moscow is seeking to shore up its alliances after heavy losses on the "
    "battlefield and a series of setbacks in the northeast of Ukraine.",
    "The next round of talks is expected to take place in Moscow early next year, the "
    "ministry said in a statement on its website.",
]
HEADLINE = "Russia and China deepen security ties"
DESCRIPTION = "Moscow and Beijing agree to expand military cooperation."


def make_page(
    *,
    body: str = "",
    head: str = "",
    before: str = "",
    after: str = "",
) -> str:
    """A news page: meta tags, a nav bar, the article and a footer."""
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="en"><head>
<title>{HEADLINE} | Example News</title>
<meta property="og:title" content="{HEADLINE}">
<meta property="og:site_name" content="Example News">
<meta name="description" content="{DESCRIPTION}">
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2022-09-19T10:00:00Z">
<link rel="canonical" href="https://news.example.com/world/russia-china-ties">
{head}</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<main><article>
<h1>{HEADLINE}</h1>
{before}
{paragraphs}
{body}
</article>
{after}
</main>
<footer><p>About us</p><p>Contact</p><p>Terms of use</p></footer>
</body></html>"""


def reasons(cleaned: Cleaned) -> dict[str, str]:
    return {r.text: r.reason for r in cleaned.removed}


def test_plain_page_keeps_every_paragraph_and_reads_metadata() -> None:
    cleaned = clean_html(make_page())
    assert cleaned.text == "\n\n".join(PARAGRAPHS)
    assert cleaned.title == HEADLINE
    assert cleaned.author == "Jane Roe"
    assert cleaned.published == "2022-09-19"
    assert cleaned.published_how == "html-meta"
    assert cleaned.outlet == "Example News"
    assert cleaned.outlet_how == "html-meta"
    assert cleaned.url == "https://news.example.com/world/russia-china-ties"
    assert reasons(cleaned)[HEADLINE] == "headline"


def test_metadata_is_never_invented() -> None:
    page = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page += "</article></body></html>"
    cleaned = clean_html(page)
    assert cleaned.text == "\n\n".join(PARAGRAPHS)
    assert cleaned.author is None
    assert cleaned.outlet is None and cleaned.outlet_how is None
    assert cleaned.url is None
    assert cleaned.published is None and cleaned.published_how is None


def test_url_argument_is_kept_when_the_page_declares_none() -> None:
    page = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    cleaned = clean_html(page + "</article></body></html>", url="https://example.org/a")
    assert cleaned.url == "https://example.org/a"


@pytest.mark.parametrize(
    ("snippet", "text", "reason"),
    [
        ("<p>Advertisement</p>", "Advertisement", "ad-marker"),
        ("<p>Share on Facebook</p>", "Share on Facebook", "share-widget"),
        (
            "<p>Delegates arrive in Beijing on Monday. REUTERS/Jane Roe</p>",
            "Delegates arrive in Beijing on Monday. REUTERS/Jane Roe",
            "caption",
        ),
        (
            "<p>Subscribe to our newsletter for the day's top stories.</p>",
            "Subscribe to our newsletter for the day's top stories.",
            "newsletter",
        ),
        (
            '<p><a href="/other">Storm Hits the Coast as Thousands Flee</a></p>',
            "Storm Hits the Coast as Thousands Flee",
            "related-link",
        ),
        (
            '<p>Read more: <a href="/x">Russia and China sign a trade pact</a></p>',
            "Read more: Russia and China sign a trade pact",
            "related-list",
        ),
        ("<p>Story Code: 258820</p>", "Story Code: 258820", "story-code"),
        ("<p>20 Sep 2022 - 9:43</p>", "20 Sep 2022 - 9:43", "date-line"),
    ],
)
def test_news_rules_apply_inside_the_article(snippet: str, text: str, reason: str) -> None:
    middle = make_page().replace(f"<p>{PARAGRAPHS[2]}</p>", snippet + f"<p>{PARAGRAPHS[2]}</p>")
    cleaned = clean_html(middle)
    assert reasons(cleaned).get(text) == reason, cleaned.removed
    assert cleaned.text == "\n\n".join(PARAGRAPHS)


def test_related_list_at_the_end_goes_with_its_entries() -> None:
    related = (
        "<p><strong>Related posts</strong></p>"
        '<p><a href="/a">Bird Flu Kills 47 Tigers in Zoos</a></p>'
        '<p><a href="/b">Ukraine Retakes Villages Near Kharkiv</a></p>'
    )
    cleaned = clean_html(make_page(body=related))
    assert cleaned.text == "\n\n".join(PARAGRAPHS)
    found = reasons(cleaned)
    assert found["Related posts"] == "related-list"
    # trafilatura itself drops link-only paragraphs; they are logged either way
    assert found["Bird Flu Kills 47 Tigers in Zoos"] in (
        "related-list",
        "related-link",
        "outside-main-content",
    )


def test_sieve_takes_linked_entries_under_a_related_heading() -> None:
    blocks = [
        Block(PARAGRAPHS[0], "p", link_ratio=0.0),
        Block("More from Example News", "head", level=3, link_ratio=0.0),
        Block("Storm Hits the Coast", "p", link_ratio=1.0),
        Block("Markets slide as oil prices jump again", "p", link_ratio=0.8),
        Block(PARAGRAPHS[1], "p", link_ratio=0.0),
        Block("Subheading of the article", "head", level=2, link_ratio=0.0),
    ]
    sifted = sift_blocks(blocks)
    assert sifted.paragraphs == [PARAGRAPHS[0], PARAGRAPHS[1], "Subheading of the article"]
    assert [r.reason for r in sifted.removed] == ["related-list"] * 3


def test_related_box_outside_the_article_is_logged() -> None:
    related = (
        "<aside><h3>Related posts</h3><ul>"
        '<li><a href="/a">Bird Flu Kills 47 Tigers in Zoos</a></li>'
        '<li><a href="/b">Ukraine Retakes Villages Near Kharkiv</a></li></ul></aside>'
    )
    cleaned = clean_html(make_page(after=related))
    assert cleaned.text == "\n\n".join(PARAGRAPHS)
    found = reasons(cleaned)
    assert found["Related posts"] in ("related-list", "outside-main-content")
    assert "Bird Flu Kills 47 Tigers in Zoos" in " ".join(found)


def test_teaser_cards_go_as_a_whole() -> None:
    cards = (
        "<ul>"
        + "".join(
            f'<li><a href="/{i}">{title}</a><br>{summary}</li>'
            for i, (title, summary) in enumerate(
                [
                    ("Pats place Olszewski on IR", "New England's roster is re-shuffling"),
                    ("Rams top Bears as offenses struggle", "Neither side got going on Sunday"),
                ]
            )
        )
        + "</ul>"
    )
    cleaned = clean_html(make_page(body=cards))
    assert cleaned.text == "\n\n".join(PARAGRAPHS)
    assert reasons(cleaned)["New England's roster is re-shuffling"] == "related-link"


def test_standfirst_and_repeated_headline_go() -> None:
    before = f"<h2>{DESCRIPTION}</h2><h1>{HEADLINE}</h1>"
    cleaned = clean_html(make_page(before=before))
    assert cleaned.text == "\n\n".join(PARAGRAPHS)
    found = reasons(cleaned)
    assert found[DESCRIPTION] == "standfirst"


def test_hidden_elements_are_removed_and_logged() -> None:
    hidden = (
        '<div style="display:none"><h1>Schema copy of the headline</h1>'
        "<p>2022-09-19T10:00:00Z</p></div>"
        '<span class="sr-only">Skip to content</span>'
        '<div class="author-tooltip">Jane Roe has written 300 articles for us.</div>'
    )
    cleaned = clean_html(make_page(before=hidden))
    assert cleaned.text == "\n\n".join(PARAGRAPHS)
    logged = [r.text for r in cleaned.removed if r.reason == "hidden-element"]
    assert any("Schema copy of the headline" in t for t in logged)
    assert "Jane Roe has written 300 articles for us." in logged


def test_hidden_class_match_is_exact_not_a_substring() -> None:
    # "field-label-hidden" is a class of the visible body on some CMS pages
    page = make_page().replace("<article>", '<article class="field-label-hidden">')
    assert clean_html(page).text == "\n\n".join(PARAGRAPHS)


def test_text_outside_the_main_content_is_logged() -> None:
    cleaned = clean_html(make_page())
    outside = {r.text for r in cleaned.removed if r.reason == "outside-main-content"}
    assert {"Home", "World", "Terms of use"} <= outside
    for paragraph in PARAGRAPHS:
        assert paragraph not in outside
    assert all(r.reason in REASONS for r in cleaned.removed)


def test_outside_log_is_capped_with_a_count() -> None:
    links = "".join(f'<li><a href="/{i}">Section number {i}</a></li>' for i in range(1000))
    cleaned = clean_html(make_page(after=f"<aside><ul>{links}</ul></aside>"))
    assert cleaned.text == "\n\n".join(PARAGRAPHS)
    logged = [r for r in cleaned.removed if r.reason in ("outside-main-content", "hidden-element")]
    assert len(logged) <= MAX_LOGGED_BLOCKS
    summary = [r for r in cleaned.removed if r.reason == "omitted-from-log"]
    assert len(summary) == 1 and "more blocks" in summary[0].text


def test_recurring_lines_are_removed_from_html() -> None:
    slogan = "Example News is independent and reader-funded since 1999."
    page = make_page(body=f"<p>{slogan}</p>")
    assert slogan in clean_html(page).text
    cleaned = clean_html(page, recurring=frozenset({line_key(slogan)}))
    assert slogan not in cleaned.text
    assert reasons(cleaned)[slogan] == "recurring-line"


def test_paragraph_lines_split_at_br_and_rejoined() -> None:
    body = "<p>Delegates arrive in Beijing. Photo by Jane Roe/UPI<br>" + PARAGRAPHS[0] + "</p>"
    page = make_page().replace(f"<p>{PARAGRAPHS[0]}</p>", body)
    cleaned = clean_html(page)
    assert cleaned.text.split("\n\n")[0] == PARAGRAPHS[0]
    assert reasons(cleaned)["Delegates arrive in Beijing. Photo by Jane Roe/UPI"] == "caption"


# -- broken input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        "<html></html>",
        "<html><body></body></html>",
        "<html><head><title>Only a title</title></head><body> </body></html>",
        "<<<>>>",
        "<p>",
        "</div></div></p>",
        "<!-- only a comment -->",
        "<script>var x = '<p>not text</p>';</script>",
        "\x00\x01\x02<html>\x00</html>",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
    ],
)
def test_empty_or_broken_pages_give_empty_or_small_text(html: str) -> None:
    cleaned = clean_html(html)
    assert isinstance(cleaned.text, str)
    assert len(cleaned.text) < 50
    assert all(r.reason in REASONS for r in cleaned.removed)


def test_text_without_markup_is_cleaned_as_text() -> None:
    cleaned = clean_html("Advertisement\n\n" + PARAGRAPHS[0], url="https://example.org/a")
    assert cleaned.text == PARAGRAPHS[0]
    assert cleaned.url == "https://example.org/a"
    assert [r.reason for r in cleaned.removed] == ["ad-marker"]


def test_hidden_element_holding_most_of_the_page_stays() -> None:
    # some pages hide the article in the HTML and reveal it with a script
    page = make_page().replace("<article>", '<article class="hidden">')
    assert clean_html(page).text == "\n\n".join(PARAGRAPHS)


def test_truncated_page_keeps_what_it_has() -> None:
    page = make_page()
    cut = page[: page.index(PARAGRAPHS[3]) + 40]  # stops mid-paragraph, tags left open
    cleaned = clean_html(cut)
    assert PARAGRAPHS[0] in cleaned.text
    assert PARAGRAPHS[2] in cleaned.text


def test_unclosed_and_misnested_tags() -> None:
    page = make_page().replace("</p>", "", 3).replace("<article>", "<article><div><span><b>")
    cleaned = clean_html(page)
    for paragraph in PARAGRAPHS:
        assert paragraph in cleaned.text


def test_deeply_nested_page_does_not_crash() -> None:
    page = make_page(body="<div>" * 3000 + "<p>Deep text here.</p>" + "</div>" * 3000)
    cleaned = clean_html(page)
    assert PARAGRAPHS[0] in cleaned.text


def test_bytes_decoded_badly_still_work() -> None:
    page = make_page().encode("utf-8").decode("latin-1")  # mojibake, but a page
    assert "Russian security delegation" in clean_html(page).text


# -- helpers ------------------------------------------------------------------------------------


def test_list_page_blocks_and_hidden_removal() -> None:
    from lxml.html import fromstring

    tree = fromstring(
        "<div>Menu<p>Hello <b>you</b></p><p hidden>secret</p>"
        "<script>x()</script><!-- c -->Bye</div>"
    )
    assert list_page_blocks(tree) == ["Menu", "Hello you", "secret", "Bye"]
    assert remove_hidden_elements(tree) == ["secret"]
    assert list_page_blocks(tree) == ["Menu", "Hello you", "Bye"]


def test_render_lines_measures_links_per_line() -> None:
    from lxml import etree

    item = etree.fromstring(
        '<item><ref target="/a">Linked   headline</ref><lb/>Plain\n  summary</item>'
    )
    assert render_lines(item) == [("Linked headline", 1.0), ("Plain", 0.0), ("summary", 0.0)]
    assert mend_lines(render_lines(item)) == [("Linked headline", 1.0), ("Plain summary", 0.0)]
