import { describe, expect, it } from "vitest";

import { prelabelTitle, tileName } from "./grid_view";

const item = { id: 7, name: "img_19.png", width: 4, height: 3, image_url: "", thumbnail_url: "" };

describe("tileName", () => {
    it("names a tile by its visible words in their order", () => {
        expect(tileName({ item, tags: [] })).toBe("img_19.png, not tagged");
        expect(tileName({ item, tags: ["Colour/Green", "Red"] })).toBe("img_19.png, Green, Red");
        expect(tileName({ item, tags: ["Red"], prelabel: true })).toBe(
            "Prelabel — review and submit, img_19.png, Red",
        );
    });
});

describe("prelabelTitle", () => {
    it("says whether the model or an import suggested the tags", () => {
        expect(
            prelabelTitle({
                ...item,
                prelabel: { labels: ["Red"], confidence: 0.973, source: "model", round: 2 },
            }),
        ).toBe("Tags suggested by ML assist (confidence 97%)");
        expect(
            prelabelTitle({
                ...item,
                prelabel: { labels: ["Red"], confidence: null, source: "import" },
            }),
        ).toBe("Tags from an imported prelabel");
        expect(prelabelTitle(item)).toBe("Tags from an imported prelabel");
    });
});
