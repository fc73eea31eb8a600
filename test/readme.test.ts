/** Keeps the README's configuration reference true: every key the schema accepts is documented. */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { stackConfigSchema } from "../components/stackConfig";
import { PROJECT_DIR } from "../plan/runPlan";

/** Every key path of the schema, e.g. `dashboards[].cpu`, `auth.tokenValidity.idTokenMinutes`. */
function keyPaths(schema: z.ZodType, prefix = ""): string[] {
    let s: z.ZodType = schema;
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    if (s instanceof z.ZodArray) return [prefix, ...keyPaths(s.element as z.ZodType, `${prefix}[]`).filter((p) => p !== `${prefix}[]`)];
    if (s instanceof z.ZodDiscriminatedUnion) return [prefix];
    if (s instanceof z.ZodObject) {
        return [prefix, ...Object.entries(s.shape).flatMap(([k, v]) => keyPaths(v as z.ZodType, prefix ? `${prefix}.${k}` : k))].filter(Boolean);
    }
    return [prefix];
}

describe("README configuration reference", () => {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    const reference = readme.slice(readme.indexOf("## Configuration reference"));
    const documented = reference.match(/`[^`]+`/g)?.join(" ") ?? "";

    it("documents every key of the stack-file schema", () => {
        const undocumented = keyPaths(stackConfigSchema).filter((key) => {
            const last = key.split(/[.\]]/).filter(Boolean).pop()!.replace("[", "");
            // A row may group keys: `dashboards[].port`, `.healthCheckPath` or `{a, b}` object shapes.
            return !documented.includes(key) && !documented.includes(`.${last}`) && !new RegExp(`[{,]\\s*${last}\\b`).test(documented);
        });
        expect(undocumented).to.deep.equal([]);
    });
});
