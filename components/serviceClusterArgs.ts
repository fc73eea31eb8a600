/**
 * The contract between DashboardCluster (which produces it as `forServices`) and DashboardService
 * (which consumes it), in a module of its own so neither component imports the other.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What the service needs from the shared DashboardCluster (`cluster.forServices`). */
export interface ServiceClusterArgs {
    clusterArn: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    /** Subnets for the tasks. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Give tasks a public IP (only when their subnets have no NAT). */
    assignPublicIp: boolean;
    httpsListenerArn: pulumi.Input<string>;
    albSecurityGroupId: pulumi.Input<string>;
    albArn: pulumi.Input<string>;
    /** `app/<name>/<id>`, for request-count scaling. */
    albArnSuffix: pulumi.Input<string>;
    albDnsName: pulumi.Input<string>;
    albZoneId: pulumi.Input<string>;
    /**
     * The load balancer's idle timeout, passed to the tasks as `ALB_IDLE_TIMEOUT_SECONDS` so app servers
     * keep connections open longer than the ALB does.
     * @default not passed (the templates then assume the ALB maximum, 4000 s)
     */
    albIdleTimeoutSeconds?: pulumi.Input<number>;
    /** Route 53 zone of `domain`; when set, each host under `domain` gets an alias record. */
    hostedZoneId?: pulumi.Input<string>;
    /** Parent domain: the service is served at `<name>.<domain>`. */
    domain: string;
    /** SNS topic for alarms; none are created without it. */
    alarmTopicArn?: pulumi.Input<string>;
    /**
     * The cluster's capacity-provider association (FARGATE, FARGATE_SPOT). The service depends on it:
     * it is created first and, on destroy, removed only after the service (ECS refuses to remove a
     * capacity provider a service still uses).
     * @default none (no dependency)
     */
    capacityProviders?: pulumi.Input<aws.ecs.ClusterCapacityProviders>;
}
