-- Nothing to change on SQLite: this version exists so both dialects keep the same numbering.
-- PostgreSQL's 0004 splits the dashboard counters into per-backend shards because concurrent
-- submits queued on the same counter rows' locks there; SQLite runs one writer at a time, so
-- one row per counter is never contended. Readers sum over rows on both (SUM ... GROUP BY).
SELECT 1;
