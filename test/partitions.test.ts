/**
 * components/partitions.ts, checked against the AWS SDK's own data (botocore's partitions.json and
 * endpoints.json, installed with moto in apps/.venv-tools), not against a table of ours: which
 * partition each region is in, and where Cognito user pools are offered. And the addresses built
 * on it: a stack in China or GovCloud must not link its operators to the commercial console, and
 * GovCloud's hosted login is on FIPS hosts.
 */
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { cognitoPrefixDomainParent, consoleOrigin, Partition, PARTITIONS, partitionOfRegion, regionSupportProblem } from "../components/partitions";
import { prefixDomain } from "../components/cognitoNames";
import { operationsDashboardUrl } from "../components/operationsDashboard";
import { needs, PREREQUISITES } from "./prerequisites";

const TOOLS_VENV = path.resolve(__dirname, "..", "apps", ".venv-tools");

/** botocore's data folder in the tools venv (lib/python3.X/site-packages/botocore/data). */
function botocoreData(): string {
    const lib = path.join(TOOLS_VENV, "lib");
    const python = fs.readdirSync(lib).find((d) => fs.existsSync(path.join(lib, d, "site-packages", "botocore", "data", "partitions.json")));
    if (!python) throw new Error(`botocore is not installed in ${TOOLS_VENV} (it comes with moto: bash scripts/setup-app-tests.sh)`);
    return path.join(lib, python, "site-packages", "botocore", "data");
}

interface SdkPartition { id: string; regionRegex: string; regions: Record<string, unknown> }
interface SdkEndpoints { partitions: { partition: string; regions: Record<string, unknown>; services: Record<string, { endpoints?: Record<string, unknown> }> }[] }

describe("partitions, against the AWS SDK's partition and endpoint data", () => {
    needs(PREREQUISITES.moto);
    let sdkPartitions: SdkPartition[];
    let sdkEndpoints: SdkEndpoints;
    before(() => {
        const data = botocoreData();
        sdkPartitions = (JSON.parse(fs.readFileSync(path.join(data, "partitions.json"), "utf8")) as { partitions: SdkPartition[] }).partitions;
        sdkEndpoints = JSON.parse(fs.readFileSync(path.join(data, "endpoints.json"), "utf8")) as SdkEndpoints;
    });
    /** The SDK's real regions, without its pseudo-regions (aws-global, aws-cn-global, ...). */
    const regionsOf = (p: { regions: Record<string, unknown> }) => Object.keys(p.regions).filter((r) => !r.endsWith("-global"));

    it("knows exactly the SDK's partitions, and puts each of their regions in its own", () => {
        expect(sdkPartitions.map((p) => p.id).sort()).to.deep.equal(Object.keys(PARTITIONS).sort());
        const regions = sdkPartitions.flatMap((p) => regionsOf(p).map((r) => [r, p.id]));
        expect(regions.length).to.be.greaterThan(40);
        expect(regions.filter(([r, id]) => partitionOfRegion(r) !== id)).to.deep.equal([]);
        // No region name matches two partitions' patterns, so the table's order cannot matter.
        expect(regions.filter(([r]) => Object.values(PARTITIONS).filter((f) => f.regions.test(r)).length !== 1)).to.deep.equal([]);
    });

    it("matches the SDK's region patterns on names no region has yet", () => {
        const probes = ["us-east-9", "eu-south-7", "mx-north-1", "cn-south-2", "us-gov-north-1", "us-iso-south-4", "us-isob-north-2", "eu-isoe-east-1", "us-isof-west-3", "eusc-de-west-2", "eusc-fr-east-1", "xx-future-3"];
        for (const probe of probes) {
            const sdk = sdkPartitions.find((p) => new RegExp(p.regionRegex).test(probe))?.id ?? "aws";
            expect(partitionOfRegion(probe), probe).to.equal(sdk);
        }
    });

    it("says Cognito user pools are offered in a partition exactly when the SDK has a cognito-idp endpoint in each of its regions", () => {
        for (const p of sdkEndpoints.partitions) {
            const cognito = Object.keys(p.services["cognito-idp"]?.endpoints ?? {});
            const offered = regionsOf(p).map((r) => cognito.includes(r));
            expect(new Set(offered).size, `${p.partition}: Cognito in some regions only`).to.equal(1);
            expect(PARTITIONS[p.partition as Partition].cognitoUserPools, p.partition).to.equal(offered[0]);
        }
    });

    it("lets the platform run, with its Cognito sign-in, in every region of the aws and aws-us-gov partitions and nowhere else", () => {
        const runs = sdkPartitions.flatMap((p) => regionsOf(p)).filter((r) => regionSupportProblem(r, true) === undefined);
        const expected = sdkPartitions.filter((p) => p.id === "aws" || p.id === "aws-us-gov").flatMap((p) => regionsOf(p));
        expect(runs.sort()).to.deep.equal(expected.sort());
        const withOidc = sdkPartitions.flatMap((p) => regionsOf(p)).filter((r) => regionSupportProblem(r, false) === undefined);
        expect(withOidc.sort()).to.deep.equal([...expected, ...regionsOf(sdkPartitions.find((p) => p.id === "aws-cn")!)].sort());
    });
});

