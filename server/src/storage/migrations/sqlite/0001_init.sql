-- Tessera schema v1 (SQLite). Times are integer milliseconds since the Unix epoch.
-- Names that must be unique case-insensitively carry a *_key column lower-cased by the server,
-- so SQLite and PostgreSQL agree on what "the same name" means.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL,
    username_key  TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- Rows are never removed: a deleted project keeps its row (deleted_at) so its name stays taken.
CREATE TABLE projects (
    id                 INTEGER PRIMARY KEY,
    name               TEXT    NOT NULL,
    name_key           TEXT    NOT NULL UNIQUE,
    task_type          TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    labels_json        TEXT    NOT NULL,
    instructions_text  TEXT    NOT NULL,
    instructions_url   TEXT    NOT NULL,
    datasource_kind    TEXT    NOT NULL,
    datasource_path    TEXT    NOT NULL,
    datasource_pattern TEXT    NOT NULL,
    item_limit         INTEGER NOT NULL,
    shuffle_seed       INTEGER NOT NULL,
    item_limit_reached INTEGER NOT NULL DEFAULT 0,
    created_by         INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    deleted_at         INTEGER
);

CREATE TABLE items (
    id                   INTEGER PRIMARY KEY,
    project_id           INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    path                 TEXT    NOT NULL,
    size_bytes           INTEGER NOT NULL,
    width                INTEGER NOT NULL,
    height               INTEGER NOT NULL,
    format               TEXT    NOT NULL,
    state                TEXT    NOT NULL,
    error                TEXT    NOT NULL DEFAULT '',
    rank                 INTEGER NOT NULL DEFAULT 0,
    lease_token          TEXT,
    lease_owner          INTEGER,
    lease_expires_at     INTEGER,
    skip_token           TEXT,
    skipped_by           INTEGER,
    result_annotation_id INTEGER,
    created_at           INTEGER NOT NULL,
    UNIQUE (project_id, path)
);
-- The labeling queue: unlabeled rows nobody holds a lease on, in rank order. LeaseNext takes
-- its front (expired leases come from items_lease_live). Leased rows are left out so that the
-- front never has to be walked past the pages 50 labelers hold.
CREATE INDEX items_queue ON items (project_id, rank) WHERE state = 'unlabeled' AND lease_token IS NULL;
-- Listing by state and export (state = 'labeled', keyset on id).
CREATE INDEX items_state ON items (project_id, state, id);
CREATE INDEX items_project ON items (project_id, id);
-- Leases are few: these partial indexes stay small even at 10 million items.
CREATE INDEX items_lease_live ON items (project_id, lease_expires_at) WHERE lease_token IS NOT NULL;
CREATE INDEX items_lease_token ON items (lease_token) WHERE lease_token IS NOT NULL;

CREATE TABLE annotations (
    id             INTEGER PRIMARY KEY,
    project_id     INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    item_id        INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    author_id      INTEGER,
    source         TEXT    NOT NULL,
    payload_json   TEXT    NOT NULL,
    confidence     REAL,
    lease_token    TEXT    NOT NULL DEFAULT '',
    -- JSON array of the labels this annotation adds to label_counts (replaced on update).
    counted_labels TEXT    NOT NULL DEFAULT '[]',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE UNIQUE INDEX annotations_human ON annotations (item_id, author_id) WHERE source = 'human';
CREATE INDEX annotations_item ON annotations (item_id);
CREATE INDEX annotations_author ON annotations (project_id, author_id, updated_at);

-- Dashboard counters, kept exact in the same transaction as the change they count.
CREATE TABLE item_counts (
    project_id INTEGER NOT NULL,
    state      TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (project_id, state)
) WITHOUT ROWID;

CREATE TABLE label_counts (
    project_id INTEGER NOT NULL,
    label      TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (project_id, label)
) WITHOUT ROWID;

CREATE TABLE labeler_counts (
    project_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (project_id, user_id)
) WITHOUT ROWID;

CREATE TRIGGER items_count_insert AFTER INSERT ON items
BEGIN
    INSERT INTO item_counts (project_id, state, n) VALUES (NEW.project_id, NEW.state, 1)
        ON CONFLICT (project_id, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER items_count_update AFTER UPDATE OF state, project_id ON items
WHEN OLD.state IS NOT NEW.state OR OLD.project_id IS NOT NEW.project_id
BEGIN
    UPDATE item_counts SET n = n - 1 WHERE project_id = OLD.project_id AND state = OLD.state;
    INSERT INTO item_counts (project_id, state, n) VALUES (NEW.project_id, NEW.state, 1)
        ON CONFLICT (project_id, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER items_count_delete AFTER DELETE ON items
BEGIN
    UPDATE item_counts SET n = n - 1 WHERE project_id = OLD.project_id AND state = OLD.state;
END;

-- The durable job queue; worker processes claim rows.
CREATE TABLE jobs (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL,
    project_id     INTEGER NOT NULL,
    state          TEXT    NOT NULL,
    payload_json   TEXT    NOT NULL,
    worker         TEXT    NOT NULL DEFAULT '',
    progress_done  INTEGER NOT NULL DEFAULT 0,
    progress_total INTEGER NOT NULL DEFAULT 0,
    error          TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    started_at     INTEGER NOT NULL DEFAULT 0,
    finished_at    INTEGER NOT NULL DEFAULT 0,
    heartbeat_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_claim ON jobs (state, created_at, id) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_project ON jobs (project_id, created_at);
