-- Leases in their own table (issue 9; docs/design/storage.md, "Lease and queue semantics").
--
-- Until now a lease was three columns of `items`. Every lease and every release rewrote the
-- item row, and since those columns were indexed (items_queue's predicate, items_lease_live,
-- items_lease_token) no such update was HOT: each inserted into all of the table's indexes, and
-- the in-progress count walked items_lease_live entries of row versions that were already dead.
-- A lease is now one row here: inserted (or, for an expired one, overwritten) by LeaseNext,
-- deleted by submit, skip, release, pause, restart and a missing item. Only the submit (or
-- skip) still rewrites the item row, because its state changes.
--
-- A row exists only while its item is unlabeled: every path that moves an item out of
-- 'unlabeled' deletes the item's lease in the same transaction. Expired rows stay until a lease
-- reclaims them (or a release, pause, restart deletes them), as the old columns did.
CREATE TABLE leases (
    item_id    bigint PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    project_id bigint NOT NULL,
    token      text   NOT NULL,
    owner_id   bigint NOT NULL,
    expires_at bigint NOT NULL
);
-- The in-progress count (expires_at > now), expired leases to reclaim (expires_at <= now) and
-- the Data tab's state=in_progress filter: one range per project.
CREATE INDEX leases_expiry ON leases (project_id, expires_at);
-- Renew and release by token.
CREATE INDEX leases_token ON leases (token);

INSERT INTO leases (item_id, project_id, token, owner_id, expires_at)
    SELECT id, project_id, lease_token, lease_owner, lease_expires_at FROM items
    WHERE lease_token IS NOT NULL AND lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL
        AND state = 'unlabeled';

-- Dropping a column is a catalog change on PostgreSQL (no row is rewritten). The indexes that
-- mention the columns go first, explicitly.
DROP INDEX items_queue;
DROP INDEX items_lease_live;
DROP INDEX items_lease_token;
ALTER TABLE items DROP COLUMN lease_token, DROP COLUMN lease_owner, DROP COLUMN lease_expires_at;

-- The queue is now every unlabeled item in rank order; LeaseNext passes over the leased ones
-- with an anti-join against `leases` from the queue front it remembers. One scan of the table
-- to build (tens of seconds at 10 million items).
CREATE INDEX items_queue ON items (project_id, rank, id) WHERE state = 'unlabeled';
ANALYZE leases;
