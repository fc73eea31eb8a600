import { expect } from "chai";
import { albName, boundedName, MAX_DASHBOARD_NAME_LENGTH, sanitizeName, TargetGroupIdentity, targetGroupName } from "../components/naming";

describe("physical names", () => {
    it("sanitizes to lowercase alphanumerics and inner hyphens", () => {
        expect(sanitizeName("My_Dashboards--Prod!")).to.equal("my-dashboards-prod");
    });

    it("keeps short names as they are", () => {
        expect(boundedName(["dev", "dashboards"], 32)).to.equal("dev-dashboards");
    });

    it("shortens long names to the limit with a hash that keeps similar names apart", () => {
        const a = boundedName(["production-eu-central", "customer-analytics-dashboards-a"], 32);
        const b = boundedName(["production-eu-central", "customer-analytics-dashboards-b"], 32);
        expect(a.length).to.be.at.most(32);
        expect(b.length).to.be.at.most(32);
        expect(a).not.to.equal(b);
        expect(a).to.match(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
    });

    it("never produces an ALB name that AWS reserves (internal- prefix)", () => {
        const name = albName("internal", "tools");
        expect(name.startsWith("internal-")).to.equal(false);
        expect(name.length).to.be.at.most(32);
    });

    describe("target group names", () => {
        const identity: TargetGroupIdentity = { port: 3838, protocol: "HTTP", protocolVersion: "HTTP1", targetType: "ip", ipAddressType: "ipv4", vpcId: "vpc-0123456789abcdef0" };
        const VALID = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

        it("are the same for the same stack, dashboard and settings (an unchanged stack keeps its target groups)", () => {
            expect(targetGroupName("prod", "sales", identity)).to.equal(targetGroupName("prod", "sales", { ...identity }));
            expect(targetGroupName("prod", "sales", identity)).to.match(/^prod-sales-[0-9a-f]{6}$/);
        });

        it("change with every input that makes AWS replace the group, so the replacement never takes the old one's name", () => {
            const base = targetGroupName("prod", "sales", identity);
            const changes: Partial<TargetGroupIdentity>[] = [
                { vpcId: "vpc-0fedcba9876543210" }, { port: 8080 }, { protocol: "HTTPS" }, { protocolVersion: "HTTP2" }, { targetType: "instance" }, { ipAddressType: "ipv6" },
            ];
            const names = changes.map((c) => targetGroupName("prod", "sales", { ...identity, ...c }));
            for (const [i, name] of names.entries()) expect(name, JSON.stringify(changes[i])).not.to.equal(base);
            expect(new Set(names).size).to.equal(names.length);
        });

        it("fit AWS's 32 characters even for the longest dashboard name on a long stack name", () => {
            const longest = "d".repeat(MAX_DASHBOARD_NAME_LENGTH);
            for (const stack of ["dev", "production-eu-central-1-blue"]) {
                const name = targetGroupName(stack, longest, identity);
                expect(name.length, name).to.be.at.most(32);
                expect(name, name).to.match(VALID);
                expect(targetGroupName(stack, longest, { ...identity, vpcId: "vpc-0fedcba9876543210" })).not.to.equal(name);
            }
        });
    });
});
