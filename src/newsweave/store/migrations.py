"""Forward-only schema migrations of the SQLite store.

Each entry upgrades the schema by one version; the pending entries run in
one transaction, so a store is always at exactly one version and a reader
never sees it half-way. Never edit a
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
    # stories stage: story records, membership, merge log (merged_into), and the
    #    incremental state for online assignment (features, document frequencies,
    #    summed member vectors, inverted index of each story's heaviest keys).
    """
    CREATE TABLE story_features (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        terms      BLOB NOT NULL,
        names      BLOB NOT NULL,
        dates      BLOB NOT NULL,
        labels     TEXT NOT NULL DEFAULT '{}',
        day        INTEGER,
        title      TEXT
    );
    CREATE TABLE story_df (
        key INTEGER PRIMARY KEY,
        df  INTEGER NOT NULL
    );
    CREATE TABLE stories (
        id          INTEGER PRIMARY KEY,
        size        INTEGER NOT NULL DEFAULT 0,
        title       TEXT NOT NULL DEFAULT '',
        centroid    BLOB,
        names       BLOB,
        dates       BLOB,
        first_day   INTEGER,
        last_day    INTEGER,
        entities    TEXT NOT NULL DEFAULT '[]',
        merged_into INTEGER REFERENCES stories(id),
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE INDEX stories_merged_into ON stories(merged_into);
    CREATE TABLE story_members (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        story_id   INTEGER NOT NULL REFERENCES stories(id)
    );
    CREATE INDEX story_members_story ON story_members(story_id);
    CREATE TABLE story_keys (
        key      INTEGER NOT NULL,
        story_id INTEGER NOT NULL REFERENCES stories(id),
        PRIMARY KEY (key, story_id)
    ) WITHOUT ROWID;
    CREATE INDEX story_keys_story ON story_keys(story_id);
    CREATE TABLE story_log (
        seq      INTEGER PRIMARY KEY,
        action   TEXT NOT NULL,
        story_id INTEGER NOT NULL,
        other_id INTEGER,
        articles TEXT NOT NULL DEFAULT '[]',
        at       TEXT NOT NULL
    );
    """,
    # reuse stage: the copy-detection index (MinHash band keys, sentence keys,
    #    signatures), article vectors shared with later stages, attributions,
    #    pair relations, the chosen derivation edges and the origins.
    """
    CREATE TABLE reuse_signatures (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        signature  BLOB NOT NULL,
        words      INTEGER NOT NULL
    );
    CREATE TABLE reuse_bands (
        key        INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
    );
    CREATE INDEX reuse_bands_key ON reuse_bands(key);
    CREATE INDEX reuse_bands_article ON reuse_bands(article_id);
    CREATE TABLE reuse_sentences (
        key        INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
    );
    CREATE INDEX reuse_sentences_key ON reuse_sentences(key);
    CREATE INDEX reuse_sentences_article ON reuse_sentences(article_id);
    CREATE TABLE article_vectors (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        model      TEXT NOT NULL,
        vector     BLOB NOT NULL,
        PRIMARY KEY (article_id, model)
    );
    CREATE TABLE attributions (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        name       TEXT NOT NULL,
        kind       TEXT NOT NULL,
        sentence   TEXT NOT NULL,
        char_start INTEGER NOT NULL,
        char_end   INTEGER NOT NULL,
        PRIMARY KEY (article_id, seq)
    );
    CREATE TABLE reuse_pairs (
        a               INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        b               INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        derived         INTEGER NOT NULL,
        source          INTEGER NOT NULL,
        kind            TEXT NOT NULL,
        score           REAL NOT NULL,
        confidence      REAL NOT NULL,
        shared_fraction REAL NOT NULL,
        attribution     TEXT,
        reasons         TEXT NOT NULL DEFAULT '[]',
        evidence        TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (a, b),
        CHECK (a < b)
    );
    CREATE INDEX reuse_pairs_b ON reuse_pairs(b);
    CREATE TABLE reuse_edges (
        derived INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        source  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (derived, source)
    );
    CREATE INDEX reuse_edges_source ON reuse_edges(source);
    CREATE TABLE article_origin (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        origin_id  INTEGER NOT NULL,
        PRIMARY KEY (article_id, origin_id)
    );
    CREATE INDEX article_origin_origin ON article_origin(origin_id);
    """,
    # extract stage: per-article mentions and attributions as found (JSON), and the
    #    canonical entities and quote groups resolved from them across the store.
    """
    CREATE TABLE extract_articles (
        article_id   INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        mentions     TEXT NOT NULL DEFAULT '[]',
        attributions TEXT NOT NULL DEFAULT '[]',
        error        TEXT
    );
    CREATE TABLE entities (
        id      INTEGER PRIMARY KEY,
        name    TEXT NOT NULL,
        type    TEXT NOT NULL,
        aliases TEXT NOT NULL DEFAULT '[]',
        roles   TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE entity_articles (
        entity_id  INTEGER NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        mentions   INTEGER NOT NULL,
        PRIMARY KEY (entity_id, article_id)
    );
    CREATE INDEX entity_articles_article ON entity_articles(article_id);
    CREATE TABLE quote_groups (
        id      INTEGER PRIMARY KEY,
        text    TEXT NOT NULL,
        speaker TEXT,
        cue     TEXT,
        direct  INTEGER NOT NULL
    );
    CREATE TABLE quote_variants (
        quote_id   INTEGER NOT NULL REFERENCES quote_groups(id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        text       TEXT NOT NULL,
        start      INTEGER NOT NULL,
        end        INTEGER NOT NULL,
        PRIMARY KEY (quote_id, seq)
    );
    CREATE INDEX quote_variants_article ON quote_variants(article_id)
    """,
    # extract stage, incremental resolution with stable ids: the per-article referents
    #    ("locals") each entity is made of, the keys new mentions are looked up by, the
    #    names each article uses for an entity (speakers are resolved through them when
    #    read), per-variant speaker/cue, the words quote groups are looked up by, and id
    #    counters so an id is never reused. Derived data: it is cleared here and rebuilt
    #    by the stage's version bump.
    """
    DELETE FROM entity_articles;
    DELETE FROM entities;
    DELETE FROM quote_variants;
    DELETE FROM quote_groups;
    CREATE TABLE entity_locals (
        entity_id  INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        data       TEXT NOT NULL
    );
    CREATE INDEX entity_locals_entity ON entity_locals(entity_id);
    CREATE INDEX entity_locals_article ON entity_locals(article_id);
    CREATE TABLE entity_keys (
        key       TEXT NOT NULL,
        entity_id INTEGER NOT NULL,
        PRIMARY KEY (key, entity_id)
    ) WITHOUT ROWID;
    CREATE INDEX entity_keys_entity ON entity_keys(entity_id);
    CREATE TABLE entity_names (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        name       TEXT NOT NULL,
        entity_id  INTEGER NOT NULL,
        token      INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX entity_names_lookup ON entity_names(article_id, name);
    CREATE INDEX entity_names_entity ON entity_names(entity_id);
    ALTER TABLE quote_variants ADD COLUMN speaker_key TEXT;
    ALTER TABLE quote_variants ADD COLUMN speaker_text TEXT;
    ALTER TABLE quote_variants ADD COLUMN cue TEXT;
    ALTER TABLE quote_variants ADD COLUMN direct INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE quote_groups ADD COLUMN min_words INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE quote_words (
        word     TEXT NOT NULL,
        quote_id INTEGER NOT NULL,
        PRIMARY KEY (word, quote_id)
    ) WITHOUT ROWID;
    CREATE INDEX quote_words_quote ON quote_words(quote_id);
    CREATE TABLE extract_counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    )
    """,
    # crosscheck (brief): cache of claim-sentence embeddings, keyed by the text's SHA-1.
    """
    CREATE TABLE claim_vectors (
        model  TEXT NOT NULL,
        key    TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, key)
    ) WITHOUT ROWID
    """,
    # many processes on one store: claims on pending stage work (held while their owner
    #    lives or until they expire), a log of every stage run, stored stage errors, and a
    #    log of vector changes that lets an in-memory index see other processes' writes.
    """
    CREATE TABLE stage_claims (
        stage      TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        version    INTEGER NOT NULL,
        owner      TEXT NOT NULL,
        expires    REAL NOT NULL,
        PRIMARY KEY (stage, article_id)
    );
    CREATE INDEX stage_claims_owner ON stage_claims(owner);
    CREATE TABLE stage_log (
        id         INTEGER PRIMARY KEY,
        stage      TEXT NOT NULL,
        article_id INTEGER NOT NULL,
        version    INTEGER NOT NULL,
        owner      TEXT NOT NULL,
        at         TEXT NOT NULL
    );
    CREATE INDEX stage_log_article ON stage_log(article_id, stage);
    CREATE TABLE stage_errors (
        stage      TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        version    INTEGER NOT NULL,
        attempts   INTEGER NOT NULL,
        error      TEXT NOT NULL,
        at         TEXT NOT NULL,
        PRIMARY KEY (stage, article_id)
    );
    CREATE TABLE vector_changes (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id INTEGER NOT NULL,
        model      TEXT NOT NULL
    );
    CREATE INDEX articles_published ON articles(published);
    CREATE INDEX articles_language ON articles(language)
    """,
    # search: a full-text index of titles and clean bodies (FTS5, BM25). External content:
    #    the text lives once, in articles; triggers keep the index in step with every insert,
    #    re-clean and delete, whichever code path writes the articles table.
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')
    """,
    # fetch (live news in): the sources ``watch`` polls with their health and HTTP
    #    validators, the entries already seen per source, the URLs (canonical and aliases)
    #    each fetched article is known by, and each article's revisions with word diffs.
    """
    CREATE TABLE fetch_sources (
        id            INTEGER PRIMARY KEY,
        url           TEXT NOT NULL UNIQUE,
        kind          TEXT NOT NULL DEFAULT 'feed',
        title         TEXT,
        discovered_from TEXT,
        etag          TEXT,
        last_modified TEXT,
        last_poll     TEXT,
        last_status   TEXT,
        last_new      TEXT,
        last_error    TEXT,
        failures      INTEGER NOT NULL DEFAULT 0,
        next_poll     TEXT,
        polls         INTEGER NOT NULL DEFAULT 0,
        items         INTEGER NOT NULL DEFAULT 0,
        added_at      TEXT NOT NULL
    );
    CREATE TABLE fetch_items (
        source_id INTEGER NOT NULL REFERENCES fetch_sources(id) ON DELETE CASCADE,
        item_key  TEXT NOT NULL,
        seen_at   TEXT NOT NULL,
        PRIMARY KEY (source_id, item_key)
    ) WITHOUT ROWID;
    CREATE TABLE article_urls (
        url        TEXT PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        canonical  INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE INDEX article_urls_article ON article_urls(article_id);
    CREATE TABLE revisions (
        article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        rev          INTEGER NOT NULL,
        fetched_at   TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        title        TEXT,
        text         TEXT NOT NULL,
        diff         TEXT NOT NULL DEFAULT '[]',
        stealth      INTEGER NOT NULL DEFAULT 0,
        note         TEXT,
        PRIMARY KEY (article_id, rev)
    )
    """,
    # invalidations (#11): work an earlier stage asks a later one to redo, consumed by
    #    the later stage in its own run (stories changed, so extract re-resolves names).
    """
    CREATE TABLE stage_invalidations (
        stage      TEXT NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        reason     TEXT NOT NULL,
        at         TEXT NOT NULL,
        PRIMARY KEY (stage, article_id)
    ) WITHOUT ROWID
    """,
    # web: the ingest jobs of `serve`, so a restart keeps their records (a job that was
    #    queued or running when the server stopped is then marked interrupted).
    """
    CREATE TABLE ingest_jobs (
        id       TEXT PRIMARY KEY,
        source   TEXT NOT NULL,
        state    TEXT NOT NULL,
        created  REAL NOT NULL,
        started  REAL,
        finished REAL,
        phase    TEXT,
        phases   TEXT NOT NULL DEFAULT '{}',
        report   TEXT,
        error    TEXT
    );
    CREATE INDEX ingest_jobs_created ON ingest_jobs(created)
    """,
    # web: the story lists' keyset pages read these indexes only (the story rows hold
    #    vectors: a scan of them read every story's blobs), "largest" and "newest" sorts,
    #    the date filters included; and a search's filters and facets read an article's
    #    outlet, language and date from articles_listing, not from its row (whose raw and
    #    clean text come first: reading the row walked the text's overflow pages).
    """
    CREATE INDEX stories_by_size ON stories(merged_into, size, id, first_day, last_day);
    CREATE INDEX stories_by_day ON stories(merged_into, coalesce(last_day, 0), id, first_day,
                                           last_day, size);
    CREATE INDEX articles_listing ON articles(id, outlet, language, published)
    """,
    # stories (#12 item 5): each batch's changes to the document-frequency counters, one
    #    row a batch (sorted keys and their changes, packed little-endian int64), until
    #    they are folded into story_df (newsweave.store.story_frequencies.FOLD_KEYS).
    """
    CREATE TABLE story_df_pending (
        seq          INTEGER PRIMARY KEY,
        changed_keys BLOB NOT NULL,
        changes      BLOB NOT NULL
    )
    """,
    # crosscheck (#16 item 4): briefs prepared ahead of the reader. What the parse reads of
    #    a claim text (its figures' and actions' frames, JSON, by the text's SHA-1 and the
    #    parser), a story's scored claim pairs (one packed set per key of its texts), and
    #    each story's last preparation (a signature of its articles and the models). And
    #    claim_vectors becomes a rowid table: WITHOUT ROWID kept at most ~1 KB of a row in
    #    its leaf page, so every 1.5 KB vector took an overflow page of its own (4.7 KB a
    #    vector on disk; 1.7 KB now), which a store whose briefs are prepared fills.
    """
    CREATE TABLE claim_vectors_rows (
        model  TEXT NOT NULL,
        key    TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model, key)
    );
    INSERT INTO claim_vectors_rows (model, key, vector)
        SELECT model, key, vector FROM claim_vectors;
    DROP TABLE claim_vectors;
    ALTER TABLE claim_vectors_rows RENAME TO claim_vectors;
    CREATE TABLE claim_frames (
        model  TEXT NOT NULL,
        key    TEXT NOT NULL,
        frames TEXT NOT NULL,
        PRIMARY KEY (model, key)
    ) WITHOUT ROWID;
    CREATE TABLE claim_pairs (
        key   TEXT PRIMARY KEY,
        pairs BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE brief_prepared (
        story_id  INTEGER PRIMARY KEY,
        signature TEXT NOT NULL,
        prepared_at TEXT NOT NULL
    )
    """,
    # clean (#16 item 4): the lines still in an outlet's bodies, which re-cleaning looks
    #    for (articles_with_lines). Through the primary key it visited every article that
    #    ever held a line, removed from its body or not: a number growing with the outlet.
    """
    CREATE INDEX outlet_lines_in_body ON outlet_lines(outlet, line_key, article_id)
        WHERE in_body = 1
    """,
    # many processes (#16 item 4): each stage's watermark, the highest article id at or
    #    below which every article is done or given up, or listed as made pending again
    #    (re-cleaned) (newsweave.store.progress), so a claim looks for pending work among
    #    those and above the mark rather than past every done article. Filled from what the
    #    stages have done (done only: given-up articles are passed at the first claim),
    #    just below each stage's first article not done.
    """
    CREATE TABLE stage_marks (
        stage   TEXT NOT NULL,
        version INTEGER NOT NULL,
        mark    INTEGER NOT NULL,
        PRIMARY KEY (stage, version)
    );
    CREATE TABLE stage_reopened (
        stage      TEXT NOT NULL,
        version    INTEGER NOT NULL,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        PRIMARY KEY (stage, version, article_id)
    );
    INSERT INTO stage_marks (stage, version, mark)
        SELECT s.stage, s.version, coalesce(
            (SELECT min(a.id) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM stage_runs r
             WHERE r.article_id = a.id AND r.stage = s.stage AND r.version = s.version)) - 1,
            (SELECT coalesce(max(id), 0) FROM articles))
        FROM (SELECT DISTINCT stage, version FROM stage_runs) s
    """,
    # clean (#16 item 4): a re-cleaned article's progress rows are dropped by article
    #    (SQLiteStore's re-cleaning writes, StageProgress.done), but the primary key leads
    #    with the stage, so each such delete read the whole of stage_runs, on both backends
    #    (docs/benchmarks.md, "PostgreSQL, part 5").
    """
    CREATE INDEX stage_runs_article ON stage_runs(article_id)
    """,
    # reuse (#16 item 4): a pair's aligned passages may be stored as offsets alone,
    #    ``[[derived start, end, source start, end, score, kind], ...]``, their text read
    #    from the articles (store/reuse_pairs.py, offsets_json): half of a store's bytes were
    #    that text, a copy of the articles'. Rows written before keep their text and read
    #    as before; nothing is rewritten here (ReuseTables.compact_evidence does it, on
    #    demand). The version alone matters: a newsweave from before refuses this store
    #    rather than misreading its evidence. The table records the layout.
    """
    CREATE TABLE store_formats (
        name    TEXT PRIMARY KEY,
        version INTEGER NOT NULL
    );
    INSERT INTO store_formats (name, version) VALUES ('reuse_evidence', 2)
    """,
)
