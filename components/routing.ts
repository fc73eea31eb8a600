/**
 * Listener-rule priorities that depend on a dashboard's name only, never on its position in the
 * stack file, so adding or removing a dashboard leaves every other rule untouched.
 */
import { createHash } from "crypto";

/** Priorities below this are the platform's own rules (e.g. the signed-out page). */
export const FIRST_DASHBOARD_PRIORITY = 1000;
/** ALB's highest rule priority. */
export const LAST_PRIORITY = 50000;
/** The fixed-response rule that serves the signed-out page on every host, before any login rule. */
export const SIGNED_OUT_RULE_PRIORITY = 10;

function preferredPriority(name: string): number {
    const span = LAST_PRIORITY - FIRST_DASHBOARD_PRIORITY + 1;
    const n = createHash("sha256").update(name).digest().readUInt32BE(0);
    return FIRST_DASHBOARD_PRIORITY + (n % span);
}

/**
 * Assigns each name a priority: its hash slot, or on a (rare: ~49,000 slots) collision the next
 * free slot, giving slots to names in sorted order so the result is the same whatever the list order.
 */
export function rulePriorities(names: readonly string[]): Map<string, number> {
    const taken = new Set<number>();
    const result = new Map<string, number>();
    for (const name of [...new Set(names)].sort()) {
        let p = preferredPriority(name);
        while (taken.has(p)) p = p === LAST_PRIORITY ? FIRST_DASHBOARD_PRIORITY : p + 1;
        taken.add(p);
        result.set(name, p);
    }
    return result;
}
