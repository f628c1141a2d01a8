// Sign-in form. The server's message is shown as is (wrong password, too many attempts).
import type { ApiClient } from "../../client/api_client";
import type { User } from "../../schema/api";
import type { Unmount } from "../context";
import { errorBox, h, replaceChildren } from "../dom";

export function mountLogin(main: HTMLElement, client: ApiClient, done: (u: User) => void): Unmount {
    const status = h("div", { class: "status" });
    const username = h("input", {
        id: "login-user",
        name: "username",
        autocomplete: "username",
        required: true,
    });
    const password = h("input", {
        id: "login-pass",
        name: "password",
        type: "password",
        autocomplete: "current-password",
        required: true,
    });
    const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
    const form = h(
        "form",
        { class: "card login", "aria-labelledby": "login-title" },
        h("h1", { id: "login-title" }, "Sign in to Tessera"),
        h("label", { for: "login-user" }, "Username"),
        username,
        h("label", { for: "login-pass" }, "Password"),
        password,
        status,
        submit,
    );
    form.addEventListener("submit", (e) => {
        e.preventDefault();
        submit.disabled = true;
        replaceChildren(status);
        void client.login(username.value, password.value).then((r) => {
            submit.disabled = false;
            if (r.ok) {
                done(r.value.user);
            } else {
                replaceChildren(status, errorBox(r.error.message));
                password.select();
            }
        });
    });
    replaceChildren(main, h("div", { class: "center" }, form));
    username.focus();
    return () => undefined;
}
