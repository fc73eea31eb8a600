/**
 * The awsx test double: the Vpc component's children per NAT strategy (built under the SDK's
 * mocks, so each child's registration is visible), its subnet layout, and the plugin process
 * as the engine starts it.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { planSubnets, VpcArgs, VpcDouble } from "../../engine/providers/awsx";
import { ProviderProcess } from "./providerClient";

interface Registered { type: string; name: string; inputs: Record<string, any> }

const settle = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
const ipInt = (cidr: string) => cidr.split("/")[0].split(".").reduce((a, o) => a * 256 + Number(o), 0);
const span = (cidr: string): [number, number] => [ipInt(cidr), ipInt(cidr) + 2 ** (32 - Number(cidr.split("/")[1]))];

async function build(args: VpcArgs): Promise<{ vpc: VpcDouble; registered: Registered[] }> {
    const registered: Registered[] = [];
    pulumi.runtime.setMocks({
        newResource: (a) => {
            registered.push({ type: a.type, name: a.name, inputs: a.inputs });
            return { id: `${a.name}-id`, state: a.inputs };
        },
        call: (a) => (a.token === "aws:index/getAvailabilityZones:getAvailabilityZones" ? { names: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] } : {}),
    }, "proj", "stack", false);
    const vpc = new VpcDouble("dashboards-vpc", args);
    const state = vpc.state as Record<string, any>;
    await settle(pulumi.all([state.vpcId, state.publicSubnetIds, state.privateSubnetIds, ...state.natGateways.map((n: pulumi.CustomResource) => n.id), ...state.routes.map((r: pulumi.CustomResource) => r.id)]));
    return { vpc, registered };
}

const count = (r: Registered[], type: string) => r.filter((x) => x.type === type).length;
const dev: VpcArgs = { cidrBlock: "10.0.0.0/16", numberOfAvailabilityZones: 2, natGateways: { strategy: "None" }, subnetSpecs: [{ type: "Public", cidrMask: 20 }] };
const prod: VpcArgs = { cidrBlock: "10.0.0.0/16", numberOfAvailabilityZones: 3, natGateways: { strategy: "OnePerAz" }, subnetSpecs: [{ type: "Public", cidrMask: 22 }, { type: "Private", cidrMask: 20 }] };

describe("awsx test double: ec2.Vpc", function () {
    this.timeout(60_000);

    it("lays out subnets per AZ inside the VPC without overlaps, in spec order", () => {
        const subnets = planSubnets(prod);
        expect(subnets.map((s) => `${s.type}-${s.az}:${s.cidrBlock}`)).to.deep.equal([
            "Public-0:10.0.0.0/22", "Private-0:10.0.16.0/20",
            "Public-1:10.0.64.0/22", "Private-1:10.0.80.0/20",
            "Public-2:10.0.128.0/22", "Private-2:10.0.144.0/20",
        ]);
        const spans = subnets.map((s) => span(s.cidrBlock)).sort((a, b) => a[0] - b[0]);
        for (let i = 1; i < spans.length; i++) expect(spans[i][0]).to.be.at.least(spans[i - 1][1]);
        expect(spans[spans.length - 1][1]).to.be.at.most(span("10.0.0.0/16")[1]);
    });

    it("refuses specs that do not fit", () => {
        expect(() => planSubnets({ ...prod, cidrBlock: "10.0.0.0/24" })).to.throw(/cannot fit|do not fit/);
    });

    it("without NAT (dev): VPC, internet gateway, one public subnet, route table and default route per AZ", async () => {
        const { registered, vpc } = await build(dev);
        expect(count(registered, "aws:ec2/vpc:Vpc")).to.equal(1);
        expect(count(registered, "aws:ec2/subnet:Subnet")).to.equal(2);
        expect(count(registered, "aws:ec2/internetGateway:InternetGateway")).to.equal(1);
        expect(count(registered, "aws:ec2/routeTable:RouteTable")).to.equal(2);
        expect(count(registered, "aws:ec2/route:Route")).to.equal(2);
        expect(count(registered, "aws:ec2/natGateway:NatGateway")).to.equal(0);
        expect(count(registered, "aws:ec2/eip:Eip")).to.equal(0);
        expect(registered.filter((r) => r.type === "aws:ec2/subnet:Subnet").map((r) => r.name)).to.deep.equal(["dashboards-vpc-public-1", "dashboards-vpc-public-2"]);
        expect(await settle((vpc.state as any).publicSubnetIds[0])).to.equal("dashboards-vpc-public-1-id");
        expect((vpc.state as any).privateSubnetIds).to.deep.equal([]);
    });

    it("one NAT gateway (and EIP) per AZ with OnePerAz, one with Single; private subnets route through them", async () => {
        const perAz = (await build(prod)).registered;
        expect(count(perAz, "aws:ec2/natGateway:NatGateway")).to.equal(3);
        expect(count(perAz, "aws:ec2/eip:Eip")).to.equal(3);
        expect(perAz.filter((r) => r.type === "aws:ec2/route:Route" && r.inputs.natGatewayId).length).to.equal(3);
        const single = (await build({ ...prod, natGateways: { strategy: "Single" } })).registered;
        expect(count(single, "aws:ec2/natGateway:NatGateway")).to.equal(1);
        expect(single.filter((r) => r.type === "aws:ec2/route:Route" && r.inputs.natGatewayId).length).to.equal(3);
    });

    it("refuses NAT gateways without a public subnet to hold them", async () => {
        expect(() => new VpcDouble("v", { numberOfAvailabilityZones: 2, natGateways: { strategy: "Single" }, subnetSpecs: [{ type: "Private" }] })).to.throw(/needs a public subnet/);
    });

    it("serves as a plugin: reports the version @pulumi/awsx requests, no Handshake (the engine falls back to Configure)", async () => {
        const awsx = await ProviderProcess.start("awsx");
        try {
            expect(await awsx.pluginVersion()).to.equal(require("@pulumi/awsx/package.json").version);
            const err = await awsx.handshake().then(() => undefined, (e) => e);
            expect(err?.code).to.equal(12); // UNIMPLEMENTED
            expect((await awsx.configure()).getAcceptsecrets()).to.equal(true);
        } finally {
            awsx.close();
        }
    });
});
