-- ML assist's clustering (issue 10, point 6; docs/design/ml.md): the group of similar items
-- each queued item was put in by the latest round, so `next` can say a page is "clustered".
CREATE TABLE ml_groups (
    item_id    BIGINT PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    project_id BIGINT NOT NULL,
    group_id   BIGINT NOT NULL
);
CREATE INDEX ml_groups_project ON ml_groups (project_id);
