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

/**
 * Above this many dashboards the diagram summarises: per load balancer one box for its host rules
 * and one for its services, and one box for ECR. One box per dashboard stops being readable (and
 * Graphviz slow) long before an ALB is full.
 */
export const SUMMARY_THRESHOLD = 24;

/** Node and cluster ids of load balancer `i`: the first keeps the ids a single-ALB diagram has. */
function lbId(base: string, i: number): string {
    return i === 0 ? base : `${base}_${i}`;
}

/** `name (count)` items, most frequent first (ties in first-seen order), at most `max` and "+ k more". */
function counted(items: string[], max = 6): string {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
    const sorted = [...counts].sort((a, b) => b[1] - a[1]);
    const shown = sorted.slice(0, max).map(([item, n]) => `${item} (${n})`);
    return [...shown, ...(sorted.length > max ? [`+ ${sorted.length - max} more`] : [])].join(" · ");
}

/** The first and last of a sorted list of names, or the one. */
function span(names: string[]): string {
    return names.length > 1 ? `${names[0]} … ${names[names.length - 1]}` : names[0] ?? "";
}

/** Who may open a dashboard, for the summary's counts: each access group, or everyone signed in. */
function audiences(s: ServiceModel, model: PlanModel): string[] {
    if (s.accessGroups === undefined) return [model.externalOidcIssuer ? "any user of the OIDC provider" : "groups not known"];
    return s.accessGroups.length === 0 ? ["open to all"] : s.accessGroups;
}

/** The summary box of many dashboards' host rules on one load balancer. */
function rulesSummary(services: ServiceModel[], model: PlanModel): string {
    const extraHosts = services.reduce((n, s) => n + Math.max(0, s.hosts.length - 1), 0);
    return label(`${services.length} host rule${services.length === 1 ? "" : "s"}: authenticate (1), then forward (2)`, [
        `${span(services.map((s) => s.hosts[0] ?? s.name))}${extraHosts > 0 ? ` · + ${extraHosts} extra host${extraHosts === 1 ? "" : "s"}` : ""}`,
        counted(services.map((s) => `${s.authenticate ?? "no authentication"} → forward`)),
        counted(services.flatMap((s) => audiences(s, model))),
    ]);
}

/** The summary box of many dashboards' services on one load balancer: by framework, size and capacity. */
function servicesSummary(services: ServiceModel[], title: string): string {
    const frameworks = new Map<string, number>();
    for (const s of services) frameworks.set(s.framework, (frameworks.get(s.framework) ?? 0) + 1);
    const order = Object.keys(FRAMEWORK_NAMES);
    const byFramework = [...frameworks]
        .sort((a, b) => (order.indexOf(a[0]) + 1 || order.length + 1) - (order.indexOf(b[0]) + 1 || order.length + 1) || a[0].localeCompare(b[0]))
        .map(([f, n]) => `${n} ${FRAMEWORK_NAMES[f] ?? f}`);
    const asleep = services.filter((s) => s.wake).length;
    const scheduled = services.filter((s) => s.schedule).length;
    const publicIps = services.filter((s) => s.publicIp).length;
    return label(title, [
        `${span(services.map((s) => s.name))} · ${byFramework.join(", ")}`,
        counted(services.map((s) => size(s.vcpu, s.memoryGb)), 4),
        `tasks ${Math.min(...services.map((s) => s.minTasks))}–${Math.max(...services.map((s) => s.maxTasks))} each · ${counted(services.map(capacityText), 3)}${publicIps > 0 ? ` · ${publicIps} with public IP` : ""}`,
        ...(asleep + scheduled > 0 ? [[asleep > 0 ? `${asleep} scale to zero` : "", scheduled > 0 ? `${scheduled} on office hours` : ""].filter((t) => t).join(" · ")] : []),
    ]);
}

