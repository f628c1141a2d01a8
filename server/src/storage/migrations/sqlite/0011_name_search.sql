-- Name search (GET /api/v1/projects/{id}/items?q=) from an index instead of a walk of the items.
--
-- items_name_search: an FTS5 index of every item's path with the trigram tokenizer (SQLite
-- 3.34+), which answers a substring of 3 or more characters (case-folded) with the ids of the
-- items whose path contains it, in id order, from any id on: a page of a rare name among
-- millions of items reads a few index pages instead of the project. It is an external-content
-- table (the text stays in items only) kept in step by the triggers below, so every path that
-- inserts or deletes items (ingest, refresh, uploads, project deletion's cascade) keeps it
-- current without knowing of it. The query checks each candidate's path again with the exact
-- rule (ASCII case-insensitive), so the index only narrows.
--
-- A table rebuild of items in a later migration must drop and re-create the triggers and run
-- 'rebuild' again.
CREATE VIRTUAL TABLE items_name_search USING fts5 (
    path, content = 'items', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO items_name_search (items_name_search) VALUES ('rebuild');
CREATE TRIGGER items_name_search_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_name_search (rowid, path) VALUES (new.id, new.path);
END;
CREATE TRIGGER items_name_search_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_name_search (items_name_search, rowid, path)
        VALUES ('delete', old.id, old.path);
END;
CREATE TRIGGER items_name_search_update AFTER UPDATE OF path ON items BEGIN
    INSERT INTO items_name_search (items_name_search, rowid, path)
        VALUES ('delete', old.id, old.path);
    INSERT INTO items_name_search (rowid, path) VALUES (new.id, new.path);
END;
