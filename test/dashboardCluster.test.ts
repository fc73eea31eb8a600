import { expect } from "chai";
import { ComponentArgsError, DashboardCluster, DashboardClusterArgs, DEFAULT_SSL_POLICY } from "../components/dashboardCluster";
import { FIRST_DASHBOARD_PRIORITY } from "../components/routing";
import { Plan, runUnderMocks } from "../plan/runPlan";
import { byRef, devStackWith, ofType, one } from "./helpers";

const ZONE = "Z0123456789TESTZONE1";
const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

function planCluster(args: Partial<DashboardClusterArgs>, name = "dashboards"): Promise<Plan> {
    return runUnderMocks(devStackWith(), () => {
        const cluster = new DashboardCluster(name, { domain: "dashboards.example.com", hostedZoneId: ZONE, ...args });
        return { assignPublicIp: cluster.assignPublicIp, taskSubnetIds: cluster.taskSubnetIds, publicSubnetIds: cluster.publicSubnetIds };
    });
}

describe("DashboardCluster", () => {
    let plan: Plan;
    before(async () => {
        plan = await planCluster({ vpc: { natStrategy: "single" } });
    });

    describe("listeners", () => {
        it("serves HTTPS on 443 with the TLS 1.3/1.2 policy and the validated wildcard certificate", () => {
            const https = one(plan, "aws:lb/listener:Listener", (r) => r.inputs.port === 443);
            expect(https.inputs.protocol).to.equal("HTTPS");
            expect(https.inputs.sslPolicy).to.equal("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09");
            expect(DEFAULT_SSL_POLICY).to.equal(https.inputs.sslPolicy);
            const validation = one(plan, "aws:acm/certificateValidation:CertificateValidation");
            const cert = one(plan, "aws:acm/certificate:Certificate");
            expect(cert.inputs).to.include({ domainName: "*.dashboards.example.com", validationMethod: "DNS" });
            expect(validation.inputs.certificateArn).to.equal(cert.outputs.arn);
            expect(https.inputs.certificateArn).to.equal(cert.outputs.arn);
            // The listener must wait for ACM to issue the certificate, not just for the request.
            expect(https.dependsOn).to.include(validation.urn);
        });

        it("answers unknown hosts with a fixed 404, never a dashboard", () => {
            const https = one(plan, "aws:lb/listener:Listener", (r) => r.inputs.port === 443);
            expect(https.inputs.defaultActions).to.have.length(1);
            const [action] = https.inputs.defaultActions;
            expect(action.type).to.equal("fixed-response");
            expect(action.fixedResponse.statusCode).to.equal("404");
            expect(Buffer.byteLength(action.fixedResponse.messageBody)).to.be.at.most(1024);
        });

        it("only redirects plain HTTP to HTTPS with a 301", () => {
            const http = one(plan, "aws:lb/listener:Listener", (r) => r.inputs.port === 80);
            expect(http.inputs.protocol).to.equal("HTTP");
            expect(http.inputs.defaultActions).to.deep.equal([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
            expect(http.inputs.certificateArn).to.equal(undefined);
        });

        it("attaches both listeners to the cluster's load balancer", () => {
            const alb = one(plan, "aws:lb/loadBalancer:LoadBalancer");
            for (const listener of ofType(plan, "aws:lb/listener:Listener")) {
                expect(listener.inputs.loadBalancerArn).to.equal(alb.outputs.arn);
            }
        });
    });

    describe("sign-out page", () => {
        it("is served on every host without authentication, before any dashboard's login rule", () => {
            const rule = one(plan, "aws:lb/listenerRule:ListenerRule", (r) => r.name === "dashboards-signed-out");
            const https = one(plan, "aws:lb/listener:Listener", (r) => r.inputs.port === 443);
            expect(rule.inputs.listenerArn).to.equal(https.outputs.arn);
            expect(rule.inputs.conditions).to.deep.equal([{ pathPattern: { values: ["/signed-out"] } }]);
            expect(rule.inputs.actions.map((a: { type: string }) => a.type)).to.deep.equal(["fixed-response"]);
            expect(rule.inputs.priority).to.be.below(FIRST_DASHBOARD_PRIORITY);
            const body = rule.inputs.actions[0].fixedResponse.messageBody;
            expect(Buffer.byteLength(body)).to.be.at.most(1024);
            expect(body).to.contain("signed out").and.not.to.contain("<script");
        });
    });

    describe("load balancer", () => {
        it("is internet-facing in the public subnets, drops invalid headers and has a websocket-friendly idle timeout", () => {
            const alb = one(plan, "aws:lb/loadBalancer:LoadBalancer");
            const vpc = one(plan, "awsx:ec2:Vpc");
            expect(alb.inputs).to.include({ internal: false, loadBalancerType: "application", dropInvalidHeaderFields: true, idleTimeout: 600, enableDeletionProtection: false });
            expect(alb.inputs.subnets).to.deep.equal(vpc.outputs.publicSubnetIds);
        });

        it("keeps its physical name within AWS's 32 characters even for long component names", async () => {
            const long = await planCluster({}, "a-really-long-component-name-for-dashboards");
            const alb = one(long, "aws:lb/loadBalancer:LoadBalancer");
            expect(alb.inputs.name.length).to.be.at.most(32);
            expect(alb.inputs.name).to.match(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
            expect(alb.inputs.name.startsWith("internal-")).to.equal(false);
        });

        it("turns on deletion protection and a custom idle timeout when asked", async () => {
            const protectedPlan = await planCluster({ deletionProtection: true, idleTimeoutSeconds: 3600 });
            expect(one(protectedPlan, "aws:lb/loadBalancer:LoadBalancer").inputs).to.include({ enableDeletionProtection: true, idleTimeout: 3600 });
        });
    });

    describe("security group", () => {
        it("admits only HTTP and HTTPS from the internet", () => {
            const sg = one(plan, "aws:ec2/securityGroup:SecurityGroup");
            const ingress = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === sg.id);
            expect(ingress.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.ipProtocol]).sort()).to.deep.equal([[443, 443, "tcp"], [80, 80, "tcp"]]);
            expect(sg.inputs.ingress ?? []).to.have.length(0);
        });

        it("lets the ALB out only on 443 (to reach the identity provider); task ports are added per service", () => {
            const sg = one(plan, "aws:ec2/securityGroup:SecurityGroup");
            const egress = ofType(plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((r) => r.inputs.securityGroupId === sg.id);
            expect(egress).to.have.length(1);
            expect(egress[0].inputs).to.include({ fromPort: 443, toPort: 443, ipProtocol: "tcp", cidrIpv4: "0.0.0.0/0" });
            expect(sg.inputs.egress ?? []).to.have.length(0);
        });

        it("is the load balancer's only security group", () => {
            const sg = one(plan, "aws:ec2/securityGroup:SecurityGroup");
            expect(one(plan, "aws:lb/loadBalancer:LoadBalancer").inputs.securityGroups).to.deep.equal([sg.id]);
        });
    });

    describe("certificate", () => {
        it("validates the wildcard certificate with a DNS record in the hosted zone", () => {
            const cert = one(plan, "aws:acm/certificate:Certificate");
            const record = one(plan, "aws:route53/record:Record");
            const [option] = cert.outputs.domainValidationOptions;
            expect(record.inputs).to.deep.include({ zoneId: ZONE, name: option.resourceRecordName, type: "CNAME", records: [option.resourceRecordValue] });
            expect(one(plan, "aws:acm/certificateValidation:CertificateValidation").inputs.validationRecordFqdns).to.deep.equal([record.outputs.fqdn]);
        });

        it("uses an existing certificate as given and creates no certificate or DNS records", async () => {
            const existing = await planCluster({ certificateArn: CERT, hostedZoneId: undefined });
            expect(ofType(existing, "aws:acm/certificate:Certificate")).to.have.length(0);
            expect(ofType(existing, "aws:route53/record:Record")).to.have.length(0);
            expect(one(existing, "aws:lb/listener:Listener", (r) => r.inputs.port === 443).inputs.certificateArn).to.equal(CERT);
        });
    });

    describe("certificates for extra hosts", () => {
        const OTHER = "arn:aws:acm:eu-west-1:123456789012:certificate/1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9";
        let hosts: Plan;
        before(async () => {
            hosts = await planCluster({
                extraHosts: [
                    { host: "sales.example.org", certificateArn: OTHER },
                    { host: "kpi.example.org", certificateArn: OTHER },
                    { host: "eu.sales.dashboards.example.com" },
                    { host: "hr.dashboards.example.com" },
                ],
            });
        });

        it("attach to the HTTPS listener: each given certificate once, and one requested for a host deeper in the zone", () => {
            const https = one(hosts, "aws:lb/listener:Listener", (r) => r.inputs.port === 443);
            const attached = ofType(hosts, "aws:lb/listenerCertificate:ListenerCertificate");
            for (const a of attached) expect(a.inputs.listenerArn).to.equal(https.outputs.arn);
            const deep = one(hosts, "aws:acm/certificate:Certificate", (r) => r.inputs.domainName === "eu.sales.dashboards.example.com");
            const validated = one(hosts, "aws:acm/certificateValidation:CertificateValidation", (r) => r.inputs.certificateArn === deep.outputs.arn);
            // One listener certificate per certificate: two hosts sharing an ARN must not attach it twice
            // (deleting one attachment would take it away from the other host).
            expect(attached.map((a) => a.inputs.certificateArn).sort()).to.deep.equal([OTHER, validated.outputs.certificateArn].sort());
            // A one-level host is served by the wildcard: no certificate of its own.
            expect(ofType(hosts, "aws:acm/certificate:Certificate").map((c) => c.inputs.domainName).sort()).to.deep.equal(["*.dashboards.example.com", "eu.sales.dashboards.example.com"]);
        });

        it("validate a requested certificate by DNS in the hosted zone before attaching it", () => {
            const deep = one(hosts, "aws:acm/certificate:Certificate", (r) => r.inputs.domainName === "eu.sales.dashboards.example.com");
            expect(deep.inputs.validationMethod).to.equal("DNS");
            const [option] = deep.outputs.domainValidationOptions;
            const record = one(hosts, "aws:route53/record:Record", (r) => r.inputs.name === option.resourceRecordName);
            expect(record.inputs).to.deep.include({ zoneId: ZONE, type: "CNAME", records: [option.resourceRecordValue] });
            const validation = one(hosts, "aws:acm/certificateValidation:CertificateValidation", (r) => r.inputs.certificateArn === deep.outputs.arn);
            expect(validation.inputs.validationRecordFqdns).to.deep.equal([record.outputs.fqdn]);
        });

        it("are not made when every host is covered by the wildcard", () => {
            expect(ofType(plan, "aws:lb/listenerCertificate:ListenerCertificate")).to.have.length(0);
        });

        it("are refused, with every problem at once, for hosts that cannot be served and past the listener's 25", () => {
            expect(() => new DashboardCluster("bad", {
                domain: "dashboards.example.com",
                certificateArn: CERT,
                extraHosts: [{ host: "sales.example.org" }, { host: "eu.sales.dashboards.example.com" }],
            })).to.throw(ComponentArgsError, /extraHosts "sales.example.org" is outside dashboards.example.com[\s\S]*certificateArn[\s\S]*extraHosts "eu.sales.dashboards.example.com" is not covered by \*.dashboards.example.com[\s\S]*hostedZoneId/);
            const many = Array.from({ length: 26 }, (_, i) => ({ host: `h${i}.team.dashboards.example.com` }));
            expect(() => new DashboardCluster("bad", { domain: "dashboards.example.com", hostedZoneId: ZONE, extraHosts: many }))
                .to.throw(ComponentArgsError, /extraHosts need 26 certificates on the HTTPS listener of load balancer 0; it holds 25/);
            // The limit is per listener: the same hosts over two load balancers fit.
            expect(() => new DashboardCluster("split", { domain: "dashboards.example.com", hostedZoneId: ZONE, loadBalancers: [0, 1], extraHosts: many.map((h, i) => ({ ...h, loadBalancer: i % 2 })) }))
                .not.to.throw();
        });
    });

    describe("network", () => {
        it("puts tasks in private subnets without public IPs when the VPC has NAT", async () => {
            const vpc = one(plan, "awsx:ec2:Vpc");
            expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "Single" });
            expect(plan.outputs.assignPublicIp).to.equal(false);
            expect(plan.outputs.taskSubnetIds).to.deep.equal(vpc.outputs.privateSubnetIds);
        });

        it("creates no private subnets and gives tasks public IPs when NAT is none", async () => {
            const noNat = await planCluster({ vpc: { natStrategy: "none" } });
            const vpc = one(noNat, "awsx:ec2:Vpc");
            expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "None" });
            expect(vpc.inputs.subnetSpecs.map((s: { type: string }) => s.type)).to.deep.equal(["Public"]);
            expect(noNat.outputs.assignPublicIp).to.equal(true);
            expect(noNat.outputs.taskSubnetIds).to.deep.equal(noNat.outputs.publicSubnetIds);
        });

        it("makes one NAT gateway per AZ when asked", async () => {
            const perAz = await planCluster({ vpc: { natStrategy: "one-per-az", availabilityZones: 3 } });
            expect(one(perAz, "awsx:ec2:Vpc").inputs).to.deep.include({ natGateways: { strategy: "OnePerAz" }, numberOfAvailabilityZones: 3 });
        });

        it("deploys into an existing VPC without creating one", async () => {
            const existing = await planCluster({
                existingVpc: { vpcId: "vpc-0123456789abcdef0", publicSubnetIds: ["subnet-0a", "subnet-0b"], privateSubnetIds: ["subnet-0c", "subnet-0d"] },
            });
            expect(ofType(existing, "awsx:ec2:Vpc")).to.have.length(0);
            expect(one(existing, "aws:ec2/securityGroup:SecurityGroup").inputs.vpcId).to.equal("vpc-0123456789abcdef0");
            expect(one(existing, "aws:lb/loadBalancer:LoadBalancer").inputs.subnets).to.deep.equal(["subnet-0a", "subnet-0b"]);
            expect(existing.outputs).to.deep.include({ assignPublicIp: false, taskSubnetIds: ["subnet-0c", "subnet-0d"] });
        });

        it("runs tasks in the public subnets of an existing VPC that has no private subnets", async () => {
            const existing = await planCluster({ existingVpc: { vpcId: "vpc-0123456789abcdef0", publicSubnetIds: ["subnet-0a", "subnet-0b"] } });
            expect(existing.outputs).to.deep.include({ assignPublicIp: true, taskSubnetIds: ["subnet-0a", "subnet-0b"] });
        });
    });

    describe("ECS cluster", () => {
        it("has Container Insights on and Fargate plus Fargate Spot capacity", () => {
            const cluster = one(plan, "aws:ecs/cluster:Cluster");
            expect(cluster.inputs.settings).to.deep.equal([{ name: "containerInsights", value: "enabled" }]);
            const capacity = one(plan, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders");
            expect(capacity.inputs.clusterName).to.equal(cluster.outputs.name);
            expect(capacity.inputs.capacityProviders).to.have.members(["FARGATE", "FARGATE_SPOT"]);
        });
    });

    describe("access logs", () => {
        it("are off by default", () => {
            expect(ofType(plan, "aws:s3/bucket:Bucket")).to.have.length(0);
            expect(one(plan, "aws:lb/loadBalancer:LoadBalancer").inputs.accessLogs).to.equal(undefined);
        });

        it("go to a private, SSE-S3 encrypted bucket that expires them and only takes TLS", async () => {
            const logged = await planCluster({ accessLogs: { enabled: true, retentionDays: 30 } });
            const bucket = one(logged, "aws:s3/bucket:Bucket");
            const forBucket = (type: string) => one(logged, type, (r) => r.inputs.bucket === bucket.id);
            expect(forBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).to.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
            expect(forBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).to.equal("AES256");
            expect(forBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules[0].expiration.days).to.equal(30);
            const policy = JSON.parse(forBucket("aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
            const deny = policy.Statement.find((s: any) => s.Effect === "Deny");
            expect(deny.Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
            const allow = policy.Statement.find((s: any) => s.Effect === "Allow");
            expect(allow.Action).to.equal("s3:PutObject");
            expect(allow.Resource).to.match(/\/alb\/AWSLogs\/123456789012\/\*$/);
            const alb = one(logged, "aws:lb/loadBalancer:LoadBalancer");
            expect(alb.inputs.accessLogs).to.deep.equal({ bucket: bucket.id, prefix: "alb", enabled: true });
            expect(byRef(logged, alb.inputs.accessLogs.bucket)?.type).to.equal("aws:s3/bucket:Bucket");
        });
    });

    describe("alarm topic", () => {
        const statements = (policy: string): any[] => JSON.parse(policy).Statement;
        const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
        let alarmed: Plan;
        before(async () => {
            alarmed = await planCluster({ alarmEmails: ["oncall@example.com"] });
        });

        it("is encrypted with a rotating key of its own whose policy lets CloudWatch alarms of this account publish", () => {
            const topic = one(alarmed, "aws:sns/topic:Topic");
            const key = byRef(alarmed, topic.inputs.kmsMasterKeyId);
            // alias/aws/sns cannot grant cloudwatch.amazonaws.com: alarms would never be delivered.
            expect(key?.type, "topic encrypted with a customer-managed key made here").to.equal("aws:kms/key:Key");
            expect(key!.inputs.enableKeyRotation).to.equal(true);
            const keyUse = statements(key!.inputs.policy).find((s) => s.Principal?.Service === "cloudwatch.amazonaws.com");
            expect(keyUse, "key policy statement for CloudWatch").to.exist;
            expect(list(keyUse.Action)).to.have.members(["kms:Decrypt", "kms:GenerateDataKey*"]);
            expect(keyUse.Condition).to.deep.equal({
                StringEquals: { "aws:SourceAccount": "123456789012" },
                ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*" },
            });
            // The account keeps administering its key (without it the key could not be changed or deleted).
            expect(statements(key!.inputs.policy).some((s) => s.Principal?.AWS === "arn:aws:iam::123456789012:root" && s.Action === "kms:*")).to.equal(true);
        });

        it("lets CloudWatch alarms of this account publish and emails every address", () => {
            const topic = one(alarmed, "aws:sns/topic:Topic");
            const topicPolicy = one(alarmed, "aws:sns/topicPolicy:TopicPolicy");
            expect(topicPolicy.inputs.arn).to.equal(topic.outputs.arn);
            const [publish] = statements(topicPolicy.inputs.policy);
            expect(publish).to.deep.include({ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topic.outputs.arn });
            expect(publish.Condition.ArnLike).to.deep.equal({ "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*" });
            const subscriptions = ofType(alarmed, "aws:sns/topicSubscription:TopicSubscription");
            expect(subscriptions.map((s) => [s.inputs.topic, s.inputs.protocol, s.inputs.endpoint])).to.deep.equal([[topic.outputs.arn, "email", "oncall@example.com"]]);
        });

        it("is not made (nor its key) without alarm emails", () => {
            expect(ofType(plan, "aws:sns/topic:Topic")).to.have.length(0);
            expect(ofType(plan, "aws:kms/key:Key")).to.have.length(0);
        });
    });

    describe("argument checks", () => {
        it("rejects contradictory arguments with every problem listed, before declaring anything", () => {
            expect(() => new DashboardCluster("bad", {
                domain: "",
                vpc: { natStrategy: "double", availabilityZones: 1 },
                existingVpc: { vpcId: "vpc-1", publicSubnetIds: ["subnet-1"] },
                idleTimeoutSeconds: 0,
            })).to.throw(ComponentArgsError, /domain is required[\s\S]*certificate[\s\S]*mutually exclusive[\s\S]*natStrategy "double"[\s\S]*at least 2[\s\S]*at least two subnets[\s\S]*idleTimeoutSeconds 0/);
        });
    });

    it("parents every child to the component", () => {
        const component = one(plan, "dashboards:index:DashboardCluster");
        const children = plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && r !== component);
        expect(children.length).to.be.greaterThan(10);
        for (const child of children) expect(child.parent, child.name).to.equal(component.urn);
        for (const child of children) expect(child.name.startsWith("dashboards-"), child.name).to.equal(true);
    });
});
