import { expect } from "chai";
import { visibleDashboards } from "../src/catalogue.js";
import { PORTAL_CONFIG } from "./support/settings.js";

const names = (groups: string[]) => visibleDashboards(PORTAL_CONFIG, groups).map((d) => d.name);

describe("visibleDashboards", () => {
    it("shows an admin every dashboard, in configuration order", () => {
        expect(names(["admins"])).to.deep.equal(["sales", "ops", "forecast", "handbook"]);
    });

    it("shows a group member the dashboards of their group plus the open ones", () => {
        expect(names(["sales"])).to.deep.equal(["sales", "forecast", "handbook"]);
        expect(names(["ops"])).to.deep.equal(["ops", "forecast", "handbook"]);
    });

    it("unions the dashboards of several groups without duplicates", () => {
        expect(names(["ops", "sales"])).to.deep.equal(["sales", "ops", "forecast", "handbook"]);
    });

    it("shows a user without groups only the open dashboards", () => {
        expect(names([])).to.deep.equal(["handbook"]);
    });

    it("ignores groups that grant nothing and matches group names exactly", () => {
        expect(names(["marketing", "Sales", "admin"])).to.deep.equal(["handbook"]);
    });

    it("treats a config without admin groups as having no admins", () => {
        expect(visibleDashboards({ ...PORTAL_CONFIG, adminGroups: [] }, ["admins"]).map((d) => d.name)).to.deep.equal(["handbook"]);
    });
});
