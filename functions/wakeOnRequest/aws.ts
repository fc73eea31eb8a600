/**
 * The AWS calls the controller makes, one method per question or change, each bounded in time.
 * The SDK clients come in from outside (tests point them at a local moto server); by default
 * they are created for the region of the configured ARNs. permissions.ts lists the IAM actions.
 */
import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { DescribeRulesCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, type Rule, SetRulePrioritiesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { WakeConfig } from "./config";

/** The four SDK clients. */
export interface AwsClients {
    ecs: ECSClient;
    elb: ElasticLoadBalancingV2Client;
    autoscaling: ApplicationAutoScalingClient;
    cloudwatch: CloudWatchClient;
}

/** Deadline for one call, retries included: the ALB waits for the function, the user for the page. */
export const CALL_DEADLINE_MS = 4000;
/** ListTasks pages read at most (100 tasks a page). */
const MAX_TASK_PAGES = 10;

/** Clients for Lambda: short timeouts, the SDK's standard retries. */
export function createClients(region: string): AwsClients {
    const options = { region, maxAttempts: 3, requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } };
    return {
        ecs: new ECSClient(options),
        elb: new ElasticLoadBalancingV2Client(options),
        autoscaling: new ApplicationAutoScalingClient(options),
        cloudwatch: new CloudWatchClient(options),
    };
}

/** The ECS service's task counts. */
export interface ServiceCounts {
    desired: number;
    running: number;
    pending: number;
}

/** Start times of the service's tasks. */
export interface TaskStarts {
    listed: number;
    /** Newest `startedAt`, ms since the epoch. */
    newestStartMs?: number;
    /** Tasks without `startedAt` yet (provisioning or pending). */
    unstarted: number;
}

/** The controller's view of AWS for one dashboard. */
export class DashboardAws {
    /**
     * @param config The settings.
     * @param clients The SDK clients.
     * @param invocationEnd When the current invocation must have its answer (ms since the epoch,
     *   wall clock): no call runs past it, so a slow AWS answer becomes a "could not start" page
     *   instead of a Lambda timeout (which the ALB turns into a 502).
     */
    constructor(private readonly config: WakeConfig, private readonly clients: AwsClients, private readonly invocationEnd: () => number = () => Infinity) {}

    private deadline(): { abortSignal: AbortSignal } {
        return { abortSignal: AbortSignal.timeout(Math.max(1, Math.min(CALL_DEADLINE_MS, this.invocationEnd() - Date.now()))) };
    }

    /** DescribeServices: desired, running and pending counts; throws when the service is missing or not ACTIVE. */
    async describeService(): Promise<ServiceCounts> {
        const { clusterArn, serviceName } = this.config;
        const out = await this.clients.ecs.send(new DescribeServicesCommand({ cluster: clusterArn, services: [serviceName] }), this.deadline());
        const service = out.services?.find((s) => s.serviceName === serviceName);
        if (!service) {
            const failure = out.failures?.[0];
            throw new Error(`ECS service ${serviceName} not found in ${clusterArn}${failure ? ` (${failure.reason})` : ""}`);
        }
        // A deleted service stays visible as DRAINING, then INACTIVE: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Service.html
        if (service.status !== "ACTIVE") throw new Error(`ECS service ${serviceName} is ${service.status}, not ACTIVE`);
        return { desired: service.desiredCount ?? 0, running: service.runningCount ?? 0, pending: service.pendingCount ?? 0 };
    }

