"""The five seed articles: every boilerplate segment goes, every body sentence stays.

Expectations are tolerant ``with`` / ``without`` snippet lists (in the manner
of trafilatura's ``evaldata.json``): they survive formatting changes but catch a
lost sentence or a leaked widget. Beyond the snippets, every body paragraph of
each seed must survive whole, and every removal must carry a known reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import require_shared
from newsweave.clean import REASONS, clean_text
from newsweave.model import Cleaned

# seed file prefix -> expected title, snippets the body keeps, snippets it loses,
# and (removed text snippet, reason) pairs the log must hold
EXPECTED: dict[str, dict] = {
    "000": {
        "title": "Putin ally deepens Russia’s ‘strategic partnership’ with China",
        "with": [
            "One of President Vladimir Putin’s closest allies sought on Monday",
            "Patrushev and Yang also discussed the Korean peninsular, Taiwan and Ukraine.",
            "calling it an “invasion”.",
        ],
        "without": [
            "REUTERS/Tingshu Wang",
            "A giant screen broadcasts news footage",
            "Related posts",
            "Bird Flu Kills 47 Tigers",
            "Russia Takes Control of Vuhledar",
            "Iranian Missile Strike on Israel",
        ],
        "removed": [
            ("REUTERS/Tingshu Wang", "caption"),
            ("Related posts", "related-list"),
            ("Bird Flu Kills 47 Tigers", "related-list"),
            ("Iranian Missile Strike on Israel", "related-list"),
        ],
    },
    "001": {
        "title": "Russia, China strengthen relations with high-level meetings amid war in Ukraine",
        "with": [
            "Sept. 19 (UPI) -- A Russian security delegation is in China",
            "Xi emerged from the meeting and said the countries were prepared",
            "with Ukraine retaking thousands of square miles of territory",
        ],
        "without": [
            "Advertisement",
            "1 of 5 |",
            "Photo by Kremlin Pool/UPI",
            "License Photo",
            "Latest Headlines",
            "are seen during the Shanghai Cooperation Organization summit",
        ],
        "removed": [
            ("Advertisement", "ad-marker"),
            ("Photo by Kremlin Pool/UPI", "caption"),
            ("1 of 5 |", "gallery-counter"),
            ("Latest Headlines", "related-list"),
        ],
    },
    "002": {
        # the seed opens straight with its lead sentence: no headline to take
        "title": None,
        "with": [
            "Under pressure from Kiev’s advances in the Ukrainian War",
            "Ironically, Pelosi was called a provocateur by Putin",
        ],
        "without": ["With a wealth of experience", "I bring a seasoned voice"],
        "removed": [("With a wealth of experience", "author-bio")],
    },
    "003": {
        "title": "The development of military cooperation between China and Russia in the shadow "
        "of American pressure",
        "with": [
            "While pressure from Washington on Beijing to distance itself from Moscow continues",
            "Afghan Voice Agency (AVA): While Washington's pressure on Beijing",
            "We know there are other countries that have this desire.",
        ],
        "without": ["QR code", "Story Code", "258820", "News Link", "20 Sep 2022", "9:43"],
        "removed": [
            ("QR codeQR code", "share-widget"),
            ("20 Sep 2022 - 9:43", "date-line"),
            ("Story Code: 258820", "story-code"),
            ("News Link :", "empty-label"),
        ],
    },
    "004": {
        "title": "China and Russia concur to strengthen their security ties",
        "with": [
            "On a visit to China on Monday, a senior Russian security official",
            "was founded as a counterweight to American power.",
        ],
        "without": [
            "China and Russia concur to strengthen their security ties",
            "Leave a Reply",
            "Your email address will not be published",
            "Required fields are marked",
        ],
        "removed": [
            ("China and Russia concur to strengthen their security ties", "headline"),
            ("China and Russia concur to strengthen their security ties", "duplicate-title"),
            ("Leave a Reply", "comment-form"),
            ("Your email address will not be published", "comment-form"),
        ],
    },
}


def _seed(seeds_dir: Path, prefix: str) -> Path:
    matches = sorted(seeds_dir.glob(f"{prefix}_*.txt"))
    assert matches, f"no seed {prefix}_*.txt in {seeds_dir}"
    return matches[0]


@pytest.fixture(scope="module")
def cleaned_seeds() -> dict[str, tuple[str, Cleaned]]:
    seeds_dir = require_shared("corpus/seeds")  # skips (or fails under CI=true) when absent
    result = {}
    for prefix in EXPECTED:
        raw = _seed(seeds_dir, prefix).read_text(encoding="utf-8")
        result[prefix] = (raw, clean_text(raw))
    return result


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_keeps_body_and_loses_boilerplate(
    cleaned_seeds: dict[str, tuple[str, Cleaned]], prefix: str
) -> None:
    _, cleaned = cleaned_seeds[prefix]
    expected = EXPECTED[prefix]
    for snippet in expected["with"]:
        assert snippet in cleaned.text, f"seed {prefix} lost body text {snippet!r}"
    for snippet in expected["without"]:
        assert snippet not in cleaned.text, f"seed {prefix} kept boilerplate {snippet!r}"


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_headline_becomes_title(
    cleaned_seeds: dict[str, tuple[str, Cleaned]], prefix: str
) -> None:
    _, cleaned = cleaned_seeds[prefix]
    assert cleaned.title == EXPECTED[prefix]["title"]
    if cleaned.title:
        assert not cleaned.text.startswith(cleaned.title)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_removals_are_logged_with_reasons(
    cleaned_seeds: dict[str, tuple[str, Cleaned]], prefix: str
) -> None:
    _, cleaned = cleaned_seeds[prefix]
    logged = [(r.text, r.reason) for r in cleaned.removed]
    for snippet, reason in EXPECTED[prefix]["removed"]:
        assert any(snippet in text and why == reason for text, why in logged), (
            f"seed {prefix}: no removal of {snippet!r} as {reason!r} in {logged}"
        )
    assert all(reason in REASONS for _, reason in logged)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_loses_nothing_silently(
    cleaned_seeds: dict[str, tuple[str, Cleaned]], prefix: str
) -> None:
    """Every non-empty input line is in the body or in the removal log."""
    raw, cleaned = cleaned_seeds[prefix]
    accounted = cleaned.text + "\n" + "\n".join(r.text for r in cleaned.removed)
    for line in raw.splitlines():
        if line.strip():
            assert " ".join(line.split()) in accounted, f"seed {prefix}: {line!r} vanished"


def test_seed_body_paragraphs_survive_whole(
    cleaned_seeds: dict[str, tuple[str, Cleaned]],
) -> None:
    """Every sentence-like line of every seed (bar seed 002's bio) is in the body verbatim."""
    for prefix, (raw, cleaned) in cleaned_seeds.items():
        for line in raw.splitlines():
            line = line.strip()
            if len(line.split()) < 8 or not line.endswith((".", "”", '"', "?", "!")):
                continue  # headlines, captions, widgets and labels
            if "I bring a seasoned voice" in line:
                continue
            assert line in cleaned.text, f"seed {prefix} lost {line[:60]!r}"
