-- Nothing to change on SQLite: this version exists so both dialects keep the same numbering.
-- PostgreSQL's 0003 lets a bulk import skip the per-row item_counts trigger, whose updates of
-- the same counter rows grew quadratic there (row versions). SQLite updates those rows in
-- place, so its row triggers stay as they are and count imports too.
SELECT 1;
