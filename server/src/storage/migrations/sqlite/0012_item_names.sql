-- PostgreSQL's 0012 moves its name index off `items`, whose every submit fed it (see there).
-- SQLite's name index (0011, FTS5) is already written only when an item is inserted, deleted
-- or renamed, so there is nothing to change here; this file keeps the two lists in step.
SELECT 1;
