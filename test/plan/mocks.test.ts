import { expect } from "chai";
import { DashboardCluster } from "../../components/dashboardCluster";
import { createMocks, ELB_LOG_ACCOUNTS } from "../../plan/mocks";
import { Plan, runUnderMocks } from "../../plan/runPlan";
import { devStackWith, ofType, one, sharedPlan } from "../helpers";

const LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com";
const SERVICE_ACCOUNT = "aws:elb/getServiceAccount:getServiceAccount";
const SCALABLE_TARGET = "aws:appautoscaling/target:Target";
// arn:aws:application-autoscaling:<region>:<account>:scalable-target/<id> (API_ListTagsForResource, ResourceARN).
const SCALABLE_TARGET_ARN = /^arn:aws:application-autoscaling:eu-west-1:123456789012:scalable-target\/sca[0-9a-f]{32}$/;

/** The principal of the access-log bucket's statement that lets the load balancer write its logs. */
function logDeliveryPrincipal(plan: Plan): unknown {
    const policy = JSON.parse(one(plan, "aws:s3/bucketPolicy:BucketPolicy", (r) => r.name.endsWith("-alb-logs-policy")).inputs.policy);
    return policy.Statement.find((s: { Sid?: string }) => s.Sid === "AlbLogDelivery")?.Principal;
}

/** A cluster alone, logging to its bucket, in `region`. */
function planLoggedCluster(region: string): Promise<Plan> {
    return runUnderMocks(devStackWith({ "aws:region": region }), () => {
        new DashboardCluster("dashboards", { domain: "dashboards.example.com", hostedZoneId: "Z0123456789TESTZONE1", accessLogs: { enabled: true } });
        return {};
    });
}

describe("plan mocks: aws.elb.getServiceAccount", () => {
    const call = (inputs: Record<string, unknown>, region = "eu-west-1") =>
        Promise.resolve().then(() => createMocks({ region }).call({ token: SERVICE_ACCOUNT, inputs }));

    it("lets prod's access logs (eu-west-1) be written by Elastic Load Balancing's account there, besides the log-delivery service", async () => {
        const prod = await sharedPlan("prod");
        expect(logDeliveryPrincipal(prod)).to.deep.equal({ Service: LOG_DELIVERY, AWS: "arn:aws:iam::156460612806:root" });
    });

    it("answers as the provider does: the account as id, its root as arn, the region asked (the plan's when none is)", async () => {
        expect(await call({})).to.deep.equal({ id: "156460612806", arn: "arn:aws:iam::156460612806:root", region: "eu-west-1" });
        expect(await call({ region: "us-east-1" })).to.deep.equal({ id: "127311923021", arn: "arn:aws:iam::127311923021:root", region: "us-east-1" });
        expect(await call({}, "ap-southeast-2")).to.deep.equal({ id: "783225319266", arn: "arn:aws:iam::783225319266:root", region: "ap-southeast-2" });
    });

    it("fails for a region without such an account, as the provider does, instead of inventing one", async () => {
        for (const region of ["eu-central-2", "ap-southeast-4", "mx-central-1"]) {
            let error: unknown;
            await call({ region }).catch((e) => { error = e; });
            expect(String(error), region).to.contain(`unsupported AWS Region: ${region}`);
        }
    });

    it("knows an account for each region in which the program asks for one, and the program asks in each of those", async () => {
        expect(Object.keys(ELB_LOG_ACCOUNTS)).to.have.length(26);
        for (const [region, account] of Object.entries(ELB_LOG_ACCOUNTS)) {
            expect(account, region).to.match(/^\d{12}$/);
            expect(logDeliveryPrincipal(await planLoggedCluster(region)), region).to.deep.equal({ Service: LOG_DELIVERY, AWS: `arn:aws:iam::${account}:root` });
        }
        // Regions opened since August 2022 grant only the service (the plan would fail if the program asked there).
        for (const region of ["ap-south-2", "ap-southeast-4", "ap-southeast-5", "eu-central-2", "eu-south-2", "me-central-1", "il-central-1", "ca-west-1", "mx-central-1"]) {
            expect(logDeliveryPrincipal(await planLoggedCluster(region)), region).to.deep.equal({ Service: LOG_DELIVERY });
        }
    });
});

describe("plan mocks: Application Auto Scaling scalable targets", () => {
    it("get an ARN of the form Application Auto Scaling gives, one of their own per target, in both stacks", async () => {
        for (const stack of ["dev", "prod"] as const) {
            const targets = ofType(await sharedPlan(stack), SCALABLE_TARGET);
            expect(targets.map((t) => t.name).sort(), stack).to.deep.equal(["explorer-scaling", "kpis-scaling", "portal-scaling", "ridge-lasso-scaling", "sentiment-scaling"]);
            for (const t of targets) expect(t.outputs.arn, `${stack} ${t.name}`).to.match(SCALABLE_TARGET_ARN);
            expect(new Set(targets.map((t) => t.outputs.arn)).size, stack).to.equal(targets.length);
        }
    });

    it("are what each dev waker may register: its OwnCapacity statement names its own dashboard's target", async () => {
        const dev = await sharedPlan("dev");
        const wakers = ofType(dev, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.name.endsWith("-waker-policy"));
        expect(wakers.map((w) => w.name).sort()).to.deep.equal(["explorer-waker-policy", "kpis-waker-policy", "ridge-lasso-waker-policy", "sentiment-waker-policy"]);
        for (const waker of wakers) {
            const target = one(dev, SCALABLE_TARGET, (t) => t.name === waker.name.replace(/-waker-policy$/, "-scaling"));
            const own = JSON.parse(waker.inputs.policy).Statement.find((s: { Sid?: string }) => s.Sid === "OwnCapacity");
            expect(own, waker.name).to.deep.include({ Action: "application-autoscaling:RegisterScalableTarget", Resource: target.outputs.arn });
        }
    });

    it("derive their ARN from the resource's name, so every plan gives the same one", async () => {
        const inputs = { serviceNamespace: "ecs", scalableDimension: "ecs:service:DesiredCount", resourceId: "service/c/sales-service", minCapacity: 1, maxCapacity: 4 };
        const arnOf = async (name: string) => (await createMocks({ region: "eu-west-1" }).newResource({ type: SCALABLE_TARGET, name, inputs, custom: true })).state.arn;
        expect(await arnOf("sales-scaling")).to.match(SCALABLE_TARGET_ARN);
        expect(await arnOf("sales-scaling")).to.equal(await arnOf("sales-scaling"));
        expect(await arnOf("kpis-scaling")).not.to.equal(await arnOf("sales-scaling"));
    });
});
