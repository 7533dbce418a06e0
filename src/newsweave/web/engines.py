"""The server's engines: a read-only one per worker thread, a writable one for the thread
that writes the ingest jobs' records, and the store's preparation when the server starts.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import suppress

from newsweave.engine import Engine, open_engine
from newsweave.errors import NewsweaveError, StoreError
from newsweave.store.jobs import JobTables
from newsweave.web.jobs import INTERRUPTED

log = logging.getLogger(__name__)


class Engines:
    """A read-only engine per worker thread on the same store, and a writable one for
    the thread that writes the ingest jobs' records."""

    def __init__(self, db: str, writable: bool = True) -> None:
        self.db = db
        self.writable = writable
        self._local = threading.local()
        self._all: list[Engine] = []
        self._all_lock = threading.Lock()

    def get(self) -> Engine:
        """This thread's read-only engine."""
        return self._engine("reader", readonly=True)

    def writer(self) -> Engine:
        """This thread's writable engine (the ingest jobs' thread only: the records)."""
        if not self.writable:
            raise NewsweaveError(f"{self.db} is open read-only here: nothing can be ingested")
        return self._engine("writable", readonly=False)

    def _engine(self, name: str, *, readonly: bool) -> Engine:
        engine = getattr(self._local, name, None)
        if engine is None:
            engine = open_engine(self.db, readonly=readonly, create=False)
            setattr(self._local, name, engine)
            with self._all_lock:
                self._all.append(engine)
        return engine

    def close(self) -> None:
        with self._all_lock:
            for engine in self._all:
                with suppress(Exception):  # another thread's connection: closed at exit
                    engine.close()
            self._all.clear()


def prepare_store(db: str) -> bool:
    """Open the store once writable: it is migrated, and the ingest jobs a stopped server
    left unfinished are marked interrupted. Returns whether the store can be written; one
    that cannot (a read-only file) is served read-only. A missing or unusable store fails
    now, with the store's own message."""
    try:
        engine = open_engine(db, create=False)
    except StoreError:
        open_engine(db, readonly=True, create=False).close()  # raises if unusable
        log.warning("%s cannot be written: serving it read-only (no ingest)", db)
        return False
    try:
        JobTables(engine.store).interrupt_unfinished(time.time(), INTERRUPTED)
    finally:
        engine.close()
    return True
