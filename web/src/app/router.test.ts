import { describe, expect, it } from "vitest";

import type { Route } from "./router";
import { parseRoute, routeHash } from "./router";

describe("parseRoute", () => {
    it("parses every route and round-trips it", () => {
        const routes: Route[] = [
            { name: "login" },
            { name: "projects" },
            { name: "account" },
            { name: "new-project" },
            { name: "dashboard", id: 3 },
            { name: "label", id: 42 },
            { name: "details", id: 42 },
            { name: "data", id: 7 },
        ];
        for (const r of routes) {
            expect(parseRoute(routeHash(r))).toEqual(r);
        }
    });

    it("treats an empty hash and trailing slashes kindly", () => {
        expect(parseRoute("")).toEqual({ name: "projects" });
        expect(parseRoute("#/")).toEqual({ name: "projects" });
        expect(parseRoute("#/projects/7/label/")).toEqual({ name: "label", id: 7 });
    });

    it("rejects anything else", () => {
        expect(parseRoute("#/projects/abc").name).toBe("not-found");
        expect(parseRoute("#/projects/1/export").name).toBe("not-found");
    });
});
