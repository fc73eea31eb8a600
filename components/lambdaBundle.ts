/**
 * The platform's Lambda handlers (functions/<name>/handler.ts), bundled into one CommonJS file each.
 * The AWS SDK v3 ships with the nodejs22.x runtime, so it stays external (smaller bundle, faster
 * cold start). esbuild output is deterministic, so an unchanged handler never shows a diff.
 */
import * as fs from "fs";
import * as path from "path";
import { buildSync } from "esbuild";

/** The handlers in functions/, by folder name. */
export type FunctionName = "preTokenGeneration" | "wakeOnRequest" | "signOut";

/**
 * Entry point of a handler: the TypeScript source in this repository, or the compiled JavaScript
 * when the components are used from the built package (`bin/`).
 */
export function handlerPath(fn: FunctionName): string {
    const base = path.resolve(__dirname, "..", "functions", fn, "handler");
    return [".ts", ".js"].map((ext) => `${base}${ext}`).find((file) => fs.existsSync(file)) ?? `${base}.ts`;
}

const bundles = new Map<FunctionName, string>();

/** The handler as one minified CommonJS file exporting `handler` (built once per process). */
export function bundleHandler(fn: FunctionName): string {
    const cached = bundles.get(fn);
    if (cached !== undefined) return cached;
    const result = buildSync({
        entryPoints: [handlerPath(fn)],
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        minify: true,
        // https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
        external: ["@aws-sdk/*"],
        write: false,
        legalComments: "none",
        logLevel: "silent",
    });
    const text = result.outputFiles[0].text;
    bundles.set(fn, text);
    return text;
}
