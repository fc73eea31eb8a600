/**
 * Architecture diagram of a planned stack, drawn from the planned resources (via `modelOf`):
 * Graphviz DOT, laid out by `dot` (left to right) in WebAssembly (@viz-js/viz), rasterised by
 * resvg. Nothing here reads the stack file: add a dashboard to the plan and a node appears.
 */
import { Resvg } from "@resvg/resvg-js";
import { instance } from "@viz-js/viz";
import { modelOf, PlanModel, ServiceModel } from "./planModel";
import { Plan } from "./runPlan";

const FONT = "Helvetica";

/** Fill colour per framework (portal and unknown frameworks fall back to grey). */
const FRAMEWORK_COLOURS: Record<string, string> = {
    shiny: "#dbe9f7",
    dash: "#e3f1de",
    streamlit: "#fde2e1",
    flask: "#eee6f7",
    custom: "#f1f1f1",
    portal: "#fff3c4",
};
const FRAMEWORK_NAMES: Record<string, string> = { shiny: "R Shiny", dash: "Dash", streamlit: "Streamlit", flask: "Flask", custom: "custom", portal: "portal" };

/** Escapes text for a Graphviz HTML-like label. */
function esc(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A stable node id from a name (DOT ids: letters, digits, underscores). */
function id(prefix: string, name: string): string {
    return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** An HTML-like label: the first line bold, then smaller lines. */
function label(title: string, lines: string[] = [], size = 9): string {
    const rest = lines.map((l) => `<br/><font point-size="${size}">${esc(l)}</font>`).join("");
    return `<<b>${esc(title)}</b>${rest}>`;
}

function capacityText(s: ServiceModel): string {
    return { "on-demand": "on-demand", spot: "Fargate Spot", mixed: "1st task on-demand, rest mostly Spot", custom: "custom capacity" }[s.capacity];
}

function size(vcpu: number, gb: number): string {
    return `${vcpu} vCPU / ${gb} GB`;
}

function groupsText(s: ServiceModel, model: PlanModel): string {
    if (s.accessGroups === undefined) return model.externalOidcIssuer ? "any user of the OIDC provider" : "groups: not known";
    if (s.accessGroups.length === 0) return "any signed-in user";
    return `groups: ${s.accessGroups.join(", ")}`;
}

function natText(model: PlanModel): string {
    const vpc = model.vpc;
    if (!vpc) return "no VPC in the plan";
    if (vpc.kind === "existing") return `existing VPC ${vpc.vpcId ?? ""}`.trim();
    if (vpc.natGateways === 0) return "NAT: none (tasks in public subnets with public IPs, admitted only from the ALB)";
    return `NAT: ${vpc.natStrategy === "Single" ? "one gateway" : `one per AZ (${vpc.natGateways})`}; tasks in private subnets`;
}

/** The DOT source of the diagram (pure: same plan, same text). */
export function diagramDot(plan: Plan): string {
    const m = modelOf(plan);
    const out: string[] = [];
    const line = (s: string) => out.push(s);
    const alb = m.loadBalancers[0];
    const https = m.listeners.find((l) => l.protocol === "HTTPS");
    const http = m.listeners.find((l) => l.protocol === "HTTP");
    const dashboards = m.services.filter((s) => !s.isPortal).length;

    line("digraph plan {");
    line(`  graph [rankdir=LR, compound=true, newrank=true, fontname="${FONT}", fontsize=11, nodesep=0.22, ranksep=0.55, pad=0.3, bgcolor="white",`);
    line(`         labelloc=t, labeljust=l, label=${label(`${m.project} / ${m.stack}: planned architecture`, [
        `${dashboards} dashboard${dashboards === 1 ? "" : "s"}${m.services.some((s) => s.isPortal) ? " + portal" : ""} · ${plan.resources.length} planned resources · region ${m.region ?? "?"} · drawn from the offline plan`,
    ], 10)}];`);
    line(`  node [shape=box, style="rounded,filled", fillcolor="white", color="#7a8594", fontname="${FONT}", fontsize=10, margin="0.12,0.06"];`);
    line(`  edge [fontname="${FONT}", fontsize=8, color="#5b6573", fontcolor="#3d4550", arrowsize=0.7];`);
    line("");
    line(`  users [shape=ellipse, fillcolor="#f4f6f8", label=${label("Users", ["browsers"])}];`);

    // --- DNS and certificate ----------------------------------------------------------------------
    const aliases = m.dnsRecords.filter((r) => r.alias);
    if (m.dnsRecords.length > 0 || m.certificates.length > 0) {
        line(`  subgraph cluster_dns { label=${label("Route 53 · ACM")}; style="rounded,filled"; fillcolor="#f7f7fb"; color="#b8bfcc";`);
        if (aliases.length > 0) {
            line(`    dns [shape=note, label=${label(`${aliases.length} alias record${aliases.length === 1 ? "" : "s"} → ALB`, aliases.map((r) => r.name), 8)}];`);
        }
        for (const [i, c] of m.certificates.entries()) {
            line(`    cert_${i} [shape=note, label=${label(`Certificate ${c.domainName}`, [`${c.validation ?? ""} validated in the zone`.trim()])}];`);
        }
        line("  }");
    }

    // --- Load balancer: listeners and host rules -----------------------------------------------------
    if (alb) {
        line(`  subgraph cluster_alb { label=${label(`Application Load Balancer ${alb.name}`, [
            `${alb.azs} AZs · idle timeout ${alb.idleTimeout ?? 60} s${alb.deletionProtection ? " · deletion protection" : ""}${alb.accessLogs ? " · access logs" : ""}${alb.dropInvalidHeaderFields ? " · drops invalid headers" : ""}`,
        ])}; style="rounded,filled"; fillcolor="#eef4fb"; color="#7fa7d4";`);
        if (http) line(`    listener_http [fillcolor="#ffffff", label=${label(`HTTP :${http.port}`, [http.defaultAction])}];`);
        if (https) {
            line(`    listener_https [fillcolor="#ffffff", label=${label(`HTTPS :${https.port}`, [
                `TLS policy ${https.sslPolicy ?? "default"}`, `certificate ${https.certificateDomain ?? "?"}`, `default: ${https.defaultAction}`,
            ])}];`);
        }
        line(`    subgraph cluster_rules { label=${label("Host rules: authenticate (1), then forward (2)")}; style="rounded,dashed"; color="#7fa7d4"; fillcolor="#f7fafd";`);
        for (const s of m.services) {
            line(`      ${id("rule", s.name)} [fillcolor="${s.isPortal ? "#fffbe8" : "#ffffff"}", label=${label(s.hosts.join(", ") || s.name, [
                `${s.authenticate ?? "no authentication"} → forward :${s.port ?? "?"}`, groupsText(s, m),
            ])}];`);
        }
        for (const [i, r] of m.fixedRules.entries()) {
            line(`      fixed_${i} [fillcolor="#ffffff", color="#a0a8b4", label=${label(`path ${r.paths.join(", ") || "*"}${r.hosts.length ? ` on ${r.hosts.join(", ")}` : ""}`, [`fixed response ${r.status ?? ""}, no login`])}];`);
        }
        line("    }");
        line("  }");
    }

    // --- Network and services --------------------------------------------------------------------------
    const vpc = m.vpc;
    const vpcTitle = vpc?.kind === "new" ? `VPC ${vpc.cidr}` : "VPC";
    const vpcLines = vpc?.kind === "new"
        ? [`${vpc.azs} AZs · subnets: ${vpc.subnetTypes.map((t) => t.toLowerCase()).join(" + ")} per AZ`, natText(m)]
        : [natText(m)];
    line(`  subgraph cluster_vpc { label=${label(vpcTitle, vpcLines)}; style="rounded,filled"; fillcolor="#f3f8f1"; color="#8db38a";`);
    line(`    subgraph cluster_ecs { label=${label(`ECS cluster (Fargate)${m.ecsCluster?.containerInsights ? " · Container Insights" : ""}`)}; style="rounded,filled"; fillcolor="#fbfdfb"; color="#8db38a";`);
    for (const s of m.services) {
        const colour = FRAMEWORK_COLOURS[s.framework] ?? FRAMEWORK_COLOURS.custom;
        const spot = s.capacity === "spot" || s.capacity === "mixed";
        line(`      ${id("svc", s.name)} [fillcolor="${colour}"${spot ? ', style="rounded,filled,dashed"' : ""}, label=${label(s.name, [
            `${FRAMEWORK_NAMES[s.framework] ?? s.framework} · ${size(s.vcpu, s.memoryGb)}`,
            `tasks ${s.minTasks}–${s.maxTasks} · ${capacityText(s)}${s.publicIp ? " · public IP" : ""}`,
            ...(s.wake ? [`scale to zero · sleeps after ${s.wake.idleMinutes} min idle · wakes on the first request`] : []),
            ...(s.schedule ? [`office hours ${s.schedule.days} ${s.schedule.start}–${s.schedule.stop} ${s.schedule.timeZone} · ${s.schedule.tasksOutside === 0 ? "asleep" : `${s.schedule.tasksOutside} task${s.schedule.tasksOutside === 1 ? "" : "s"}`} outside`] : []),
        ])}];`);
    }
    line("    }");
    line("  }");

    // --- ECR ---------------------------------------------------------------------------------------------
    const withRepo = m.services.filter((s) => s.repository);
    if (withRepo.length > 0) {
        line(`  subgraph cluster_ecr { label=${label("ECR repositories", ["scan on push · images pinned by digest"])}; style="rounded,filled"; fillcolor="#fdf6ee"; color="#d9a86c";`);
        for (const s of withRepo) line(`    ${id("repo", s.name)} [shape=cylinder, style="filled", fillcolor="#ffffff", color="#d9a86c", label=${label(s.repository!.name)}];`);
        line("  }");
    }

    // --- Login -------------------------------------------------------------------------------------------
    const c = m.cognito;
    if (c) {
        line(`  subgraph cluster_cognito { label=${label("Amazon Cognito")}; style="rounded,filled"; fillcolor="#fbf1f7"; color="#c98bb0";`);
        line(`    pool [fillcolor="#ffffff", label=${label(`User pool ${c.poolName}`, [
            `${c.tier} tier · MFA ${String(c.mfa ?? "off").toLowerCase()}${c.deletionProtection ? " · deletion protection" : ""}`,
            `${c.clients} app clients (one per dashboard) · ${c.groups.length} groups`,
            c.adminGroups.length > 0 ? `admin groups (open everything): ${c.adminGroups.join(", ")}` : "no admin groups",
        ])}];`);
        if (c.loginDomain) line(`    login [fillcolor="#ffffff", label=${label("Hosted login", [c.loginDomain])}];`);
        if (c.preTokenLambda) line(`    pretoken [shape=component, fillcolor="#ffffff", label=${label("Pre-token Lambda", [`${c.preTokenLambda.runtime ?? ""} · refuses users outside the groups`.trim()])}];`);
        for (const [i, idp] of c.identityProviders.entries()) line(`    idp_${i} [shape=house, fillcolor="#ffffff", label=${label(idp.name, [`${idp.type} federation`])}];`);
        line("  }");
    } else if (m.externalOidcIssuer) {
        line(`  oidc [fillcolor="#fbf1f7", label=${label("External OIDC provider", [m.externalOidcIssuer])}];`);
    }

    // --- Edges -------------------------------------------------------------------------------------------
    line("");
    if (aliases.length > 0) line(`  users -> dns [style=dashed, label="DNS"];`);
    if (http) line(`  users -> listener_http [label="http://"];`);
    if (https) line(`  users -> listener_https [label="https://"];`);
    if (http && https) line(`  listener_http -> listener_https [style=dashed, label="301"];`);
    if (aliases.length > 0 && https) line(`  dns -> listener_https [style=dotted, arrowhead=none, constraint=false];`);
    for (const s of m.services) {
        if (https) line(`  listener_https -> ${id("rule", s.name)} [label="${s.rulePriority !== undefined ? `prio ${s.rulePriority}` : ""}", color="#7fa7d4"];`);
        line(`  ${id("rule", s.name)} -> ${id("svc", s.name)} [label="forward"];`);
        if (s.repository) line(`  ${id("svc", s.name)} -> ${id("repo", s.name)} [style=dashed, label="pull", color="#d9a86c"];`);
    }
    for (const [i] of m.fixedRules.entries()) if (https) line(`  listener_https -> fixed_${i} [color="#a0a8b4"];`);
    const firstRule = m.services[0] ? id("rule", m.services[0].name) : undefined;
    if (c && firstRule) {
        line(`  ${firstRule} -> pool [ltail=cluster_rules, style=bold, color="#c98bb0", label="authenticate-oidc\\n(per-dashboard client)"];`);
        if (c.loginDomain) line(`  pool -> login [arrowhead=none, style=dotted];`);
        if (c.preTokenLambda) line(`  pool -> pretoken [label="pre-token trigger", color="#c98bb0"];`);
        for (const [i] of c.identityProviders.entries()) line(`  pool -> idp_${i} [style=dashed, label="federates"];`);
    } else if (m.externalOidcIssuer && firstRule) {
        line(`  ${firstRule} -> oidc [ltail=cluster_rules, style=bold, color="#c98bb0", label="authenticate-oidc"];`);
    }
    line("}");
    return `${out.join("\n")}\n`;
}

let vizInstance: ReturnType<typeof instance> | undefined;

/** Lays out `dot` with Graphviz dot; throws with Graphviz's messages if the source is invalid. */
export async function renderSvg(dot: string): Promise<string> {
    vizInstance ??= instance();
    const viz = await vizInstance;
    const result = viz.render(dot, { format: "svg", engine: "dot" });
    if (result.status !== "success") throw new Error(`graphviz: ${result.errors.map((e) => e.message).join("; ")}`);
    return result.output;
}

/** Rasterises an SVG at `zoom` times its size, on white, with the machine's sans-serif fonts. */
export function svgToPng(svg: string, zoom = 1.6): Buffer {
    const resvg = new Resvg(svg, {
        fitTo: { mode: "zoom", value: zoom },
        background: "white",
        font: { loadSystemFonts: true, defaultFontFamily: "Liberation Sans", sansSerifFamily: "Liberation Sans" },
    });
    return resvg.render().asPng();
}

export interface Diagram {
    dot: string;
    svg: string;
    png: Buffer;
}

export async function renderDiagram(plan: Plan): Promise<Diagram> {
    const dot = diagramDot(plan);
    const svg = await renderSvg(dot);
    return { dot, svg, png: svgToPng(svg) };
}
