/**
 * The dashboards program: one stack = one DashboardPlatform (load balancer, ECS cluster, login,
 * one Fargate service per dashboard, the portal) built from the stack file `Pulumi.<stack>.yaml`.
 * Run it with `pulumi up` (real AWS) or `npm run plan -- <stack>` (offline, mocked).
 *
 * The stack file is validated in full before any resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfigError } from "./components/configError";
import { DashboardPlatform } from "./components/dashboardPlatform";
import { validateStackConfig } from "./components/stackConfig";

// apps/ of the project the program runs in (Pulumi runs it there): the folders DashboardPlatform builds.
const result = validateStackConfig(pulumi.runtime.allConfig(), pulumi.getProject(), { appsDir: "apps" });
if (!result.ok) {
    throw new StackConfigError(pulumi.getStack(), result.problems);
}
const platform = new DashboardPlatform("dashboards", { ...result.args, region: result.config.region, appsDir: "apps" });

// Stack outputs (see DashboardPlatform for what each one is).
export const portalUrl = platform.portalUrl;
export const dashboardUrls = platform.dashboardUrls;
export const dashboardImages = platform.dashboardImages;
export const dashboardAccessGroups = platform.dashboardAccessGroups;
export const loginUrl = platform.loginUrl;
export const userPoolId = platform.userPoolId;
export const albDnsName = platform.albDnsName;
export const albArn = platform.albArn;
export const domain = platform.domain;
export const vpcId = platform.vpcId;
export const clusterName = platform.clusterName;
export const pipelineName = platform.pipelineName;
export const pipelineConnectionArn = platform.pipelineConnectionArn;
export const pipelineConnectionStatus = platform.pipelineConnectionStatus;
