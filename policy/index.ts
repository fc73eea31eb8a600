/**
 * The policy pack `pulumi preview|up --policy-pack policy` loads. Rules live in `rules.ts` (pure,
 * also run offline by the tests); `pack.ts` wraps them as @pulumi/policy policies.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./pack";

new PolicyPack(PACK_NAME, {
    description: "Security and reliability rules for the dashboards platform: TLS and login on the ALB, tasks reachable only from the ALB, scanned images, bounded logs, strong Cognito settings.",
    displayName: "Dashboards on AWS",
    provider: "aws",
    enforcementLevel: "mandatory",
    policies: policies(),
});
