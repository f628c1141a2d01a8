-- ONNX backbones registered with `tessera model add` (issue 10, point 3; docs/design/ml.md,
-- "Backbones"): kept in the database, as the embeddings are, so that `tessera worker` processes
-- on other machines read the same model. `sha256` is the model file's digest (hex); mean and std
-- are "r,g,b" on [0,1]; `source` is the file or URL it came from.
CREATE TABLE ml_models (
    name         TEXT    PRIMARY KEY,
    sha256       TEXT    NOT NULL,
    input_width  INTEGER NOT NULL,
    input_height INTEGER NOT NULL,
    mean         TEXT    NOT NULL,
    std          TEXT    NOT NULL,
    dimensions   INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    onnx         BYTEA NOT NULL,
    created_at   BIGINT  NOT NULL
);
