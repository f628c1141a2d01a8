-- Unsubmitted work on an item, one per user and item, autosaved while the labeler draws and
-- deleted when that user submits the item (in the same transaction as the submit).
CREATE TABLE drafts (
    item_id      INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    project_id   INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    payload_json TEXT    NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (item_id, user_id)
) WITHOUT ROWID;
