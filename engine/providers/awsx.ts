/**
 * Test double for the `awsx` provider: `awsx:ec2:Vpc` as the remote component it is. The engine
 * sends the program's Vpc as a Construct call; this builds the children the real component
 * builds (VPC, subnets per AZ and type, internet gateway, route tables, NAT gateways and EIPs per
 * the natGateways strategy) with @pulumi/aws, so the aws double creates (and checks) each one,
 * and returns the component's outputs. Other awsx components are refused.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as provider from "@pulumi/pulumi/provider";
import { sdkVersion } from "./shared";

export const VPC = "awsx:ec2:Vpc";

export interface SubnetSpec { type: "Public" | "Private" | "Isolated"; cidrMask?: number; name?: string }
export interface VpcArgs {
    cidrBlock?: string;
    numberOfAvailabilityZones?: number;
    enableDnsHostnames?: boolean;
    enableDnsSupport?: boolean;
    instanceTenancy?: string;
    natGateways?: { strategy?: "None" | "Single" | "OnePerAz" };
    subnetSpecs?: SubnetSpec[];
    tags?: Record<string, string>;
}

const ipToInt = (ip: string) => ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

export interface PlannedSubnet { type: SubnetSpec["type"]; name: string; az: number; cidrBlock: string }

/**
 * Subnet CIDRs: the VPC is split into one block per AZ, and each AZ's block is filled with the
 * specs in order, each aligned to its own size (the shape of awsx's "Auto" layout, not its exact
 * arithmetic). Fails when the specs do not fit, as awsx does.
 */
export function planSubnets(args: VpcArgs): PlannedSubnet[] {
    const [base, maskText] = (args.cidrBlock ?? "10.0.0.0/16").split("/");
    const vpcMask = Number(maskText);
    const azs = args.numberOfAvailabilityZones ?? 3;
    const specs = args.subnetSpecs ?? [{ type: "Private" }, { type: "Public" }];
    const azMask = vpcMask + Math.ceil(Math.log2(azs));
    const out: PlannedSubnet[] = [];
    for (let az = 0; az < azs; az++) {
        const azStart = ipToInt(base) + az * 2 ** (32 - azMask);
        const azEnd = azStart + 2 ** (32 - azMask);
        let next = azStart;
        for (const spec of specs) {
            const mask = spec.cidrMask ?? azMask + 2;
            if (mask < azMask) throw new Error(`awsx:ec2:Vpc: a /${mask} ${spec.type} subnet cannot fit in a /${azMask} availability-zone block of ${args.cidrBlock ?? "10.0.0.0/16"}`);
            const size = 2 ** (32 - mask);
            const start = Math.ceil((next - azStart) / size) * size + azStart;
            if (start + size > azEnd) throw new Error(`awsx:ec2:Vpc: the subnet specs (${specs.map((s) => `${s.type}/${s.cidrMask ?? "auto"}`).join(", ")}) do not fit in the /${azMask} block of availability zone ${az + 1}`);
            out.push({ type: spec.type, name: (spec.name ?? spec.type).toLowerCase(), az, cidrBlock: `${intToIp(start)}/${mask}` });
            next = start + size;
        }
    }
    return out;
}

/** The component as awsx builds it, from @pulumi/aws resources. */
export class VpcDouble extends pulumi.ComponentResource {
    readonly state: Record<string, unknown>;

