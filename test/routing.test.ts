import { expect } from "chai";
import { FIRST_DASHBOARD_PRIORITY, LAST_PRIORITY, rulePriorities, SIGNED_OUT_RULE_PRIORITY } from "../components/routing";

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

    it("resolve hash collisions deterministically, keeping every priority unique", () => {
        // 5,000 names into ~49,000 slots is certain to collide; all must still get distinct slots.
        const many = Array.from({ length: 5000 }, (_, i) => `d${i}`);
        const p = rulePriorities(many);
        expect(new Set(p.values()).size).to.equal(5000);
        expect(rulePriorities([...many].reverse())).to.deep.equal(p);
    });
});
