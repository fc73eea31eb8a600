/**
 * Plumbing every component shares: the package name in type tokens and the error for bad
 * arguments. Kept apart from the components so none has to import another for it (no import circle).
 */

/** Package name in every component's type token (`dashboards:index:<Component>`). */
export const PACKAGE = "dashboards";

/** Thrown before any child is declared when a component's arguments are invalid; lists every problem. */
export class ComponentArgsError extends Error {
    constructor(component: string, problems: string[]) {
        super(`invalid ${component} arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ComponentArgsError";
    }
}
