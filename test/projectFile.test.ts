import { expect } from "chai";
import { readProject } from "../plan/stackFile";
import { PROJECT_DIR } from "../plan/runPlan";
import { STACK_CONFIG_KEYS } from "../components/stackConfig";

describe("Pulumi.yaml", () => {
    it("declares every stack-file key the program accepts, with a description, so `pulumi config` users see them", () => {
        const project = readProject(PROJECT_DIR);
        expect(project.name).to.equal("dashboards");
        expect(Object.keys(project.config).sort()).to.deep.equal([...STACK_CONFIG_KEYS].sort());
        for (const [key, decl] of Object.entries(project.config)) {
            expect((decl as { description?: string }).description, key).to.be.a("string").and.not.be.empty;
        }
    });
});
