-- Label history (issue 11, point 7; docs/design/teams.md, "History"): every version of a human
-- answer that was replaced, with who replaced it, when and why. The current version is the
-- `annotations` row itself, so a first answer writes nothing here: only an edit, a final import
-- over answers and a restart of labeling do, in the transaction that replaces the version.
-- Nothing a labeler submitted is lost, even when overwritten. Rows are never deleted (they go
-- with their project only through ON DELETE CASCADE of a deleted item, which never happens:
-- deleted projects keep their rows).
CREATE TABLE annotation_history (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL,
    item_id       INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    annotation_id INTEGER NOT NULL,  -- no foreign key: a replaced version's row may be gone
    author_id     INTEGER,           -- of the version (NULL: imported)
    source        TEXT    NOT NULL,
    payload_json  TEXT    NOT NULL,  -- the version
    stored_at     INTEGER NOT NULL,  -- when the version was stored (its updated_at)
    replaced_by   INTEGER,           -- who replaced it (NULL: not known)
    replaced_at   INTEGER NOT NULL,
    reason        TEXT    NOT NULL   -- 'edited', 'imported' or 'restarted'
);
CREATE INDEX annotation_history_item ON annotation_history (item_id, id);
