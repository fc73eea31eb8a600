import { expect } from "chai";
import { albName, boundedName, sanitizeName } from "../components/naming";

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
});
