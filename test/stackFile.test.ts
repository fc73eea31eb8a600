import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadStack, SECRET_PLACEHOLDER, StackFileError } from "../plan/stackFile";

describe("stack files for the offline plan", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "stackfile-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: demo\nruntime: nodejs\nconfig:\n  size:\n    type: integer\n    default: 2\n  list:\n    default: []\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("namespaces keys, encodes structures as JSON and applies Pulumi.yaml defaults like the CLI", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-west-1\n  demo:name: x\n  demo:obj:\n    a: 1\n    b: [true]\n");
        const loaded = loadStack(dir, "dev");
        expect(loaded.config).to.deep.equal({ "aws:region": "eu-west-1", "demo:name": "x", "demo:obj": '{"a":1,"b":[true]}', "demo:size": "2", "demo:list": "[]" });
        expect(loaded.secretKeys).to.deep.equal([]);
    });

    it("replaces encrypted values (top-level or nested) with a placeholder and marks the key secret", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  demo:token:\n    secure: v1:abc\n  demo:auth:\n    oidc:\n      clientSecret:\n        secure: v1:def\n");
        const loaded = loadStack(dir, "dev");
        expect(loaded.config["demo:token"]).to.equal(SECRET_PLACEHOLDER);
        expect(JSON.parse(loaded.config["demo:auth"]).oidc.clientSecret).to.equal(SECRET_PLACEHOLDER);
        expect(loaded.secretKeys).to.have.members(["demo:token", "demo:auth"]);
        expect(JSON.stringify(loaded.config)).not.to.contain("v1:");
    });

    it("applies YAML merge keys and anchors as the Pulumi CLI (yaml.v3) does", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), [
            "config:",
            "  demo:base: &base",
            "    cpu: 256",
            "    memory: 512",
            "  demo:items:",
            "    - <<: *base",
            "      name: a",
            "    - <<: *base",
            "      name: b",
            "      memory: 1024",
            "",
        ].join("\n"));
        const items = JSON.parse(loadStack(dir, "dev").config["demo:items"]);
        // Explicit keys win over merged ones; no literal "<<" key survives.
        expect(items).to.deep.equal([{ cpu: 256, memory: 512, name: "a" }, { cpu: 256, memory: 1024, name: "b" }]);
    });

    it("refuses .nan and .inf with the key named, as the CLI refuses the file, and passes 1e400 on as text", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  demo:items:\n    - cpu: 1e400\n      list: [1, .nan]\n  demo:n: -.inf\n");
        expect(() => loadStack(dir, "dev")).to.throw(StackFileError, "demo:items[0].list[1]: .nan, demo:n: -.inf: not a finite number");
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  demo:items:\n    - cpu: 1e400\n");
        expect(JSON.parse(loadStack(dir, "dev").config["demo:items"])).to.deep.equal([{ cpu: "1e400" }]);
    });

    it("explains a missing stack file and lists the stacks that exist", () => {
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
        expect(() => loadStack(dir, "qa")).to.throw(StackFileError, "no stack file Pulumi.qa.yaml; stacks here: dev");
    });
});