describe("partitions: region names no partition knows", () => {
    it("refuses a name with the form of a GovCloud, ISO or sovereign-cloud region that no pattern knows, instead of taking it for commercial", () => {
        for (const region of ["eusc-fr-east-1", "us-isoz-east-1", "eu-iso-west-1", "eu-gov-west-1", "ap-gov-north-2"]) {
            expect(partitionOfRegion(region), region).to.equal("aws");
            expect(regionSupportProblem(region, false), region).to.match(/has the form of a GovCloud, isolated \(ISO\) or European Sovereign Cloud region but is none this platform knows/);
        }
    });

    it("still takes a commercial-looking name newer than the table for commercial, as the SDKs do", () => {
        for (const region of ["xx-future-3", "us-east-9", "eu-government-1", "ap-isolated-2", "me-west-1"]) {
            expect(regionSupportProblem(region, true), region).to.equal(undefined);
        }
    });
});

describe("partitions: the addresses built on them", () => {
    it("links each partition's operations dashboard to its own console", () => {
        expect(operationsDashboardUrl("eu-west-1", "dashboards-prod-operations-lb0")).to.equal("https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=dashboards-prod-operations-lb0");
        expect(operationsDashboardUrl("cn-north-1", "d-ops")).to.equal("https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards:name=d-ops");
        expect(operationsDashboardUrl("us-gov-west-1", "d-ops")).to.equal("https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#dashboards:name=d-ops");
        expect(consoleOrigin("us-gov-east-1")).to.equal("https://console.amazonaws-us-gov.com");
        // Prefixes, not substrings: a commercial region is never taken for another partition.
        expect(consoleOrigin("us-east-1")).to.equal("https://console.aws.amazon.com");
    });

    it("names no console for a partition the platform does not support, rather than a wrong one", () => {
        expect(() => consoleOrigin("us-isob-east-1")).to.throw("no console address is known for us-isob-east-1 (aws-iso-b), a partition the platform does not support");
    });

    it("puts GovCloud's hosted login on Cognito's FIPS hosts (auth-fips), every other region's on auth", () => {
        expect(prefixDomain("login-x1", "us-gov-west-1")).to.equal("login-x1.auth-fips.us-gov-west-1.amazoncognito.com");
        expect(prefixDomain("login-x1", "us-gov-east-1")).to.equal("login-x1.auth-fips.us-gov-east-1.amazoncognito.com");
        expect(prefixDomain("login-x1", "eu-west-1")).to.equal("login-x1.auth.eu-west-1.amazoncognito.com");
        expect(cognitoPrefixDomainParent("us-east-1")).to.equal("auth.us-east-1.amazoncognito.com");
    });
});
