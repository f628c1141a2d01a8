// Layering: geometry <- schema <- store <- canvas <- app; client depends on schema only.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const layers = ["geometry", "schema", "store", "canvas", "client", "app"];

// Forbids importing any layer not in `allowed` from files in `layer`.
function layerRule(layer, allowed) {
    const banned = layers.filter((l) => l !== layer && !allowed.includes(l));
    return {
        files: [`src/${layer}/**/*.ts`],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: banned.map((l) => ({
                        group: [`../${l}`, `../${l}/*`, `../../${l}`, `../../${l}/*`],
                        message: `${layer}/ may not import ${l}/ (see docs/design/ui.md).`,
                    })),
                },
            ],
        },
    };
}

export default tseslint.config(
    { ignores: ["dist/", "node_modules/", "e2e/screenshots/"] },
    js.configs.recommended,
    ...tseslint.configs.strictTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
            globals: globals.browser,
        },
        rules: {
            "@typescript-eslint/consistent-type-imports": "error",
            "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
            eqeqeq: ["error", "always"],
            curly: ["error", "all"],
        },
    },
    {
        files: ["**/*.js", "**/*.mjs"],
        extends: [tseslint.configs.disableTypeChecked],
        languageOptions: { globals: globals.node, parserOptions: { projectService: false } },
    },
    layerRule("geometry", []),
    layerRule("schema", ["geometry"]),
    layerRule("store", ["schema", "geometry"]),
    layerRule("canvas", ["store", "schema", "geometry"]),
    layerRule("client", ["schema"]),
);
