// Which tools each drawing task offers, with their keys (as in Azure ML where it has one).
import type { ToolName } from "../../../canvas/tools/tool";
import type { TaskType } from "../../../schema/api";

export interface ToolSpec {
    readonly name: ToolName;
    readonly key: string;
    readonly title: string;
}

const kBox: ToolSpec = { name: "box", key: "r", title: "Rectangle (R): drag a box" };
const kTemplate: ToolSpec = {
    name: "template",
    key: "t",
    title: "Template (T): click to stamp a box the size of the last one",
};
const kMove: ToolSpec = {
    name: "move",
    key: "m",
    title: "Move (M): select, move and resize by edges, corners, vertices",
};
const kPolygon: ToolSpec = {
    name: "polygon",
    key: "p",
    title: "Polygon (P): click vertices; double-click or Enter closes",
};
const kVertex: ToolSpec = {
    name: "vertex",
    key: "u",
    title: "Vertices (U): click an edge to add, a vertex to remove",
};
const kOutline: ToolSpec = {
    name: "outline",
    key: "o",
    title: "Outline (O): drag a box around an object to get a polygon around it",
};
const kBrush: ToolSpec = { name: "brush", key: "b", title: "Brush (B)" };
const kEraser: ToolSpec = { name: "eraser", key: "e", title: "Eraser (E)" };
const kFill: ToolSpec = { name: "fill", key: "f", title: "Fill (F): flood the region clicked" };

export function toolsFor(type: TaskType): readonly ToolSpec[] {
    switch (type) {
        case "bbox":
            return [kBox, kTemplate, kMove];
        case "polygon":
            return [kPolygon, kOutline, kVertex, kMove];
        case "semantic":
            return [kBrush, kEraser, kFill, kPolygon, kOutline, kVertex, kMove];
        default:
            return [];
    }
}
