/**
 * The README's image sizes are the ones computed on paper here (test/apps/imageSizes.ts), and the
 * Python images that can meet their target do.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { PREREQUISITES, requirePrerequisites } from "../prerequisites";
import { estimates, renderTable } from "./imageSizes";

const README = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");

describe("image sizes on paper", function () {
    this.timeout(60_000);
    before(function () {
        requirePrerequisites(this, PREREQUISITES.fixtureVenv("dash-tutorial"), PREREQUISITES.fixtureVenv("flask-tutorial"), PREREQUISITES.fixtureVenv("streamlit-hello"), PREREQUISITES.shinyTemplate[0]);
    });

    it("are the ones the README states, measured now", () => {
        const table = renderTable(estimates());
        expect(README, `README table:\n${table}`).to.contain(table);
    });

    it("keep Dash and Flask images under 250 MB, and Shiny images under 900 MB", () => {
        const met = estimates().filter((x) => x.app !== "streamlit");
        expect(met.map((e) => e.app).sort()).to.deep.equal(["dash", "flask", "shiny"]);
        for (const e of met) expect(e.mb[1], e.app).to.be.below(e.target);
    });
});
