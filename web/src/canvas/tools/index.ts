// Builds the tool for a name; the page keeps one instance per tool so state survives switches.
import { BoxTool, TemplateTool } from "./box_tools";
import { MoveTool, VertexTool } from "./edit_tools";
import { BrushTool, FillTool } from "./mask_tools";
import { OutlineTool } from "./outline_tool";
import { PolygonTool } from "./polygon_tool";
import type { Tool, ToolHost, ToolName } from "./tool";

export function createTool(name: ToolName, host: ToolHost): Tool {
    switch (name) {
        case "box":
            return new BoxTool(host);
        case "template":
            return new TemplateTool(host);
        case "move":
            return new MoveTool(host);
        case "polygon":
            return new PolygonTool(host);
        case "vertex":
            return new VertexTool(host);
        case "brush":
        case "eraser":
            return new BrushTool(host, name);
        case "fill":
            return new FillTool(host);
        case "outline":
            return new OutlineTool(host);
    }
}
