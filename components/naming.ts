/**
 * Physical names that stay within AWS limits. Pulumi's autonaming appends 8 characters
 * (`-` + 7 random hex) and the mock runtime never checks lengths, so names that AWS caps
 * (ALB and target group: 32) are built here, deterministically, and tested.
 */
import { createHash } from "crypto";

/** Lowercase alphanumerics and single inner hyphens: valid for ALBs, target groups, S3, ECR and most others. */
export function sanitizeName(value: string): string {
    return value
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-|-$/g, "");
}

/**
 * Joins `parts` into a sanitized name of at most `maxLength` characters. When it must be shortened,
 * it keeps a readable prefix and appends a 6-character hash of the full name, so two long names
 * that share a prefix still differ.
 */
export function boundedName(parts: string[], maxLength: number): string {
    const full = sanitizeName(parts.filter(Boolean).join("-"));
    if (full.length <= maxLength) return full;
    const hash = createHash("sha256").update(full).digest("hex").slice(0, 6);
    const head = full.slice(0, maxLength - hash.length - 1).replace(/-+$/, "");
    return `${head}-${hash}`;
}

/** A dashboard name: a DNS label starting with a letter (it becomes `<name>.<domain>`). */
export const DNS_LABEL = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
/** Longest dashboard name: keeps derived resource names (IAM roles, log groups, target groups) within AWS limits. */
export const MAX_DASHBOARD_NAME_LENGTH = 30;

/** True when `name` can be a dashboard name. */
export function isDashboardName(name: string): boolean {
    return DNS_LABEL.test(name) && name.length <= MAX_DASHBOARD_NAME_LENGTH;
}

/** Application Load Balancer names: <= 32 characters, no leading `internal-`. */
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
export const ALB_NAME_MAX = 32;
/** Target group names: <= 32 characters. */
// https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
export const TARGET_GROUP_NAME_MAX = 32;

/**
 * Every input of `aws.lb.TargetGroup` that makes the provider replace the group rather than update it
 * (besides the name itself and `region`, which is the stack's). Keep it complete: a forcing input left
 * out would make a replacement ask for the old group's name, which AWS refuses while that one exists.
 * https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lb_target_group#argument-reference
 */
export interface TargetGroupIdentity {
    port: number;
    protocol: string;
    protocolVersion: string;
    targetType: string;
    ipAddressType: string;
    vpcId: string;
}

/**
 * `<stack>-<dashboard>-<6 hex>`, at most 32 characters: the same while the identity is the same, and a
 * new name whenever a replacement is forced, so the new group (created before the old one is deleted)
 * never collides with the old one's name. The readable part is shortened like `boundedName`.
 */
export function targetGroupName(stack: string, dashboard: string, identity: TargetGroupIdentity): string {
    const canonical = JSON.stringify(Object.entries(identity).sort(([a], [b]) => a.localeCompare(b)));
    const suffix = createHash("sha256").update(canonical).digest("hex").slice(0, 6);
    return `${boundedName([stack, dashboard], TARGET_GROUP_NAME_MAX - suffix.length - 1)}-${suffix}`;
}
/** Characters Pulumi's autonaming appends to a logical name. */
export const AUTONAME_SUFFIX_LENGTH = 8;

export function albName(stack: string, component: string): string {
    const name = boundedName([stack, component], ALB_NAME_MAX);
    return name.startsWith("internal-") ? `lb-${name}`.slice(0, ALB_NAME_MAX).replace(/-+$/, "") : name;
}
