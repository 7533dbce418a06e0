"""Forward-only schema migrations of the SQLite store.

Each entry upgrades the schema by one version and runs in its own
transaction, so a store is always at exactly one version. Never edit a
migration that has shipped: add a new one.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: articles, their removal logs, and the per-outlet line index used to
    #    find boilerplate that recurs across an outlet's articles.
    """
    CREATE TABLE articles (
        id            INTEGER PRIMARY KEY,
        content_hash  TEXT NOT NULL UNIQUE,
        raw           TEXT NOT NULL,
        raw_format    TEXT NOT NULL,
        text          TEXT NOT NULL,
        source        TEXT NOT NULL,
        external_id   TEXT,
        title         TEXT,
        outlet        TEXT,
        outlet_how    TEXT,
        url           TEXT,
        author        TEXT,
        published     TEXT,
        published_how TEXT,
        language      TEXT,
        metadata      TEXT NOT NULL DEFAULT '{}',
        ingested_at   TEXT NOT NULL
    );
    CREATE INDEX articles_outlet ON articles(outlet);
    CREATE INDEX articles_external_id ON articles(external_id);
    CREATE TABLE removals (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        reason     TEXT NOT NULL,
        text       TEXT NOT NULL,
        PRIMARY KEY (article_id, seq)
    );
    CREATE TABLE outlet_lines (
        outlet     TEXT NOT NULL,
        line_key   TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        in_body    INTEGER NOT NULL,
        PRIMARY KEY (outlet, line_key, article_id)
    );
    CREATE INDEX outlet_lines_article ON outlet_lines(article_id);
    """,
    # 2: which analysis stage has processed which article, at which stage
    #    version, so an interrupted run resumes and a new version re-runs.
    """
    CREATE TABLE stage_runs (
        stage      TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        version    INTEGER NOT NULL,
        PRIMARY KEY (stage, article_id)
    );
    """,
)
