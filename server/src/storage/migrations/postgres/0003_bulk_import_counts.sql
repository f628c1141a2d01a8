-- A large import marks up to millions of items labeled in one transaction. Counting each of
-- them in this row trigger rewrote the same two item_counts rows once per item; none of those
-- row versions can be pruned inside the transaction, so every update walked a longer HOT chain
-- (quadratic: 100,000 items did not finish in 6 minutes). A transaction that sets
-- tessera.bulk = 'on' (set_config(..., true): until its end) counts its state changes itself
-- and applies them once (SqlRepository::ApplyImport); every other writer is counted here as
-- before.
CREATE OR REPLACE FUNCTION items_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('tessera.bulk', true) = 'on' THEN
        RETURN NULL;
    END IF;
    UPDATE item_counts SET n = n - 1 WHERE project_id = OLD.project_id AND state = OLD.state;
    INSERT INTO item_counts (project_id, state, n) VALUES (NEW.project_id, NEW.state, 1)
        ON CONFLICT (project_id, state) DO UPDATE SET n = item_counts.n + 1;
    RETURN NULL;
END $$;
