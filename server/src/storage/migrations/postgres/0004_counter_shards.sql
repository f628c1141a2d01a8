-- Dashboard counters split into shards. Every submit moved one item from 'unlabeled' to
-- 'labeled', so every submit of a project updated the same two item_counts rows (and the same
-- label_counts row per label) and held their row locks until it committed: with 50 labelers
-- most backends waited on each other's transaction ids (pg_stat_activity: Lock/transactionid),
-- not on the CPU. Each backend now writes its own shard (its process id modulo 32; a pool's
-- connections are long-lived backends, so two writers rarely share a row) and readers sum the
-- shards, a few dozen rows per project at most. SQLite has one writer at a time and keeps one
-- row per counter.
CREATE FUNCTION counter_shard() RETURNS smallint LANGUAGE sql STABLE PARALLEL SAFE AS
    'SELECT (pg_backend_pid() % 32)::smallint';

ALTER TABLE item_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE item_counts DROP CONSTRAINT item_counts_pkey;
ALTER TABLE item_counts ADD PRIMARY KEY (project_id, state, shard);

ALTER TABLE label_counts ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE label_counts DROP CONSTRAINT label_counts_pkey;
ALTER TABLE label_counts ADD PRIMARY KEY (project_id, label, shard);

-- The triggers of 0001/0003, writing this backend's shard. Decrements are upserts too: the
-- shard that counted an item in is not necessarily the one that counts it out.
CREATE OR REPLACE FUNCTION items_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO item_counts (project_id, state, shard, n)
        SELECT project_id, state, counter_shard(), count(*) FROM new_rows
        GROUP BY project_id, state ORDER BY project_id, state
        ON CONFLICT (project_id, state, shard) DO UPDATE SET n = item_counts.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION items_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO item_counts (project_id, state, shard, n)
        SELECT project_id, state, counter_shard(), -count(*) FROM old_rows
        GROUP BY project_id, state ORDER BY project_id, state
        ON CONFLICT (project_id, state, shard) DO UPDATE SET n = item_counts.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION items_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tessera.bulk', true) = 'on' THEN
        RETURN NULL;
    END IF;
    INSERT INTO item_counts (project_id, state, shard, n)
        VALUES (OLD.project_id, OLD.state, counter_shard(), -1)
        ON CONFLICT (project_id, state, shard) DO UPDATE SET n = item_counts.n - 1;
    INSERT INTO item_counts (project_id, state, shard, n)
        VALUES (NEW.project_id, NEW.state, counter_shard(), 1)
        ON CONFLICT (project_id, state, shard) DO UPDATE SET n = item_counts.n + 1;
    RETURN NULL;
END $$;
