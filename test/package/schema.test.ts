/**
 * The component package for other languages: `pulumi package add` asks the package's component
 * provider for its schema, which Pulumi's analyzer derives from the TypeScript types. This runs
 * the same provider code on the package and checks the schema other languages' SDKs are made from.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { z } from "zod";
import * as library from "../../components";
import { stackConfigSchema } from "../../components/stackConfig";
import { PROJECT_DIR } from "../../plan/runPlan";

/** Every key path a zod schema takes: `a.b`, `list[].c`, `map{}`; union options merged (a value or an object). */
function zodKeyPaths(schema: z.ZodType, at: string): string[] {
    let s = schema;
    while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    if (s instanceof z.ZodObject) return Object.entries(s.shape).flatMap(([k, v]) => [`${at}${k}`, ...zodKeyPaths(v as z.ZodType, `${at}${k}.`)]);
    if (s instanceof z.ZodArray) return zodKeyPaths(s.element as z.ZodType, `${at.slice(0, -1)}[].`);
    if (s instanceof z.ZodUnion) return [...new Set(s.options.flatMap((o) => zodKeyPaths(o as z.ZodType, at)))];
    if (s instanceof z.ZodRecord) return [`${at.slice(0, -1)}{}`];
    return [];
}

/** The same for a component's inputs in the package schema, following `$ref`s into its types. */
function schemaKeyPaths(schema: any, properties: Record<string, any>, at: string): string[] {
    const walk = (p: any, here: string): string[] => {
        if (p.$ref) {
            const type = schema.types[p.$ref.replace("#/types/", "")];
            return type.properties ? schemaKeyPaths(schema, type.properties, `${here}.`) : [];
        }
        if (p.type === "array") return walk(p.items, `${here}[]`);
        if (p.type === "object" && p.additionalProperties) return [`${here}{}`];
        return [];
    };
    return Object.entries(properties).flatMap(([k, p]) => [`${at}${k}`, ...walk(p, `${at}${k}`).map((x) => x.replace(/\[\]\.$|\.$/, ""))]);
}

