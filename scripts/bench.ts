/**
 * `npm run bench`: how the offline plan scales with the number of dashboards.
 *
 * Plans synthetic stacks derived from Pulumi.dev.yaml (via `planConfig`) with 1, 10, 50 and 98
 * generated dashboards, each size in a fresh child process so time and memory do not accumulate,
 * and prints wall time, peak RSS, resource count and the 98/10 time ratio. 98, not 100: with the
 * portal and the signed-out rule that is the ALB's 100-rule limit, which the stack validator
 * enforces; the bench does not bypass it.
 *
 * `--sdk-stack-traces` plans with the SDK's per-promise stack captures left on (the state before
 * plan/stackTraces.ts), for comparison. `BENCH_SIZES=1,10` picks other sizes.
 * Child mode (internal): `tsx scripts/bench.ts --child <n>` prints one JSON line.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { estimateCost } from "../plan/cost";
import { diagramDot, renderSvg } from "../plan/diagram";
import { renderPlanJson } from "../plan/planJson";
import { planConfig, PROJECT_DIR } from "../plan/runPlan";
import { loadStack } from "../plan/stackFile";

const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(",").map(Number) : [1, 10, 50, 98];
const FRAMEWORKS = ["shiny", "dash", "streamlit", "flask"] as const;
// Every fourth dashboard is open to every signed-in user.
const GROUPS: string[][] = [["shiny_users"], ["dash_users"], ["analysts"], []];

interface Measure {
    dashboards: number;
    planMs: number;
    outputsMs: number;
    peakRssMiB: number;
    resources: number;
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

async function child(n: number): Promise<void> {
    let peak = process.memoryUsage.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
    const start = performance.now();
    // As `npm run plan` does; `--sdk-stack-traces` measures the SDK's default for comparison.
    const plan = await planConfig(stackWith(n), undefined, { sdkStackTraces: Boolean(process.env.BENCH_SDK_STACK_TRACES) });
    const planned = performance.now();
    // What `npm run plan` does after planning: plan.json, the cost and the diagram's layout.
    renderPlanJson(plan);
    estimateCost(plan);
    await renderSvg(diagramDot(plan));
    const done = performance.now();
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    const m: Measure = { dashboards: n, planMs: planned - start, outputsMs: done - planned, peakRssMiB: peak / 2 ** 20, resources: plan.resources.length };
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
    console.log("\n| dashboards | plan (s) | json + cost + diagram SVG (s) | whole process (s) | peak RSS (MiB) | resources |");
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const m of rows) {
        console.log(`| ${pad(m.dashboards, 3)} | ${pad((m.planMs / 1000).toFixed(2), 6)} | ${pad((m.outputsMs / 1000).toFixed(2), 6)} | ${pad((m.processMs! / 1000).toFixed(2), 6)} | ${pad(m.peakRssMiB.toFixed(0), 5)} | ${pad(m.resources, 5)} |`);
    }
    const at = (n: number) => rows.find((m) => m.dashboards === n)!;
    const ratio = at(98).planMs / at(10).planMs;
    console.log(`\nplan time 98/10: ${ratio.toFixed(1)} (linear growth would be 9.8; goal <= 10); 98 dashboards: ${(at(98).planMs / 1000).toFixed(2)} s (goal < 10 s)`);
    console.log("98 dashboards, not 100: with the portal and the signed-out rule that is the ALB's 100-rule limit, which the validator enforces.");
    return 0;
}

if (process.argv[2] === "--child") {
    child(Number(process.argv[3])).catch((e) => {
        console.error(e);
        process.exit(1);
    });
} else {
    process.exit(parent());
}
