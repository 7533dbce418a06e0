"""Routing by language: which components run on an article, given its language.

Some components only understand English: spaCy's English NER, the speech-verb cue
rules that find quotes, the English date expressions, the claim rules. An article
detected as another language skips them (their output would be noise: English
entity labels on German names, "said" rules finding nothing, weekday names missed)
and its JSON says what it skipped and why (:func:`skipped_components`). An article
whose language is unknown (too short to tell) runs everything, as before routing.

>>> [s["component"] for s in skipped_components("de")]
['ner', 'quotes', 'dates', 'claims']
>>> skipped_components("en"), skipped_components(None)
([], [])
"""

from __future__ import annotations

from typing import Any

ENGLISH = "en"

# component -> (the stage it belongs to, what it is): every English-only component.
ENGLISH_ONLY: dict[str, tuple[str, str]] = {
    "ner": ("extract", "spaCy's English named-entity recognition"),
    "quotes": ("extract", "the English speech-verb rules that find quotes and speakers"),
    "dates": ("extract", "English date expressions (weekdays, months, 'yesterday')"),
    "claims": ("brief", "the English claim rules of the cross-check"),
}


def runs_english(language: str | None) -> bool:
    """Whether English-only components run on an article in ``language`` (an ISO 639-1
    code; None when detection could not tell, which runs them)."""
    return not language or language.lower().split("-")[0] == ENGLISH


def skipped_components(language: str | None) -> list[dict[str, Any]]:
    """The components an article in ``language`` skips, each with its stage and why."""
    if runs_english(language):
        return []
    return [{"stage": stage, "component": name,
             "reason": f"{what} is English-only; the article's language is {language}"}
            for name, (stage, what) in ENGLISH_ONLY.items()]
