/**
 * The real CLI and the offline plan must see the same configuration: every stack file the offline
 * plan accepts, the CLI accepts, and the other way round, with the same values handed to the program.
 *
 * A probe program in a copy of the project (Pulumi.yaml's `config:` block verbatim, only `main`
 * pointed at the probe) records what the CLI passes to a Node.js program (PULUMI_CONFIG); the
 * offline view is plan/stackFile.ts's loadStack. Both are then run through the stack validator.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { validateStackConfig } from "../../../components/stackConfig";
import { loadStack, StackFileError } from "../../../plan/stackFile";
import { EngineWorkspace, REPO, tail } from "./workspace";

const PROBE = `
const fs = require("fs");
fs.writeFileSync(process.env.PROBE_OUT, JSON.stringify({
    config: JSON.parse(process.env.PULUMI_CONFIG || "{}"),
    secretKeys: JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS || "[]"),
}));
`;

/** Config values as the program parses them: JSON where it is JSON, else the string. */
function parsed(config: Record<string, string>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(config).map(([k, v]) => {
        try {
            return [k, JSON.parse(v)];
        } catch {
            return [k, v];
        }
    }));
}

const MERGE_KEYS = `# YAML anchors and merge keys, as platform teams write them to share sizes.
config:
  aws:region: eu-west-1
  dashboards:domain: merge.dashboards.example.com
  dashboards:dns:
    hostedZoneId: Z0123456789MERGEZONE
  dashboards:dashboards:
    - &small
      name: one
      app: dash
      framework: dash
      cpu: 256
      memory: 512
    - <<: *small
      name: two
    - <<: *small
      name: three
      app: flask
      framework: flask
      memory: 1024
`;

/** Only what has no default: the domain (plus where DNS lives and one dashboard, which the program needs). */
const MINIMAL = "config:\n  aws:region: us-east-1\n  dashboards:domain: min.example.com\n  dashboards:dns:\n    hostedZoneId: Z0123456789MINIMAL1\n"
    + "  dashboards:dashboards:\n    - name: hello\n      app: flask\n      framework: flask\n";

/** A number too big for a float: the CLI passes its text on, and the validator refuses it. */
const HUGE = MINIMAL.replace("framework: flask\n", "framework: flask\n      cpu: 1e400\n");
/** `.nan`: the CLI refuses the whole stack file. */
const NAN = MINIMAL.replace("framework: flask\n", "framework: flask\n      cpu: .nan\n");

const VARIANTS: { name: string; text?: string; acceptedByBoth: boolean; valid?: false; refusedFile?: true }[] = [
    { name: "dev", acceptedByBoth: true },
    { name: "prod", acceptedByBoth: true },
    { name: "merge", text: MERGE_KEYS, acceptedByBoth: true },
    { name: "minimal", text: `${MINIMAL}`, acceptedByBoth: true },
    { name: "emptypipeline", text: `${MINIMAL}  dashboards:pipeline: {}\n`, acceptedByBoth: true },
    { name: "hugenumber", text: HUGE, acceptedByBoth: true, valid: false },
    { name: "nan", text: NAN, acceptedByBoth: false, refusedFile: true },
    { name: "nodomain", text: "config:\n  aws:region: us-east-1\n  dashboards:dns:\n    hostedZoneId: Z0123456789MINIMAL1\n", acceptedByBoth: false },
];

describe("real CLI and offline plan read stack files alike", function () {
    this.timeout(120_000);
    let ws: EngineWorkspace;
    before(() => {
        ws = new EngineWorkspace("config");
        // Same project file, only `main` points at the probe (the config block is what is compared).
        const project = fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8").replace(/^main: .*$/m, "main: probe.js");
        fs.writeFileSync(path.join(ws.projectDir, "Pulumi.yaml"), project);
        fs.writeFileSync(path.join(ws.projectDir, "probe.js"), PROBE);
    });
    after(() => ws?.dispose());

    for (const variant of VARIANTS) {
        it(`${variant.name}: ${variant.refusedFile ? "both refuse the file" : variant.acceptedByBoth ? `both read the same values${variant.valid === false ? " and refuse them alike" : ""}` : "both reject it, naming the key"}`, () => {
            ws.addStack(variant.name, variant.text);
            const out = path.join(ws.dir, `${variant.name}.json`);
            const init = ws.pulumi(["stack", "init", variant.name, "--secrets-provider", "passphrase"]);
            if (variant.refusedFile) {
                // The CLI refuses such a file as soon as it reads it (stack init already writes to it).
                const preview = init.code === 0 ? ws.pulumi(["preview", "--stack", variant.name]) : init;
                expect(preview.code, tail(preview)).to.not.equal(0);
                expect(preview.output).to.contain("json: unsupported value: NaN");
                expect(() => loadStack(ws.projectDir, variant.name)).to.throw(StackFileError, "dashboards:dashboards[0].cpu: .nan: not a finite number");
                return;
            }
            expect(init.code, tail(init)).to.equal(0);
            const preview = ws.pulumi(["preview", "--stack", variant.name], { env: { PROBE_OUT: out } });
            const offline = loadStack(ws.projectDir, variant.name);
            const offlineResult = validateStackConfig(offline.config, offline.project);
            if (!variant.acceptedByBoth) {
                expect(preview.code, tail(preview)).to.not.equal(0);
                expect(preview.output).to.contain(`Stack '${variant.name}' is missing configuration value 'domain'`);
                expect(offlineResult.ok).to.equal(false);
                expect(offlineResult.ok ? [] : offlineResult.problems.map((p) => p.key)).to.include("dashboards:domain");
                return;
            }
            expect(preview.code, tail(preview)).to.equal(0);
            const cli = JSON.parse(fs.readFileSync(out, "utf8")) as { config: Record<string, string>; secretKeys: string[] };
            expect(parsed(cli.config)).to.deep.equal(parsed(offline.config));
            expect(cli.secretKeys.sort()).to.deep.equal(offline.secretKeys.sort());
            const cliResult = validateStackConfig(cli.config, "dashboards");
            expect(cliResult.ok, JSON.stringify(cliResult)).to.equal(variant.valid ?? true);
            expect(cliResult).to.deep.equal(offlineResult);
        });
    }
});