/** The DOT source of the diagram (pure: same plan, same text). */
export function diagramDot(plan: Plan): string {
    const m = modelOf(plan);
    const out: string[] = [];
    const line = (s: string) => out.push(s);
    const dashboards = m.services.filter((s) => !s.isPortal).length;
    const summarise = dashboards > SUMMARY_THRESHOLD;
    // Services and rules whose load balancer the plan does not name are drawn on the first, as with one ALB.
    const lbIndex = new Map(m.loadBalancers.map((a, i) => [a.name, i]));
    const lbOf = (name: string | undefined) => (name !== undefined ? lbIndex.get(name) : undefined) ?? 0;
    const lbs = m.loadBalancers.map((alb, i) => ({
        alb,
        i,
        https: m.listeners.find((l) => l.loadBalancer === alb.name && l.protocol === "HTTPS"),
        http: m.listeners.find((l) => l.loadBalancer === alb.name && l.protocol === "HTTP"),
        services: m.services.filter((s) => lbOf(s.loadBalancer) === i),
        fixed: [...m.fixedRules.entries()].filter(([, r]) => lbOf(r.loadBalancer) === i),
    }));
    // Drawn one box each: every service of a small stack; of a summarised one, the portal only.
    const single = (s: ServiceModel) => !summarise || s.isPortal;
    const repoNode = (s: ServiceModel) => (summarise ? "repos" : id("repo", s.name));

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
            const names = aliases.map((r) => r.name);
            const shown = summarise && names.length > 6 ? [...names.slice(0, 4), `… and ${names.length - 4} more`] : names;
            line(`    dns [shape=note, label=${label(`${aliases.length} alias record${aliases.length === 1 ? "" : "s"} → ${lbs.length > 1 ? "their ALB" : "ALB"}`, shown, 8)}];`);
        }
        // Many extra hosts bring a certificate each: the first (the wildcard) drawn, the rest counted.
        const drawn = summarise && m.certificates.length > 4 ? m.certificates.slice(0, 1) : m.certificates;
        for (const [i, c] of drawn.entries()) {
            line(`    cert_${i} [shape=note, label=${label(`Certificate ${c.domainName}`, [`${c.validation ?? ""} validated in the zone`.trim()])}];`);
        }
        const rest = m.certificates.slice(drawn.length);
        if (rest.length > 0) {
            line(`    certs_more [shape=note, label=${label(`${rest.length} more certificates (extra hosts)`, [
                ...rest.slice(0, 3).map((c) => c.domainName), ...(rest.length > 3 ? [`… and ${rest.length - 3} more`] : []), counted(rest.map((c) => `${c.validation ?? "?"} validated`)),
            ], 8)}];`);
        }
        line("  }");
    }

    // --- Load balancers: listeners and host rules ----------------------------------------------------
    for (const { alb, i, http, https, services, fixed } of lbs) {
        const own = services.filter((s) => !s.isPortal).length;
        const portal = services.some((s) => s.isPortal);
        // With several load balancers (or a summary) each says how many dashboards it serves.
        const count = lbs.length > 1 || summarise ? `${own} dashboard${own === 1 ? "" : "s"}${portal ? " + portal" : ""} · ` : "";
        line(`  subgraph ${lbId("cluster_alb", i)} { label=${label(`Application Load Balancer ${alb.name}`, [
            `${count}${alb.azs} AZs · idle timeout ${alb.idleTimeout ?? 60} s${alb.deletionProtection ? " · deletion protection" : ""}${alb.accessLogs ? " · access logs" : ""}${alb.dropInvalidHeaderFields ? " · drops invalid headers" : ""}`,
        ])}; style="rounded,filled"; fillcolor="#eef4fb"; color="#7fa7d4";`);
        if (http) line(`    ${lbId("listener_http", i)} [fillcolor="#ffffff", label=${label(`HTTP :${http.port}`, [http.defaultAction])}];`);
        if (https) {
            line(`    ${lbId("listener_https", i)} [fillcolor="#ffffff", label=${label(`HTTPS :${https.port}`, [
                `TLS policy ${https.sslPolicy ?? "default"}`, `certificate ${https.certificateDomain ?? "?"}`, `default: ${https.defaultAction}`,
            ])}];`);
        }
        line(`    subgraph ${lbId("cluster_rules", i)} { label=${label(summarise ? "Listener rules" : "Host rules: authenticate (1), then forward (2)")}; style="rounded,dashed"; color="#7fa7d4"; fillcolor="#f7fafd";`);
        const many = services.filter((s) => !single(s));
        if (many.length > 0) line(`      ${id("rules", String(i))} [fillcolor="#ffffff", label=${rulesSummary(many, m)}];`);
        for (const s of services.filter(single)) {
            line(`      ${id("rule", s.name)} [fillcolor="${s.isPortal ? "#fffbe8" : "#ffffff"}", label=${label(s.hosts.join(", ") || s.name, [
                `${s.authenticate ?? "no authentication"} → forward :${s.port ?? "?"}`, groupsText(s, m),
            ])}];`);
        }
        for (const [k, r] of fixed) {
            line(`      fixed_${k} [fillcolor="#ffffff", color="#a0a8b4", label=${label(`path ${r.paths.join(", ") || "*"}${r.hosts.length ? ` on ${r.hosts.join(", ")}` : ""}`, [`fixed response ${r.status ?? ""}, no login`])}];`);
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
    // A summary box per load balancer (by index; services of no known load balancer go with the first).
    const summaries = new Map<number, ServiceModel[]>();
    for (const s of m.services.filter((x) => !single(x))) summaries.set(lbOf(s.loadBalancer), [...(summaries.get(lbOf(s.loadBalancer)) ?? []), s]);
    line(`  subgraph cluster_vpc { label=${label(vpcTitle, vpcLines)}; style="rounded,filled"; fillcolor="#f3f8f1"; color="#8db38a";`);
    line(`    subgraph cluster_ecs { label=${label(`ECS cluster (Fargate)${m.ecsCluster?.containerInsights ? " · Container Insights" : ""}`)}; style="rounded,filled"; fillcolor="#fbfdfb"; color="#8db38a";`);
    for (const [i, services] of summaries) {
        const frameworks = new Set(services.map((s) => s.framework));
        const colour = frameworks.size === 1 ? FRAMEWORK_COLOURS[[...frameworks][0]] ?? FRAMEWORK_COLOURS.custom : "#ffffff";
        const spot = services.every((s) => s.capacity === "spot" || s.capacity === "mixed");
        const where = m.loadBalancers[i] ? ` on ${m.loadBalancers[i].name}` : "";
        line(`      ${id("svcs", String(i))} [fillcolor="${colour}"${spot ? ', style="rounded,filled,dashed"' : ""}, label=${servicesSummary(services, `${services.length} dashboard${services.length === 1 ? "" : "s"}${where}`)}];`);
    }
    for (const s of m.services.filter(single)) {
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
        if (summarise) {
            const names = withRepo.map((s) => s.repository!.name).sort();
            line(`    repos [shape=cylinder, style="filled", fillcolor="#ffffff", color="#d9a86c", label=${label(`${withRepo.length} repositories`, [span(names)])}];`);
        } else {
            for (const s of withRepo) line(`    ${id("repo", s.name)} [shape=cylinder, style="filled", fillcolor="#ffffff", color="#d9a86c", label=${label(s.repository!.name)}];`);
        }
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
    // Only the first load balancer's edges from the users are labelled: the others say the same.
    for (const { i, http } of lbs) if (http) line(`  users -> ${lbId("listener_http", i)}${i === 0 ? ` [label="http://"]` : ""};`);
    for (const { i, https } of lbs) if (https) line(`  users -> ${lbId("listener_https", i)}${i === 0 ? ` [label="https://"]` : ""};`);
    for (const { i, http, https } of lbs) if (http && https) line(`  ${lbId("listener_http", i)} -> ${lbId("listener_https", i)} [style=dashed, label="301"];`);
    if (aliases.length > 0) for (const { i, https } of lbs) if (https) line(`  dns -> ${lbId("listener_https", i)} [style=dotted, arrowhead=none, constraint=false];`);
    for (const [i, services] of summaries) {
        const lb = lbs[i];
        const priorities = services.map((s) => s.rulePriority).filter((p): p is number => p !== undefined);
        const prio = priorities.length > 0 ? `prio ${Math.min(...priorities)}–${Math.max(...priorities)}` : "";
        if (lb?.https) line(`  ${lbId("listener_https", i)} -> ${id("rules", String(i))} [label="${prio}", color="#7fa7d4"];`);
        if (lb) line(`  ${id("rules", String(i))} -> ${id("svcs", String(i))} [label="forward"];`);
        if (services.some((s) => s.repository)) line(`  ${id("svcs", String(i))} -> repos [style=dashed, label="pull", color="#d9a86c"];`);
    }
    for (const s of m.services.filter(single)) {
        const https = lbs[lbOf(s.loadBalancer)]?.https;
        if (https) line(`  ${lbId("listener_https", lbOf(s.loadBalancer))} -> ${id("rule", s.name)} [label="${s.rulePriority !== undefined ? `prio ${s.rulePriority}` : ""}", color="#7fa7d4"];`);
        line(`  ${id("rule", s.name)} -> ${id("svc", s.name)} [label="forward"];`);
        if (s.repository) line(`  ${id("svc", s.name)} -> ${repoNode(s)} [style=dashed, label="pull", color="#d9a86c"];`);
    }
    for (const { i, https, fixed } of lbs) for (const [k] of fixed) if (https) line(`  ${lbId("listener_https", i)} -> fixed_${k} [color="#a0a8b4"];`);
    // Authentication, from each load balancer's rules (the first node of each cluster stands for it).
    const ruleClusters: { node: string; cluster: string }[] = lbs.length === 0
        ? (m.services[0] ? [{ node: id("rule", m.services[0].name), cluster: "cluster_rules" }] : [])
        : lbs.flatMap(({ i, services }) => {
            const first = services.find((s) => !single(s)) ? id("rules", String(i)) : services[0] ? id("rule", services[0].name) : undefined;
            return first ? [{ node: first, cluster: lbId("cluster_rules", i) }] : [];
        });
    for (const [n, { node, cluster }] of ruleClusters.entries()) {
        if (c) line(`  ${node} -> pool [ltail=${cluster}, style=bold, color="#c98bb0"${n === 0 ? `, label="authenticate-oidc\\n(per-dashboard client)"` : ""}];`);
        else if (m.externalOidcIssuer) line(`  ${node} -> oidc [ltail=${cluster}, style=bold, color="#c98bb0"${n === 0 ? `, label="authenticate-oidc"` : ""}];`);
    }
    if (c && ruleClusters.length > 0) {
        if (c.loginDomain) line(`  pool -> login [arrowhead=none, style=dotted];`);
        if (c.preTokenLambda) line(`  pool -> pretoken [label="pre-token trigger", color="#c98bb0"];`);
        for (const [i] of c.identityProviders.entries()) line(`  pool -> idp_${i} [style=dashed, label="federates"];`);
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