describe("the component package schema (pulumi package add)", function () {
    this.timeout(120_000);
    let schema: any;

    before(async () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
        // Same derivation as Pulumi's plugin host: the package name's last segment.
        const name = manifest.name.split("/").pop();
        const provider = new ComponentProvider({ components: getPulumiComponents(library), dirname: PROJECT_DIR, name });
        schema = JSON.parse(await provider.getSchema());
    });

    it("is a source-based nodejs component package", () => {
        expect(fs.readFileSync(path.join(PROJECT_DIR, "PulumiPlugin.yaml"), "utf8")).to.match(/^runtime: nodejs$/m);
        expect(schema.name).to.equal("dashboards");
    });

    it("has the three components, whose type tokens match the classes' own", () => {
        expect(Object.keys(schema.resources)).to.include.members(["dashboards:index:DashboardCluster", "dashboards:index:CognitoAuth", "dashboards:index:DashboardService"]);
        for (const token of Object.keys(schema.resources)) expect(schema.resources[token].isComponent, token).to.equal(true);
    });

    it("documents DashboardCluster's inputs from the JSDoc and marks what is required", () => {
        const cluster = schema.resources["dashboards:index:DashboardCluster"];
        expect(cluster.inputProperties.domain.description).to.contain("Parent domain of every dashboard");
        expect(cluster.requiredInputs).to.include("domain");
        expect(cluster.inputProperties.idleTimeoutSeconds.description).to.contain("websockets");
        expect(cluster.inputProperties.vpc.$ref).to.equal("#/types/dashboards:index:NewVpcArgs");
        expect(schema.types["dashboards:index:NewVpcArgs"].properties.natStrategy.type).to.equal("string");
        expect(cluster.properties).to.include.keys("albDnsName", "albArn", "vpcId", "loadBalancer", "httpsListener");
    });

    it("exposes what other programs need from CognitoAuth and DashboardService", () => {
        const auth = schema.resources["dashboards:index:CognitoAuth"];
        expect(auth.requiredInputs).to.include("dashboards");
        expect(auth.properties).to.include.keys("userPoolId", "issuer", "loginUrl", "hostedUiDomain", "logins");
        // Other languages cannot call loginFor(): the logins map is what they pass to DashboardService.
        expect(auth.properties.logins.additionalProperties.$ref).to.equal("#/types/dashboards:index:DashboardLoginValues");
        const service = schema.resources["dashboards:index:DashboardService"];
        expect(service.requiredInputs).to.include.members(["cluster", "login", "framework", "rulePriority"]);
        // Exactly one of build (a Dockerfile) and image (a prebuilt reference): both optional in the schema.
        expect(service.inputProperties).to.include.keys("build", "image", "imageDigest");
        expect(service.requiredInputs).not.to.include.members(["build"]);
        expect(service.inputProperties.framework.description).to.contain("shiny");
        expect(service.properties).to.include.keys("url", "hosts", "service", "targetGroup");
    });

    it("lets other languages wire DashboardService from the cluster's and CognitoAuth's outputs (as the README's Python example does)", () => {
        const wiring = schema.types["dashboards:index:ServiceClusterArgs"].properties;
        const cluster = schema.resources["dashboards:index:DashboardCluster"].properties;
        // Fields the example fills from outputs must accept outputs (not plain); the two plain ones are literals.
        for (const field of ["clusterArn", "clusterName", "vpcId", "subnetIds", "httpsListenerArn", "albSecurityGroupId", "albArn", "albArnSuffix", "albDnsName", "albZoneId", "hostedZoneId", "capacityProviders"]) {
            expect(wiring[field], field).to.exist;
            expect(wiring[field].plain ?? false, field).to.equal(false);
        }
        expect(wiring.assignPublicIp.plain).to.equal(true);
        expect(wiring.domain.plain).to.equal(true);
        expect(cluster).to.include.keys("cluster", "capacityProviders", "vpcId", "taskSubnetIds", "httpsListener", "albSecurityGroup", "loadBalancer", "albArn", "albDnsName", "albZoneId");
        const login = schema.types["dashboards:index:ServiceLoginArgs"].properties;
        expect(login.authenticateAction.plain ?? false).to.equal(false);
        expect(login.logoutUrl.plain ?? false).to.equal(false);
    });

    it("has DashboardPlatform, whose inputs are exactly the stack file's keys, at every level, plus region, appsDir and routing", () => {
        const platform = schema.resources["dashboards:index:DashboardPlatform"];
        expect(platform.isComponent).to.equal(true);
        expect(platform.requiredInputs).to.have.members(["domain", "dns", "dashboards"]);
        const stackFileKeys = zodKeyPaths(stackConfigSchema, "").sort();
        // routing is the stack's own output read back (so that no dashboard moves), not a stack-file key.
        expect(schemaKeyPaths(schema, platform.inputProperties, "").filter((k) => k.startsWith("routing"))).to.deep.equal(["routing", "routing{}"]);
        const platformKeys = schemaKeyPaths(schema, platform.inputProperties, "").filter((k) => k !== "region" && k !== "appsDir" && !k.startsWith("routing")).sort();
        expect(platformKeys).to.deep.equal(stackFileKeys);
        expect(stackFileKeys).to.include.members(["dashboards[].extraHosts[].certificateArn", "auth.identityProviders[].metadataUrl", "dashboards[].environment{}", "pipeline.deployPolicyArns"]);
        // Structure is decided from them while the program runs: other languages must pass plain values.
        for (const [key, p] of Object.entries<any>(platform.inputProperties)) expect(p.plain, key).to.equal(true);
        expect(platform.properties).to.include.keys("dashboardUrls", "dashboardImages", "albDnsName", "albArn", "loginUrl", "portalUrl", "vpcId", "clusterName");
    });

    it("documents every DashboardPlatform argument", () => {
        const undocumented: string[] = [];
        const visit = (token: string, properties: Record<string, any>) => {
            for (const [k, p] of Object.entries<any>(properties)) if (!p.description) undocumented.push(`${token}.${k}`);
        };
        visit("DashboardPlatform", schema.resources["dashboards:index:DashboardPlatform"].inputProperties);
        for (const [token, type] of Object.entries<any>(schema.types)) if (/:Platform\w+Args$/.test(token)) visit(token, type.properties);
        expect(undocumented).to.deep.equal([]);
    });

    it("leaves internal state out of the published outputs", () => {
        for (const [token, resource] of Object.entries<any>(schema.resources)) {
            for (const key of Object.keys(resource.properties ?? {})) expect(key, token).not.to.match(/^_|State$/);
        }
        expect(schema.resources["dashboards:index:CognitoAuth"].properties).not.to.have.any.keys("clients", "action", "sessionTimeoutSeconds");
    });
});
