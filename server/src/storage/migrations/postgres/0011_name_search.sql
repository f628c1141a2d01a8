-- Name search (GET /api/v1/projects/{id}/items?q=) from an index instead of a walk of the items.
--
-- items_path_trgm: a pg_trgm GIN index of lower(path), which answers lower(path) LIKE '%s%' for
-- a substring of 3 or more characters with the matching rows: a page of a rare name among
-- millions of items reads a few index pages instead of the project. pg_trgm ships with
-- PostgreSQL (Debian's postgresql-15) and is a trusted extension: a role that may CREATE in the
-- database can install it. Where it cannot (no contrib files, no privilege), this migration
-- still succeeds without the index and name search keeps walking the items (bounded per page);
-- the server logs that at start. Installing it later by hand enables the index path at the
-- next start:
--   CREATE EXTENSION pg_trgm;
--   CREATE INDEX items_path_trgm ON items USING gin (lower(path) gin_trgm_ops);
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'pg_trgm is not available (%); name search (q=) runs without an index',
            SQLERRM;
        RETURN;
    END;
    CREATE INDEX items_path_trgm ON items USING gin (lower(path) gin_trgm_ops);
END
$$;
