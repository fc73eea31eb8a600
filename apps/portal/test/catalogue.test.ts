import { expect } from "chai";
import { groupByCategory, visibleDashboards } from "../src/catalogue.js";
import type { Dashboard } from "../src/config.js";
import { ANALYSTS, ANALYSTS_DASHBOARDS, MANY_DASHBOARDS } from "./support/many.js";
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

describe("groupByCategory", () => {
    const base = PORTAL_CONFIG.dashboards[0]!;
    const dash = (name: string, category?: string): Dashboard => ({ ...base, name, ...(category === undefined ? {} : { category }) });
    /** Each group as its title and the names of its dashboards. */
    const outline = (dashboards: Dashboard[]) => groupByCategory(dashboards).map((g) => [g.title, g.dashboards.map((d) => d.name)]);

    it("sorts the categories by name and keeps configuration order inside each", () => {
        const input = [dash("s1", "Sales"), dash("f1", "Finance"), dash("s2", "Sales"), dash("o1", "Operations"), dash("f2", "Finance")];
        expect(outline(input)).to.deep.equal([
            ["Finance", ["f1", "f2"]],
            ["Operations", ["o1"]],
            ["Sales", ["s1", "s2"]],
        ]);
    });

    it("puts the dashboards without a category last, under Other", () => {
        expect(outline([dash("a"), dash("s1", "Sales"), dash("b"), dash("z1", "Zoo")])).to.deep.equal([
            ["Sales", ["s1"]],
            ["Zoo", ["z1"]],
            ["Other", ["a", "b"]],
        ]);
    });

    it("has one untitled group when no dashboard has a category", () => {
        const groups = groupByCategory([dash("a"), dash("b")]);
        expect(groups).to.have.length(1);
        expect(groups[0]!.title).to.equal(undefined);
        expect(groups[0]!.dashboards.map((d) => d.name)).to.deep.equal(["a", "b"]);
    });

    it("counts a category literally named Other as no category", () => {
        expect(outline([dash("a", "Other"), dash("s1", "Sales"), dash("b")])).to.deep.equal([
            ["Sales", ["s1"]],
            ["Other", ["a", "b"]],
        ]);
        expect(outline([dash("a", "Other"), dash("b")])).to.deep.equal([[undefined, ["a", "b"]]]);
    });

    it("sorts accented names among their letters and numbers by value", () => {
        const input = ["Zoo", "Équipes", "Region 10", "emploi", "Region 9", "Finance"].map((c, i) => dash(`d${i}`, c));
        expect(groupByCategory(input).map((g) => g.title)).to.deep.equal(["emploi", "Équipes", "Finance", "Region 9", "Region 10", "Zoo"]);
    });

    it("keeps categories that differ only in case apart, in an order that does not depend on the input", () => {
        const titles = (names: string[]) => groupByCategory(names.map((c, i) => dash(`d${i}`, c))).map((g) => g.title);
        expect(titles(["sales", "Sales"])).to.deep.equal(titles(["Sales", "sales"]));
        expect(titles(["sales", "Sales"])).to.have.members(["sales", "Sales"]);
        // Same text, composed and decomposed: distinct strings the collator calls equal.
        expect(titles(["Cafe\u0301", "Caf\u00e9"])).to.deep.equal(titles(["Caf\u00e9", "Cafe\u0301"]));
    });

    it("groups the 40 dashboards an analyst may open out of 500", () => {
        const visible = visibleDashboards(MANY_DASHBOARDS, [ANALYSTS]);
        expect(visible).to.deep.equal(ANALYSTS_DASHBOARDS);
        expect(visible).to.have.length(40);
        const groups = groupByCategory(visible);
        expect(groups.map((g) => g.title)).to.deep.equal(["Équipes", "Finance", "Logistics", "Operations", "Sales", "Other"]);
        expect(groups.flatMap((g) => g.dashboards)).to.have.length(40);
        for (const g of groups) {
            for (const d of g.dashboards) expect(d.category ?? "Other").to.equal(g.title);
        }
    });
});
