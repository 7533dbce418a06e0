"""Clean plain text (a copy-paste of a web page, a text file) line by line.

Plain text has no markup to say what is a heading or a link, so the text is
cut into blocks, one per line, except where a paragraph was hard-wrapped at a
fixed width (those lines are joined again). The blocks then go through the
same :func:`~newsweave.clean.sieve.sift_blocks` as HTML; the first title-like
line becomes the ``title``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsweave.clean.rules import ends_sentence
from newsweave.clean.sieve import Block, classify_blocks, sift_blocks
from newsweave.model import Cleaned

MIN_WRAPPED_LINES = 3  # fewer lines than this are never taken for a hard-wrapped paragraph
MAX_WRAP_WIDTH = 100  # hard-wrapped text is cut at 60-80 columns, rarely more
MIN_OPEN_LINE_SHARE = 0.5  # in wrapped text most lines stop mid-sentence

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")


def clean_text(text: str, *, recurring: frozenset[str] = frozenset()) -> Cleaned:
    """Clean a plain-text article: body paragraphs, headline as title, removals logged.

    >>> cleaned = clean_text("Advertisement\\n\\nBig News Today\\n\\nIt happened today.")
    >>> cleaned.title, cleaned.text, [r.reason for r in cleaned.removed]
    ('Big News Today', 'It happened today.', ['ad-marker', 'headline'])
    """
    return prepare_text(text).clean(recurring)


@dataclass(slots=True)
class PreparedText:
    """A plain text cut into blocks, each classified on its own: all of cleaning that does
    not depend on the outlet's recurring lines. Ingest cleans an article, then, where its
    outlet's recurring lines turn out to be among its lines, cleans it again with them:
    the second time only the order-aware sieve runs again."""

    blocks: list[Block]
    classes: list[str | None]

    def clean(self, recurring: frozenset[str] = frozenset()) -> Cleaned:
        """The cleaned article, given the outlet's recurring lines (as :func:`clean_text`)."""
        sifted = sift_blocks(self.blocks, recurring=recurring, classes=self.classes)
        return Cleaned(
            text="\n\n".join(sifted.paragraphs), removed=sifted.removed, title=sifted.headline
        )


def prepare_text(text: str) -> PreparedText:
    """``text`` cut into blocks and classified, ready to :meth:`~PreparedText.clean`."""
    blocks = split_blocks(text)
    return PreparedText(blocks, classify_blocks(blocks))


def split_blocks(text: str) -> list[Block]:
    """Cut plain text into blocks: one per line, one per hard-wrapped paragraph."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    blocks: list[Block] = []
    for chunk in _BLANK_LINE.split(text):
        if "\n" not in chunk:  # one line (most chunks): a block, if anything is left of it
            line = " ".join(chunk.split())
            if line:
                blocks.append(Block(line))
            continue
        lines = [" ".join(line.split()) for line in chunk.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            continue
        if is_hard_wrapped(lines):
            blocks.append(Block(" ".join(lines)))
        else:
            blocks.extend(Block(line) for line in lines)
    return blocks


def is_hard_wrapped(lines: list[str]) -> bool:
    """True when ``lines`` look like one paragraph wrapped at a fixed width.

    >>> is_hard_wrapped(["The talks are another sign of deepening ties", "between Beijing and",
    ...                  "Moscow, officials said."])
    True
    """
    if len(lines) < MIN_WRAPPED_LINES:
        return False
    inner = lines[:-1]
    if any(len(line) > MAX_WRAP_WIDTH for line in inner):
        return False
    open_lines = sum(1 for line in inner if not ends_sentence(line) and not line.endswith(":"))
    return open_lines >= MIN_OPEN_LINE_SHARE * len(inner)
