-- A project reads its items from one or more datasources (docs/design/datasources.md). Until
-- now the one datasource lived in projects.datasource_*; those columns stay, as the copy of the
-- project's primary (first) datasource that existing code reads.
CREATE TABLE datasources (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    path        TEXT    NOT NULL DEFAULT '',
    pattern     TEXT    NOT NULL DEFAULT '',
    -- Kind-specific settings, e.g. {"account_url","container","prefix"} for azure_blob.
    config_json TEXT    NOT NULL DEFAULT '{}',
    -- An encrypted credential (SAS token, account key); never sent back by the API.
    secret      BLOB,
    created_at  INTEGER NOT NULL
);
CREATE INDEX datasources_project ON datasources (project_id, id);

-- Every existing project gets its datasource as a row: its primary datasource.
INSERT INTO datasources (project_id, kind, path, pattern, created_at)
    SELECT id, datasource_kind, datasource_path, datasource_pattern, created_at
    FROM projects ORDER BY id;

-- items.source_id: NULL means the project's primary datasource. Adding a nullable column with
-- no default only edits the schema text (no row is rewritten), so this is instant at 10 million
-- items; an UPDATE filling in the primary's id would rewrite every row.
ALTER TABLE items ADD COLUMN source_id INTEGER;
-- The state an item had when refresh found its file gone (state 'missing'); restored with it.
ALTER TABLE items ADD COLUMN missing_from TEXT;
-- Items of secondary datasources (the `source=` filter). Partial, so existing items (all
-- primary) add no entries; building it reads the table once.
CREATE INDEX items_source ON items (source_id, id) WHERE source_id IS NOT NULL;

-- Incremental refresh (docs/design/datasources.md): off by default, hourly when on.
ALTER TABLE projects ADD COLUMN refresh_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN refresh_interval_s INTEGER NOT NULL DEFAULT 3600;
ALTER TABLE projects ADD COLUMN refresh_last_at INTEGER;
