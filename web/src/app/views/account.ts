// The signed-in user's own account: change the password, manage API tokens, log out everywhere.
// Every action is one API call; the server's message is shown as is.
import type { ApiToken } from "../../schema/api";
import type { AppContext, Unmount } from "../context";
import { errorBox, h, replaceChildren } from "../dom";

const kDefaultTokenDays = 90;
const kMaxTokenDays = 365;

function formatDate(ms: number): string {
    return new Date(ms).toISOString().slice(0, 10);
}

function passwordSection(ctx: AppContext): HTMLElement {
    const status = h("div", { class: "status", "aria-live": "polite" });
    const current = h("input", {
        id: "account-current",
        type: "password",
        autocomplete: "current-password",
        required: true,
    });
    const replacement = h("input", {
        id: "account-new",
        type: "password",
        autocomplete: "new-password",
        minlength: 8,
        required: true,
    });
    const submit = h("button", { type: "submit", class: "primary" }, "Change password");
    const form = h(
        "form",
        { class: "card", "aria-labelledby": "account-password" },
        h("h2", { id: "account-password" }, "Password"),
        h("label", { for: "account-current" }, "Current password"),
        current,
        h("label", { for: "account-new" }, "New password (at least 8 characters)"),
        replacement,
        status,
        submit,
    );
    form.addEventListener("submit", (e) => {
        e.preventDefault();
        submit.disabled = true;
        replaceChildren(status);
        void ctx.client.changePassword(current.value, replacement.value).then((r) => {
            submit.disabled = false;
            if (r.ok) {
                form.reset();
                replaceChildren(
                    status,
                    h("p", {}, "Password changed. Your other sessions were logged out."),
                );
            } else {
                replaceChildren(status, errorBox(r.error.message));
            }
        });
    });
    return form;
}

function tokenRow(token: ApiToken, now: number, revoke: (t: ApiToken) => void): HTMLElement {
    const expired = token.expires_at <= now;
    return h(
        "tr",
        {},
        h("td", {}, token.name),
        h("td", {}, formatDate(token.created_at)),
        h(
            "td",
            {},
            expired ? `expired ${formatDate(token.expires_at)}` : formatDate(token.expires_at),
        ),
        h(
            "td",
            {},
            h(
                "button",
                {
                    type: "button",
                    class: "link",
                    onclick: () => {
                        revoke(token);
                    },
                },
                `Revoke ${token.name}`,
            ),
        ),
    );
}

function tokensSection(ctx: AppContext): HTMLElement {
    const status = h("div", { class: "status", "aria-live": "polite" });
    const list = h("div", {});
    const name = h("input", { id: "token-name", required: true, maxlength: 100 });
    const days = h("input", {
        id: "token-days",
        type: "number",
        min: 1,
        max: kMaxTokenDays,
        value: kDefaultTokenDays,
        required: true,
    });
    const submit = h("button", { type: "submit" }, "Create token");

    const refresh = (): void => {
        void ctx.client.listTokens().then((r) => {
            if (!r.ok) {
                replaceChildren(list, errorBox(r.error.message));
                return;
            }
            if (r.value.tokens.length === 0) {
                replaceChildren(list, h("p", {}, "No API tokens."));
                return;
            }
            const now = Date.now();
            replaceChildren(
                list,
                h(
                    "table",
                    {},
                    h(
                        "thead",
                        {},
                        h(
                            "tr",
                            {},
                            h("th", {}, "Name"),
                            h("th", {}, "Created"),
                            h("th", {}, "Expires"),
                            h("th", {}, ""),
                        ),
                    ),
                    h(
                        "tbody",
                        {},
                        r.value.tokens.map((t) => tokenRow(t, now, revoke)),
                    ),
                ),
            );
        });
    };
    const revoke = (token: ApiToken): void => {
        replaceChildren(status);
        void ctx.client.revokeToken(token.id).then((r) => {
            if (r.ok) {
                replaceChildren(status, h("p", {}, `Token ${token.name} revoked.`));
            } else {
                replaceChildren(status, errorBox(r.error.message));
            }
            refresh();
        });
    };

    const form = h(
        "form",
        { class: "inline" },
        h("label", { for: "token-name" }, "Name"),
        name,
        h("label", { for: "token-days" }, `Days valid (1–${kMaxTokenDays})`),
        days,
        submit,
    );
    form.addEventListener("submit", (e) => {
        e.preventDefault();
        submit.disabled = true;
        replaceChildren(status);
        void ctx.client.createToken(name.value, Number(days.value)).then((r) => {
            submit.disabled = false;
            if (r.ok) {
                form.reset();
                replaceChildren(
                    status,
                    h("p", {}, "Copy this token now; it is not shown again:"),
                    h("code", { class: "secret" }, r.value.token),
                );
                refresh();
            } else {
                replaceChildren(status, errorBox(r.error.message));
            }
        });
    });
    refresh();
    return h(
        "section",
        { class: "card", "aria-labelledby": "account-tokens" },
        h("h2", { id: "account-tokens" }, "API tokens"),
        h("p", {}, "Scripts send a token as Authorization: Bearer <token>."),
        list,
        form,
        status,
    );
}

function sessionsSection(ctx: AppContext, loggedOut: () => void): HTMLElement {
    const status = h("div", { class: "status", "aria-live": "polite" });
    const revoke = h("input", { id: "logout-tokens", type: "checkbox" });
    const button = h("button", { type: "button" }, "Log out everywhere");
    button.addEventListener("click", () => {
        button.disabled = true;
        void ctx.client.logoutEverywhere(revoke.checked).then((r) => {
            button.disabled = false;
            if (r.ok) {
                loggedOut();
            } else {
                replaceChildren(status, errorBox(r.error.message));
            }
        });
    });
    return h(
        "section",
        { class: "card", "aria-labelledby": "account-sessions" },
        h("h2", { id: "account-sessions" }, "Sessions"),
        h("p", {}, "Ends every session of yours on every device, this one included."),
        h("label", {}, revoke, " Also revoke all my API tokens"),
        button,
        status,
    );
}

export function mountAccount(main: HTMLElement, ctx: AppContext, loggedOut: () => void): Unmount {
    replaceChildren(
        main,
        h("h1", {}, `Account: ${ctx.user.username}`),
        passwordSection(ctx),
        tokensSection(ctx),
        sessionsSection(ctx, loggedOut),
    );
    return () => undefined;
}
