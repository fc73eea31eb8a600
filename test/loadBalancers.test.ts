import { expect } from "chai";
import {
    ALB_RULE_LIMIT, ALB_TARGET_GROUP_LIMIT, assignLoadBalancers, DEFAULT_DASHBOARDS_PER_LOAD_BALANCER, loadBalancerLoads, MAX_LOAD_BALANCERS,
    readRouting, routedDashboard, routedPortal, Routing,
} from "../components/loadBalancers";

const dashboards = (n: number, from = 1) => Array.from({ length: n }, (_, i) => routedDashboard(`d${String(from + i).padStart(3, "0")}`, false));
const asRouting = (assignment: Map<string, number>): Record<string, Routing> =>
    Object.fromEntries([...assignment].map(([name, loadBalancer]) => [name, { loadBalancer, priority: 1000 }]));
const on = (assignment: Map<string, number>, n: number) => [...assignment].filter(([, lb]) => lb === n).map(([name]) => name);

describe("load balancer assignment", () => {
    it("fills load balancer 0 up to maxDashboards, then the next, in stack-file order", () => {
        const assignment = assignLoadBalancers(dashboards(200), {}, DEFAULT_DASHBOARDS_PER_LOAD_BALANCER);
        expect(on(assignment, 0)).to.deep.equal(dashboards(90).map((d) => d.name));
        expect(on(assignment, 1)).to.have.length(90);
        expect(on(assignment, 2)).to.deep.equal(dashboards(20, 181).map((d) => d.name));
    });

    it("puts the 91st on a new load balancer and moves none of the 90", () => {
        const first = assignLoadBalancers(dashboards(90), {}, 90);
        const second = assignLoadBalancers(dashboards(91), asRouting(first), 90);
        for (const [name, lb] of first) expect(second.get(name), name).to.equal(lb);
        expect(second.get("d091")).to.equal(1);
    });

    it("moves nobody when one is removed from the middle, and gives the free place to the next new one", () => {
        const deployed = assignLoadBalancers(dashboards(120), {}, 90);
        const without = dashboards(120).filter((d) => d.name !== "d045");
        const after = assignLoadBalancers(without, asRouting(deployed), 90);
        for (const d of without) expect(after.get(d.name), d.name).to.equal(deployed.get(d.name));
        // Without the last deployment's routing, d091 would have moved into the gap: the reason for the memory.
        expect(assignLoadBalancers(without, {}, 90).get("d091")).to.equal(0);
        const added = assignLoadBalancers([...without, routedDashboard("new", false)], asRouting(after), 90);
        expect(added.get("new")).to.equal(0);
    });

    it("keeps a deployed dashboard where it is whatever its position in the list", () => {
        const deployed = assignLoadBalancers(dashboards(100), {}, 90);
        const reversed = assignLoadBalancers([...dashboards(100)].reverse(), asRouting(deployed), 90);
        expect([...reversed].sort()).to.deep.equal([...deployed].sort());
    });

    it("counts a scale-to-zero dashboard as two rules and two target groups: 48 fit beside the platform's and the portal's", () => {
        const portal = routedPortal("portal");
        const sleeping = Array.from({ length: 60 }, (_, i) => routedDashboard(`s${i}`, true));
        const assignment = assignLoadBalancers([portal, ...sleeping], {}, 90);
        expect(on(assignment, 0)).to.have.length(49); // the portal and 48
        const loads = loadBalancerLoads([portal, ...sleeping], assignment);
        expect(loads.get(0)).to.deep.include({ rules: 99, targetGroups: 98 });
        expect(loads.get(1)).to.deep.include({ rules: 2 + 24, targetGroups: 1 + 24 });
        for (const load of loads.values()) {
            expect(load.rules).to.be.at.most(ALB_RULE_LIMIT);
            expect(load.targetGroups).to.be.at.most(ALB_TARGET_GROUP_LIMIT);
        }
    });

    it("honours pins over the last deployment, and reports (does not fix) a pin that overfills", () => {
        const deployed = assignLoadBalancers(dashboards(3), {}, 90);
        const pinned = assignLoadBalancers([routedDashboard("d001", false, 4), ...dashboards(2, 2)], asRouting(deployed), 90);
        expect(pinned.get("d001")).to.equal(4);
        const crowded = dashboards(99).map((d) => ({ ...d, pinned: 0 }));
        const loads = loadBalancerLoads(crowded, assignLoadBalancers(crowded, {}, 90));
        expect(loads.get(0)).to.deep.include({ rules: 101, targetGroups: 100 });
    });

    it("never places a new dashboard past the last load balancer a region may have", () => {
        const assignment = assignLoadBalancers(dashboards(MAX_LOAD_BALANCERS + 5), {}, 1);
        expect(Math.max(...assignment.values())).to.equal(MAX_LOAD_BALANCERS - 1);
        expect(on(assignment, MAX_LOAD_BALANCERS - 1)).to.have.length(6);
    });

    it("assigns 500 dashboards to 6 load balancers in well under a second", () => {
        const start = process.hrtime.bigint();
        const assignment = assignLoadBalancers(dashboards(500), {}, 90);
        expect(Number(process.hrtime.bigint() - start) / 1e6).to.be.below(500);
        expect(new Set(assignment.values()).size).to.equal(6);
    });
});

describe("reading the routing output back", () => {
    it("keeps well-formed entries", () => {
        expect(readRouting({ sales: { loadBalancer: 1, priority: 1234 } })).to.deep.equal({ sales: { loadBalancer: 1, priority: 1234 } });
    });

    it("ignores anything else, so a damaged or foreign output only makes dashboards be placed anew", () => {
        for (const value of [undefined, null, 42, "routing", [], [{ loadBalancer: 0, priority: 1 }]]) expect(readRouting(value), String(value)).to.deep.equal({});
        const read = readRouting({
            negative: { loadBalancer: -1, priority: 1000 },
            tooFar: { loadBalancer: MAX_LOAD_BALANCERS, priority: 1000 },
            fraction: { loadBalancer: 0.5, priority: 1000 },
            text: { loadBalancer: "0", priority: 1000 },
            noPriority: { loadBalancer: 0 },
            fractionalPriority: { loadBalancer: 0, priority: 1000.5 },
            entryNotObject: 3,
            good: { loadBalancer: 2, priority: 5000, extra: "ignored" },
        });
        expect(Object.keys(read)).to.deep.equal(["good"]);
        expect(read.good).to.deep.equal({ loadBalancer: 2, priority: 5000 });
    });

    it("treats __proto__ and constructor as dashboard names, never as the object's prototype", () => {
        const read = readRouting(JSON.parse('{"__proto__":{"loadBalancer":3,"priority":1001},"constructor":{"loadBalancer":1,"priority":1002}}'));
        expect(Object.getPrototypeOf(read)).to.equal(null);
        expect(Object.keys(read).sort()).to.deep.equal(["__proto__", "constructor"]);
        const assignment = assignLoadBalancers([routedDashboard("toString", false), routedDashboard("__proto__", false)], read, 90);
        expect(assignment.get("toString")).to.equal(0);
        expect(assignment.get("__proto__")).to.equal(3);
    });
});
