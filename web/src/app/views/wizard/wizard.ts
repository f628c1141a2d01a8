// Create-project wizard with Azure's pages in order. Server errors land on the page they are
// about (a taken name on Project details, a folder outside the roots on Data).
import type { AppContext, Unmount } from "../../context";
import { h, replaceChildren } from "../../dom";
import { azureFieldError } from "./azure_form";
import { dataPage } from "./data_page";
import { detailsPage, instructionsPage, labelsPage, reviewPage } from "./pages";
import type { Step, WizardState } from "./wizard_state";
import {
    dataFieldProblems,
    emptyWizard,
    kStepTitles,
    kSteps,
    previewText,
    stepForError,
    toNewProject,
    validateStep,
} from "./wizard_state";

const kPages: Record<Step, (s: WizardState, ctx: AppContext) => HTMLElement> = {
    details: detailsPage,
    data: (s, ctx) => dataPage(s, ctx.client),
    labels: labelsPage,
    instructions: instructionsPage,
    review: reviewPage,
};

export function mountWizard(main: HTMLElement, ctx: AppContext): Unmount {
    const state = emptyWizard();
    let step: Step = "details";
    let errors: string[] = [];
    let busy = false;

    const stepper = h("ol", { class: "stepper", "aria-label": "Steps" });
    const body = h("section", { class: "wizard-body", "aria-labelledby": "step-title" });

    const go = (to: Step, problems: string[] = []): void => {
        step = to;
        errors = problems;
        render();
    };
    const index = (): number => kSteps.indexOf(step);
    const advance = (): void => {
        const to = kSteps[index() + 1];
        if (to !== undefined) {
            go(to);
        }
    };
    // The folder is checked by the server's dry run before leaving Data, so a path it cannot
    // use is reported here and not after Create.
    // The last answer's message goes while the new check runs: left up, it would sit beside
    // "Checking…" as if it were about the path just entered.
    const checkData = (): void => {
        busy = true;
        errors = [];
        render();
        void ctx.client.previewDatasource(state.path.trim(), state.pattern.trim()).then((r) => {
            busy = false;
            if (!r.ok) {
                go("data", [r.error.message]);
            } else if (r.value.count === 0) {
                state.preview = r.value;
                go("data", [
                    `${previewText(r.value, state.pattern)} Choose another folder or pattern.`,
                ]);
            } else {
                state.preview = r.value;
                advance();
            }
        });
    };
    const next = (): void => {
        if (step === "data") {
            state.serverError = null;
            state.fieldProblems = dataFieldProblems(state);
        }
        const problems = validateStep(step, state);
        if (problems.length > 0) {
            go(step, problems);
            return;
        }
        // Only a folder gets the dry run: a manifest was read by "Read columns" already (its
        // mapping needs the columns) and its path is a file; a container is checked by the
        // server when the project is created (one listing with the credential), and its refusal
        // comes back to this page, next to the input it names.
        if (step === "data" && state.source === "folder") {
            checkData();
            return;
        }
        advance();
    };
    const create = (): void => {
        const problems = validateStep("review", state);
        if (problems.length > 0 || busy) {
            go(step, problems);
            return;
        }
        busy = true;
        render();
        void ctx.client.createProject(toNewProject(state)).then((r) => {
            busy = false;
            if (r.ok) {
                ctx.navigate({ name: "dashboard", id: r.value.id });
                return;
            }
            state.serverError = r.error;
            // An Azure source's or datastore's refusal goes next to its input.
            const onAzure = state.source !== "folder" && azureFieldError(r.error) !== null;
            go(onAzure ? "data" : stepForError(r.error), [r.error.message]);
        });
    };

    const render = (): void => {
        document.title = `New project: ${kStepTitles[step]} · Tessera`;
        replaceChildren(
            stepper,
            kSteps.map((s, i) =>
                h(
                    "li",
                    {
                        "aria-current": s === step ? "step" : null,
                        class: i < index() ? "done" : "",
                    },
                    h(
                        "button",
                        {
                            type: "button",
                            class: "link",
                            // Jumping back is always fine; forward only through validated pages.
                            disabled: i > index(),
                            onclick: () => {
                                go(s);
                            },
                        },
                        `${i + 1}. ${kStepTitles[s]}`,
                    ),
                ),
            ),
        );
        const last = step === "review";
        const form = h(
            "form",
            {
                class: "wizard-form",
                onsubmit: (e: Event) => {
                    e.preventDefault();
                    if (last) {
                        create();
                    } else {
                        next();
                    }
                },
            },
            kPages[step](state, ctx),
            errors.length > 0
                ? h(
                      "div",
                      { class: "errors", role: "alert" },
                      errors.map((m) => h("p", { class: "error" }, m)),
                  )
                : null,
            h(
                "div",
                { class: "wizard-nav" },
                h(
                    "button",
                    {
                        type: "button",
                        disabled: index() === 0,
                        onclick: () => {
                            const to = kSteps[index() - 1];
                            if (to !== undefined) {
                                go(to);
                            }
                        },
                    },
                    "Back",
                ),
                h("a", { class: "button secondary", href: "#/projects" }, "Cancel"),
                h(
                    "button",
                    { type: "submit", class: "primary", disabled: busy },
                    last ? (busy ? "Creating…" : "Create project") : busy ? "Checking…" : "Next",
                ),
            ),
        );
        replaceChildren(body, h("h2", { id: "step-title" }, kStepTitles[step]), form);
        const first = form.querySelector<HTMLElement>(
            "input:not([type=radio]), textarea, input[type=radio]:checked",
        );
        first?.focus();
    };

    replaceChildren(
        main,
        h("div", { class: "page-head" }, h("h1", {}, "New project")),
        h("div", { class: "wizard" }, stepper, body),
    );
    render();
    return () => undefined;
}
