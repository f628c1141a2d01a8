-- Issue 9 leftovers.
--
-- datasource_folders: each folder of a local datasource as the last refresh saw it (its mtime
-- and ctime in ns; mtime_ns -1: read it next time). Refresh does not read the entries of a
-- folder whose times are unchanged (docs/design/datasources.md), so its cost grows with what
-- changed rather than with the dataset.
CREATE TABLE datasource_folders (
    datasource_id INTEGER NOT NULL REFERENCES datasources (id) ON DELETE CASCADE,
    path          TEXT    NOT NULL,
    mtime_ns      INTEGER NOT NULL,
    ctime_ns      INTEGER NOT NULL,
    PRIMARY KEY (datasource_id, path)
) WITHOUT ROWID;
