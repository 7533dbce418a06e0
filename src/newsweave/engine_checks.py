"""The engine's answers computed on demand: a story's brief (and preparing it ahead),
the stance of an article on a claim, and the check of a claim across the store.

A part of :class:`newsweave.engine.Engine` (its base class), not to be used on its own:
it reads through :class:`newsweave.engine_reads.EngineReads`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from newsweave.engine_reads import EngineReads
from newsweave.errors import InputError
from newsweave.model import ClaimCheck, StanceResult

if TYPE_CHECKING:
    from newsweave.brief import Brief
    from newsweave.brief.prepare import PrepareReport
    from newsweave.engine import ProgressCallback


class EngineChecks(EngineReads):
    """Briefs, stances and claim checks (see :class:`newsweave.engine.Engine`)."""

    # -- crosscheck -----------------------------------------------------------

    def brief(self, story_id: int) -> Brief:
        """The cited brief of a story, computed now from its current articles.

        Raises :class:`NotFoundError` for an unknown story. Every citation is
        verified against the cited article (``brief.support`` has the counts).
        """
        from newsweave.brief.assemble import assemble_brief

        story = self.story(story_id, confidence=False)  # a brief shows no confidence
        return assemble_brief(self.store, self.settings, story,
                              entities=self.entities(story=story.id),
                              quotes=self.quotes(story=story.id))

    def prepare_briefs(self, stories: Iterable[int] | None = None, *,
                       progress: ProgressCallback | None = None) -> PrepareReport:
        """Prepare the briefs of ``stories`` (every live story for None) that changed
        since their last preparation, so that their first :meth:`brief` reads what it
        would compute: the claim vectors, the parse's frames and the scored claim pairs
        (see :mod:`newsweave.brief.prepare`). The briefs are the same prepared or not.
        ``progress("brief", done, total)`` counts the stories. Raises
        :class:`StoreError` on a read-only store."""
        from newsweave.brief.prepare import prepare_briefs

        return prepare_briefs(self.store, self.settings, self._prepare_brief, stories,
                              progress=progress)

    def _prepare_brief(self, story_id: int) -> None:
        from newsweave.brief.assemble import assemble_brief

        story = self.story(story_id, confidence=False)
        assemble_brief(self.store, self.settings, story, entities=self.entities(story=story.id),
                       quotes=self.quotes(story=story.id), wait=None)

    def stance(self, claim: str, article: int | str) -> StanceResult:
        """How an article (a stored id, or a text) holds ``claim``: supports, contradicts,
        discusses or unrelated, with the deciding passage (see
        :mod:`newsweave.crosscheck.stance`). Raises ValueError for an empty claim or text."""
        from newsweave.crosscheck.stance import stance

        if isinstance(article, int):
            found = self.article(article)
            result = stance(claim, found.text)
            result.article = found.id
            return result
        return stance(claim, article)

    def check(self, claim: str, story: int | None = None) -> ClaimCheck:
        """Every article that supports, contradicts or discusses ``claim`` (in the store, or
        in one story), grouped by independent origin, with a verdict (see
        :mod:`newsweave.crosscheck.claim_check`). Candidates come from the stored vectors,
        not a scan. Raises :class:`NotFoundError` for an unknown story."""
        from newsweave.crosscheck.claim_check import check_claim, find_candidates

        if not claim or not claim.strip():
            raise InputError("the claim is empty: give the statement to check")
        if story is not None:
            candidates = self._story_scope(story) or []
        else:
            index = self._reuse_vectors()
            index.refresh(self.store)
            candidates = find_candidates(index, claim)
        return check_claim(
            claim, candidates,
            self._stored,
            self.store.reuse.origin_of, story=story,
        )
