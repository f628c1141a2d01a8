import { describe, expect, it } from "vitest";

import { tileName } from "./grid_view";

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
