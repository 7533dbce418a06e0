"""The cleaning stage: an article's body without the page's furniture, and a log of the rest.

>>> from newsweave.clean import clean_text
>>> cleaned = clean_text("Big News Today\\n\\nIt happened today.\\n\\nAdvertisement")
>>> cleaned.title, cleaned.text
('Big News Today', 'It happened today.')
>>> [(r.text, r.reason) for r in cleaned.removed]
[('Big News Today', 'headline'), ('Advertisement', 'ad-marker')]

:func:`clean_html` and :func:`clean_text` apply the same news rules
(:mod:`newsweave.clean.rules`); every removal is logged with a reason code
from :data:`REASONS`.
"""

from __future__ import annotations

from newsweave.clean.html import clean_html
from newsweave.clean.rules import REASONS
from newsweave.clean.sieve import line_key
from newsweave.clean.text import clean_text

__all__ = ["REASONS", "clean_html", "clean_text", "line_key"]
