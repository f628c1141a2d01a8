// Hash routes (#/projects/3/label) so the server needs no routing beyond its SPA fallback.

export type Route =
    | { readonly name: "login" }
    | { readonly name: "projects" }
    | { readonly name: "account" }
    | { readonly name: "new-project" }
    | { readonly name: "dashboard"; readonly id: number }
    | { readonly name: "label"; readonly id: number }
    | { readonly name: "details"; readonly id: number }
    | { readonly name: "data"; readonly id: number }
    | { readonly name: "not-found"; readonly hash: string };

export function parseRoute(hash: string): Route {
    const path = hash.replace(/^#/, "").replace(/\/+$/, "");
    if (path === "" || path === "/projects") {
        return { name: "projects" };
    }
    if (path === "/login") {
        return { name: "login" };
    }
    if (path === "/account") {
        return { name: "account" };
    }
    if (path === "/projects/new") {
        return { name: "new-project" };
    }
    const m = /^\/projects\/(\d{1,15})(\/(label|details|data))?$/.exec(path);
    if (m !== null) {
        const id = Number(m[1]);
        const sub = m[3];
        return sub === "label" || sub === "details" || sub === "data"
            ? { name: sub, id }
            : { name: "dashboard", id };
    }
    return { name: "not-found", hash };
}

export function routeHash(route: Route): string {
    switch (route.name) {
        case "login":
            return "#/login";
        case "projects":
            return "#/projects";
        case "account":
            return "#/account";
        case "new-project":
            return "#/projects/new";
        case "dashboard":
            return `#/projects/${route.id}`;
        case "label":
            return `#/projects/${route.id}/label`;
        case "details":
            return `#/projects/${route.id}/details`;
        case "data":
            return `#/projects/${route.id}/data`;
        case "not-found":
            return route.hash;
    }
}
