/**
 * Local start time of each dashboard template (and the portal): from spawning the process, as the
 * app tests start it (test/apps/harness.ts: the image's entry point on a free loopback port), to the
 * first 200 from the path the target group's health check requests. Polled every 50 ms.
 *
 *   npx tsx test/apps/startTimes.ts [runs] [name ...]     (default: 3 runs of every one)
 *
 * A cold start in AWS adds what this leaves out: placing the Fargate task, pulling the image,
 * and the target group's health checks (interval x healthy threshold) before the ALB routes to it.
 * Needs `bash scripts/setup-app-tests.sh` (and `npm --prefix apps/portal ci` for the portal).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Identity, PORTAL, RunningApp, startIdentity, startPortal, TEMPLATES } from "./harness";

interface Subject {
    name: string;
    healthPath: string;
    start(): Promise<RunningApp>;
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const runs = args[0] && /^\d+$/.test(args[0]) ? Number(args.shift()) : 3;
    const only = new Set(args);
    const id: Identity = await startIdentity();
    const portalKeys = await (await import("../../apps/portal/test/support/keys")).startKeyServer();
    const { testEnv } = await import("../../apps/portal/test/support/settings");
    const subjects: Subject[] = [
        ...Object.values(TEMPLATES).map((t) => ({ name: t.name, healthPath: t.healthPath, start: () => t.start(id) })),
        { name: "portal (tsx, as the tests run it)", healthPath: "/health", start: () => startPortal(testEnv(portalKeys)) },
        { name: "portal (built dist/, as the image runs it)", healthPath: "/health", start: () => startPortal(testEnv(portalKeys), true) },
    ].filter((s) => only.size === 0 || [...only].some((o) => s.name.startsWith(o)));

    if (subjects.some((s) => s.name.includes("built")) && !fs.existsSync(path.join(PORTAL, "dist", "server.js"))) {
        console.error("building the portal (npm --prefix apps/portal run build) ...");
        const built = spawnSync("npm", ["--prefix", PORTAL, "run", "build"], { stdio: "inherit" });
        if (built.status !== 0) throw new Error("portal build failed");
    }

    const rows: { name: string; healthPath: string; times: number[] }[] = [];
    try {
        for (const s of subjects) {
            const times: number[] = [];
            for (let i = 0; i < runs; i++) {
                const app = await s.start();
                times.push(app.startMs);
                await app.stop();
                console.error(`${s.name}: run ${i + 1}: ${Math.round(app.startMs)} ms`);
            }
            rows.push({ name: s.name, healthPath: s.healthPath, times });
        }
    } finally {
        await id.close();
        await portalKeys.close();
    }

    const median = (xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    };
    const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const cpu = os.cpus();
    console.log(`Start to first 200 from the health path, ${runs} runs each; ${cpu.length} cores (${cpu[0]?.model.trim() ?? "?"}), Node ${process.version}`);
    console.log("");
    console.log("| app | health path | median | max | runs |");
    console.log("| --- | --- | --- | --- | --- |");
    for (const r of rows) {
        console.log(`| ${r.name} | \`${r.healthPath}\` | ${sec(median(r.times))} | ${sec(Math.max(...r.times))} | ${r.times.map((t) => (t / 1000).toFixed(2)).join(", ")} |`);
    }
}

main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
});
