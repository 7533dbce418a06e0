"""Exceptions raised by newsweave; each message names the input and, where there is one, the fix."""

from __future__ import annotations


class NewsweaveError(Exception):
    """Base of every error newsweave raises on purpose."""


class StoreError(NewsweaveError):
    """The store cannot be opened or used (wrong file, newer schema, corruption)."""


class InputError(NewsweaveError):
    """One input cannot become an article; the batch goes on without it."""


class NotFoundError(NewsweaveError):
    """A requested item (article, story...) does not exist in the store."""


class StoreBusyError(StoreError):
    """Another process held the store's write lock for longer than we wait."""
