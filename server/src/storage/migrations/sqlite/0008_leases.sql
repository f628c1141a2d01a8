-- Leases in their own table (issue 9; docs/design/storage.md, "Lease and queue semantics").
-- See migrations/postgres/0008_leases.sql for why. A row exists only while its item is
-- unlabeled; expired rows stay until a lease reclaims them or a release, pause or restart
-- deletes them.
CREATE TABLE leases (
    item_id    INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL,
    token      TEXT    NOT NULL,
    owner_id   INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX leases_expiry ON leases (project_id, expires_at);
CREATE INDEX leases_token ON leases (token);

INSERT INTO leases (item_id, project_id, token, owner_id, expires_at)
    SELECT id, project_id, lease_token, lease_owner, lease_expires_at
    FROM items INDEXED BY items_lease_token
    WHERE lease_token IS NOT NULL AND lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL
        AND state = 'unlabeled';

-- The old columns stay, always NULL from now on, and nothing reads or writes them. SQLite's
-- ALTER TABLE DROP COLUMN rewrites every row of the table (minutes and twice the disk at 10
-- million items) to save the three NULLs' header bytes per row. Only their indexes go.
UPDATE items INDEXED BY items_lease_token
    SET lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
    WHERE lease_token IS NOT NULL;
DROP INDEX items_queue;
DROP INDEX items_lease_live;
DROP INDEX items_lease_token;

-- The queue is now every unlabeled item in rank order; LeaseNext passes over the leased ones
-- with an anti-join against `leases` from the queue front it remembers.
CREATE INDEX items_queue ON items (project_id, rank, id) WHERE state = 'unlabeled';
