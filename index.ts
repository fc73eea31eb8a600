/**
 * The dashboards program: one stack = one DashboardPlatform (load balancers, ECS cluster, login,
 * one Fargate service per dashboard, the portal) built from the stack file `Pulumi.<stack>.yaml`.
 * Run it with `pulumi up` (real AWS) or `npm run plan -- <stack>` (offline, mocked).
 *
 * The stack file is validated in full before any resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfigError } from "./components/configError";
import { DashboardPlatform } from "./components/dashboardPlatform";
import { readRouting, Routing } from "./components/loadBalancers";
import { validateStackConfig } from "./components/stackConfig";

/**
 * Where the last deployment of this stack routed each dashboard: its own `routing` output, read
 * through a reference to the stack itself (the engine answers with the outputs of the last
 * completed update; none on a first deployment). Dashboards stay where they are because of it.
 */
async function lastRouting(): Promise<Record<string, Routing>> {
    const self = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`);
    const output = await self.getOutputDetails("routing");
    return readRouting(output.value ?? output.secretValue);
}

// `export =`, not `export default`: the Pulumi Node runtime calls a CommonJS program's module.exports when it is a function.
export = async () => {
    // apps/ of the project the program runs in (Pulumi runs it there): the folders DashboardPlatform builds.
    const validate = (routing: Record<string, Routing>) => validateStackConfig(pulumi.runtime.allConfig(), pulumi.getProject(), { appsDir: "apps", routing });
    // The stack file alone first: with a mistake in it, the program reads nothing and declares nothing.
    const first = validate({});
    if (!first.ok) throw new StackConfigError(pulumi.getStack(), first.problems);
    // Then the load balancers' limits as the last deployment's routing fills them.
    const routing = await lastRouting();
    const result = validate(routing);
    if (!result.ok) throw new StackConfigError(pulumi.getStack(), result.problems);
    const platform = await DashboardPlatform.create("dashboards", { ...result.args, region: result.config.region, appsDir: "apps", routing });

    // Stack outputs (see DashboardPlatform for what each one is); those a stack does not have are left out.
    const outputs: Record<string, unknown> = {
        portalUrl: platform.portalUrl,
        dashboardUrls: platform.dashboardUrls,
        dashboardImages: platform.dashboardImages,
        dashboardAccessGroups: platform.dashboardAccessGroups,
        loginUrl: platform.loginUrl,
        userPoolId: platform.userPoolId,
        albDnsName: platform.albDnsName,
        albArn: platform.albArn,
        loadBalancerDnsNames: platform.loadBalancerDnsNames,
        routing: platform.routing,
        operationsDashboardUrls: platform.operationsDashboardUrls,
        usageQueryNames: platform.usageQueryNames,
        domain: platform.domain,
        vpcId: platform.vpcId,
        clusterName: platform.clusterName,
        pipelineName: platform.pipelineName,
        pipelineConnectionArn: platform.pipelineConnectionArn,
        pipelineConnectionStatus: platform.pipelineConnectionStatus,
    };
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
};