    constructor(name: string, args: VpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super(VPC, name, {}, opts);
        const parent = { parent: this };
        const strategy = args.natGateways?.strategy ?? "OnePerAz";
        const planned = planSubnets(args);
        const has = (t: SubnetSpec["type"]) => planned.some((s) => s.type === t);
        if (strategy !== "None" && !has("Public")) {
            throw new Error(`awsx:ec2:Vpc ${name}: NAT gateway strategy '${strategy}' needs a public subnet to host the NAT gateways; add a Public subnet spec or use strategy 'None'`);
        }
        const tags = (n: string, extra: Record<string, string> = {}) => ({ ...(args.tags ?? {}), Name: n, ...extra });
        const vpc = new aws.ec2.Vpc(name, {
            cidrBlock: args.cidrBlock ?? "10.0.0.0/16",
            enableDnsHostnames: args.enableDnsHostnames ?? false,
            enableDnsSupport: args.enableDnsSupport ?? true,
            instanceTenancy: args.instanceTenancy ?? "default",
            tags: tags(name),
        }, parent);
        const zones = aws.getAvailabilityZonesOutput({ state: "available" }, parent).names;
        const igw = has("Public") ? new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: tags(name) }, parent) : undefined;

        const subnets = planned.map((p) => {
            const n = `${name}-${p.name}-${p.az + 1}`;
            const subnet = new aws.ec2.Subnet(n, {
                vpcId: vpc.id, cidrBlock: p.cidrBlock, availabilityZone: zones.apply((z) => z[p.az]),
                mapPublicIpOnLaunch: p.type === "Public", tags: tags(n, { SubnetType: p.type }),
            }, parent);
            const routeTable = new aws.ec2.RouteTable(n, { vpcId: vpc.id, tags: tags(n) }, parent);
            const association = new aws.ec2.RouteTableAssociation(n, { subnetId: subnet.id, routeTableId: routeTable.id }, parent);
            return { p, n, subnet, routeTable, association };
        });
        const routes: aws.ec2.Route[] = [];
        for (const s of subnets.filter((x) => x.p.type === "Public")) {
            routes.push(new aws.ec2.Route(`${s.n}-ig`, { routeTableId: s.routeTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw!.id }, parent));
        }
        // NAT gateways live in the public subnets: one for the VPC, or one per AZ.
        const publicByAz = subnets.filter((x) => x.p.type === "Public");
        const natAzs = strategy === "None" ? [] : strategy === "Single" ? [0] : [...new Set(publicByAz.map((x) => x.p.az))];
        const eips = natAzs.map((az) => new aws.ec2.Eip(`${name}-${az + 1}`, { domain: "vpc", tags: tags(`${name}-${az + 1}`) }, parent));
        const natGateways = natAzs.map((az, i) => new aws.ec2.NatGateway(`${name}-${az + 1}`, {
            subnetId: publicByAz.find((x) => x.p.az === az)!.subnet.id, allocationId: eips[i].id, tags: tags(`${name}-${az + 1}`),
        }, { ...parent, dependsOn: igw ? [igw] : [] }));
        for (const s of subnets.filter((x) => x.p.type === "Private")) {
            const nat = natGateways[strategy === "OnePerAz" ? natAzs.indexOf(s.p.az) : 0];
            if (nat) routes.push(new aws.ec2.Route(`${s.n}-nat-${strategy === "OnePerAz" ? s.p.az + 1 : 1}`, { routeTableId: s.routeTable.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }, parent));
        }

        const ofType = (t: SubnetSpec["type"]) => subnets.filter((x) => x.p.type === t);
        this.state = {
            vpc, vpcId: vpc.id, internetGateway: igw,
            subnets: subnets.map((x) => x.subnet),
            publicSubnets: ofType("Public").map((x) => x.subnet), publicSubnetIds: ofType("Public").map((x) => x.subnet.id),
            privateSubnets: ofType("Private").map((x) => x.subnet), privateSubnetIds: ofType("Private").map((x) => x.subnet.id),
            isolatedSubnets: ofType("Isolated").map((x) => x.subnet), isolatedSubnetIds: ofType("Isolated").map((x) => x.subnet.id),
            routeTables: subnets.map((x) => x.routeTable), routeTableAssociations: subnets.map((x) => x.association), routes,
            natGateways, eips, vpcEndpoints: [],
            subnetLayout: (args.subnetSpecs ?? []).map((s) => ({ type: s.type, cidrMask: s.cidrMask })),
        };
        this.registerOutputs(this.state);
    }
}

/** The construct's inputs as plain values (the layout needs them known). */
async function plain(inputs: pulumi.Inputs): Promise<VpcArgs> {
    return new Promise((resolve, reject) => {
        let done = false;
        pulumi.output(inputs).apply((v) => {
            done = true;
            resolve(v as VpcArgs);
        });
        setTimeout(() => done || reject(new Error("awsx:ec2:Vpc (test double) needs its inputs known at construct time (cidrBlock, numberOfAvailabilityZones, subnetSpecs, natGateways)")), 5000);
    });
}

export const awsxDouble: provider.Provider = {
    version: sdkVersion("awsx"),
    async construct(name, type, inputs, options) {
        if (type !== VPC) throw new Error(`${type} is not implemented by the awsx test double (only ${VPC})`);
        const vpc = new VpcDouble(name, await plain(inputs), options);
        return { urn: vpc.urn, state: vpc.state };
    },
};

if (require.main === module) void provider.main(awsxDouble, process.argv.slice(2));
