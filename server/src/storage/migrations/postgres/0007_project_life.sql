-- Project life (issue 9): the Data tab's filters and label edits on a running project.
--
-- item_labels: the distinct labels each item's counting annotation (items.result_annotation_id)
-- counts, so "items labeled Cat" is one range of the primary key in item id order (keyset
-- pages) instead of a walk over every labeled item. Kept by the triggers below in the same
-- transaction as the change; label edits that reset items (restart) clear a project's rows
-- themselves, which is why the items trigger ignores a result set back to NULL.
CREATE TABLE item_labels (
    project_id bigint NOT NULL,
    label      text   NOT NULL,
    item_id    bigint NOT NULL,
    PRIMARY KEY (project_id, label, item_id)
);
CREATE INDEX item_labels_item ON item_labels (item_id);

-- AFTER row triggers run when the whole statement ends, so the submit's single statement
-- (annotation inserted in a CTE, item updated in another) is seen whole here.
CREATE FUNCTION item_labels_result() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM item_labels WHERE item_id = NEW.id;
    INSERT INTO item_labels (project_id, label, item_id)
        SELECT NEW.project_id, l.label, NEW.id
        FROM annotations a, jsonb_array_elements_text(a.counted_labels::jsonb) AS l(label)
        WHERE a.id = NEW.result_annotation_id
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER item_labels_result AFTER UPDATE OF result_annotation_id ON items FOR EACH ROW
    WHEN (NEW.result_annotation_id IS NOT NULL
          AND OLD.result_annotation_id IS DISTINCT FROM NEW.result_annotation_id)
    EXECUTE FUNCTION item_labels_result();

-- An edit of the counting answer (same annotation row, new labels), and label renames.
CREATE FUNCTION item_labels_edit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM item_labels WHERE item_id = NEW.item_id
        AND EXISTS (SELECT 1 FROM items WHERE id = NEW.item_id AND result_annotation_id = NEW.id);
    INSERT INTO item_labels (project_id, label, item_id)
        SELECT i.project_id, l.label, i.id
        FROM items i, jsonb_array_elements_text(NEW.counted_labels::jsonb) AS l(label)
        WHERE i.id = NEW.item_id AND i.result_annotation_id = NEW.id
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER item_labels_edit AFTER UPDATE OF counted_labels ON annotations FOR EACH ROW
    WHEN (OLD.counted_labels IS DISTINCT FROM NEW.counted_labels)
    EXECUTE FUNCTION item_labels_edit();

INSERT INTO item_labels (project_id, label, item_id)
    SELECT i.project_id, l.label, i.id
    FROM items i JOIN annotations a ON a.id = i.result_annotation_id
    CROSS JOIN LATERAL jsonb_array_elements_text(a.counted_labels::jsonb) AS l(label)
    ON CONFLICT DO NOTHING;

-- Data tab: items whose counting answer is a given labeler's, in item id order.
CREATE INDEX annotations_author_item ON annotations (project_id, author_id, item_id)
    WHERE source = 'human';
