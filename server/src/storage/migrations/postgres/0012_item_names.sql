-- The name index moves off `items` (issue 9; docs/design/storage.md, "FindItems").
--
-- items_path_trgm (0011) indexed lower(path) on `items` itself. Every submit updates its item
-- row, and that update cannot be HOT (items_state and items_queue index the state it changes),
-- so each one also put the path's ~20 trigrams into the GIN index's pending list, though the
-- path never changed. When that list outgrew gin_pending_list_limit, the submit that found it
-- full merged it into the index: at 10,000,000 items that took 2-3.6 s, a few times a minute
-- under load. Without the pending list (fastupdate = off) the stalls went, but each row of an
-- ingest then cost about 5 times as much (200,000 paths: 10.4 s against 2.4 s).
--
-- item_names holds each item's lower(path) and is written only when an item is inserted,
-- deleted or renamed, so the labeling loop never touches it and an ingest keeps the pending
-- list. Only where pg_trgm is installed (0011): without it there is no index to move, and
-- name search walks the items. To add the index by hand later: CREATE EXTENSION pg_trgm; then
-- run this file's DO block (it creates the table, its index and triggers, and fills it).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        RETURN;
    END IF;
    CREATE TABLE item_names (
        project_id bigint NOT NULL,
        item_id    bigint NOT NULL,
        name       text   NOT NULL,  -- lower(items.path)
        PRIMARY KEY (project_id, item_id)
    );
    INSERT INTO item_names (project_id, item_id, name)
        SELECT project_id, id, lower(path) FROM items;
    CREATE INDEX item_names_trgm ON item_names USING gin (name gin_trgm_ops);
    DROP INDEX IF EXISTS items_path_trgm;
    -- Statistics now, not at autovacuum's next round: planned without them, the first name
    -- searches after an upgrade of 1,000,000 items took 0.3-2.7 s a page instead of 1-10 ms.
    ANALYZE item_names;

    CREATE FUNCTION item_names_insert() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN
        INSERT INTO item_names (project_id, item_id, name)
            SELECT project_id, id, lower(path) FROM new_rows;
        RETURN NULL;
    END $f$;
    CREATE TRIGGER item_names_insert AFTER INSERT ON items
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION item_names_insert();

    CREATE FUNCTION item_names_delete() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN
        DELETE FROM item_names n USING old_rows o
            WHERE n.project_id = o.project_id AND n.item_id = o.id;
        RETURN NULL;
    END $f$;
    CREATE TRIGGER item_names_delete AFTER DELETE ON items
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION item_names_delete();

    -- Per row: PostgreSQL allows no transition tables on a column-specific update trigger.
    CREATE FUNCTION item_names_rename() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN
        UPDATE item_names SET project_id = NEW.project_id, name = lower(NEW.path)
            WHERE project_id = OLD.project_id AND item_id = OLD.id;
        RETURN NULL;
    END $f$;
    CREATE TRIGGER item_names_rename AFTER UPDATE OF path, project_id ON items FOR EACH ROW
        WHEN (OLD.path IS DISTINCT FROM NEW.path OR OLD.project_id IS DISTINCT FROM NEW.project_id)
        EXECUTE FUNCTION item_names_rename();
END
$$;
