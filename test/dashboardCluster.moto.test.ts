/**
 * The HTTPS listener's TLS policy, checked against AWS's own table of security policies as moto
 * carries it (DescribeSSLPolicies), not against our idea of it: the protocols and ciphers a planned
 * listener would accept. Also the policy pack's allow-list of "modern" policies against the same table.
 */
import { DescribeSSLPoliciesCommand, ElasticLoadBalancingV2Client, type SslPolicy } from "@aws-sdk/client-elastic-load-balancing-v2";
import { expect } from "chai";
import { DashboardCluster } from "../components/dashboardCluster";
import { runUnderMocks } from "../plan/runPlan";
import { MODERN_SSL_POLICY_PATTERNS } from "../policy/rules";
import { type MotoServer, startMoto } from "./functions/motoServer";
import { devStackWith, one } from "./helpers";
import { needs, PREREQUISITES } from "./prerequisites";

/** TLS 1.3 suites, and TLS 1.2 suites with ECDHE (forward secrecy) and an AEAD mode (no CBC). */
const FORWARD_SECRET_AEAD = /^(TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)|ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305))$/;

describe("the HTTPS listener's TLS policy, against moto's table of AWS security policies", function () {
    needs(PREREQUISITES.moto);
    this.timeout(60_000);

    let moto: MotoServer;
    let policies: SslPolicy[];
    before(async () => {
        moto = await startMoto();
        const elb = new ElasticLoadBalancingV2Client(moto.clientConfig);
        policies = (await elb.send(new DescribeSSLPoliciesCommand({}))).SslPolicies ?? [];
    });
    after(async () => {
        await moto?.stop();
    });

    const describe1 = (name: string) => {
        const policy = policies.find((p) => p.Name === name);
        if (!policy) expect.fail(`${name} is not a security policy AWS offers (moto lists ${policies.length})`);
        return { protocols: (policy.SslProtocols ?? []).sort(), ciphers: (policy.Ciphers ?? []).map((c) => c.Name ?? "") };
    };

    it("a planned listener's policy exists and accepts only TLS 1.2 and 1.3, with forward-secret AEAD ciphers", async () => {
        const plan = await runUnderMocks(devStackWith(), () => {
            new DashboardCluster("dashboards", { domain: "dashboards.example.com", hostedZoneId: "Z0123456789TESTZONE1", vpc: { natStrategy: "single" } });
            return {};
        });
        const https = one(plan, "aws:lb/listener:Listener", (r) => r.inputs.port === 443);
        const { protocols, ciphers } = describe1(https.inputs.sslPolicy);
        expect(protocols).to.deep.equal(["TLSv1.2", "TLSv1.3"]);
        expect(ciphers).to.have.length.above(0);
        expect(ciphers.filter((c) => !FORWARD_SECRET_AEAD.test(c)), "ciphers that are not forward-secret AEAD").to.deep.equal([]);
    });

    it("the former default accepted CBC ciphers over TLS 1.2 (why it was replaced)", () => {
        expect(describe1("ELBSecurityPolicy-TLS13-1-2-2021-06").ciphers.filter((c) => !FORWARD_SECRET_AEAD.test(c))).to.include("ECDHE-RSA-AES128-SHA256");
    });

    it("every policy the policy pack calls modern refuses TLS 1.0 and 1.1, and the ones it refuses do accept them", () => {
        const modern = policies.filter((p) => MODERN_SSL_POLICY_PATTERNS.some((re) => re.test(p.Name ?? "")));
        expect(modern.length).to.be.above(5);
        for (const p of modern) expect((p.SslProtocols ?? []).filter((v) => v === "TLSv1" || v === "TLSv1.1"), p.Name).to.deep.equal([]);
        for (const name of ["ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13-1-0-2021-06", "ELBSecurityPolicy-TLS13-1-1-2021-06"]) {
            expect(describe1(name).protocols, name).to.include("TLSv1.1");
        }
    });
});
