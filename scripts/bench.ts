/**
 * `npm run bench`: how the offline plan scales with the number of dashboards.
 *
 * Plans synthetic stacks derived from Pulumi.dev.yaml (via `planConfig`) with 10, 50, 100, 300
 * and 500 generated dashboards (past 90, spread over several load balancers), each size in a fresh
 * child process so time and memory do not accumulate, and prints wall time, peak RSS, resource and
 * load-balancer counts, and checks the targets: plan time 500/50 at most 12 (linear), 500
 * dashboards in under 60 s, peak RSS under 2.5 GB. It exits 1 when a target is missed.
 *
 * `--sdk-stack-traces` plans with the SDK's per-promise stack captures left on (the state before
 * plan/stackTraces.ts), for comparison. `BENCH_SIZES=1,10` picks other sizes.
 * Child mode (internal): `tsx scripts/bench.ts --child <n>` prints one JSON line.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { estimateCost } from "../plan/cost";
import { diagramDot, renderSvg } from "../plan/diagram";
import { renderPlanJson } from "../plan/planJson";
import { planConfig, PROJECT_DIR } from "../plan/runPlan";
import { loadStack } from "../plan/stackFile";

const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(",").map(Number) : [10, 50, 100, 300, 500];
/** Targets of the 500-dashboard stack on this 2-core machine. */
const TARGETS = { ratio500to50: 12, planMs500: 60_000, peakRssMiB: 2.5e9 / 2 ** 20 } as const; // 2.5 GB = 2384 MiB
const FRAMEWORKS = ["shiny", "dash", "streamlit", "flask"] as const;
// Every fourth dashboard is open to every signed-in user.
const GROUPS: string[][] = [["shiny_users"], ["dash_users"], ["analysts"], []];

interface Measure {
    dashboards: number;
    planMs: number;
    outputsMs: number;
    peakRssMiB: number;
    resources: number;
    loadBalancers: number;
    /** Whole child process, tsx start-up included (set by the parent). */
    processMs?: number;
}

/** The dev stack with `n` generated dashboards (framework, size and groups cycled). */
function stackWith(n: number) {
    const base = loadStack(PROJECT_DIR, "dev");
    const dashboards = Array.from({ length: n }, (_, i) => ({
        name: `dash-${String(i + 1).padStart(3, "0")}`,
        framework: FRAMEWORKS[i % FRAMEWORKS.length],
        app: FRAMEWORKS[i % FRAMEWORKS.length],
        cpu: i % 2 ? 512 : 256,
        memory: i % 2 ? 1024 : 512,
        accessGroups: GROUPS[i % GROUPS.length],
    }));
    return { ...base, config: { ...base.config, "dashboards:dashboards": JSON.stringify(dashboards) } };
}

/**
 * The process's peak resident set so far: the kernel's high-water mark (VmHWM). A timer sampling
 * RSS would miss it: declaring resources and rendering run without yielding to timers for seconds.
 */
function peakRss(): number {
    const status = fs.readFileSync("/proc/self/status", "utf8").match(/^VmHWM:\s+(\d+) kB$/m);
    if (!status) throw new Error("bench: no VmHWM in /proc/self/status (the bench measures peak memory on Linux only)");
    return Number(status[1]) * 1024;
}

async function child(n: number): Promise<void> {
    const start = performance.now();
    // As `npm run plan` does; `--sdk-stack-traces` measures the SDK's default for comparison.
    const plan = await planConfig(stackWith(n), undefined, { sdkStackTraces: Boolean(process.env.BENCH_SDK_STACK_TRACES) });
    const planned = performance.now();
    // What `npm run plan` does after planning: plan.json, the cost and the diagram's layout.
    renderPlanJson(plan);
    estimateCost(plan);
    await renderSvg(diagramDot(plan));
    const done = performance.now();
    const m: Measure = {
        dashboards: n, planMs: planned - start, outputsMs: done - planned, peakRssMiB: peakRss() / 2 ** 20, resources: plan.resources.length,
        loadBalancers: plan.resources.filter((r) => r.type === "aws:lb/loadBalancer:LoadBalancer").length,
    };
    process.stdout.write(`${JSON.stringify(m)}\n`);
}

function parent(): number {
    const tsx = path.join(PROJECT_DIR, "node_modules", ".bin", "tsx");
    const rows: Measure[] = [];
    for (const n of SIZES) {
        const wallStart = performance.now();
        const env = { ...process.env, ...(process.argv.includes("--sdk-stack-traces") ? { BENCH_SDK_STACK_TRACES: "1" } : {}) };
        const r = spawnSync(tsx, [__filename, "--child", String(n)], { cwd: PROJECT_DIR, encoding: "utf8", env });
        const wall = performance.now() - wallStart;
        if (r.status !== 0) {
            console.error(`bench: ${n} dashboards failed:\n${r.stderr}`);
            return 1;
        }
        const m = JSON.parse(r.stdout.trim().split("\n").pop()!) as Measure;
        m.processMs = wall;
        rows.push(m);
        console.error(`  ${n} dashboards: ${(m.planMs / 1000).toFixed(2)} s (process ${(wall / 1000).toFixed(2)} s)`);
    }
    const pad = (s: string | number, w: number) => String(s).padStart(w);
    console.log("\n| dashboards | load balancers | plan (s) | json + cost + diagram SVG (s) | whole process (s) | peak RSS (MiB) | resources |");
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const m of rows) {
        console.log(`| ${pad(m.dashboards, 3)} | ${pad(m.loadBalancers, 2)} | ${pad((m.planMs / 1000).toFixed(2), 6)} | ${pad((m.outputsMs / 1000).toFixed(2), 6)} | ${pad((m.processMs! / 1000).toFixed(2), 6)} | ${pad(m.peakRssMiB.toFixed(0), 5)} | ${pad(m.resources, 5)} |`);
    }
    const at = (n: number) => rows.find((m) => m.dashboards === n);
    const [small, big] = [at(50), at(500)];
    if (!small || !big) return 0; // other sizes: no targets to check
    const ratio = big.planMs / small.planMs;
    const peak = Math.max(...rows.map((m) => m.peakRssMiB));
    const missed = [
        ratio > TARGETS.ratio500to50 && `plan time 500/50 is ${ratio.toFixed(1)}, above ${TARGETS.ratio500to50}`,
        big.planMs >= TARGETS.planMs500 && `500 dashboards took ${(big.planMs / 1000).toFixed(1)} s, not under ${TARGETS.planMs500 / 1000} s`,
        peak >= TARGETS.peakRssMiB && `peak RSS ${peak.toFixed(0)} MiB, not under ${TARGETS.peakRssMiB.toFixed(0)} MiB (2.5 GB)`,
    ].filter(Boolean);
    console.log(`\nplan time 500/50: ${ratio.toFixed(1)} (linear would be 10; target <= ${TARGETS.ratio500to50}); 500 dashboards: ${(big.planMs / 1000).toFixed(2)} s (target < ${TARGETS.planMs500 / 1000} s); peak RSS ${peak.toFixed(0)} MiB (target < ${TARGETS.peakRssMiB.toFixed(0)} MiB, 2.5 GB)`);
    for (const m of missed) console.error(`bench: target missed: ${m}`);
    return missed.length === 0 ? 0 : 1;
}

if (process.argv[2] === "--child") {
    child(Number(process.argv[3])).catch((e) => {
        console.error(e);
        process.exit(1);
    });
} else {
    process.exit(parent());
}
