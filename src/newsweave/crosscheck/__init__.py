"""Cross-check: claims, their alignment across articles, and their status.

* :mod:`.claims` splits clean text into claims with numbers, names, dates, negation;
* :mod:`.align` is THE decision "these two sentences report the same fact";
* :mod:`.frames` reads from the dependency parse what a figure counts and who does
  what to whom;
* :mod:`.sources` reads who a claim is attributed to and which outlet it cites;
* :mod:`.compare` finds each quantity's values and where reports differ (figures,
  people in the same role of an action, negation, dates, places): the figures in
  :mod:`.figures`, the other disagreements in :mod:`.disputes`;
* :mod:`.status` groups claims and counts the independent origins behind each.

The cross-check is computed per story on demand (``Engine.brief``): a story of
ten articles takes seconds, and it then always reflects the story's current
membership and origins, so nothing has to be invalidated when stories change.
"""

from newsweave.crosscheck.align import same_fact, same_fact_score
from newsweave.crosscheck.status import ClaimGroup, CrossCheck, StoryArticle, cross_check

__all__ = ["ClaimGroup", "CrossCheck", "StoryArticle", "cross_check", "same_fact",
           "same_fact_score"]
