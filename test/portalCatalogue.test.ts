import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KEEP_EARLIER_CATALOGUES_MS, PORTAL_CATALOGUE_CONTEXT, writePortalCatalogue } from "../components/portalCatalogue";

describe("writePortalCatalogue", () => {
    let root: string;
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "catalogue-"));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    const folders = () => fs.readdirSync(path.join(root, PORTAL_CATALOGUE_CONTEXT)).sort();

    it("writes the catalogue in a folder named after its content, the same folder for the same content", () => {
        const a = writePortalCatalogue('{"dashboards":[]}', root);
        expect(fs.readFileSync(path.join(a, "catalogue.json"), "utf8")).to.equal('{"dashboards":[]}');
        expect(writePortalCatalogue('{"dashboards":[]}', root)).to.equal(a);
        expect(writePortalCatalogue('{"dashboards":[1]}', root)).to.not.equal(a);
    });

    it("keeps an earlier catalogue that a concurrent plan of the same stack may still build from, and removes it once stale", () => {
        const t0 = Date.now();
        const first = writePortalCatalogue("one", root, t0);
        // Another run, a minute later, with a different catalogue: the first one's build may still be going.
        const second = writePortalCatalogue("two", root, t0 + 60_000);
        expect(fs.existsSync(path.join(first, "catalogue.json"))).to.equal(true);
        expect(folders()).to.have.length(2);
        // Long after anyone wrote the first: it goes, the one written now stays.
        writePortalCatalogue("two", root, t0 + KEEP_EARLIER_CATALOGUES_MS + 120_000);
        expect(folders()).to.deep.equal([path.basename(second)]);
    });

    it("counts a reused folder as in use: rewriting an old catalogue keeps it", () => {
        const t0 = Date.now();
        const old = writePortalCatalogue("old", root, t0);
        writePortalCatalogue("old", root, t0 + 2 * KEEP_EARLIER_CATALOGUES_MS);
        writePortalCatalogue("new", root, t0 + 2 * KEEP_EARLIER_CATALOGUES_MS + 1000);
        expect(fs.existsSync(path.join(old, "catalogue.json"))).to.equal(true);
    });
});
