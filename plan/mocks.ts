/**
 * Pulumi mocks that stand in for AWS so the program runs offline: the plan command and every
 * test use this one module. Outputs are deterministic (derived from names, never random) so
 * two plans of the same commit are identical.
 *
 * The mock fills in what AWS would compute (ids, ARNs, DNS names, digests) and echoes inputs,
 * like a real provider's state. It answers the invokes the program makes.
 */
import * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT_ID = "123456789012";

/**
 * Elastic Load Balancing's account in each region where access logs are granted to an account
 * (regions opened before August 2022; later ones take the log-delivery service principal), as
 * `aws.elb.getServiceAccount` answers: the provider's table
 * (terraform-provider-aws internal/service/elb/service_account_data_source.go), which follows
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
 * (Step 2: Attach a policy to your S3 bucket). The provider fails for a region outside it.
 */
export const ELB_LOG_ACCOUNTS: Readonly<Record<string, string>> = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980", "us-west-2": "797873946194",
    "af-south-1": "098369216593", "ap-east-1": "754344448648", "ap-south-1": "718504428378", "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887", "ap-northeast-3": "383597477331", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580", "ca-central-1": "985666609251", "eu-central-1": "054676820928", "eu-west-1": "156460612806",
    "eu-west-2": "652711504416", "eu-west-3": "009996457667", "eu-south-1": "635631232127", "eu-north-1": "897822967062",
    "me-south-1": "076674570225", "sa-east-1": "507241528517", "us-gov-west-1": "048591011584", "us-gov-east-1": "190560391635",
    "cn-north-1": "638102146993", "cn-northwest-1": "037604701340",
};

/** Shortens a Pulumi type token to its resource kind, e.g. `aws:lb/loadBalancer:LoadBalancer` -> `loadbalancer`. */
function kindOf(type: string): string {
    return (type.split(":").pop() ?? type).toLowerCase();
}

function serviceOf(type: string): string {
    const module = type.split(":")[1] ?? "";
    return module.split("/")[0] || "resource";
}

function hex(input: string, length: number): string {
    // FNV-1a, repeated: a short stable digest of the name, enough to make ids look real and unique.
    let out = "";
    let seed = 0;
    while (out.length < length) {
        let h = 0x811c9dc5 ^ seed++;
        for (let i = 0; i < input.length; i++) {
            h ^= input.charCodeAt(i);
            h = Math.imul(h, 0x01000193) >>> 0;
        }
        out += h.toString(16).padStart(8, "0");
    }
    return out.slice(0, length);
}

export interface MockOptions {
    region: string;
    /**
     * What a reference to the stack itself reads: the outputs of its last deployment. The offline
     * plan has none (a first deployment) unless given.
     * @default {}
     */
    previousOutputs?: Record<string, unknown>;
}

/** The organization of a self-managed (DIY) backend, which the real engine also reports: `organization`. */
export const MOCK_ORGANIZATION = "organization";

