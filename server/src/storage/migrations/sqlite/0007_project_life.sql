-- Project life (issue 9): the Data tab's filters and label edits on a running project.
--
-- item_labels: the distinct labels each item's counting annotation (items.result_annotation_id)
-- counts, so "items labeled Cat" is one range of the primary key in item id order (keyset
-- pages) instead of a walk over every labeled item. Kept by the triggers below in the same
-- transaction as the change; label edits that reset items (restart) clear a project's rows
-- themselves, which is why the items trigger ignores a result set back to NULL.
CREATE TABLE item_labels (
    project_id INTEGER NOT NULL,
    label      TEXT    NOT NULL,
    item_id    INTEGER NOT NULL,
    PRIMARY KEY (project_id, label, item_id)
) WITHOUT ROWID;
CREATE INDEX item_labels_item ON item_labels (item_id);

CREATE TRIGGER item_labels_result AFTER UPDATE OF result_annotation_id ON items
WHEN NEW.result_annotation_id IS NOT NULL AND OLD.result_annotation_id IS NOT NEW.result_annotation_id
BEGIN
    DELETE FROM item_labels WHERE item_id = NEW.id;
    INSERT OR IGNORE INTO item_labels (project_id, label, item_id)
        SELECT NEW.project_id, j.value, NEW.id FROM annotations a, json_each(a.counted_labels) j
        WHERE a.id = NEW.result_annotation_id;
END;

-- An edit of the counting answer (same annotation row, new labels), and label renames.
CREATE TRIGGER item_labels_edit AFTER UPDATE OF counted_labels ON annotations
WHEN OLD.counted_labels IS NOT NEW.counted_labels
BEGIN
    DELETE FROM item_labels WHERE item_id = NEW.item_id
        AND EXISTS (SELECT 1 FROM items WHERE id = NEW.item_id AND result_annotation_id = NEW.id);
    INSERT OR IGNORE INTO item_labels (project_id, label, item_id)
        SELECT i.project_id, j.value, i.id FROM items i, json_each(NEW.counted_labels) j
        WHERE i.id = NEW.item_id AND i.result_annotation_id = NEW.id;
END;

INSERT OR IGNORE INTO item_labels (project_id, label, item_id)
    SELECT i.project_id, j.value, i.id
    FROM items i JOIN annotations a ON a.id = i.result_annotation_id, json_each(a.counted_labels) j;

-- Data tab: items whose counting answer is a given labeler's, in item id order.
CREATE INDEX annotations_author_item ON annotations (project_id, author_id, item_id)
    WHERE source = 'human';
