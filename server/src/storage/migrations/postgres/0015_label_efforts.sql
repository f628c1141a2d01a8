-- ML assist's savings (issue 10, point 8; docs/design/ml.md, "Savings"): what each human answer
-- cost, written with the answer. `prelabel` says what the labeler was shown: 'none', 'model'
-- (an ML round's prelabel) or 'imported'; `unchanged` is 1 when the answer equals it.
-- active_ms and edits are what the UI measured (NULL from clients that do not say).
CREATE TABLE label_efforts (
    annotation_id BIGINT PRIMARY KEY REFERENCES annotations (id) ON DELETE CASCADE,
    project_id    BIGINT  NOT NULL,
    prelabel      TEXT    NOT NULL,
    unchanged     INTEGER NOT NULL,
    active_ms     BIGINT,
    edits         BIGINT
);
-- The savings figures sum the latest answers (LabelEffortTotals), newest first.
CREATE INDEX label_efforts_project ON label_efforts (project_id, annotation_id);