export function createMocks(options: MockOptions): pulumi.runtime.Mocks {
    const { region } = options;
    const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${MOCK_ACCOUNT_ID}:${resource}`;

    return {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
            const { type, name, inputs } = args;
            const physical = (inputs.name as string | undefined) ?? `${name}-${hex(name, 7)}`;
            const id = `${name}-${hex(type + name, 8)}`;
            const state: Record<string, unknown> = { ...inputs, name: physical, arn: arn(serviceOf(type), `${kindOf(type)}/${physical}`) };

            switch (type) {
                // As the engine's built-in provider answers a stack reference: the stack's last outputs.
                case "pulumi:pulumi:StackReference":
                    return { id: String(inputs.name), state: { name: inputs.name, outputs: options.previousOutputs ?? {}, secretOutputNames: [] } };
                case "awsx:ec2:Vpc": {
                    const azs = Number(inputs.numberOfAvailabilityZones ?? 2);
                    const subnet = (kind: string, i: number) => `subnet-${hex(`${name}-${kind}-${i}`, 17)}`;
                    Object.assign(state, {
                        vpcId: `vpc-${hex(name, 17)}`,
                        publicSubnetIds: Array.from({ length: azs }, (_, i) => subnet("public", i)),
                        privateSubnetIds: Array.from({ length: azs }, (_, i) => subnet("private", i)),
                        isolatedSubnetIds: [],
                        natGateways: [],
                    });
                    return { id: `vpc-${hex(name, 17)}`, state };
                }
                case "aws:lb/loadBalancer:LoadBalancer": {
                    const suffix = `app/${physical}/${hex(name, 16)}`;
                    Object.assign(state, {
                        arn: arn("elasticloadbalancing", `loadbalancer/${suffix}`),
                        arnSuffix: suffix,
                        dnsName: `${physical}-${hex(name, 9)}.${region}.elb.amazonaws.com`,
                        zoneId: "Z2FDTNDATAQYW2",
                    });
                    break;
                }
                case "aws:lb/targetGroup:TargetGroup": {
                    const suffix = `targetgroup/${physical}/${hex(name, 16)}`;
                    Object.assign(state, { arn: arn("elasticloadbalancing", suffix), arnSuffix: suffix });
                    break;
                }
                // ARNs of the shapes ELB gives: listener/app/<lb>/<lb id>/<id>, listener-rule/app/<lb>/<lb id>/<listener id>/<id>.
                case "aws:lb/listener:Listener": {
                    const lb = typeof inputs.loadBalancerArn === "string" ? inputs.loadBalancerArn.split(":loadbalancer/")[1] : undefined;
                    state.arn = arn("elasticloadbalancing", `listener/${lb ?? `app/${name}/${hex(name, 16)}`}/${hex(`${name}-listener`, 16)}`);
                    break;
                }
                case "aws:lb/listenerRule:ListenerRule":
                    state.arn = typeof inputs.listenerArn === "string" && inputs.listenerArn.includes(":listener/")
                        ? `${inputs.listenerArn.replace(":listener/", ":listener-rule/")}/${hex(`${name}-rule`, 16)}`
                        : arn("elasticloadbalancing", `listener-rule/app/${name}/${hex(name, 16)}/${hex(`${name}-listener`, 16)}/${hex(`${name}-rule`, 16)}`);
                    break;
                case "aws:acm/certificate:Certificate": {
                    const domains = [inputs.domainName, ...((inputs.subjectAlternativeNames as string[] | undefined) ?? [])] as string[];
                    state.arn = arn("acm", `certificate/${hex(name, 8)}-${hex(name + 1, 4)}-${hex(name + 2, 4)}-${hex(name + 3, 4)}-${hex(name + 4, 12)}`);
                    // A wildcard and its apex validate with the same record, as in ACM.
                    state.domainValidationOptions = domains.map((domainName) => ({
                        domainName,
                        resourceRecordName: `_${hex(domainName.replace(/^\*\./, ""), 32)}.${domainName.replace(/^\*\./, "")}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: `_${hex("v" + domainName.replace(/^\*\./, ""), 32)}.acm-validations.aws.`,
                    }));
                    break;
                }
                case "aws:ec2/securityGroup:SecurityGroup":
                    return { id: `sg-${hex(name, 17)}`, state: { ...state, arn: arn("ec2", `security-group/sg-${hex(name, 17)}`) } };
                case "aws:ecs/cluster:Cluster":
                    state.arn = arn("ecs", `cluster/${physical}`);
                    break;
                case "aws:s3/bucket:Bucket":
                case "aws:s3/bucketV2:BucketV2": {
                    const bucket = (inputs.bucket as string | undefined) ?? physical;
                    Object.assign(state, { bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com` });
                    return { id: bucket, state };
                }
                case "aws:route53/record:Record":
                    state.fqdn = inputs.name;
                    break;
                case "aws:ecr/repository:Repository":
                    state.repositoryUrl = `${MOCK_ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/${physical}`;
                    state.registryId = MOCK_ACCOUNT_ID;
                    break;
                case "docker-build:index:Image": {
                    // A digest that follows what the build is given (like the real one follows the context).
                    const digest = `sha256:${hex(JSON.stringify({ context: inputs.context, dockerfile: inputs.dockerfile, target: inputs.target, tags: inputs.tags }), 64)}`;
                    const tag = ((inputs.tags as string[] | undefined) ?? [])[0];
                    Object.assign(state, { digest, ref: tag ? `${tag}@${digest}` : digest, contextHash: hex(JSON.stringify(inputs.context ?? {}), 64) });
                    break;
                }
                case "aws:cognito/userPool:UserPool": {
                    const poolId = `${region}_${hex(name, 9).toUpperCase()}`;
                    Object.assign(state, { arn: arn("cognito-idp", `userpool/${poolId}`), endpoint: `cognito-idp.${region}.amazonaws.com/${poolId}` });
                    return { id: poolId, state };
                }
                case "aws:cognito/userPoolClient:UserPoolClient":
                    Object.assign(state, { clientSecret: `secret-${hex(name, 24)}` });
                    return { id: hex("client" + name, 26), state };
                case "aws:cognito/userPoolDomain:UserPoolDomain":
                    // Cognito serves every hosted-login domain through CloudFront (global zone Z2FDTNDATAQYW2).
                    Object.assign(state, {
                        cloudfrontDistribution: `d${hex(name, 13)}.cloudfront.net`,
                        cloudfrontDistributionArn: `arn:aws:cloudfront::${MOCK_ACCOUNT_ID}:distribution/E${hex(name, 13).toUpperCase()}`,
                        cloudfrontDistributionZoneId: "Z2FDTNDATAQYW2",
                        awsAccountId: MOCK_ACCOUNT_ID,
                    });
                    return { id: String(inputs.domain), state };
                case "random:index/randomPassword:RandomPassword":
                case "random:index/randomString:RandomString": {
                    // Deterministic stand-in for the random result: lowercase hex of the name, cut to `length`.
                    const result = hex(name, Number(inputs.length ?? 16));
                    return { id: result, state: { ...inputs, result } };
                }
                case "aws:lambda/function:Function":
                    Object.assign(state, { arn: arn("lambda", `function:${physical}`), invokeArn: `arn:aws:apigateway:${region}:lambda:path/functions/${arn("lambda", `function:${physical}`)}/invocations` });
                    break;
                case "aws:iam/role:Role":
                    state.arn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${physical}`;
                    break;
                case "aws:iam/policy:Policy":
                    state.arn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${physical}`;
                    break;
                case "aws:cloudwatch/logGroup:LogGroup":
                    state.arn = arn("logs", `log-group:${physical}`);
                    break;
                case "aws:ssm/parameter:Parameter":
                    state.arn = arn("ssm", `parameter/${String(physical).replace(/^\//, "")}`);
                    break;
                case "aws:kms/key:Key": {
                    // A KMS key is known by a UUID key id; its ARN ends in key/<id>.
                    const keyId = `${hex(name, 8)}-${hex(name + 1, 4)}-${hex(name + 2, 4)}-${hex(name + 3, 4)}-${hex(name + 4, 12)}`;
                    Object.assign(state, { keyId, arn: arn("kms", `key/${keyId}`) });
                    return { id: keyId, state };
                }
                case "aws:sns/topic:Topic":
                    state.arn = arn("sns", physical);
                    break;
                case "aws:codeconnections/connection:Connection":
                    // A new connection waits for its handshake in the console.
                    Object.assign(state, {
                        arn: arn("codeconnections", `connection/${hex(name, 8)}-${hex(name + 1, 4)}-${hex(name + 2, 4)}-${hex(name + 3, 4)}-${hex(name + 4, 12)}`),
                        connectionStatus: "PENDING",
                    });
                    break;
                case "aws:codepipeline/pipeline:Pipeline":
                    state.arn = arn("codepipeline", physical);
                    break;
                case "aws:codebuild/project:Project":
                    state.arn = arn("codebuild", `project/${physical}`);
                    break;
                case "aws:appautoscaling/target:Target":
                    // Application Auto Scaling names a scalable target by an id of its own, not by the resource it
                    // scales: arn:aws:application-autoscaling:<region>:<account>:scalable-target/<id>, the id
                    // alphanumeric (API_ListTagsForResource, ResourceARN, whose example id is a 36-character
                    // placeholder); here `sca` and 32 hex digits of the name, the same in every plan.
                    state.arn = arn("application-autoscaling", `scalable-target/sca${hex(`${name}-scalable-target`, 32)}`);
                    break;
                case "aws:codestarnotifications/notificationRule:NotificationRule":
                    state.arn = arn("codestar-notifications", `notificationrule/${hex(name, 40)}`);
                    break;
            }
            return { id, state };
        },

        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            switch (args.token) {
                case "aws:index/getRegion:getRegion":
                    return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/offline-plan`, userId: "OFFLINE", id: MOCK_ACCOUNT_ID };
                case "aws:index/getPartition:getPartition":
                    return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
                case "aws:index/getAvailabilityZones:getAvailabilityZones":
                    return { names: ["a", "b", "c"].map((z) => `${region}${z}`), zoneIds: ["az1", "az2", "az3"], id: region };
                case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
                    return { userName: "AWS", password: "offline-plan-token", authorizationToken: "offline", proxyEndpoint: `https://${MOCK_ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com`, id: region };
                case "aws:ecr/getImage:getImage":
                    // Offline, a pinned digest is taken to exist in its repository (AWS answers ImageNotFoundException otherwise).
                    return { ...args.inputs, imageTags: [], imageUri: `${args.inputs.registryId}.dkr.ecr.${region}.amazonaws.com/${args.inputs.repositoryName}@${args.inputs.imageDigest}`, id: String(args.inputs.imageDigest) };
                case "aws:elb/getServiceAccount:getServiceAccount": {
                    // As the provider answers: the account as id, its root as arn (in the partition getPartition gives).
                    const asked = String(args.inputs.region ?? region);
                    const account = ELB_LOG_ACCOUNTS[asked];
                    if (!account) throw new Error(`aws:elb/getServiceAccount: unsupported AWS Region: ${asked} (it has no Elastic Load Balancing account; grant logdelivery.elasticloadbalancing.amazonaws.com)`);
                    return { id: account, arn: `arn:aws:iam::${account}:root`, region: asked };
                }
                case "aws:iam/getPolicyDocument:getPolicyDocument":
                    return { json: JSON.stringify({ Version: "2012-10-17", Statement: args.inputs.statements ?? [] }), id: "policy" };
                default:
                    return { ...args.inputs, id: `${args.token}-result` };
            }
        },
    };
}
