"""The plain-text metadata finder: datelines, date lines, outlet signatures, language, title."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsweave.clean.metadata import (
    detect_language,
    find_metadata,
    read_copyright_owner,
    read_date_line,
)
from newsweave.model import Cleaned, Removal

LEAD = (
    "Officials from both countries met for two days of talks on trade, energy and security, "
    "and agreed to meet again before the end of the year."
)
STORY = "\n\n".join(
    [
        "The talks were the first of their kind since the crisis began, diplomats said.",
        "Analysts expect further meetings in the coming months as both sides seek a deal.",
        "Neither government published the text of the agreement on Monday evening.",
    ]
)


def find(raw: str, **fields: object) -> Cleaned:
    """Run the finder on ``raw`` used as both raw text and body, like an uncleaned text."""
    return find_metadata(raw, Cleaned(text=raw, **fields))  # type: ignore[arg-type]


# --- datelines ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opener", "outlet", "published"),
    [
        ("Sept. 19 (UPI) --", "UPI", None),  # no year anywhere: never invent one
        ("LONDON (AP) —", "AP", None),
        ("KANSAS CITY, Mo. (AP) —", "AP", None),
        ("Tehran (IRNA) –", "IRNA", None),
        ("(CNN) —", "CNN", None),
        ("PARIS, 3 mars (AFP) -", "AFP", None),
        ("WASHINGTON, March 3, 2026 (Reuters) -", "Reuters", "2026-03-03"),
        ("WASHINGTON, March 3, 2026 —", None, "2026-03-03"),
        ("BERLIN, 3. März 2026 (dpa) -", "dpa", "2026-03-03"),
    ],
)
def test_dateline_gives_agency_and_date(
    opener: str, outlet: str | None, published: str | None
) -> None:
    cleaned = find(f"{opener} {LEAD}\n\n{STORY}")
    assert cleaned.outlet == outlet
    assert cleaned.outlet_how == ("dateline" if outlet else None)
    assert cleaned.published == published
    assert cleaned.published_how == ("dateline" if published else None)


def test_dateline_without_year_borrows_one_from_the_text() -> None:
    raw = f"VARNO, March 3 (MPA) -- {LEAD}\n\nThe accord was first drafted on Feb. 24, 2026."
    cleaned = find(raw)
    assert (cleaned.published, cleaned.published_how) == ("2026-03-03", "dateline")
    assert (cleaned.outlet, cleaned.outlet_how) == ("MPA", "dateline")


def test_borrowed_year_prefers_a_date_with_the_same_month_and_day() -> None:
    raw = (
        f"WASHINGTON, March 3 (Reuters) - {LEAD}\n\n"
        "The previous treaty was signed on January 5, 2019.\n\n"
        "Ministers said on March 3, 2026 that the deal would hold."
    )
    assert find(raw).published == "2026-03-03"


def test_dateline_deep_in_the_story_is_not_read() -> None:
    filler = "\n\n".join(f"Paragraph {i} of the story goes on about the talks." for i in range(20))
    raw = f"{LEAD}\n\n{filler}\n\nLONDON, March 3, 2026 (Reuters) - A second report."
    cleaned = find(raw)
    assert cleaned.outlet is None
    assert cleaned.published is None


def test_shouted_word_with_colon_is_not_a_dateline() -> None:
    assert find(f"BREAKING: {LEAD}").outlet is None


# --- date lines --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("20 Sep 2022 - 9:43", "2022-09-20T09:43"),
        ("September 20, 2022", "2022-09-20"),
        ("2022-09-20 09:43", "2022-09-20T09:43"),
        ("2022-09-20T09:43:00+03:00", "2022-09-20T09:43"),
        ("Published: 3 March 2026, 09:15", "2026-03-03T09:15"),
        ("Updated Mar. 3, 2026 at 9:43 a.m.", "2026-03-03T09:43"),
        ("Updated 9:43 p.m. EDT, Mar 3, 2026", "2026-03-03T21:43"),
        ("Mon 20 Sep 2022 09.43 BST", "2022-09-20T09:43"),
        ("By Jane Doe | September 20, 2022", "2022-09-20"),
        ("20.09.2022", "2022-09-20"),
        ("09/20/2022", "2022-09-20"),
        ("Publié le 3 mars 2026 à 9h15", "2026-03-03T09:15"),
        ("Dienstag, 20. September 2022", "2022-09-20"),
        ("Publicado el 20 de septiembre de 2022", "2022-09-20"),
    ],
)
def test_date_line_is_read(line: str, iso: str) -> None:
    found = read_date_line(line)
    assert found is not None and found[0] == iso
    cleaned = find(f"A headline about the talks\n\n{line}\n\n{LEAD}")
    assert (cleaned.published, cleaned.published_how) == (iso, "date-line")


@pytest.mark.parametrize(
    "line",
    [
        "03/04/2026",  # March 4th or 3 April: ambiguous, so no date
        "Russia invades on 24 February 2022",  # a headline holding a date
        "Windows 11 2022",
        "September 2022",  # no day: REQUIRE_PARTS refuses to guess one
        "September 20, 2022 was a busy day for the ministers of both countries",
    ],
)
def test_non_date_lines_are_not_read(line: str) -> None:
    assert read_date_line(line) is None
    assert find(f"{line}\n\n{LEAD}").published is None


def test_published_beats_updated_and_date_line_beats_dateline() -> None:
    raw = (
        "Talks go on\n\nUpdated: 4 March 2026, 10:00\nPublished: 3 March 2026, 09:15\n\n"
        f"LONDON, March 2, 2026 (Reuters) - {LEAD}"
    )
    cleaned = find(raw)
    assert (cleaned.published, cleaned.published_how) == ("2026-03-03T09:15", "date-line")
    assert (cleaned.outlet, cleaned.outlet_how) == ("Reuters", "dateline")


def test_date_inside_the_story_is_not_the_publication_date() -> None:
    filler = "\n".join(f"Line {i} of the story." for i in range(20))
    raw = f"Talks go on\n\n{LEAD} It began on September 16, 2022.\n{filler}\nSeptember 20, 2022\n"
    assert find(raw).published is None


# --- outlet signatures and what must not become the outlet -------------------------------


def test_signature_keeps_the_expansion() -> None:
    cleaned = find(f"Example Voice Agency (EVA): {LEAD}")
    assert (cleaned.outlet, cleaned.outlet_how) == ("Example Voice Agency", "signature")


def test_signature_without_abbreviation_needs_an_outlet_word() -> None:
    assert find(f"Northern Example News Agency: {LEAD}").outlet == "Northern Example News Agency"
    assert find(f"Foreign Ministry Spokesman Adams: {LEAD}").outlet is None


def test_short_teaser_with_colon_is_not_a_signature() -> None:
    assert find("Example Media Agency: Bird Flu Kills Tigers").outlet is None


@pytest.mark.parametrize(
    "text",
    [
        f"{LEAD} The minister said so, according to TASS.",
        f"Reuters reported that {LEAD}",
        f"The agreement was signed, Reuters wrote. {LEAD}",
        f"Leaders at the summit. Photo by Kremlin Pool/UPI\n\n{LEAD}",
        f"Leaders at the summit in Beijing, China September 16, 2022. REUTERS/Jane Doe\n\n{LEAD}",
        f"{LEAD}\n\nAP Photo/John Doe",
    ],
)
def test_attribution_and_photo_credit_are_not_the_outlet(text: str) -> None:
    cleaned = find(text)
    assert cleaned.outlet is None
    assert cleaned.outlet_how is None


@pytest.mark.parametrize(
    ("line", "owner"),
    [
        ("© 2022 Example News Agency", "Example News Agency"),
        ("Copyright Reuters", "Reuters"),
        ("Copyright 2022 The Associated Press. All rights reserved.", "The Associated Press"),
        ("Copyright © 2020-2022 Example Media, Inc.", "Example Media"),
        ("(c) Example Times 2022", "Example Times"),
        ("© 2022 Getty Images", None),  # a picture's owner
        ("© 2022. All rights reserved.", None),
        ("Story Code: 258820", None),
        ("Photo: John Doe © AFP", None),
    ],
)
def test_copyright_owner(line: str, owner: str | None) -> None:
    assert read_copyright_owner(line) == owner


def test_outlet_from_removed_boilerplate() -> None:
    removed = [
        Removal("Story Code: 258820", "boilerplate"),
        Removal("Share this\n© 2022 Example News Agency", "boilerplate"),
    ]
    cleaned = find_metadata(LEAD, Cleaned(text=LEAD, removed=removed))
    assert (cleaned.outlet, cleaned.outlet_how) == ("Example News Agency", "boilerplate")


def test_publisher_copyright_beats_the_agency_dateline_of_a_repost() -> None:
    removed = [Removal("Follow us on X. © 2022 Example Gazette. All rights reserved.", "copyright")]
    raw = f"LONDON (AP) — {LEAD}"
    cleaned = find_metadata(raw, Cleaned(text=raw, removed=removed))
    assert (cleaned.outlet, cleaned.outlet_how) == ("Example Gazette", "boilerplate")
    alone = find_metadata(raw, Cleaned(text=raw))
    assert (alone.outlet, alone.outlet_how) == ("AP", "dateline")


# --- language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (LEAD, "en"),
        (
            "Le gouvernement a annoncé lundi une nouvelle réforme des retraites, suscitant la "
            "colère des syndicats, qui appellent à la grève dans tout le pays.",
            "fr",
        ),
        (
            "Die Regierung hat am Montag eine neue Rentenreform angekündigt, was die "
            "Gewerkschaften verärgert, die nun im ganzen Land zum Streik aufrufen.",
            "de",
        ),
        (
            "El gobierno anunció el lunes una nueva reforma de las pensiones, lo que enfadó a "
            "los sindicatos, que llaman a la huelga en todo el país.",
            "es",
        ),
    ],
)
def test_language(text: str, code: str) -> None:
    assert detect_language(text) == code
    assert find(text).language == code


@pytest.mark.parametrize("text", ["", "Short text", "12345 678 !!! 90.12", "Hi there"])
def test_language_of_too_short_text_is_none(text: str) -> None:
    assert detect_language(text) is None


def test_language_falls_back_to_raw_when_body_is_empty() -> None:
    assert find_metadata(LEAD, Cleaned(text="")).language == "en"


# --- title -------------------------------------------------------------------------------


def test_title_skips_page_furniture() -> None:
    raw = f"QR codeQR code\n\nAdvertisement\n\nMinisters agree to meet again in spring\n\n{LEAD}"
    assert find(raw).title == "Ministers agree to meet again in spring"


@pytest.mark.parametrize(
    "first_line",
    [
        LEAD,  # a paragraph, not a headline
        "The ministers met.",  # a sentence
        "By Jane Doe and John Roe",  # a byline
        "September 20, 2022",
        "Advertisement",
    ],
)
def test_non_headline_first_line_gives_no_title(first_line: str) -> None:
    assert find(f"{first_line}\n\n{LEAD}").title is None


# --- fields already set, nothing invented ------------------------------------------------


def test_fields_already_set_are_not_overridden() -> None:
    raw = f"A headline about the talks\n\n20 Sep 2022 - 9:43\n\nLONDON (AP) — {LEAD}"
    cleaned = Cleaned(
        text=raw,
        title="Set title",
        published="2020-01-01",
        published_how="html-meta",
        outlet="Set Outlet",
        outlet_how="html-meta",
        language="de",
    )
    assert find_metadata(raw, cleaned) is cleaned
    assert cleaned.title == "Set title"
    assert (cleaned.published, cleaned.published_how) == ("2020-01-01", "html-meta")
    assert (cleaned.outlet, cleaned.outlet_how) == ("Set Outlet", "html-meta")
    assert cleaned.language == "de"


def test_nothing_found_leaves_none() -> None:
    cleaned = find(f"{LEAD}\n\n{STORY}")
    assert cleaned.published is None and cleaned.published_how is None
    assert cleaned.outlet is None and cleaned.outlet_how is None
    assert cleaned.title is None
    assert cleaned.language == "en"


# --- seeds -------------------------------------------------------------------------------

# name prefix -> (published, published_how, outlet, outlet_how, has a title)
SEED_EXPECTATIONS = {
    "000": (None, None, None, None, True),  # REUTERS only in a photo credit
    "001": (None, None, "UPI", "dateline", True),  # "Sept. 19 (UPI) --" and no year anywhere
    "002": (None, None, None, None, False),  # opens with a paragraph, no headline
    "003": ("2022-09-20T09:43", "date-line", "Afghan Voice Agency", "signature", True),
    "004": (None, None, None, None, True),
}


def test_seeds(shared_dir: Path) -> None:
    seeds = sorted((shared_dir / "corpus" / "seeds").glob("*.txt"))
    assert [p.name[:3] for p in seeds] == sorted(SEED_EXPECTATIONS)
    for path in seeds:
        raw = path.read_text(encoding="utf-8")
        # The body is the raw text itself: the finder must cope with captions and
        # page furniture a cleaner would normally have taken out.
        cleaned = find_metadata(raw, Cleaned(text=raw))
        published, published_how, outlet, outlet_how, has_title = SEED_EXPECTATIONS[path.name[:3]]
        got = (cleaned.published, cleaned.published_how, cleaned.outlet, cleaned.outlet_how)
        assert got == (published, published_how, outlet, outlet_how), path.name
        assert cleaned.language == "en", path.name
        assert (cleaned.title is not None) == has_title, path.name
