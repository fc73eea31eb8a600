/**
 * The component package for other languages: `pulumi package add` asks the package's component
 * provider for its schema, which Pulumi's analyzer derives from the TypeScript types. This runs
 * the same provider code on the package and checks the schema other languages' SDKs are made from.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as library from "../../components";
import { PROJECT_DIR } from "../../plan/runPlan";

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

    it("leaves internal state out of the published outputs", () => {
        for (const [token, resource] of Object.entries<any>(schema.resources)) {
            for (const key of Object.keys(resource.properties ?? {})) expect(key, token).not.to.match(/^_|State$/);
        }
        expect(schema.resources["dashboards:index:CognitoAuth"].properties).not.to.have.any.keys("clients", "action", "sessionTimeoutSeconds");
    });
});
