// Shell: restores the session, owns the header and swaps views on hash changes.
import "./styles.css";

import { ApiClient } from "../client/api_client";
import type { User } from "../schema/api";
import type { AppContext, Unmount } from "./context";
import { h, replaceChildren } from "./dom";
import type { Route } from "./router";
import { parseRoute, routeHash } from "./router";
import { mountAccount } from "./views/account";
import { mountDashboard } from "./views/dashboard";
import { mountDataTab } from "./views/data_tab";
import { mountProjectDetails } from "./views/details/project_details";
import { mountLabeling } from "./views/labeling/labeling_page";
import { mountLogin } from "./views/login";
import { mountProjects } from "./views/projects";
import { mountWizard } from "./views/wizard/wizard";

const client = new ApiClient((input, init) => fetch(input, init));
const root = document.getElementById("app") ?? document.body;
let user: User | null = null;
let unmount: Unmount | null = null;
// Where to go after logging in when the session ran out on a deep link.
let afterLogin: Route = { name: "projects" };

function navigate(route: Route): void {
    const hash = routeHash(route);
    if (location.hash === hash) {
        render();
    } else {
        location.hash = hash;
    }
}

function logout(): void {
    void client.logout().then(() => {
        user = null;
        navigate({ name: "login" });
    });
}

function header(u: User): HTMLElement {
    return h(
        "header",
        { class: "topbar" },
        h("a", { class: "brand", href: "#/projects" }, "Tessera"),
        h("nav", { "aria-label": "Main" }, h("a", { href: "#/projects" }, "Projects")),
        h(
            "div",
            { class: "who" },
            h(
                "a",
                { href: "#/account", title: "Password, API tokens, sessions" },
                `${u.username} (${u.role})`,
            ),
            h("button", { type: "button", class: "link", onclick: logout }, "Log out"),
        ),
    );
}

const kTitles: Record<Route["name"], string> = {
    login: "Log in",
    projects: "Projects",
    account: "Account",
    "new-project": "New project",
    dashboard: "Dashboard",
    label: "Labeling",
    details: "Details",
    data: "Data",
    "not-found": "Page not found",
};

function render(): void {
    unmount?.();
    unmount = null;
    const route = parseRoute(location.hash);
    // Views with a project name refine this once they have loaded it.
    document.title = `${kTitles[user === null ? "login" : route.name]} · Tessera`;
    if (user === null || route.name === "login") {
        if (route.name !== "login") {
            afterLogin = route;
        }
        const main = h("main", { id: "main" });
        replaceChildren(root, main);
        unmount = mountLogin(main, client, (u) => {
            user = u;
            const target = afterLogin;
            afterLogin = { name: "projects" };
            navigate(target);
        });
        return;
    }
    const main = h("main", { id: "main" });
    replaceChildren(root, header(user), main);
    const ctx: AppContext = { client, user, navigate, logout };
    switch (route.name) {
        case "projects":
            unmount = mountProjects(main, ctx);
            break;
        case "new-project":
            unmount = mountWizard(main, ctx);
            break;
        case "account":
            unmount = mountAccount(main, ctx, () => {
                user = null;
                navigate({ name: "login" });
            });
            break;
        case "dashboard":
            unmount = mountDashboard(main, ctx, route.id);
            break;
        case "label":
            unmount = mountLabeling(main, ctx, route.id);
            break;
        case "details":
            unmount = mountProjectDetails(main, ctx, route.id);
            break;
        case "data":
            unmount = mountDataTab(main, ctx, route.id);
            break;
        case "not-found":
            replaceChildren(
                main,
                h("h1", {}, "Page not found"),
                h("p", {}, h("a", { href: "#/projects" }, "Back to projects")),
            );
            break;
    }
}

client.onUnauthenticated(() => {
    if (user !== null) {
        user = null;
        afterLogin = parseRoute(location.hash);
        render();
    }
});

window.addEventListener("hashchange", render);

void client.restoreSession().then((r) => {
    user = r.ok ? r.value.user : null;
    render();
});
