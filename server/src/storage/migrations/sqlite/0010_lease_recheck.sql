-- Nothing to change on SQLite: this version exists so both dialects keep the same numbering.
-- PostgreSQL's 0010 adds lease_is_free(), which LeaseNext's statement calls to check each item
-- row again once it holds its lock, for leases that concurrent statements committed meanwhile.
-- SQLite runs one write transaction at a time: a lease never meets a concurrent one.
SELECT 1;
