import { defineConfig } from "vitest/config";

// The server embeds dist/ and serves it at "/" with an SPA fallback; routing is hash based.
export default defineConfig({
    base: "/",
    build: {
        outDir: "dist",
        emptyOutDir: true,
        assetsDir: "assets",
        sourcemap: false,
        target: "es2022",
    },
    server: {
        proxy: { "/api": "http://127.0.0.1:8080" },
    },
    test: {
        include: ["src/**/*.test.ts"],
        environment: "node",
    },
});