    /** DescribeTargetHealth on the app target group: how many targets are `healthy`. */
    async healthyTargets(): Promise<number> {
        const out = await this.clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: this.config.appTargetGroupArn }), this.deadline());
        return (out.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State === "healthy").length;
    }

    /** One DescribeRules for both rules, the app rule's and the wake rule's. */
    async describeRules(): Promise<Rule[]> {
        const out = await this.clients.elb.send(new DescribeRulesCommand({ RuleArns: [this.config.appRuleArn, this.config.wakeRuleArn] }), this.deadline());
        return out.Rules ?? [];
    }

    /**
     * SetRulePriorities for the wake rule alone: moves it to `priority` (one of its two slots).
     * Only the priority changes; the rule's conditions and actions, and the app rule, stay as they are.
     */
    // A rule's priority is changed with SetRulePriorities; the lowest number is evaluated first: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetRulePriorities.html
    async setWakeRulePriority(priority: number): Promise<void> {
        await this.clients.elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: this.config.wakeRuleArn, Priority: priority }] }), this.deadline());
    }

    /** RegisterScalableTarget (updates min and max of the existing target), then UpdateService desiredCount. */
    async scale(min: number, max: number, desired: number): Promise<void> {
        // Registering an already registered target updates its min and max: https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
        await this.clients.autoscaling.send(
            new RegisterScalableTargetCommand({
                ServiceNamespace: "ecs",
                ResourceId: this.config.scalableResourceId,
                ScalableDimension: "ecs:service:DesiredCount",
                MinCapacity: min,
                MaxCapacity: max,
            }),
            this.deadline(),
        );
        const { clusterArn, serviceName } = this.config;
        await this.clients.ecs.send(new UpdateServiceCommand({ cluster: clusterArn, service: serviceName, desiredCount: desired }), this.deadline());
    }

    /** ListTasks (the service's tasks that should be running) and DescribeTasks: the newest start. */
    async taskStarts(): Promise<TaskStarts> {
        const { clusterArn, serviceName } = this.config;
        const arns: string[] = [];
        let nextToken: string | undefined;
        for (let page = 0; page < MAX_TASK_PAGES; page++) {
            const out = await this.clients.ecs.send(new ListTasksCommand({ cluster: clusterArn, serviceName, desiredStatus: "RUNNING", nextToken }), this.deadline());
            arns.push(...(out.taskArns ?? []));
            nextToken = out.nextToken;
            if (!nextToken) break;
        }
        const starts: TaskStarts = { listed: arns.length, unstarted: 0 };
        // DescribeTasks takes up to 100 tasks: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTasks.html
        for (let i = 0; i < arns.length; i += 100) {
            const out = await this.clients.ecs.send(new DescribeTasksCommand({ cluster: clusterArn, tasks: arns.slice(i, i + 100) }), this.deadline());
            for (const task of out.tasks ?? []) {
                const started = task.startedAt?.getTime();
                if (started === undefined || Number.isNaN(started)) starts.unstarted++;
                else starts.newestStartMs = Math.max(starts.newestStartMs ?? started, started);
            }
        }
        return starts;
    }

    /**
     * GetMetricData: ALB RequestCount (Sum, 60 s periods) of both target groups from `startMs` to
     * `endMs`. Periods without data count as no requests.
     */
    // The ALB publishes RequestCount only for periods with requests, per LoadBalancer and TargetGroup: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
    async requestCount(startMs: number, endMs: number): Promise<{ app: number; waker: number }> {
        const c = this.config;
        const query = (id: "app" | "waker", targetGroup: string): MetricDataQuery => ({
            Id: id,
            MetricStat: {
                Metric: {
                    Namespace: "AWS/ApplicationELB",
                    MetricName: "RequestCount",
                    Dimensions: [
                        { Name: "LoadBalancer", Value: c.loadBalancerDimension },
                        { Name: "TargetGroup", Value: targetGroup },
                    ],
                },
                Period: 60,
                Stat: "Sum",
            },
            ReturnData: true,
        });
        const sums = { app: 0, waker: 0 };
        let nextToken: string | undefined;
        for (let page = 0; page < 10; page++) {
            const out = await this.clients.cloudwatch.send(
                new GetMetricDataCommand({
                    StartTime: new Date(startMs),
                    EndTime: new Date(endMs),
                    MetricDataQueries: [query("app", c.appTargetGroupDimension), query("waker", c.wakerTargetGroupDimension)],
                    NextToken: nextToken,
                }),
                this.deadline(),
            );
            for (const result of out.MetricDataResults ?? []) {
                // StatusCode Complete or PartialData (more pages) carries data; others mean it could not be read: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataResult.html
                if (result.StatusCode !== "Complete" && result.StatusCode !== "PartialData") throw new Error(`GetMetricData ${result.Id}: ${result.StatusCode}`);
                if (result.Id === "app" || result.Id === "waker") sums[result.Id] += (result.Values ?? []).reduce((a, b) => a + b, 0);
            }
            nextToken = out.NextToken;
            if (!nextToken) return sums;
        }
        throw new Error("GetMetricData returned more pages than expected");
    }
}
