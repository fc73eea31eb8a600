/**
 * Which certificate serves each host name on the HTTPS listener. Pure, so the stack validator and
 * DashboardCluster apply the same rules.
 *
 * The listener's default certificate is `*.<domain>`, which covers exactly one label below the domain
 * (`sales.<domain>`), neither the domain itself nor `a.b.<domain>`. Every other host needs a
 * certificate of its own on the listener: one given by ARN, or one the stack requests and validates
 * in its Route 53 zone when the host is in that zone.
 * https://docs.aws.amazon.com/acm/latest/userguide/acm-certificate.html
 */

/** Certificates one ALB holds besides its listeners' default ones (an adjustable AWS quota). */
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
export const LISTENER_CERTIFICATE_LIMIT = 25;

/** A host name besides `<name>.<domain>`, and the certificate that covers it when one is given. */
export interface ExtraHost {
    host: string;
    certificateArn?: string;
}

/** What the stack knows about its domain and certificates. */
export interface CertificateContext {
    domain: string;
    /** Whether the stack manages the domain's Route 53 zone (it can then request and validate certificates). */
    hostedZone: boolean;
    /** The listener's default certificate when given by ARN (attaching it again would be a no-op). */
    defaultCertificateArn?: string;
}

/** Why a host cannot be served: outside the domain, or in it but beyond the wildcard with no zone to validate in. */
export type Uncovered = "outside-domain" | "beyond-wildcard-without-zone";

export type Coverage =
    | { kind: "default" }
    | { kind: "arn"; arn: string }
    | { kind: "request" }
    | { kind: "uncovered"; why: Uncovered };

/** `host` is the domain or below it. */
export function isInDomain(host: string, domain: string): boolean {
    return host === domain || host.endsWith(`.${domain}`);
}

/** `host` is exactly one label below `domain`, what `*.<domain>` covers. */
export function coveredByWildcard(host: string, domain: string): boolean {
    return host.endsWith(`.${domain}`) && !host.slice(0, -domain.length - 1).includes(".");
}

/** How the listener serves `h`. */
export function coverage(h: ExtraHost, ctx: CertificateContext): Coverage {
    if (h.certificateArn) return h.certificateArn === ctx.defaultCertificateArn ? { kind: "default" } : { kind: "arn", arn: h.certificateArn };
    if (coveredByWildcard(h.host, ctx.domain)) return { kind: "default" };
    if (!isInDomain(h.host, ctx.domain)) return { kind: "uncovered", why: "outside-domain" };
    return ctx.hostedZone ? { kind: "request" } : { kind: "uncovered", why: "beyond-wildcard-without-zone" };
}

export interface ListenerCertificatePlan {
    /** Distinct certificate ARNs to attach (several hosts may share one). */
    arns: string[];
    /** Hosts to request (and attach) a DNS-validated certificate for, each once. */
    requested: string[];
    uncovered: { host: string; why: Uncovered }[];
    /** Certificates the listener holds besides its default: what counts against the limit. */
    count: number;
}

export function listenerCertificatePlan(hosts: ExtraHost[], ctx: CertificateContext): ListenerCertificatePlan {
    const arns = new Set<string>();
    const requested = new Set<string>();
    const uncovered: ListenerCertificatePlan["uncovered"] = [];
    for (const h of hosts) {
        const c = coverage(h, ctx);
        if (c.kind === "arn") arns.add(c.arn);
        else if (c.kind === "request") requested.add(h.host);
        else if (c.kind === "uncovered") uncovered.push({ host: h.host, why: c.why });
    }
    return { arns: [...arns], requested: [...requested], uncovered, count: arns.size + requested.size };
}
