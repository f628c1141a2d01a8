-- ML assist (issue 10; docs/design/ml.md): settings, rounds, cached embeddings, and which round
-- made a prelabel.
CREATE TABLE ml_settings (
    project_id           BIGINT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    enabled              INTEGER NOT NULL,
    target_precision     DOUBLE PRECISION NOT NULL,
    min_labels_per_class INTEGER NOT NULL,
    retrain_after_labels INTEGER NOT NULL
);
CREATE TABLE ml_rounds (
    id           BIGSERIAL PRIMARY KEY,
    project_id   BIGINT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    job_id       BIGINT NOT NULL,
    state        TEXT   NOT NULL,
    stage        TEXT   NOT NULL,
    backbone     TEXT   NOT NULL,
    labels_used  BIGINT NOT NULL,
    metrics_json TEXT   NOT NULL,
    threshold    DOUBLE PRECISION,
    prelabeled   BIGINT NOT NULL,
    message      TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL
);
CREATE INDEX ml_rounds_project ON ml_rounds (project_id, id);
-- At most one round of a project queued or running at a time.
CREATE UNIQUE INDEX ml_rounds_active ON ml_rounds (project_id) WHERE state IN ('queued', 'running');
-- float16 vectors; one row per item and backbone version.
CREATE TABLE item_embeddings (
    item_id  BIGINT NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    backbone TEXT   NOT NULL,
    vector   BYTEA  NOT NULL,
    PRIMARY KEY (item_id, backbone)
);
-- Adding a nullable column without a default rewrites nothing, even on a large table.
ALTER TABLE annotations ADD COLUMN ml_round_id BIGINT;
