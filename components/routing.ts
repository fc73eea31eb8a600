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
/** The rule that sends /_dashboards/sign-out of every host to the platform's sign-out function, before any login rule. */
export const SIGN_OUT_RULE_PRIORITY = 11;

function preferredPriority(name: string): number {
    const span = LAST_PRIORITY - FIRST_DASHBOARD_PRIORITY + 1;
    const n = createHash("sha256").update(name).digest().readUInt32BE(0);
    return FIRST_DASHBOARD_PRIORITY + (n % span);
}

/**
 * Assigns each name a priority: its hash slot, or on a (rare: ~49,000 slots) collision the next
 * free slot, giving slots to names in sorted order so the result is the same whatever the list order.
 *
 * `kept` holds the priorities of the last deployment (names that are still on the same listener):
 * those are taken first, so a name added later never displaces one already deployed, even when
 * both hash to the same slot. A kept priority that is out of range or already taken is chosen anew.
 */
export function rulePriorities(names: readonly string[], scaleToZero: readonly string[] = [], kept: ReadonlyMap<string, number> = new Map()): Map<string, number> {
    const taken = new Set<number>();
    const result = new Map<string, number>();
    // Scale-to-zero dashboards first, each with the slots on either side kept for its waker rule
    // (wakeRuleSlots): a dashboard added later never lands on a slot a waker rule may hold, which
    // Pulumi does not move (the waker owns that rule's priority).
    const present = new Set(names);
    const sleeping = new Set(scaleToZero.filter((n) => present.has(n)));
    const block = (name: string, q: number) => (sleeping.has(name) ? [q - 1, q, q + 1] : [q]);
    const inRange = (q: number) => Number.isInteger(q) && q >= FIRST_DASHBOARD_PRIORITY && q <= LAST_PRIORITY;
    for (const name of [...present].filter((n) => kept.has(n)).sort()) {
        const p = kept.get(name)!;
        if (!inRange(p) || block(name, p).some((q) => taken.has(q))) continue;
        for (const q of block(name, p)) taken.add(q);
        result.set(name, p);
    }
    for (const name of [...[...sleeping].sort(), ...[...present].filter((n) => !sleeping.has(n)).sort()]) {
        if (result.has(name)) continue;
        let p = preferredPriority(name);
        while (block(name, p).some((q) => taken.has(q))) p = p === LAST_PRIORITY ? FIRST_DASHBOARD_PRIORITY : p + 1;
        for (const q of block(name, p)) taken.add(q);
        result.set(name, p);
    }
    return result;
}

/** The waker rule's two slots around its dashboard's rule: below it (asleep: the waker wins) and above it (awake). */
export interface WakeRuleSlots {
    asleep: number;
    awake: number;
}

/**
 * Gives each scale-to-zero dashboard its waker rule's two slots: the nearest free priorities below
 * and above its own rule's (`priorities`, from `rulePriorities`), in sorted name order so the
 * result does not depend on the list order. Rules of different dashboards never match the same host,
 * so only the order within one dashboard's pair matters. A dashboard whose rule has no free slot
 * below it within the dashboard range moves up to the next slot that has one.
 */
export function wakeRuleSlots(priorities: Map<string, number>, scaleToZero: readonly string[]): { priorities: Map<string, number>; slots: Map<string, WakeRuleSlots> } {
    const result = new Map(priorities);
    const taken = new Set(result.values());
    const slots = new Map<string, WakeRuleSlots>();
    const freeFrom = (p: number, step: 1 | -1) => {
        for (let q = p + step; q >= FIRST_DASHBOARD_PRIORITY && q <= LAST_PRIORITY; q += step) if (!taken.has(q)) return q;
        return undefined;
    };
    for (const name of [...new Set(scaleToZero)].sort()) {
        let own = result.get(name);
        if (own === undefined) continue;
        let below = freeFrom(own, -1);
        let above = freeFrom(own, 1);
        while (below === undefined || above === undefined) {
            // Only at the very ends of the range: move the dashboard's own rule inwards.
            taken.delete(own);
            const next = freeFrom(own, below === undefined ? 1 : -1);
            if (next === undefined) throw new Error(`no free listener-rule priorities left for ${name}'s waker`);
            own = next;
            taken.add(own);
            result.set(name, own);
            below = freeFrom(own, -1);
            above = freeFrom(own, 1);
        }
        taken.add(below);
        taken.add(above);
        slots.set(name, { asleep: below, awake: above });
    }
    return { priorities: result, slots };
}
