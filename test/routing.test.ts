import { expect } from "chai";
import { FIRST_DASHBOARD_PRIORITY, LAST_PRIORITY, rulePriorities, SIGNED_OUT_RULE_PRIORITY, wakeRuleSlots } from "../components/routing";

describe("listener rule priorities", () => {
    const names = ["ridge-lasso", "sentiment", "explorer", "kpis", "portal"];

    it("are unique and within the dashboard range, after the platform's own rules", () => {
        const p = rulePriorities(names);
        const values = [...p.values()];
        expect(new Set(values).size).to.equal(names.length);
        for (const v of values) expect(v).to.be.within(FIRST_DASHBOARD_PRIORITY, LAST_PRIORITY);
        expect(SIGNED_OUT_RULE_PRIORITY).to.be.below(FIRST_DASHBOARD_PRIORITY);
    });

    it("do not depend on the order of the dashboards in the stack file", () => {
        expect([...rulePriorities(names).entries()].sort()).to.deep.equal([...rulePriorities([...names].reverse()).entries()].sort());
    });

    it("stay the same for the others when a dashboard is added or removed", () => {
        const before = rulePriorities(names);
        const added = rulePriorities([...names, "churn"]);
        const removed = rulePriorities(names.filter((n) => n !== "sentiment"));
        for (const n of names) expect(added.get(n), n).to.equal(before.get(n));
        for (const n of names.filter((x) => x !== "sentiment")) expect(removed.get(n), n).to.equal(before.get(n));
    });

    it("keep a deployed name's priority when a name added later hashes to the same slot, even one that sorts first", () => {
        // Two names of one hash slot: alone, each gets the slot; together, the first in sorted order would.
        const many = Array.from({ length: 5000 }, (_, i) => `d${i}`);
        const alone = new Map(many.map((n) => [n, rulePriorities([n]).get(n)!]));
        const bySlot = new Map<number, string[]>();
        for (const [n, p] of alone) bySlot.set(p, [...(bySlot.get(p) ?? []), n]);
        const [first, second] = [...bySlot.values()].find((names) => names.length >= 2)!.sort();
        const slot = alone.get(first)!;
        // Without memory, adding `first` would take the slot from the deployed `second`.
        expect(rulePriorities([second, first]).get(first)).to.equal(slot);
        // With the deployed priority kept, `second` stays and `first` takes the next free slot.
        const kept = rulePriorities([second, first], [], new Map([[second, slot]]));
        expect(kept.get(second)).to.equal(slot);
        expect(kept.get(first)).to.not.equal(slot);
        // A kept priority out of range, or already held, is chosen anew.
        expect(rulePriorities(["a"], [], new Map([["a", 7]])).get("a")).to.be.within(FIRST_DASHBOARD_PRIORITY, LAST_PRIORITY);
        const clash = rulePriorities(["a", "b"], [], new Map([["a", 2000], ["b", 2000]]));
        expect(clash.get("a")).to.equal(2000);
        expect(clash.get("b")).to.not.equal(2000);
        // A kept scale-to-zero dashboard also keeps the slots beside it free for its waker.
        const sleeping = rulePriorities(["z", "y"], ["z"], new Map([["z", 3000]]));
        expect(sleeping.get("z")).to.equal(3000);
        expect([2999, 3001]).to.not.include(sleeping.get("y"));
    });

    it("resolve hash collisions deterministically, keeping every priority unique", () => {
        // 5,000 names into ~49,000 slots is certain to collide; all must still get distinct slots.
        const many = Array.from({ length: 5000 }, (_, i) => `d${i}`);
        const p = rulePriorities(many);
        expect(new Set(p.values()).size).to.equal(5000);
        expect(rulePriorities([...many].reverse())).to.deep.equal(p);
    });
});

describe("waker rule slots (scale to zero)", () => {
    const names = ["ridge-lasso", "sentiment", "explorer", "kpis", "portal"];

    it("give each scale-to-zero dashboard a free slot just below its rule (asleep) and just above it (awake), all unique", () => {
        const own = rulePriorities(names);
        const { priorities, slots } = wakeRuleSlots(own, ["sentiment", "kpis"]);
        expect(priorities).to.deep.equal(own); // nothing moves in the middle of the range
        expect([...slots.keys()].sort()).to.deep.equal(["kpis", "sentiment"]);
        for (const [name, s] of slots) {
            expect(s.asleep, name).to.be.below(own.get(name)!);
            expect(s.awake, name).to.be.above(own.get(name)!);
        }
        const all = [...priorities.values(), ...[...slots.values()].flatMap((s) => [s.asleep, s.awake])];
        expect(new Set(all).size).to.equal(all.length);
        for (const v of all) expect(v).to.be.within(FIRST_DASHBOARD_PRIORITY, LAST_PRIORITY);
    });

    it("skip slots other dashboards hold, do not depend on order, and leave the always-on dashboards alone", () => {
        const own = new Map([["a", 2000], ["b", 2001], ["c", 1999], ["d", 3000]]);
        const { priorities, slots } = wakeRuleSlots(own, ["b", "d"]);
        expect(priorities).to.deep.equal(own);
        expect(slots.get("b")).to.deep.equal({ asleep: 1998, awake: 2002 });
        expect(slots.get("d")).to.deep.equal({ asleep: 2999, awake: 3001 });
        expect(wakeRuleSlots(own, ["d", "b"]).slots).to.deep.equal(slots);
    });

    it("keep a scale-to-zero dashboard's slots when dashboards are added: no new rule lands on a slot its waker rule may hold", () => {
        const before = wakeRuleSlots(rulePriorities(names, ["sentiment"]), ["sentiment"]);
        const held = [before.slots.get("sentiment")!.asleep, before.slots.get("sentiment")!.awake];
        // Names whose own hash slot is one of those two (a lone name gets its hash slot).
        const onSlot = (slot: number) => {
            for (let i = 0; ; i++) if (rulePriorities([`n${i}`]).get(`n${i}`) === slot) return `n${i}`;
        };
        const more = [...names, onSlot(held[0]), onSlot(held[1])];
        const after = wakeRuleSlots(rulePriorities(more, ["sentiment"]), ["sentiment"]);
        expect(after.slots.get("sentiment")).to.deep.equal(before.slots.get("sentiment"));
        expect(after.priorities.get("sentiment")).to.equal(before.priorities.get("sentiment"));
        for (const [name, p] of after.priorities) expect(held, name).not.to.include(p);
    });

    it("move a dashboard at the very ends of the range inwards so both slots exist", () => {
        const own = new Map([["low", FIRST_DASHBOARD_PRIORITY], ["high", LAST_PRIORITY]]);
        const { priorities, slots } = wakeRuleSlots(own, ["low", "high"]);
        expect(slots.get("low")!.asleep).to.be.at.least(FIRST_DASHBOARD_PRIORITY);
        expect(slots.get("low")!.asleep).to.be.below(priorities.get("low")!);
        expect(slots.get("high")!.awake).to.be.at.most(LAST_PRIORITY);
        expect(slots.get("high")!.awake).to.be.above(priorities.get("high")!);
    });
});

