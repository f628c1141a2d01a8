-- Issue 9: lease statements that are never refused.
--
-- lease_is_free(item, now_ms): true unless a lease of the item is live at now_ms, read with a
-- snapshot of its own. LeaseNext calls it on each picked item row after locking it: a VOLATILE
-- function takes a new snapshot for each query it runs (READ COMMITTED), so it sees a lease that
-- a concurrent LeaseNext committed after the calling statement's snapshot was taken, which the
-- statement's own anti-join cannot. PL/pgSQL keeps the query's plan for the session.
-- docs/design/storage.md, "Lease and queue semantics".
CREATE FUNCTION lease_is_free(item BIGINT, now_ms BIGINT) RETURNS BOOLEAN
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN NOT EXISTS (SELECT 1 FROM leases WHERE item_id = item AND expires_at > now_ms);
END
$$;
