/**
 * The dashboards program: one stack = one ALB, one ECS cluster, and the dashboards of its stack
 * file. Run it with `pulumi up` (real AWS) or `npm run plan -- <stack>` (offline, mocked).
 *
 * The stack file is validated in full before any resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfigError } from "./components/configError";
import { DashboardCluster } from "./components/dashboardCluster";
import { validateStackConfig } from "./components/stackConfig";

const result = validateStackConfig(pulumi.runtime.allConfig(), pulumi.getProject());
if (!result.ok) {
    throw new StackConfigError(pulumi.getStack(), result.problems);
}
const config = result.config;

const cluster = new DashboardCluster("dashboards", {
    domain: config.domain,
    hostedZoneId: config.dns.hostedZoneId,
    certificateArn: config.dns.certificateArn,
    vpc: config.network.kind === "new"
        ? { natStrategy: config.network.nat, cidrBlock: config.network.cidrBlock, availabilityZones: config.network.availabilityZones }
        : undefined,
    existingVpc: config.network.kind === "existing"
        ? { vpcId: config.network.vpcId, publicSubnetIds: config.network.publicSubnetIds, privateSubnetIds: config.network.privateSubnetIds }
        : undefined,
    idleTimeoutSeconds: config.loadBalancer.idleTimeoutSeconds,
    deletionProtection: config.loadBalancer.deletionProtection,
    accessLogs: config.loadBalancer.accessLogs,
});

/** DNS name of the load balancer (point `*.<domain>` here when DNS is managed outside Route 53). */
export const albDnsName = cluster.albDnsName;
/** ARN of the load balancer: apps verify `x-amzn-oidc-data`'s signer against it. */
export const albArn = cluster.albArn;
export const domain = config.domain;
export const vpcId = cluster.vpcId;
export const clusterName = cluster.cluster.name;
