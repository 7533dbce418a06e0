"""Whether a news sentence reports something still to come.

"is expected to visit on Wednesday" points forward; "visited on Wednesday"
back. Only the reporter's own words before the date count: a quotation's "we
will not stop" says nothing of when, and in "announced on Monday that it will
expand" the future belongs to what was announced, not to Monday.
"""

from __future__ import annotations

import re

# Deliberately narrow: on Timeline17, "would", "was expected to" and a bare
# "scheduled" pushed more past dates forward than they fixed.
_FUTURE = re.compile(
    r"\b(?:will|shall|(?:is|are) (?:expected|due|scheduled|set|going) to|plans? to|next)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"][^”\"]*[”\"]")
_QUOTE_TAIL = re.compile(r"^[^“\"]*”")  # a quotation that opened in the sentence before


def speaks_of_future(before_date: str) -> bool:
    """True when the words before a date, quotations aside, are in the future tense.

    >>> speaks_of_future("The minister is expected to visit on")
    True
    >>> speaks_of_future('"We will rebuild," the mayor said')
    False
    """
    return bool(_FUTURE.search(_QUOTED.sub(" ", _QUOTE_TAIL.sub(" ", before_date))))
